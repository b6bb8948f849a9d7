/*
 * test-uart.c - PC16550D model: registers, FIFOs, every interrupt source
 * and its priority, the PC's OUT2 gate, loopback, modem status, the
 * character timeout on a manual clock, and lossless paced input.
 *
 * One machine holds three UARTs for the whole program (a buffer-backed
 * COM1 with a recorded IRQ line, a COM2 without backend, an MMIO one with
 * reg_shift 2); every test starts from machine_reset().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "hw/char/uart16550.h"
#include "hw/core/chardev.h"
#include "hw/core/clock.h"
#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "tests/unit/helper.h"

#define COM1 0x3f8
#define COM2 0x2f8
#define MMIO_BASE 0x10000000ull

enum {
    RBR = 0,
    THR = 0,
    DLL = 0,
    IER = 1,
    DLM = 1,
    IIR = 2,
    FCR = 2,
    LCR = 3,
    MCR = 4,
    LSR = 5,
    MSR = 6,
    SCR = 7
};

static struct machine *m;
static struct chardev *chr;
static struct irq_line *irq;
static bool irq_level;
static int irq_rises;

static void irq_record(void *opaque, int n, bool level)
{
    if (level && !irq_level)
        irq_rises++;
    irq_level = level;
}

static uint8_t rd(unsigned reg)
{
    return (uint8_t)as_read(m->io, COM1 + reg, 1);
}
static void wr(unsigned reg, uint8_t v)
{
    as_write(m->io, COM1 + reg, v, 1);
}

/* Drop whatever input the backend still holds so tests start clean. */
static void drain(void)
{
    wr(FCR, 0x07);
    for (int i = 0; i < 100000 && (rd(LSR) & 0x01); i++)
        rd(RBR);
}

static int group_setup(void **state)
{
    clock_set_manual(0);
    m = machine_new(NULL);
    chr = chardev_open_buffer();
    irq = irq_new(irq_record, NULL, 4);
    if (!uart_create(m, m->io, COM1, 0, irq, chr))
        return -1;
    if (!uart_create(m, m->io, COM2, 0, NULL, NULL))
        return -1;
    if (!uart_create(m, m->mem, MMIO_BASE, 2, NULL, NULL))
        return -1;
    return 0;
}

static int setup(void **state)
{
    machine_reset(m);
    drain();
    machine_reset(m);
    chardev_buffer_clear_output(chr);
    irq_rises = 0;
    return 0;
}

static void test_reset_values(void **state)
{
    assert_int_equal(rd(IER), 0x00);
    assert_int_equal(rd(IIR), 0x01);
    assert_int_equal(rd(LCR), 0x00);
    assert_int_equal(rd(MCR), 0x00);
    assert_int_equal(rd(LSR), 0x60);
    assert_int_equal(rd(MSR), 0xb0); /* CTS, DSR, DCD from the backend */
    assert_int_equal(rd(SCR), 0x00);
    /* without a backend the modem inputs are inactive */
    assert_int_equal(as_read(m->io, COM2 + MSR, 1), 0x00);
    assert_false(irq_level);
}

static void test_divisor_latch(void **state)
{
    wr(LCR, 0x83);
    assert_int_equal(rd(DLL), 12); /* reset divisor: 9600 baud */
    assert_int_equal(rd(DLM), 0);
    wr(DLL, 0x34);
    wr(DLM, 0x12);
    assert_int_equal(rd(DLL), 0x34);
    assert_int_equal(rd(DLM), 0x12);
    assert_int_equal(rd(LCR), 0x83);
    /* DLAB=0: offsets 0/1 are data and IER again */
    wr(LCR, 0x03);
    assert_int_equal(rd(IER), 0x00);
    wr(IER, 0x05);
    wr(THR, 'Q');
    size_t n;
    const uint8_t *out = chardev_buffer_output(chr, &n);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 'Q');
    wr(LCR, 0x83);
    assert_int_equal(rd(DLL), 0x34); /* untouched by the THR/IER writes */
    assert_int_equal(rd(DLM), 0x12);
    wr(LCR, 0x03);
    assert_int_equal(rd(IER), 0x05);
    /* IER bits 7:4 are reserved and read as zero */
    wr(IER, 0xff);
    assert_int_equal(rd(IER), 0x0f);
}

