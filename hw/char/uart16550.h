/*
 * uart16550.h - National Semiconductor PC16550D UART (the PC's COM ports).
 *
 * The board creates one per serial port, gives it an interrupt line and a
 * host chardev, and the UART registers eight registers at base (spaced
 * 1 << reg_shift bytes apart: 0 for PC ports, 2 for MMIO boards).
 */
#ifndef HW_CHAR_UART16550_H
#define HW_CHAR_UART16550_H

#include <stdint.h>

struct machine;
struct address_space;
struct irq_line;
struct chardev;
struct uart16550;

/*
 * Create a UART at base in as.  irq is the line towards the interrupt
 * controller (may be NULL); chr is the host backend (NULL: output dropped,
 * no input, modem inputs deasserted).  Registers a machine reset handler.
 * Returns NULL (after reporting one line) if the registers clash with an
 * existing region.
 */
struct uart16550 *uart_create(struct machine *m, struct address_space *as, uint64_t base,
                              unsigned reg_shift, struct irq_line *irq, struct chardev *chr);

#endif
