/*
 * uart16550.c - National Semiconductor PC16550D UART.
 *
 * Modelled from the PC16550D datasheet (June 1995): registers RBR/THR,
 * IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR and the divisor latch; 16-byte
 * receive FIFO with trigger levels 1/4/8/14; the interrupt priorities of
 * table IV (line status > received data / character timeout > THR empty >
 * modem status); loopback (section 8.6: TX feeds RX, MCR outputs feed the
 * MSR inputs).
 *
 * Timing.  Transmission is instantaneous: a byte written to THR is handed
 * to the chardev (or, in loopback, to the receiver) before the write
 * returns, so LSR.THRE and LSR.TEMT always read as 1 and the THR-empty
 * interrupt is raised again right after each write.  Reception is paced by
 * the chardev through can_receive(), so host input never overruns the
 * FIFO; an overrun can only come from loopback.  The character timeout
 * (IIR 0xC) is a real timer of four character times, computed from the
 * divisor and the LCR frame format.
 *
 * PC wiring.  On a PC the INTR pin reaches the PIC through a buffer
 * enabled by MCR.OUT2, so the interrupt line is driven only while OUT2 is
 * set.  The gate follows the OUT2 register bit even in loopback (where the
 * pin itself is forced inactive), which is what guests that use TIOCM_LOOP
 * expect and what QEMU does.
 *
 * Not modelled: parity/framing errors and break (PE, FE, BI and LSR bit 7
 * are never set), DMA mode (FCR bit 3 is stored and ignored), the 16750
 * 64-byte FIFO, the TX FIFO as a queue (it never holds data), word length
 * masking of data (like QEMU, all 8 bits pass whatever LCR says, so guests
 * that never program LCR still print).
 */
#include "hw/char/uart16550.h"

#include <stdlib.h>

#include "hw/core/chardev.h"
#include "hw/core/clock.h"
#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "janus/util.h"