static void test_scratch(void **state)
{
    wr(SCR, 0x5a);
    assert_int_equal(rd(SCR), 0x5a);
    wr(SCR, 0xa5);
    assert_int_equal(rd(SCR), 0xa5);
    /* COM2 has its own scratch register */
    as_write(m->io, COM2 + SCR, 0x11, 1);
    assert_int_equal(rd(SCR), 0xa5);
    assert_int_equal(as_read(m->io, COM2 + SCR, 1), 0x11);
}

static void test_fifo_enable_and_reset(void **state)
{
    assert_int_equal(rd(IIR) & 0xc0, 0x00);
    wr(FCR, 0x01);
    assert_int_equal(rd(IIR) & 0xc0, 0xc0);

    chardev_buffer_inject(chr, "abcde", 5);
    assert_int_equal(rd(LSR) & 0x01, 0x01);
    wr(FCR, 0x03); /* RX FIFO reset: the five bytes are gone */
    assert_int_equal(rd(LSR) & 0x01, 0x00);

    chardev_buffer_inject(chr, "fgh", 3);
    assert_int_equal(rd(RBR), 'f');
    wr(FCR, 0x00); /* disabling the FIFOs clears them too */
    assert_int_equal(rd(IIR) & 0xc0, 0x00);
    assert_int_equal(rd(LSR) & 0x01, 0x00);

    /* Reset bits are ignored unless FE is set in the same write. */
    wr(FCR, 0x01);
    chardev_buffer_inject(chr, "ij", 2);
    wr(FCR, 0x00 | 0x02);
    assert_int_equal(rd(LSR) & 0x01, 0x00); /* FE dropped: cleared by the toggle */
    wr(FCR, 0x01);
    chardev_buffer_inject(chr, "kl", 2);
    wr(FCR, 0x01 | 0x04); /* TX reset only: RX data stays */
    assert_int_equal(rd(RBR), 'k');
    assert_int_equal(rd(RBR), 'l');
    assert_int_equal(rd(LSR) & 0x01, 0x00);
}

static void test_rbr_mode_takes_one_byte(void **state)
{
    /* Without FIFOs the UART holds one byte; the rest waits in the backend. */
    chardev_buffer_inject(chr, "xyz", 3);
    assert_int_equal(rd(LSR) & 0x03, 0x01);
    assert_int_equal(rd(RBR), 'x');
    assert_int_equal(rd(RBR), 'y');
    assert_int_equal(rd(RBR), 'z');
    assert_int_equal(rd(LSR) & 0x03, 0x00);
}

static void test_rx_fifo_overrun(void **state)
{
    wr(FCR, 0x07);
    wr(MCR, 0x10 | 0x08); /* loopback, OUT2 */
    wr(IER, 0x04);        /* line status interrupt */
    for (int i = 0; i < 16; i++)
        wr(THR, (uint8_t)('A' + i));
    assert_int_equal(rd(IIR), 0xc1);
    uint8_t lsr = rd(LSR);
    assert_int_equal(lsr & 0x03, 0x01); /* 16 bytes: full, no overrun yet */
    wr(THR, '!');
    assert_int_equal(rd(IIR), 0xc6);
    assert_true(irq_level);
    lsr = rd(LSR);
    assert_int_equal(lsr & 0x03, 0x03);
    assert_int_equal(rd(LSR) & 0x02, 0x00); /* OE clears when LSR is read */
    assert_int_equal(rd(IIR), 0xc1);
    assert_false(irq_level);
    for (int i = 0; i < 16; i++)
        assert_int_equal(rd(RBR), 'A' + i); /* the 17th byte was lost */
    assert_int_equal(rd(LSR) & 0x01, 0x00);

    /* Without FIFOs an unread byte is overwritten. */
    wr(FCR, 0x00);
    wr(THR, 'a');
    wr(THR, 'b');
    assert_int_equal(rd(LSR) & 0x03, 0x03);
    assert_int_equal(rd(RBR), 'b');
}

