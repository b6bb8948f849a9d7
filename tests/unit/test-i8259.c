/*
 * test-i8259.c - the PC's 8259A pair: initialisation, masks, priority and
 * rotation, EOI flavours, automatic EOI, cascade through IRQ2, edge vs
 * level (ELCR), spurious IRQ7/IRQ15, poll mode, IRR/ISR reads, special
 * mask and special fully nested modes, and the CPU INTR pin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "hw/intc/i8259.h"

#define MBASE 0x08 /* PC BIOS vector bases */
#define SBASE 0x70

static struct machine *m;
static struct i8259 *pic;

static void outb(uint16_t port, uint8_t v)
{
    as_write(m->io, port, v, 1);
}
static uint8_t inb(uint16_t port)
{
    return (uint8_t)as_read(m->io, port, 1);
}
static void set(int n, bool level)
{
    irq_set(i8259_irq(pic, n), level);
}
static void pulse(int n)
{
    irq_pulse(i8259_irq(pic, n));
}

/* The BIOS sequence: cascade, edge, ICW4 (8086 mode); icw4 lets tests add AEOI/SFNM. */
static void init_pair(uint8_t master_icw4, uint8_t slave_icw4)
{
    outb(0x20, 0x11);
    outb(0x21, MBASE);
    outb(0x21, 0x04);
    outb(0x21, master_icw4);
    outb(0xa0, 0x11);
    outb(0xa1, SBASE);
    outb(0xa1, 0x02);
    outb(0xa1, slave_icw4);
}

static uint8_t read_isr(uint16_t cmd)
{
    outb(cmd, 0x0b);
    uint8_t v = inb(cmd);
    outb(cmd, 0x0a);
    return v;
}

static void eoi(uint16_t cmd)
{
    outb(cmd, 0x20);
}

static int group_setup(void **state)
{
    m = machine_new(NULL);
    pic = i8259_create(m, m->io);
    return pic ? 0 : -1;
}

static int setup(void **state)
{
    for (int i = 0; i < 16; i++)
        set(i, false);
    machine_reset(m);
    return 0;
}

static void test_reset_state(void **state)
{
    assert_int_equal(inb(0x21), 0xff);
    assert_int_equal(inb(0xa1), 0xff);
    set(1, true);
    assert_false(m->intr_level);       /* uninitialised PICs keep everything masked */
    assert_int_equal(inb(0x20), 0x02); /* but the request is in IRR */
    assert_int_equal(inb(0x4d0), 0x00);
    assert_int_equal(inb(0x4d1), 0x00);
    assert_ptr_equal(m->intr_opaque, pic);
    assert_non_null(m->intr_ack);
}

static void test_init_sequence(void **state)
{
    init_pair(0x01, 0x01);
    assert_int_equal(inb(0x21), 0x00); /* ICW1 clears the mask */
    outb(0x21, 0xfd);                  /* now OCW1 */
    assert_int_equal(inb(0x21), 0xfd);
    outb(0x21, 0x00);
    pulse(1);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), MBASE + 1);
    eoi(0x20);

    /* no ICW4: ICW2, ICW3, then OCW1 */
    outb(0x20, 0x10);
    outb(0x21, 0x40);
    outb(0x21, 0x04);
    outb(0x21, 0x5a);
    assert_int_equal(inb(0x21), 0x5a);
    outb(0x21, 0x00);
    pulse(3);
    assert_int_equal(m->intr_ack(m->intr_opaque), 0x43);
    eoi(0x20);

    /* single mode: no ICW3; input 2 is then an ordinary IRQ */
    outb(0x20, 0x13);
    outb(0x21, 0x50);
    outb(0x21, 0x01); /* ICW4 */
    outb(0x21, 0x00); /* OCW1 */
    assert_int_equal(inb(0x21), 0x00);
    pulse(2);
    assert_int_equal(i8259_ack(pic), 0x52);
    eoi(0x20);

    /* ICW2 low bits are ignored (the vector's low bits are the IRQ) */
    outb(0x20, 0x11);
    outb(0x21, 0x27);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    pulse(6);
    assert_int_equal(i8259_ack(pic), 0x26);
}

