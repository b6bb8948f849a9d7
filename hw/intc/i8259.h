/*
 * i8259.h - the two Intel 8259A PICs of a PC, with the PIIX ELCR.
 *
 * Master at ports 0x20/0x21, slave at 0xA0/0xA1 cascaded on master input 2,
 * edge/level control registers at 0x4D0/0x4D1.  The pair drives the boot
 * CPU's INTR pin through machine_set_intr() and answers the interrupt
 * acknowledge cycle through m->intr_ack.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

struct machine;
struct address_space;
struct irq_line;
struct i8259;

/*
 * Create the pair in the port space io, register a reset handler and
 * install m->intr_ack / m->intr_opaque.  Returns NULL (one line reported)
 * if the ports are already taken.
 */
struct i8259 *i8259_create(struct machine *m, struct address_space *io);

/*
 * Input line n (0..15) for a device.  Line 2 is the cascade input of the
 * master: on the AT bus the ISA IRQ2 pin is wired to IRQ9, so devices
 * should use 9; a level set on line 2 is ORed with the slave's output.
 */
struct irq_line *i8259_irq(struct i8259 *p, int n);

/*
 * Interrupt acknowledge: the vector the CPU receives (what m->intr_ack
 * returns).  With no request pending this is the spurious IRQ7 vector of
 * the master (or IRQ15's, when the master picked the cascade input).
 */
int i8259_ack(struct i8259 *p);

#endif