enum {
    UART_RBR = 0, /* read, DLAB=0 */
    UART_THR = 0, /* write, DLAB=0 */
    UART_DLL = 0, /* DLAB=1 */
    UART_IER = 1, /* DLAB=0 */
    UART_DLM = 1, /* DLAB=1 */
    UART_IIR = 2, /* read */
    UART_FCR = 2, /* write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define UART_IER_RDI 0x01  /* received data available (and timeout) */
#define UART_IER_THRI 0x02 /* THR empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI 0x08  /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c
#define UART_IIR_FIFO 0xc0 /* bits 7:6 read 11 when the FIFOs are enabled */

#define UART_FCR_FE 0x01  /* FIFO enable */
#define UART_FCR_RFR 0x02 /* RX FIFO reset */
#define UART_FCR_XFR 0x04 /* TX FIFO reset */
#define UART_FCR_DMA 0x08
#define UART_FCR_ITL 0xc0 /* RX trigger level */

#define UART_LCR_WLS 0x03
#define UART_LCR_STB 0x04
#define UART_LCR_PEN 0x08
#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_PE 0x04
#define UART_LSR_FE 0x08
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_INT_ANY (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200 /* the PC's 1.8432 MHz crystal: divisor 1 = 115200 baud */

struct uart16550 {
    struct irq_line *irq;
    struct chardev *chr;
    struct timer *timeout_timer;
    unsigned reg_shift;

    uint8_t rx_fifo[UART_FIFO_SIZE];
    unsigned rx_head, rx_count; /* in non-FIFO mode rx_count <= 1 (the RBR) */
    uint8_t rbr_last;           /* RBR keeps its last value when read empty */

    uint16_t divisor;
    uint8_t ier, lcr, mcr, scr;
    uint8_t fcr;       /* FE, DMA and trigger bits as last written */
    uint8_t lsr_err;   /* OE (PE/FE/BI are never generated) */
    uint8_t msr_in;    /* modem input states, MSR bits 7:4 */
    uint8_t msr_delta; /* MSR bits 3:0 */
    bool thr_ipending;
    bool timeout_ipending;
    bool irq_level;
};

static bool uart_fifo_on(const struct uart16550 *s)
{
    return s->fcr & UART_FCR_FE;
}

static unsigned uart_trigger(const struct uart16550 *s)
{
    static const unsigned levels[4] = {1, 4, 8, 14};
    return levels[s->fcr >> 6];
}

/* Interrupt identification, highest priority first (datasheet table IV). */
static uint8_t uart_iir_id(const struct uart16550 *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr_err & UART_LSR_INT_ANY))
        return UART_IIR_RLSI;
    if ((s->ier & UART_IER_RDI) && s->timeout_ipending)
        return UART_IIR_CTI;
    if ((s->ier & UART_IER_RDI) && s->rx_count > 0 &&
        (!uart_fifo_on(s) || s->rx_count >= uart_trigger(s)))
        return UART_IIR_RDI;
    if ((s->ier & UART_IER_THRI) && s->thr_ipending)
        return UART_IIR_THRI;
    if ((s->ier & UART_IER_MSI) && s->msr_delta)
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

static void uart_update_irq(struct uart16550 *s)
{
    bool level = uart_iir_id(s) != UART_IIR_NO_INT && (s->mcr & UART_MCR_OUT2);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* One character time in ns: start + data + parity + stop bits at the divisor's rate. */
static int64_t uart_char_ns(const struct uart16550 *s)
{
    unsigned data_bits = 5 + (s->lcr & UART_LCR_WLS);
    unsigned half_bits = 2 * (1 + data_bits + ((s->lcr & UART_LCR_PEN) ? 1 : 0));
    if (s->lcr & UART_LCR_STB)
        half_bits += data_bits == 5 ? 3 : 4; /* 1.5 or 2 stop bits */
    else
        half_bits += 2;
    /* Divisor 0 is not a valid setting; the counter then wraps at 65536. */
    int64_t div = s->divisor ? s->divisor : 65536;
    return (int64_t)half_bits * div * 16 * NS_PER_SEC / (2 * UART_CLOCK_HZ);
}

static void uart_timeout_restart(struct uart16550 *s)
{
    if (uart_fifo_on(s) && s->rx_count > 0)
        timer_mod(s->timeout_timer, clock_ns() + 4 * uart_char_ns(s));
    else
        timer_del(s->timeout_timer);
}

static void uart_timeout_expired(void *opaque)
{
    struct uart16550 *s = opaque;
    if (uart_fifo_on(s) && s->rx_count > 0) {
        s->timeout_ipending = true;
        uart_update_irq(s);
    }
}

static void uart_rx_clear(struct uart16550 *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->timeout_ipending = false;
    timer_del(s->timeout_timer);
}

/* A character arrives in the receive shift register. */
static void uart_rx_push(struct uart16550 *s, uint8_t b)
{
    unsigned cap = uart_fifo_on(s) ? UART_FIFO_SIZE : 1;
    if (s->rx_count == cap) {
        s->lsr_err |= UART_LSR_OE;
        /* FIFO mode: the new character is lost; RBR mode: it overwrites. */
        if (!uart_fifo_on(s))
            s->rx_fifo[s->rx_head] = b;
    } else {
        s->rx_fifo[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = b;
        s->rx_count++;
    }
    /* After a timeout has fired only a CPU read restarts the timer. */
    if (!s->timeout_ipending)
        uart_timeout_restart(s);
}

static uint8_t uart_modem_inputs(const struct uart16550 *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        uint8_t v = 0;
        if (s->mcr & UART_MCR_RTS)
            v |= UART_MSR_CTS;
        if (s->mcr & UART_MCR_DTR)
            v |= UART_MSR_DSR;
        if (s->mcr & UART_MCR_OUT1)
            v |= UART_MSR_RI;
        if (s->mcr & UART_MCR_OUT2)
            v |= UART_MSR_DCD;
        return v;
    }
    /* A host backend is a peer that is always ready (QEMU does the same). */
    return s->chr ? UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD : 0;
}

static void uart_set_modem_inputs(struct uart16550 *s, uint8_t in)
{
    uint8_t changed = s->msr_in ^ in;
    if (changed & UART_MSR_CTS)
        s->msr_delta |= UART_MSR_DCTS;
    if (changed & UART_MSR_DSR)
        s->msr_delta |= UART_MSR_DDSR;
    if (changed & UART_MSR_DCD)
        s->msr_delta |= UART_MSR_DDCD;
    /* TERI: the RI pin went inactive, i.e. the RI bit fell. */
    if ((s->msr_in & UART_MSR_RI) && !(in & UART_MSR_RI))
        s->msr_delta |= UART_MSR_TERI;
    s->msr_in = in;
}

static size_t uart_can_receive(void *opaque)
{
    struct uart16550 *s = opaque;
    /* In loopback the receiver is disconnected from the line; input waits. */
    if (s->mcr & UART_MCR_LOOP)
        return 0;
    return (uart_fifo_on(s) ? UART_FIFO_SIZE : 1) - s->rx_count;
}

static void uart_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct uart16550 *s = opaque;
    for (size_t i = 0; i < len; i++)
        uart_rx_push(s, buf[i]);
    uart_update_irq(s);
}

static void uart_transmit(struct uart16550 *s, uint8_t b)
{
    s->thr_ipending = false;
    uart_update_irq(s); /* the line drops, so an edge-triggered PIC sees a new edge */
    if (s->mcr & UART_MCR_LOOP)
        uart_rx_push(s, b);
    else
        chardev_write(s->chr, &b, 1);
    s->thr_ipending = true; /* the byte has left: THR and shift register empty */
    uart_update_irq(s);
}

static void uart_write_fcr(struct uart16550 *s, uint8_t val)
{
    /* Toggling FIFO enable clears both FIFOs; the reset bits need FE=1. */
    bool rx_reset = ((val ^ s->fcr) & UART_FCR_FE) || ((val & UART_FCR_FE) && (val & UART_FCR_RFR));
    bool tx_reset = ((val ^ s->fcr) & UART_FCR_FE) || ((val & UART_FCR_FE) && (val & UART_FCR_XFR));
    s->fcr = (val & UART_FCR_FE) ? (val & (UART_FCR_FE | UART_FCR_DMA | UART_FCR_ITL)) : 0;
    if (rx_reset)
        uart_rx_clear(s);
    if (tx_reset)
        s->thr_ipending = true; /* "the transmitter interrupt after changing FCR0 is immediate" */
    uart_update_irq(s);
    chardev_accept_input(s->chr);
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
    struct uart16550 *s = opaque;
    if (offset & ((1u << s->reg_shift) - 1))
        return 0;
    uint8_t v = 0;
    switch ((offset >> s->reg_shift) & 7) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB)
            return s->divisor & 0xff;
        if (s->rx_count > 0) {
            s->rbr_last = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
            s->rx_count--;
        }
        v = s->rbr_last;
        s->timeout_ipending = false;
        uart_timeout_restart(s);
        uart_update_irq(s);
        chardev_accept_input(s->chr);
        return v;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB)
            return s->divisor >> 8;
        return s->ier;
    case UART_IIR: {
        uint8_t id = uart_iir_id(s);
        if (id == UART_IIR_THRI) {
            s->thr_ipending = false;
            uart_update_irq(s);
        }
        return id | (uart_fifo_on(s) ? UART_IIR_FIFO : 0);
    }
    case UART_LCR: return s->lcr;
    case UART_MCR: return s->mcr;
    case UART_LSR:
        v = s->lsr_err | UART_LSR_THRE | UART_LSR_TEMT;
        if (s->rx_count > 0)
            v |= UART_LSR_DR;
        s->lsr_err = 0;
        uart_update_irq(s);
        return v;
    case UART_MSR:
        v = s->msr_in | s->msr_delta;
        s->msr_delta = 0;
        uart_update_irq(s);
        return v;
    case UART_SCR: return s->scr;
    }
    return 0;
}

