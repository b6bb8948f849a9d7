/*
 * pc.c - the "pc" board: a PC/AT-compatible machine.
 *
 * Memory map (guest physical):
 *   0x00000000 - 0x0009ffff  RAM (conventional memory)
 *   0x000a0000 - 0x000bffff  VGA window: no device yet, reads 0xff
 *   0x000c0000 - 0x000fffff  RAM (option ROM / BIOS area), with -bios the
 *                            firmware's last 128 KiB appear at 0xe0000
 *   0x00100000 - below_4g    RAM
 *   4 GiB - bios size        -bios firmware (ROM), reset vector at 0xfffffff0
 *   0x100000000 - ...        RAM above 4 GiB when -m exceeds the low part
 *
 * Ports: 8259 pair (0x20, 0xa0, ELCR 0x4d0), COM1-COM4 (0x3f8 0x2f8 0x3e8
 * 0x2e8; IRQ 4 3 4 3), 0x80 POST code (ignored), 0x92 system control port
 * A (bit 0 resets the machine; A20 is always on), and what -device and
 * -debugcon add.  Devices are created top to bottom in pc_init().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/char/debugcon.h"
#include "hw/char/uart16550.h"
#include "hw/core/chardev.h"
#include "hw/core/machine.h"
#include "hw/intc/i8259.h"
#include "hw/misc/debugexit.h"
#include "hw/pc/pc_kernel.h"
#include "janus/util.h"

#define PC_LOWMEM_MAX 0xe0000000ULL
#define PC_LOWMEM_SPLIT 0xc0000000ULL
#define PC_HIGHMEM_BASE 0x100000000ULL
#define PC_BIOS_MAX (16ULL << 20)

enum pc_boot_kind { PC_BOOT_KERNEL, PC_BOOT_FIRMWARE };

struct pc_state {
    struct machine *m;
    struct i8259 *pic;
    enum pc_boot_kind boot;
    struct x86_state kernel_start;
    uint8_t port92;
};

static const struct {
    uint16_t base;
    int irq;
} pc_com[MAX_SERIAL] = {{0x3f8, 4}, {0x2f8, 3}, {0x3e8, 4}, {0x2e8, 3}};

/* --- small board-level ports --- */

static uint64_t port80_read(void *opaque, uint64_t off, unsigned size)
{
    return 0xff;
}
static void port80_write(void *opaque, uint64_t off, uint64_t v, unsigned size) {}
static const struct io_ops port80_ops = {.read = port80_read, .write = port80_write};

static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
    struct pc_state *pc = opaque;
    return pc->port92 | 0x02; /* A20 always enabled */
}

static void port92_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct pc_state *pc = opaque;
    bool reset = (v & 1) && !(pc->port92 & 1);
    pc->port92 = (uint8_t)(v & ~1u);
    if (reset)
        machine_request_reset(pc->m);
}
static const struct io_ops port92_ops = {.read = port92_read, .write = port92_write, .max_size = 1};

/* The VGA window without a VGA: nothing answers. */
static const struct io_ops hole_ops = {0};

static void pc_reset(void *opaque)
{
    struct pc_state *pc = opaque;
    pc->port92 = 0;
}

static bool pc_init_ram(struct machine *m)
{
    uint64_t ram = m->cfg->ram_size;
    m->ram = ram_alloc(ram);
    if (!m->ram) {
        report_error("-m %llu MiB: cannot allocate guest RAM: %s", (unsigned long long)(ram >> 20),
                     strerror(errno));
        return false;
    }
    m->ram_size = ram;
    uint64_t below = ram >= PC_LOWMEM_MAX ? PC_LOWMEM_SPLIT : ram;
    as_add_ram(m->mem, "ram-below-4g", 0, below, m->ram, 0);
    if (ram > below)
        as_add_ram(m->mem, "ram-above-4g", PC_HIGHMEM_BASE, ram - below, m->ram + below, 0);
    if (below > 0xa0000)
        as_add_io(m->mem, "vga-window", 0xa0000, MIN(below, 0xc0000) - 0xa0000, &hole_ops, NULL, 1);
    return true;
}

static bool pc_init_bios(struct machine *m, const char *path)
{
    uint8_t *data;
    size_t size;
    if (!read_whole_file(path, &data, &size)) {
        report_error("-bios %s: %s", path, strerror(errno));
        return false;
    }
    if (size == 0 || size % 65536 || size > PC_BIOS_MAX) {
        report_error("-bios %s: size %zu is not a non-zero multiple of 64 KiB up to 16 MiB", path,
                     size);
        free(data);
        return false;
    }
    uint8_t *rom = ram_alloc(size);
    if (!rom)
        die_errno("cannot allocate %zu bytes for the firmware", size);
    memcpy(rom, data, size);
    free(data);
    as_add_rom(m->mem, "bios", (1ULL << 32) - size, size, rom, 1);
    size_t isa = MIN(size, (size_t)128 << 10);
    as_add_rom(m->mem, "isa-bios", 0x100000 - isa, isa, rom + size - isa, 1);
    return true;
}