static void test_icw1_resets_edge_sense(void **state)
{
    init_pair(0x01, 0x01);
    set(4, true);
    assert_int_equal(i8259_ack(pic), MBASE + 4);
    eoi(0x20);
    init_pair(0x01, 0x01); /* line still high: needs a new low-to-high edge */
    assert_false(m->intr_level);
    assert_int_equal(inb(0x20) & 0x10, 0);
    set(4, false);
    set(4, true);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), MBASE + 4);
}

static void test_masks(void **state)
{
    init_pair(0x01, 0x01);
    outb(0x21, 0x08);
    pulse(3);
    assert_false(m->intr_level);
    assert_int_equal(inb(0x20), 0x08); /* latched in IRR while masked */
    outb(0x21, 0x00);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), MBASE + 3);
    assert_int_equal(inb(0x20), 0x00);
    eoi(0x20);

    /* masking the slave's input on the master masks the whole slave */
    outb(0x21, 0x04);
    pulse(12);
    assert_false(m->intr_level);
    outb(0x21, 0x00);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), SBASE + 4);
    eoi(0xa0);
    eoi(0x20);
    /* a slave mask */
    outb(0xa1, 0x10);
    pulse(12);
    assert_false(m->intr_level);
    outb(0xa1, 0x00);
    assert_int_equal(i8259_ack(pic), SBASE + 4);
}

static void test_fixed_priority_and_nesting(void **state)
{
    init_pair(0x01, 0x01);
    pulse(3);
    pulse(1);
    assert_int_equal(i8259_ack(pic), MBASE + 1);
    assert_false(m->intr_level); /* IRQ3 is lower than IRQ1 in service */
    pulse(0);
    assert_true(m->intr_level); /* IRQ0 is higher: it nests */
    assert_int_equal(i8259_ack(pic), MBASE + 0);
    assert_int_equal(read_isr(0x20), 0x03);
    eoi(0x20); /* clears the highest: IRQ0 */
    assert_int_equal(read_isr(0x20), 0x02);
    assert_false(m->intr_level);
    eoi(0x20);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), MBASE + 3);
    eoi(0x20);
    assert_int_equal(read_isr(0x20), 0x00);
    assert_false(m->intr_level);
}

static void test_specific_eoi(void **state)
{
    init_pair(0x01, 0x01);
    pulse(4);
    assert_int_equal(i8259_ack(pic), MBASE + 4);
    pulse(1);
    assert_int_equal(i8259_ack(pic), MBASE + 1);
    assert_int_equal(read_isr(0x20), 0x12);
    outb(0x20, 0x60 | 4); /* specific EOI for IRQ4, not the highest */
    assert_int_equal(read_isr(0x20), 0x02);
    outb(0x20, 0x60 | 1);
    assert_int_equal(read_isr(0x20), 0x00);
    outb(0x20, 0x40); /* OCW2 no-op */
    assert_int_equal(read_isr(0x20), 0x00);
}