static void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct uart16550 *s = opaque;
    uint8_t val = (uint8_t)value;
    if (offset & ((1u << s->reg_shift) - 1))
        return;
    switch ((offset >> s->reg_shift) & 7) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB)
            s->divisor = (s->divisor & 0xff00) | val;
        else
            uart_transmit(s, val);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (uint16_t)((s->divisor & 0x00ff) | (val << 8));
        } else {
            uint8_t changed = (s->ier ^ val) & 0x0f;
            s->ier = val & 0x0f;
            /* Enabling ETBEI with THR empty interrupts at once (Linux probes this). */
            if (changed & UART_IER_THRI)
                s->thr_ipending = s->ier & UART_IER_THRI;
            uart_update_irq(s);
        }
        break;
    case UART_FCR: uart_write_fcr(s, val); break;
    case UART_LCR: s->lcr = val; break;
    case UART_MCR: {
        bool was_loop = s->mcr & UART_MCR_LOOP;
        s->mcr = val & UART_MCR_MASK;
        uart_set_modem_inputs(s, uart_modem_inputs(s));
        uart_update_irq(s);
        if (was_loop && !(s->mcr & UART_MCR_LOOP))
            chardev_accept_input(s->chr);
        break;
    }
    case UART_LSR: /* factory test only */
    case UART_MSR: /* inputs */ break;
    case UART_SCR: s->scr = val; break;
    }
}