static void test_trigger_levels(void **state)
{
    static const struct {
        uint8_t bits;
        unsigned level;
    } t[] = {
        {0x00, 1},
        {0x40, 4},
        {0x80, 8},
        {0xc0, 14},
    };
    wr(MCR, 0x08);
    wr(IER, 0x01);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        wr(FCR, (uint8_t)(0x07 | t[i].bits));
        uint8_t buf[16];
        memset(buf, 'a' + (int)i, sizeof(buf));
        chardev_buffer_inject(chr, buf, t[i].level - 1);
        assert_int_equal(rd(IIR), 0xc1);
        assert_false(irq_level);
        chardev_buffer_inject(chr, buf, 1);
        assert_int_equal(rd(IIR), 0xc4);
        assert_true(irq_level);
        rd(RBR); /* below the trigger again */
        assert_int_equal(rd(IIR), 0xc1);
        assert_false(irq_level);
        drain();
    }
}

static void test_char_timeout(void **state)
{
    /* 115200 baud 8N1: 10 bits of 8680.6 ns; timeout = 4 chars = 347222 ns */
    wr(LCR, 0x83);
    wr(DLL, 1);
    wr(DLM, 0);
    wr(LCR, 0x03);
    wr(FCR, 0x87); /* trigger 8 */
    wr(MCR, 0x08);
    wr(IER, 0x01);
    chardev_buffer_inject(chr, "abc", 3);
    assert_int_equal(rd(IIR), 0xc1);
    clock_step(300000);
    assert_int_equal(rd(IIR), 0xc1);
    /* a new character restarts the timer */
    chardev_buffer_inject(chr, "d", 1);
    clock_step(300000);
    assert_int_equal(rd(IIR), 0xc1);
    assert_false(irq_level);
    clock_step(50000);
    assert_int_equal(rd(IIR), 0xcc);
    assert_true(irq_level);
    /* reading one character clears it and restarts the timer */
    assert_int_equal(rd(RBR), 'a');
    assert_int_equal(rd(IIR), 0xc1);
    assert_false(irq_level);
    clock_step(347300);
    assert_int_equal(rd(IIR), 0xcc);
    rd(RBR);
    rd(RBR);
    rd(RBR);
    clock_step(1000000); /* empty FIFO: no timeout */
    assert_int_equal(rd(IIR), 0xc1);

    /* 7E2 at divisor 12: 1+7+1+2 = 11 bits of 104167 ns; 4 chars = 4.583 ms */
    wr(LCR, 0x83);
    wr(DLL, 12);
    wr(LCR, 0x1e);
    chardev_buffer_inject(chr, "e", 1);
    clock_step(4500000);
    assert_int_equal(rd(IIR), 0xc1);
    clock_step(100000);
    assert_int_equal(rd(IIR), 0xcc);
    rd(RBR);

    /* no character timeout without FIFOs (the byte interrupts at once) */
    wr(FCR, 0x00);
    chardev_buffer_inject(chr, "f", 1);
    assert_int_equal(rd(IIR), 0x04);
    clock_step(10000000);
    assert_int_equal(rd(IIR), 0x04);
}