static void test_rotation(void **state)
{
    init_pair(0x01, 0x01);
    pulse(1);
    assert_int_equal(i8259_ack(pic), MBASE + 1);
    outb(0x20, 0xa0); /* rotate on non-specific EOI: IRQ1 becomes lowest */
    assert_int_equal(read_isr(0x20), 0x00);
    pulse(0);
    pulse(3);
    assert_int_equal(i8259_ack(pic), MBASE + 3); /* order 2..7,0,1 */
    outb(0x20, 0xa0);                            /* order 4..7,0..3 */
    assert_int_equal(read_isr(0x20), 0x00);
    assert_int_equal(i8259_ack(pic), MBASE + 0);
    eoi(0x20);

    /* set priority: IRQ5 lowest, so IRQ6 highest */
    outb(0x20, 0xc0 | 5);
    pulse(5);
    pulse(6);
    pulse(0);
    assert_int_equal(i8259_ack(pic), MBASE + 6);
    eoi(0x20);
    assert_int_equal(i8259_ack(pic), MBASE + 0);
    eoi(0x20);
    assert_int_equal(i8259_ack(pic), MBASE + 5);
    eoi(0x20);
    assert_false(m->intr_level);

    /* rotate on specific EOI: clears that IS bit and makes it lowest */
    pulse(2);
    assert_int_equal(i8259_ack(pic), SBASE + 7); /* cascade with an idle slave */
    outb(0x20, 0xe0 | 2);
    assert_int_equal(read_isr(0x20), 0x00);
    pulse(1);
    pulse(2);
    assert_int_equal(i8259_ack(pic), MBASE + 1); /* order 3..7,0,1,2 */
    eoi(0x20);
    assert_int_equal(i8259_ack(pic), SBASE + 7);
    eoi(0x20);

    /* back to IRQ0 highest */
    outb(0x20, 0xc7);
    pulse(3);
    pulse(1);
    assert_int_equal(i8259_ack(pic), MBASE + 1);
}

static void test_auto_eoi(void **state)
{
    init_pair(0x03, 0x01); /* master AEOI */
    pulse(3);
    assert_int_equal(i8259_ack(pic), MBASE + 3);
    assert_int_equal(read_isr(0x20), 0x00); /* no ISR bit */
    pulse(4);
    assert_true(m->intr_level); /* nothing in service blocks IRQ4 */
    assert_int_equal(i8259_ack(pic), MBASE + 4);
    pulse(4);
    assert_int_equal(i8259_ack(pic), MBASE + 4); /* nor the same input again */

    /* rotate in AEOI mode: the acknowledged input becomes the lowest */
    outb(0x20, 0x80);
    pulse(2); /* the cascade input, driven directly: the slave has nothing */
    pulse(5);
    pulse(6);
    assert_int_equal(i8259_ack(pic), SBASE + 7); /* order now 3..7,0,1,2 */
    assert_int_equal(i8259_ack(pic), MBASE + 5); /* order now 6,7,0..5 */
    pulse(4);
    assert_int_equal(i8259_ack(pic), MBASE + 6); /* order now 7,0..6 */
    assert_int_equal(i8259_ack(pic), MBASE + 4); /* order now 5,6,7,0..4 */
    outb(0x20, 0x00); /* clear rotate in AEOI: the order stays as it is */
    pulse(0);
    pulse(7);
    assert_int_equal(i8259_ack(pic), MBASE + 7);
    pulse(6);
    assert_int_equal(i8259_ack(pic), MBASE + 6); /* 7 did not become lowest */
    assert_int_equal(i8259_ack(pic), MBASE + 0);
}

static void test_cascade(void **state)
{
    init_pair(0x01, 0x01);
    pulse(10);
    assert_true(m->intr_level);
    assert_int_equal(inb(0xa0), 0x04);
    assert_int_equal(i8259_ack(pic), SBASE + 2);
    assert_int_equal(read_isr(0x20), 0x04);
    assert_int_equal(read_isr(0xa0), 0x04);
    assert_false(m->intr_level);

    /* fully nested: a higher slave request waits for the master's EOI */
    pulse(9);
    assert_false(m->intr_level);
    pulse(3);
    assert_false(m->intr_level); /* and IRQ3 is below IRQ2 in service */
    eoi(0x20);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), SBASE + 1); /* IRQ9 beats IRQ10 in service on the slave */
    assert_int_equal(read_isr(0xa0), 0x06);
    eoi(0xa0);
    eoi(0xa0);
    eoi(0x20);
    assert_int_equal(i8259_ack(pic), MBASE + 3);
    eoi(0x20);
    assert_false(m->intr_level);

    /* IRQ0/1 still preempt a slave interrupt in service */
    pulse(14);
    assert_int_equal(i8259_ack(pic), SBASE + 6);
    pulse(1);
    assert_int_equal(i8259_ack(pic), MBASE + 1);
}