static bool pc_init_serial(struct machine *m, struct pc_state *pc, int *stdio_users)
{
    int n = m->cfg->nserial;
    const char *specs[MAX_SERIAL] = {0};
    if (n == 0) {
        specs[0] = "stdio"; /* -nographic or not: no display yet, so COM1 is the console */
        n = 1;
    } else {
        memcpy(specs, m->cfg->serial, sizeof(specs));
    }
    for (int i = 0; i < n; i++) {
        const char *spec = specs[i];
        if (!strcmp(spec, "mon:stdio"))
            spec = "stdio";
        bool none = false;
        struct chardev *chr = chardev_open(spec, &none);
        if (none)
            continue;
        if (!chr)
            return false;
        if (!strcmp(spec, "stdio"))
            (*stdio_users)++;
        if (!uart_create(m, m->io, pc_com[i].base, 0, i8259_irq(pc->pic, pc_com[i].irq), chr)) {
            chardev_close(chr);
            return false;
        }
    }
    return true;
}

static void pc_print_devices(FILE *f)
{
    fprintf(f,
            "Devices for -device on -M pc:\n"
            "  isa-debug-exit[,iobase=N][,iosize=N]  write V to exit with status (V << 1) | 1\n");
}

static bool pc_init_devices(struct machine *m)
{
    for (int i = 0; i < m->cfg->ndevice; i++) {
        const char *spec = m->cfg->device[i];
        size_t len = strcspn(spec, ",");
        if (len == strlen("isa-debug-exit") && !strncmp(spec, "isa-debug-exit", len)) {
            if (!debugexit_parse_device(m, spec))
                return false;
            continue;
        }
        report_error("-device %.*s: unknown device on -M pc (-device help lists them)", (int)len,
                     spec);
        return false;
    }
    return true;
}

static bool pc_init(struct machine *m)
{
    struct machine_config *cfg = m->cfg;
    struct pc_state *pc = xzalloc(sizeof(*pc));
    pc->m = m;
    m->board_state = pc;

    if (!pc_init_ram(m))
        return false;
    if (cfg->bios && !pc_init_bios(m, cfg->bios))
        return false;

    /* Interrupt controller first: every ISA device wires into it. */
    pc->pic = i8259_create(m, m->io);
    if (!pc->pic)
        return false;

    int stdio_users = 0;
    if (!pc_init_serial(m, pc, &stdio_users))
        return false;
    if (cfg->debugcon) {
        bool none = false;
        struct chardev *chr = chardev_open(cfg->debugcon, &none);
        if (!chr && !none)
            return false;
        if (chr) {
            if (!strcmp(cfg->debugcon, "stdio"))
                stdio_users++;
            if (!debugcon_create(m, m->io, DEBUGCON_DEFAULT_IOBASE, chr)) {
                chardev_close(chr);
                return false;
            }
        }
    }
    if (stdio_users > 1) {
        report_error("stdio can back only one of -serial and -debugcon");
        return false;
    }
    as_add_io(m->io, "post", 0x80, 1, &port80_ops, pc, 0);
    as_add_io(m->io, "port92", 0x92, 1, &port92_ops, pc, 0);
    machine_register_reset(m, pc_reset, pc);
    if (!pc_init_devices(m))
        return false;

    if (cfg->kernel) {
        if (!pc_load_kernel(m, cfg->kernel, cfg->initrd, cfg->append, &pc->kernel_start))
            return false;
        pc->boot = PC_BOOT_KERNEL;
    } else if (cfg->bios) {
        if (cfg->initrd || cfg->append) {
            report_error("-initrd and -append need -kernel");
            return false;
        }
        pc->boot = PC_BOOT_FIRMWARE;
    } else {
        report_error("nothing to boot: give -kernel FILE (janus has no default firmware yet; -bios "
                     "FILE works too)");
        return false;
    }
    return true;
}

static void pc_boot_state(struct machine *m, int cpu, struct x86_state *s)
{
    struct pc_state *pc = m->board_state;
    /* CPUID(1).EAX-style signature in EDX at reset: family 6 (any value is legal). */
    x86_state_reset(s, 0x600);
    if (cpu == 0 && pc->boot == PC_BOOT_KERNEL)
        *s = pc->kernel_start;
}

const struct board_ops pc_board = {
    .name = "pc",
    .desc = "PC/AT compatible (8259 PIC, 16550A UARTs)",
    .init = pc_init,
    .boot_state = pc_boot_state,
    .print_devices = pc_print_devices,
};
