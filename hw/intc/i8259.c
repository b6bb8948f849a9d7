/*
 * i8259.c - Intel 8259A programmable interrupt controllers, PC wiring.
 *
 * From the 8259A datasheet (Intel 231468): initialisation ICW1..ICW4,
 * OCW1 (mask), OCW2 (non-specific/specific EOI, rotation, set priority,
 * rotate in automatic EOI), OCW3 (read IRR/ISR, poll, special mask mode),
 * fully nested and special fully nested modes, automatic EOI, and the
 * priority resolver with rotation.  PIIX's ELCR (ports 0x4D0/0x4D1) or
 * ICW1.LTIM makes an input level-triggered.
 *
 * Edge-triggered inputs latch the request on the rising edge and keep it
 * after the line falls (as QEMU does): devices may pulse a line, and the
 * interrupt is still delivered.  Level-triggered requests follow the line,
 * so a level request withdrawn before the acknowledge cycle yields the
 * spurious IRQ7 vector (IRQ15 when the slave's request vanished after the
 * master latched its cascade input) with no ISR bit set for it.
 *
 * The slave's INT output drives master input 2 (edge-triggered on a PC).
 * Cascading follows the physical wiring, not ICW3 (stored, not
 * interpreted); a master initialised in single mode delivers input 2 as a
 * plain IRQ.  Not modelled: 8080 call vectors (ICW4.uPM=0 is treated as
 * 8086 mode), buffered mode, ICW1.ADI.
 *
 * State after a machine reset: uninitialised, vector base 0 and every
 * input masked, so a guest that never programs the PICs sees no
 * interrupts (after ICW1 the mask is cleared as the datasheet says).
 */
#include "hw/intc/i8259.h"

#include <stdlib.h>

#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "janus/util.h"

#define PIC_ELCR_MASK_MASTER 0xf8 /* IRQ0-2 are always edge (PIIX) */
#define PIC_ELCR_MASK_SLAVE 0xde  /* IRQ8 and IRQ13 are always edge */

/* Initialisation sequence: which word a write to the odd port is. */
enum { PIC_READY, PIC_WANT_ICW2, PIC_WANT_ICW3, PIC_WANT_ICW4 };

struct i8259;

struct pic_chip {
    struct i8259 *pic;
    bool is_master;
    uint8_t lines; /* input pin levels */
    uint8_t irr;   /* edge latches (level inputs are read from lines) */
    uint8_t imr, isr;
    uint8_t elcr, elcr_mask;
    uint8_t priority_add; /* the input with the highest priority */
    uint8_t irq_base;
    uint8_t icw3;
    uint8_t init_state; /* PIC_READY or the ICW expected next */
    bool init4, single, ltim;
    bool auto_eoi, rotate_on_auto_eoi, special_fully_nested;
    bool read_isr, poll, special_mask;
};

struct i8259 {
    struct machine *m;
    struct pic_chip chip[2];
    struct irq_line *in;
    bool dev_irq2; /* a device driving line 2 directly */
};

static uint8_t pic_level_mask(const struct pic_chip *c)
{
    return c->ltim ? 0xff : c->elcr;
}

static uint8_t pic_irr(const struct pic_chip *c)
{
    uint8_t lm = pic_level_mask(c);
    return (uint8_t)((c->irr & ~lm) | (c->lines & lm));
}

/* Rank (0 = highest) of the best request in mask, or 8 if none. */
static int pic_priority(const struct pic_chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7))))
        p++;
    return p;
}

/* The input the chip would signal now, or -1. */
static int pic_get_irq(const struct pic_chip *c)
{
    int p = pic_priority(c, pic_irr(c) & ~c->imr);
    if (p == 8)
        return -1;
    int irq = (p + c->priority_add) & 7;
    uint8_t in = c->isr;
    if (c->special_mask)
        in &= ~c->imr; /* masked levels in service do not inhibit others */
    int cur = pic_priority(c, in);
    if (p < cur)
        return irq;
    /* SFNM: the master takes further (higher) slave requests while one is served. */
    if (c->is_master && c->special_fully_nested && irq == 2 && p == cur)
        return irq;
    return -1;
}

static void pic_set_input(struct pic_chip *c, int n, bool level)
{
    uint8_t mask = (uint8_t)(1u << n);
    if (level && !(c->lines & mask) && !(pic_level_mask(c) & mask))
        c->irr |= mask;
    if (level)
        c->lines |= mask;
    else
        c->lines &= (uint8_t)~mask;
}

