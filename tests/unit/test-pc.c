/*
 * test-pc.c - the pc board without a CPU: its memory map, and a guest that
 * writes garbage to every port and to the holes, ROM and VGA window, which
 * must never crash the emulator or corrupt the firmware.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hw/core/clock.h"
#include "hw/core/machine.h"
#include "hw/core/mainloop.h"
#include "janus/util.h"
#include "tests/unit/helper.h"
#include "ui/cmdline.h"

static char bios_path[] = "/tmp/janus-test-bios-XXXXXX";
static uint8_t bios[65536];

static int setup_bios(void **state)
{
    for (size_t i = 0; i < sizeof(bios); i++)
        bios[i] = (uint8_t)(i * 7 + 1);
    int fd = mkstemp(bios_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bios, sizeof(bios)), (ssize_t)sizeof(bios));
    close(fd);
    clock_set_manual(0);
    return 0;
}

static int remove_bios(void **state)
{
    unlink(bios_path);
    cmdline_release();
    return 0;
}

static struct machine *pc_new(struct machine_config *cfg, uint64_t ram)
{
    cmdline_defaults(cfg);
    cfg->ram_size = ram;
    cfg->bios = bios_path;
    cfg->serial[0] = "null";
    cfg->serial[1] = "null";
    cfg->nserial = 2;
    cfg->device[0] = "isa-debug-exit,iobase=0xf4,iosize=0x04";
    cfg->ndevice = 1;
    struct machine *m = machine_new(cfg);
    m->board = machine_find_board("pc");
    assert_non_null(m->board);
    assert_true(m->board->init(m));
    machine_reset(m);
    mainloop_clear_exit();
    return m;
}

static const char *name_at(struct machine *m, uint64_t addr)
{
    const struct flat_range *f = as_lookup(m->mem, addr);
    return f ? f->r->name : "(hole)";
}

static void test_memory_map(void **state)
{
    struct machine_config cfg;
    struct machine *m = pc_new(&cfg, 128ULL << 20);
    assert_string_equal(name_at(m, 0), "ram-below-4g");
    assert_string_equal(name_at(m, 0x9ffff), "ram-below-4g");
    assert_string_equal(name_at(m, 0xa0000), "vga-window");
    assert_string_equal(name_at(m, 0xbffff), "vga-window");
    assert_string_equal(name_at(m, 0xc0000), "ram-below-4g");
    assert_string_equal(name_at(m, 0xf0000), "isa-bios");
    assert_string_equal(name_at(m, 0x7ffffff), "ram-below-4g");
    assert_string_equal(name_at(m, 0x8000000), "(hole)");
    assert_string_equal(name_at(m, 0xffff0000), "bios");
    /* the reset vector reads the firmware's last 16 bytes, through both maps */
    assert_int_equal(as_read(m->mem, 0xfffffff0, 8), as_read(m->mem, 0xffff0, 8));
    uint64_t want = 0;
    memcpy(&want, bios + 0xfff0, 8);
    assert_int_equal(as_read(m->mem, 0xfffffff0, 8), want);
    /* VGA window without a VGA: nothing answers */
    assert_int_equal(as_read(m->mem, 0xb8000, 2), 0xffff);
    machine_free(m);

    /* above 3.5 GiB of RAM the board splits it at 3 GiB and maps the rest at 4 GiB */
    m = pc_new(&cfg, 5ULL << 30);
    assert_string_equal(name_at(m, 0xbfffffff), "ram-below-4g");
    assert_string_equal(name_at(m, 0xc0000000), "(hole)");
    assert_string_equal(name_at(m, 0x100000000), "ram-above-4g");
    assert_string_equal(name_at(m, 0x100000000 + (2ULL << 30) - 1), "ram-above-4g");
    assert_string_equal(name_at(m, 0x100000000 + (2ULL << 30)), "(hole)");
    as_write(m->mem, 0x100000000, 0x1122334455667788ULL, 8);
    assert_int_equal(*(uint64_t *)(m->ram + 0xc0000000), 0x1122334455667788ULL);
    machine_free(m);
}

static void test_port92_reset(void **state)
{
    struct machine_config cfg;
    struct machine *m = pc_new(&cfg, 16ULL << 20);
    assert_int_equal(as_read(m->io, 0x92, 1) & 2, 2); /* A20 reads as on */
    as_write(m->io, 0x92, 0x02, 1);
    assert_false(mainloop_exit_requested());
    as_write(m->io, 0x92, 0x03, 1); /* bit 0: fast reset */
    assert_true(mainloop_exit_requested());
    assert_int_equal(mainloop_run(), MAINLOOP_RESET);
    mainloop_clear_exit();
    machine_free(m);
}

/* Random writes and reads everywhere a guest can reach without a CPU fault. */
static void test_guest_garbage(void **state)
{
    struct machine_config cfg;
    struct machine *m = pc_new(&cfg, 16ULL << 20);
    srand(test_seed("test-pc garbage"));
    static const uint16_t hot[] = {0x20,  0x21,  0xa0,  0xa1,  0x4d0, 0x4d1, 0x3f8,
                                   0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
                                   0x2f8, 0x2fa, 0x2fc, 0x80,  0x92};
    for (int i = 0; i < 300000; i++) {
        unsigned size = 1u << (rand() % 3);
        uint64_t v = ((uint64_t)rand() << 32) ^ (uint64_t)rand();
        int kind = rand() % 8;
        if (kind < 5) {
            uint16_t port = kind < 4 ? hot[rand() % ARRAY_SIZE(hot)] : (uint16_t)rand();
            if (port >= 0xf4 && port < 0xf8)
                continue; /* the exit device: tested elsewhere */
            if (rand() & 1)
                as_write(m->io, port, v, size);
            else
                (void)as_read(m->io, port, size);
        } else if (kind == 5) {
            uint64_t addr = 0xa0000 + (uint64_t)(rand() % 0x60000); /* VGA, ROM alias */
            as_write(m->mem, addr, v, size);
        } else if (kind == 6) {
            uint64_t addr = 0xffff0000 + (uint64_t)(rand() % 0x10000);
            as_write(m->mem, addr, v, 1u << (rand() % 4));
        } else {
            clock_step(rand() % 1000000); /* let UART timeouts fire */
        }
        if (m->intr_level) {
            int vec = m->intr_ack(m->intr_opaque);
            assert_true(vec >= 0 && vec <= 255);
        }
        if (mainloop_exit_requested())
            mainloop_clear_exit(); /* port 0x92 resets are fine */
    }
    /* the firmware is untouched, and a reset brings the devices back */
    assert_memory_equal(as_ram_ptr(m->mem, 0xffff0000, sizeof(bios), false), bios, sizeof(bios));
    machine_reset(m);
    assert_int_equal(as_read(m->io, 0x3fa, 1), 0x01); /* IIR: no interrupt pending */
    assert_int_equal(as_read(m->io, 0x3fd, 1), 0x60); /* LSR: transmitter empty */
    assert_false(m->intr_level);
    machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_map),
        cmocka_unit_test(test_port92_reset),
        cmocka_unit_test(test_guest_garbage),
    };
    return cmocka_run_group_tests(tests, setup_bios, remove_bios);
}