static void test_thre_interrupt(void **state)
{
    wr(MCR, 0x08);
    assert_int_equal(rd(IIR), 0x01);
    wr(IER, 0x02); /* enabling ETBEI with THR empty interrupts at once */
    assert_true(irq_level);
    assert_int_equal(rd(IIR), 0x02);
    assert_false(irq_level);
    assert_int_equal(rd(IIR), 0x01); /* the read above cleared it */
    assert_false(irq_level);

    int rises = irq_rises;
    wr(THR, 'x');
    assert_true(irq_level);
    assert_int_equal(irq_rises, rises + 1);
    wr(THR, 'y'); /* each write lowers and re-raises: a new edge */
    assert_int_equal(irq_rises, rises + 2);
    size_t n;
    const uint8_t *out = chardev_buffer_output(chr, &n);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "xy", 2);
    assert_int_equal(rd(IIR), 0x02);
    assert_int_equal(rd(IIR), 0x01);

    /* Linux's UART_BUG_THRE probe: IER off and on again re-asserts THRE. */
    wr(IER, 0x00);
    wr(IER, 0x02);
    assert_int_equal(rd(IIR), 0x02);
    /* rewriting IER without a THRI change does not */
    wr(IER, 0x02);
    assert_int_equal(rd(IIR), 0x01);

    /* FIFO mode: enabling the FIFOs gives an immediate THRE interrupt */
    wr(FCR, 0x01);
    assert_int_equal(rd(IIR), 0xc2);
    assert_int_equal(rd(IIR), 0xc1);
}

static void test_iir_priority(void **state)
{
    wr(MCR, 0x10 | 0x08); /* loopback with OUT2: DCD rises... */
    rd(MSR);              /* ...so consume the deltas of entering loopback */
    wr(IER, 0x0f);
    assert_int_equal(rd(IIR), 0x02);
    wr(MCR, 0x10 | 0x08 | 0x02); /* RTS -> CTS: modem status change */
    wr(THR, 'a');
    wr(THR, 'b'); /* overrun: line status; data available; THRE again */
    assert_int_equal(rd(IIR), 0x06);
    assert_int_equal(rd(IIR), 0x06);
    rd(LSR);
    assert_int_equal(rd(IIR), 0x04);
    /* reading IIR while data is the source does not clear THRE */
    assert_int_equal(rd(IIR), 0x04);
    assert_int_equal(rd(RBR), 'b');
    assert_int_equal(rd(IIR), 0x02);
    assert_int_equal(rd(IIR), 0x00); /* THRE cleared by the read; modem status left */
    assert_true(irq_level);
    assert_int_equal(rd(MSR) & 0x0f, 0x01); /* DCTS */
    assert_int_equal(rd(IIR), 0x01);
    assert_false(irq_level);

    /* disabled sources do not show */
    wr(IER, 0x00);
    wr(THR, 'c');
    wr(THR, 'd');
    assert_int_equal(rd(IIR), 0x01);
    assert_false(irq_level);
}

static void test_out2_gate(void **state)
{
    wr(IER, 0x02);
    assert_int_equal(rd(IIR), 0x02); /* pending, and cleared by this read */
    wr(IER, 0x00);
    wr(IER, 0x02);
    assert_false(irq_level); /* OUT2=0: the PIC sees nothing */
    wr(MCR, 0x08);
    assert_true(irq_level);
    wr(MCR, 0x03); /* DTR|RTS without OUT2 */
    assert_false(irq_level);
    wr(MCR, 0x0b);
    assert_true(irq_level);
    assert_int_equal(rd(IIR), 0x02);
    assert_false(irq_level);
}