/* Propagate slave -> master input 2 -> CPU INTR. */
static void pic_update(struct i8259 *p)
{
    bool slave_out = pic_get_irq(&p->chip[1]) >= 0;
    pic_set_input(&p->chip[0], 2, slave_out || p->dev_irq2);
    machine_set_intr(p->m, pic_get_irq(&p->chip[0]) >= 0);
}

static void pic_intack(struct pic_chip *c, int irq)
{
    uint8_t mask = (uint8_t)(1u << irq);
    if (!(pic_level_mask(c) & mask))
        c->irr &= (uint8_t)~mask;
    if (c->auto_eoi) {
        if (c->rotate_on_auto_eoi)
            c->priority_add = (uint8_t)((irq + 1) & 7);
    } else {
        c->isr |= mask;
    }
}

int i8259_ack(struct i8259 *p)
{
    struct pic_chip *master = &p->chip[0], *slave = &p->chip[1];
    int vector;
    int irq = pic_get_irq(master);
    if (irq < 0) {
        /* The request went away between INTR and INTA: default IR7, ISR untouched. */
        vector = master->irq_base + 7;
    } else {
        if (irq == 2 && !master->single) {
            int sirq = pic_get_irq(slave);
            if (sirq >= 0) {
                pic_intack(slave, sirq);
                vector = slave->irq_base + sirq;
            } else {
                vector = slave->irq_base + 7;
            }
        } else {
            vector = master->irq_base + irq;
        }
        pic_intack(master, irq);
    }
    pic_update(p);
    return vector;
}

static int pic_intr_ack(void *opaque)
{
    return i8259_ack(opaque);
}

static uint8_t pic_poll_read(struct pic_chip *c)
{
    int irq = pic_get_irq(c);
    if (irq < 0)
        return 0;
    pic_intack(c, irq);
    pic_update(c->pic);
    return (uint8_t)(0x80 | irq);
}

static void pic_write_icw1(struct pic_chip *c, uint8_t val)
{
    /*
     * Datasheet "Initialization command word 1": the edge sense circuit is
     * reset (a high input must go low and high again), IMR is cleared, IR7
     * gets the lowest priority, special mask mode is cleared and status
     * read is set to IRR; without IC4 the ICW4 functions are zero.  ISR is
     * cleared too, so a re-initialised chip does not stay blocked.
     */
    c->irr = 0;
    c->imr = 0;
    c->isr = 0;
    c->priority_add = 0;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_on_auto_eoi = false;
    c->auto_eoi = false;
    c->special_fully_nested = false;
    c->ltim = val & 0x08;
    c->single = val & 0x02;
    c->init4 = val & 0x01;
    c->init_state = PIC_WANT_ICW2;
}

/* OCW2 commands, bits 7:5 (R, SL, EOI). */
enum {
    OCW2_CLEAR_ROTATE_AEOI = 0,
    OCW2_EOI = 1,
    OCW2_NOP = 2,
    OCW2_SPECIFIC_EOI = 3,
    OCW2_SET_ROTATE_AEOI = 4,
    OCW2_ROTATE_EOI = 5,
    OCW2_SET_PRIORITY = 6, /* level L becomes the lowest */
    OCW2_ROTATE_SPECIFIC_EOI = 7,
};

static void pic_write_ocw2(struct pic_chip *c, uint8_t val)
{
    int cmd = val >> 5, level = val & 7;
    switch (cmd) {
    case OCW2_CLEAR_ROTATE_AEOI: c->rotate_on_auto_eoi = false; break;
    case OCW2_SET_ROTATE_AEOI: c->rotate_on_auto_eoi = true; break;
    case OCW2_EOI:
    case OCW2_ROTATE_EOI: {
        uint8_t in = c->isr;
        if (c->special_mask)
            in &= ~c->imr; /* masked IS bits are not cleared in special mask mode */
        int p = pic_priority(c, in);
        if (p == 8)
            break;
        int irq = (p + c->priority_add) & 7;
        c->isr &= (uint8_t) ~(1u << irq);
        if (cmd == OCW2_ROTATE_EOI)
            c->priority_add = (uint8_t)((irq + 1) & 7);
        break;
    }
    case OCW2_SPECIFIC_EOI: c->isr &= (uint8_t) ~(1u << level); break;
    case OCW2_ROTATE_SPECIFIC_EOI:
        c->isr &= (uint8_t) ~(1u << level);
        c->priority_add = (uint8_t)((level + 1) & 7);
        break;
    case OCW2_SET_PRIORITY: c->priority_add = (uint8_t)((level + 1) & 7); break;
    case OCW2_NOP: break;
    }
}