static const struct io_ops uart_pio_ops = {
    .read = uart_read,
    .write = uart_write,
    .min_size = 1,
    .max_size = 1,
};

/* MMIO boards space registers 1 << reg_shift apart and may use word accesses. */
static const struct io_ops uart_mmio_ops = {
    .read = uart_read,
    .write = uart_write,
    .min_size = 1,
    .max_size = 4,
};

static void uart_reset(void *opaque)
{
    struct uart16550 *s = opaque;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->fcr = 0;
    s->scr = 0;
    s->divisor = 12; /* 9600 baud, as firmware leaves it */
    s->lsr_err = 0;
    s->rbr_last = 0;
    s->thr_ipending = false;
    uart_rx_clear(s);
    s->msr_in = uart_modem_inputs(s);
    s->msr_delta = 0;
    uart_update_irq(s);
    chardev_accept_input(s->chr);
}

/* Machine teardown: the UART owns its timer and its backend. */
static void uart_free(void *opaque)
{
    struct uart16550 *s = opaque;
    timer_free(s->timeout_timer);
    chardev_close(s->chr);
    free(s);
}

struct uart16550 *uart_create(struct machine *m, struct address_space *as, uint64_t base,
                              unsigned reg_shift, struct irq_line *irq, struct chardev *chr)
{
    if (reg_shift > 4)
        die("uart: reg_shift %u out of range", reg_shift);
    struct uart16550 *s = xzalloc(sizeof(*s));
    s->irq = irq;
    s->chr = chr;
    s->reg_shift = reg_shift;
    uint64_t size = 8ull << reg_shift;
    if (!as_add_io(as, "serial", base, size, reg_shift ? &uart_mmio_ops : &uart_pio_ops, s, 0)) {
        report_error("serial: 0x%llx..0x%llx is already in use", (unsigned long long)base,
                     (unsigned long long)(base + size - 1));
        free(s);
        return NULL;
    }
    s->timeout_timer = timer_new(uart_timeout_expired, s);
    uart_reset(s);
    machine_register_reset(m, uart_reset, s);
    machine_register_cleanup(m, uart_free, s);
    struct chardev_frontend fe = {uart_can_receive, uart_receive, s};
    chardev_attach(chr, &fe);
    return s;
}
