/*
 * irq.h - interrupt lines.
 *
 * A device holds a struct irq_line * given to it by the board and sets its
 * level; whatever consumes the line (an interrupt controller, the CPU's
 * INTR pin) registered the handler.  Lines are level-triggered wires: the
 * handler is called on every irq_set(), and consumers that care about edges
 * compare with the previous level themselves.  An unconnected line (NULL)
 * is allowed and ignored, so devices can be tested alone.
 *
 * Called with the machine lock held.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include <stdbool.h>

typedef void irq_handler_fn(void *opaque, int n, bool level);

struct irq_line {
    irq_handler_fn *handler;
    void *opaque;
    int n;
    bool level;
};

struct irq_line *irq_new(irq_handler_fn *handler, void *opaque, int n);
/* Allocate count lines numbered 0..count-1 sharing one handler. */
struct irq_line *irq_new_array(irq_handler_fn *handler, void *opaque, int count);
void irq_set(struct irq_line *line, bool level);
static inline void irq_raise(struct irq_line *line)
{
    irq_set(line, true);
}
static inline void irq_lower(struct irq_line *line)
{
    irq_set(line, false);
}
/* Raise then lower (an edge for edge-triggered consumers). */
void irq_pulse(struct irq_line *line);

#endif