static void test_special_fully_nested(void **state)
{
    init_pair(0x11, 0x01); /* master SFNM */
    pulse(10);
    assert_int_equal(i8259_ack(pic), SBASE + 2);
    pulse(9);
    assert_true(m->intr_level); /* higher slave request passes IRQ2 in service */
    assert_int_equal(i8259_ack(pic), SBASE + 1);
    pulse(3);
    assert_false(m->intr_level); /* lower master inputs stay blocked */
    pulse(11);
    assert_false(m->intr_level); /* and lower slave inputs by the slave's ISR */
}

static void test_level_and_edge(void **state)
{
    init_pair(0x01, 0x01);
    /* ELCR bits that PIIX hard-wires to edge */
    outb(0x4d0, 0xff);
    outb(0x4d1, 0xff);
    assert_int_equal(inb(0x4d0), 0xf8);
    assert_int_equal(inb(0x4d1), 0xde);
    outb(0x4d0, 0x00);
    outb(0x4d1, 0x08); /* IRQ11 level */
    assert_int_equal(inb(0x4d1), 0x08);

    set(11, true);
    assert_int_equal(i8259_ack(pic), SBASE + 3);
    eoi(0xa0);
    eoi(0x20);
    assert_true(m->intr_level); /* still asserted: interrupts again */
    assert_int_equal(i8259_ack(pic), SBASE + 3);
    set(11, false);
    eoi(0xa0);
    eoi(0x20);
    assert_false(m->intr_level);
    assert_int_equal(inb(0xa0), 0x00);

    /* edge: a pulse is latched; a line held high interrupts once */
    pulse(3);
    assert_int_equal(i8259_ack(pic), MBASE + 3);
    eoi(0x20);
    assert_false(m->intr_level);
    set(5, true);
    assert_int_equal(i8259_ack(pic), MBASE + 5);
    eoi(0x20);
    assert_false(m->intr_level);
    set(5, false);

    /* ICW1.LTIM makes every master input level-triggered */
    outb(0x20, 0x19);
    outb(0x21, MBASE);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    set(5, true);
    assert_int_equal(i8259_ack(pic), MBASE + 5);
    eoi(0x20);
    assert_true(m->intr_level);
    set(5, false);
    assert_false(m->intr_level);
}

static void test_spurious(void **state)
{
    init_pair(0x01, 0x01);
    outb(0x4d0, 0x20); /* IRQ5 level */
    set(5, true);
    assert_true(m->intr_level);
    set(5, false); /* withdrawn before INTA */
    assert_false(m->intr_level);
    assert_int_equal(i8259_ack(pic), MBASE + 7);
    assert_int_equal(read_isr(0x20), 0x00); /* spurious IR7 sets no ISR bit */

    /* on the slave: the master already latched its cascade input */
    outb(0x4d1, 0x08); /* IRQ11 level */
    set(11, true);
    set(11, false);
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), SBASE + 7);
    assert_int_equal(read_isr(0xa0), 0x00);
    assert_int_equal(read_isr(0x20), 0x04); /* the master did serve IRQ2 */
    eoi(0x20);
    assert_false(m->intr_level);
}

static void test_poll(void **state)
{
    init_pair(0x01, 0x01);
    outb(0x20, 0x0c);
    assert_int_equal(inb(0x20), 0x00); /* nothing pending */
    pulse(4);
    pulse(6);
    outb(0x20, 0x0c);
    assert_int_equal(inb(0x20), 0x84); /* poll acknowledges like INTA */
    assert_int_equal(read_isr(0x20), 0x10);
    assert_int_equal(inb(0x20), 0x40); /* poll is one-shot: IRR again */
    eoi(0x20);
    outb(0x20, 0x0c);
    assert_int_equal(inb(0x21), 0x86); /* either port */
    eoi(0x20);
    /* slave poll after the master reports the cascade */
    pulse(13);
    outb(0x20, 0x0c);
    assert_int_equal(inb(0x20), 0x82);
    outb(0xa0, 0x0c);
    assert_int_equal(inb(0xa0), 0x85);
    assert_int_equal(read_isr(0xa0), 0x20);
}

