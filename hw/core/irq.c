/*
 * irq.c - interrupt lines (see irq.h).
 */
#include "hw/core/irq.h"

#include "janus/util.h"

struct irq_line *irq_new(irq_handler_fn *handler, void *opaque, int n)
{
    struct irq_line *l = xzalloc(sizeof(*l));
    l->handler = handler;
    l->opaque = opaque;
    l->n = n;
    return l;
}

struct irq_line *irq_new_array(irq_handler_fn *handler, void *opaque, int count)
{
    struct irq_line *l = xzalloc(sizeof(*l) * (size_t)count);
    for (int i = 0; i < count; i++) {
        l[i].handler = handler;
        l[i].opaque = opaque;
        l[i].n = i;
    }
    return l;
}

void irq_set(struct irq_line *line, bool level)
{
    if (!line)
        return;
    line->level = level;
    if (line->handler)
        line->handler(line->opaque, line->n, level);
}

void irq_pulse(struct irq_line *line)
{
    irq_set(line, true);
    irq_set(line, false);
}