static void test_loopback(void **state)
{
    wr(MCR, 0x10);
    wr(THR, 'A');
    size_t n;
    chardev_buffer_output(chr, &n);
    assert_int_equal(n, 0); /* nothing reaches the host */
    assert_int_equal(rd(LSR) & 0x61, 0x61);
    assert_int_equal(rd(RBR), 'A');

    /* host input waits while the receiver is looped back */
    chardev_buffer_inject(chr, "xyz", 3);
    assert_int_equal(rd(LSR) & 0x01, 0x00);
    wr(MCR, 0x00);
    assert_int_equal(rd(RBR), 'x');
    assert_int_equal(rd(RBR), 'y');
    assert_int_equal(rd(RBR), 'z');

    /* outputs feed inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
    wr(MCR, 0x10 | 0x0f);
    assert_int_equal(rd(MSR) & 0xf0, 0xf0);
    wr(MCR, 0x10 | 0x02);
    assert_int_equal(rd(MSR) & 0xf0, 0x10);
    wr(MCR, 0x10 | 0x01);
    assert_int_equal(rd(MSR) & 0xf0, 0x20);
    wr(MCR, 0x10 | 0x04);
    assert_int_equal(rd(MSR) & 0xf0, 0x40);
    wr(MCR, 0x10 | 0x08);
    assert_int_equal(rd(MSR) & 0xf0, 0x80);
    /* Linux's autoconfig loopback check */
    wr(MCR, 0x10 | 0x0a);
    assert_int_equal(rd(MSR) & 0xf0, 0x90);
    /* MCR bits 7:5 do not exist */
    wr(MCR, 0xff);
    assert_int_equal(rd(MCR), 0x1f);
}

static void test_msr_deltas(void **state)
{
    assert_int_equal(rd(MSR), 0xb0);
    wr(MCR, 0x10); /* loopback, all outputs off: CTS, DSR, DCD fall */
    assert_int_equal(rd(MSR), 0x0b);
    assert_int_equal(rd(MSR), 0x00); /* deltas clear on read */
    wr(MCR, 0x10 | 0x04);            /* RI rises: no TERI */
    assert_int_equal(rd(MSR), 0x40);
    wr(MCR, 0x10); /* RI falls: trailing edge */
    assert_int_equal(rd(MSR), 0x04);
    wr(MCR, 0x10 | 0x01); /* DSR */
    assert_int_equal(rd(MSR), 0x22);

    /* modem status interrupt */
    wr(IER, 0x08);
    wr(MCR, 0x10 | 0x01 | 0x08); /* DCD rises, OUT2 opens the gate */
    assert_int_equal(rd(IIR), 0x00);
    assert_true(irq_level);
    assert_int_equal(rd(MSR), 0xa8);
    assert_int_equal(rd(IIR), 0x01);
    assert_false(irq_level);

    /* leaving loopback: back to the backend's CTS/DSR/DCD */
    wr(MCR, 0x08);
    assert_int_equal(rd(IIR), 0x00);
    assert_int_equal(rd(MSR), 0xb1); /* CTS rose; DSR, DCD unchanged */
}

static void test_lsr_thre_temt(void **state)
{
    assert_int_equal(rd(LSR) & 0x60, 0x60);
    wr(THR, 'a');
    assert_int_equal(rd(LSR) & 0x60, 0x60); /* transmission is instantaneous */
    wr(FCR, 0x01);
    for (int i = 0; i < 20; i++)
        wr(THR, 'b');
    assert_int_equal(rd(LSR) & 0x60, 0x60);
    wr(MCR, 0x10);
    wr(THR, 'c');
    assert_int_equal(rd(LSR), 0x61);
    size_t n;
    chardev_buffer_output(chr, &n);
    assert_int_equal(n, 21);
}

static void test_reset_lowers_irq(void **state)
{
    wr(MCR, 0x08);
    wr(IER, 0x02);
    assert_true(irq_level);
    wr(SCR, 0x77);
    machine_reset(m);
    assert_false(irq_level);
    assert_int_equal(rd(SCR), 0x00);
    assert_int_equal(rd(IER), 0x00);
}