static void test_irr_isr_reads(void **state)
{
    init_pair(0x01, 0x01);
    pulse(7);
    pulse(6);
    assert_int_equal(inb(0x20), 0xc0); /* IRR by default after ICW1 */
    outb(0x20, 0x0b);
    assert_int_equal(inb(0x20), 0x00); /* ISR */
    assert_int_equal(i8259_ack(pic), MBASE + 6);
    assert_int_equal(inb(0x20), 0x40); /* the selection sticks */
    outb(0x20, 0x0a);
    assert_int_equal(inb(0x20), 0x80);
    outb(0x21, 0x33);
    outb(0x20, 0x0b);
    assert_int_equal(inb(0x21), 0x33); /* odd port is always IMR */
    outb(0x20, 0x08);                  /* OCW3 without RR keeps the selection */
    assert_int_equal(inb(0x20), 0x40);
}

static void test_special_mask_mode(void **state)
{
    init_pair(0x01, 0x01);
    pulse(3);
    assert_int_equal(i8259_ack(pic), MBASE + 3);
    pulse(5);
    assert_false(m->intr_level); /* fully nested: IRQ5 waits */
    outb(0x21, 0x08);            /* mask IRQ3 ... */
    assert_false(m->intr_level);
    outb(0x20, 0x68); /* ... and enter special mask mode */
    assert_true(m->intr_level);
    assert_int_equal(i8259_ack(pic), MBASE + 5);
    assert_int_equal(read_isr(0x20), 0x28);
    eoi(0x20); /* the masked IS bit 3 is not the one cleared */
    assert_int_equal(read_isr(0x20), 0x08);
    outb(0x20, 0x48); /* leave special mask mode */
    outb(0x21, 0x00);
    pulse(5);
    assert_false(m->intr_level); /* IRQ3 in service blocks again */
    eoi(0x20);
    assert_int_equal(i8259_ack(pic), MBASE + 5);
}

static void test_intr_pin(void **state)
{
    init_pair(0x01, 0x01);
    assert_false(m->intr_level);
    set(1, true);
    assert_true(m->intr_level);
    outb(0x21, 0x02);
    assert_false(m->intr_level);
    outb(0x21, 0x00);
    assert_true(m->intr_level);
    assert_int_equal(m->intr_ack(m->intr_opaque), MBASE + 1);
    assert_false(m->intr_level);
    eoi(0x20);
    assert_false(m->intr_level); /* edge: held line does not re-trigger */
    set(1, false);
    set(1, true);
    assert_true(m->intr_level);
    machine_reset(m);
    assert_false(m->intr_level);
    /* no request at INTA: spurious master IR7 with the programmed base */
    init_pair(0x01, 0x01);
    assert_int_equal(i8259_ack(pic), MBASE + 7);
}

static void test_line_bounds(void **state)
{
    assert_null(i8259_irq(pic, -1));
    assert_null(i8259_irq(pic, 16));
    assert_non_null(i8259_irq(pic, 15));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_state, setup),
        cmocka_unit_test_setup(test_init_sequence, setup),
        cmocka_unit_test_setup(test_icw1_resets_edge_sense, setup),
        cmocka_unit_test_setup(test_masks, setup),
        cmocka_unit_test_setup(test_fixed_priority_and_nesting, setup),
        cmocka_unit_test_setup(test_specific_eoi, setup),
        cmocka_unit_test_setup(test_rotation, setup),
        cmocka_unit_test_setup(test_auto_eoi, setup),
        cmocka_unit_test_setup(test_cascade, setup),
        cmocka_unit_test_setup(test_special_fully_nested, setup),
        cmocka_unit_test_setup(test_level_and_edge, setup),
        cmocka_unit_test_setup(test_spurious, setup),
        cmocka_unit_test_setup(test_poll, setup),
        cmocka_unit_test_setup(test_irr_isr_reads, setup),
        cmocka_unit_test_setup(test_special_mask_mode, setup),
        cmocka_unit_test_setup(test_intr_pin, setup),
        cmocka_unit_test_setup(test_line_bounds, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