static void pic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct pic_chip *c = opaque;
    uint8_t val = (uint8_t)value;
    if (offset == 0) {
        if (val & 0x10) {
            pic_write_icw1(c, val);
        } else if (val & 0x08) { /* OCW3 */
            if (val & 0x04)
                c->poll = true;
            if (val & 0x02)
                c->read_isr = val & 0x01;
            if (val & 0x40)
                c->special_mask = val & 0x20;
        } else {
            pic_write_ocw2(c, val);
        }
    } else {
        switch (c->init_state) {
        case PIC_READY: /* OCW1 */ c->imr = val; break;
        case PIC_WANT_ICW2:
            c->irq_base = val & 0xf8;
            if (!c->single)
                c->init_state = PIC_WANT_ICW3;
            else
                c->init_state = c->init4 ? PIC_WANT_ICW4 : PIC_READY;
            break;
        case PIC_WANT_ICW3: /* cascade wiring is fixed on a PC */
            c->icw3 = val;
            c->init_state = c->init4 ? PIC_WANT_ICW4 : PIC_READY;
            break;
        case PIC_WANT_ICW4:
            if (!(val & 0x01) && log_enabled(LOG_UNIMP))
                log_msg(LOG_UNIMP,
                        "i8259: 8080 mode (ICW4.uPM=0) not modelled, using 8086 vectors");
            c->auto_eoi = val & 0x02;
            c->special_fully_nested = val & 0x10;
            c->init_state = PIC_READY;
            break;
        }
    }
    pic_update(c->pic);
}

static uint64_t pic_read(void *opaque, uint64_t offset, unsigned size)
{
    struct pic_chip *c = opaque;
    if (c->poll) {
        /* A poll command turns the next read of either port into a poll. */
        c->poll = false;
        return pic_poll_read(c);
    }
    if (offset == 0)
        return c->read_isr ? c->isr : pic_irr(c);
    return c->imr;
}

static const struct io_ops pic_ops = {
    .read = pic_read,
    .write = pic_write,
    .min_size = 1,
    .max_size = 1,
};

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned size)
{
    struct i8259 *p = opaque;
    return p->chip[offset & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct i8259 *p = opaque;
    struct pic_chip *c = &p->chip[offset & 1];
    uint8_t old_lm = pic_level_mask(c);
    c->elcr = (uint8_t)value & c->elcr_mask;
    /* An input that changes trigger mode starts with no latched edge. */
    c->irr &= (uint8_t) ~(old_lm ^ pic_level_mask(c));
    pic_update(p);
}

static const struct io_ops elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .min_size = 1,
    .max_size = 1,
};

static void pic_input(void *opaque, int n, bool level)
{
    struct i8259 *p = opaque;
    if (n == 2)
        p->dev_irq2 = level;
    else
        pic_set_input(&p->chip[n >> 3], n & 7, level);
    pic_update(p);
}

static void pic_reset(void *opaque)
{
    struct i8259 *p = opaque;
    for (int i = 0; i < 2; i++) {
        struct pic_chip *c = &p->chip[i];
        uint8_t lines = c->lines; /* the wires keep their levels */
        *c = (struct pic_chip){
            .pic = p,
            .is_master = i == 0,
            .lines = lines,
            .imr = 0xff,
            .elcr_mask = i == 0 ? PIC_ELCR_MASK_MASTER : PIC_ELCR_MASK_SLAVE,
        };
    }
    pic_update(p);
}

static void pic_free(void *opaque)
{
    struct i8259 *p = opaque;
    free(p->in);
    free(p);
}

struct i8259 *i8259_create(struct machine *m, struct address_space *io)
{
    struct i8259 *p = xzalloc(sizeof(*p));
    p->m = m;
    if (!as_add_io(io, "pic-master", 0x20, 2, &pic_ops, &p->chip[0], 0) ||
        !as_add_io(io, "pic-slave", 0xa0, 2, &pic_ops, &p->chip[1], 0) ||
        !as_add_io(io, "elcr", 0x4d0, 2, &elcr_ops, p, 0)) {
        /* Regions cannot be removed; this only happens on a board bug. */
        report_error("i8259: ports 0x20, 0xa0 or 0x4d0 already in use");
        free(p);
        return NULL;
    }
    p->in = irq_new_array(pic_input, p, 16);
    pic_reset(p);
    machine_register_reset(m, pic_reset, p);
    machine_register_cleanup(m, pic_free, p);
    m->intr_ack = pic_intr_ack;
    m->intr_opaque = p;
    return p;
}

struct irq_line *i8259_irq(struct i8259 *p, int n)
{
    if (n < 0 || n > 15)
        return NULL;
    return &p->in[n];
}