static void test_mmio_reg_shift(void **state)
{
    as_write(m->mem, MMIO_BASE + 7 * 4, 0x42, 4);
    assert_int_equal(as_read(m->mem, MMIO_BASE + 7 * 4, 4), 0x42);
    assert_int_equal(as_read(m->mem, MMIO_BASE + 7 * 4, 1), 0x42);
    assert_int_equal(as_read(m->mem, MMIO_BASE + 5 * 4, 4), 0x60);
    /* bytes between registers read as zero and ignore writes */
    assert_int_equal(as_read(m->mem, MMIO_BASE + 7 * 4 + 1, 1), 0x00);
    as_write(m->mem, MMIO_BASE + 7 * 4 + 1, 0x99, 1);
    assert_int_equal(as_read(m->mem, MMIO_BASE + 7 * 4, 1), 0x42);
    /* the PC-spaced COM1 is not affected */
    assert_int_equal(rd(SCR), 0x00);
}

static void test_no_backend(void **state)
{
    as_write(m->io, COM2 + THR, 'z', 1); /* dropped */
    assert_int_equal(as_read(m->io, COM2 + LSR, 1), 0x60);
    size_t n;
    chardev_buffer_output(chr, &n);
    assert_int_equal(n, 0);
}

/* Read everything back through LSR/RBR with random pacing. */
static void paced_transfer(bool fifo, unsigned seed)
{
    enum { N = 10000 };
    static uint8_t in[N], got[N];
    srand(seed);
    for (int i = 0; i < N; i++)
        in[i] = (uint8_t)rand();
    wr(FCR, fifo ? 0xc7 : 0x00);
    wr(MCR, 0x08);
    wr(IER, 0x05);
    chardev_buffer_inject(chr, in, N);
    size_t count = 0;
    for (long iter = 0; count < N && iter < 50L * N; iter++) {
        switch (rand() % 8) {
        case 0: clock_step(rand() % 2000000); break;
        case 1: rd(IIR); break;
        case 2: { /* an interrupt handler: drain while IIR says data */
            uint8_t id;
            while (((id = rd(IIR)) & 0x0f) == 0x04 || (id & 0x0f) == 0x0c)
                got[count++] = rd(RBR);
            break;
        }
        default: {
            uint8_t lsr = rd(LSR);
            assert_int_equal(lsr & 0x02, 0); /* never an overrun */
            if (lsr & 0x01)
                got[count++] = rd(RBR);
            break;
        }
        }
        assert_true(count <= N);
    }
    assert_int_equal(count, N);
    assert_memory_equal(got, in, N);
    assert_int_equal(rd(LSR) & 0x03, 0x00);
}

static unsigned uart_seed(void)
{
    static unsigned seed;
    static bool have;
    if (!have) {
        seed = test_seed("test-uart paced transfer");
        have = true;
    }
    return seed;
}

static void test_no_input_lost_fifo(void **state)
{
    paced_transfer(true, uart_seed());
}

static void test_no_input_lost_rbr(void **state)
{
    paced_transfer(false, uart_seed() + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_divisor_latch, setup),
        cmocka_unit_test_setup(test_scratch, setup),
        cmocka_unit_test_setup(test_fifo_enable_and_reset, setup),
        cmocka_unit_test_setup(test_rbr_mode_takes_one_byte, setup),
        cmocka_unit_test_setup(test_rx_fifo_overrun, setup),
        cmocka_unit_test_setup(test_trigger_levels, setup),
        cmocka_unit_test_setup(test_char_timeout, setup),
        cmocka_unit_test_setup(test_thre_interrupt, setup),
        cmocka_unit_test_setup(test_iir_priority, setup),
        cmocka_unit_test_setup(test_out2_gate, setup),
        cmocka_unit_test_setup(test_loopback, setup),
        cmocka_unit_test_setup(test_msr_deltas, setup),
        cmocka_unit_test_setup(test_lsr_thre_temt, setup),
        cmocka_unit_test_setup(test_reset_lowers_irq, setup),
        cmocka_unit_test_setup(test_mmio_reg_shift, setup),
        cmocka_unit_test_setup(test_no_backend, setup),
        cmocka_unit_test_setup(test_no_input_lost_fifo, setup),
        cmocka_unit_test_setup(test_no_input_lost_rbr, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
