/*
 * test-debugdev.c - isa-debug-exit (exit status, reads, -device parsing,
 * port clashes) and the 0xE9 debug console (readback, output).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "hw/char/debugcon.h"
#include "hw/core/chardev.h"
#include "hw/core/machine.h"
#include "hw/core/mainloop.h"
#include "hw/misc/debugexit.h"

static struct machine *m;

static int setup(void **state)
{
    m = machine_new(NULL);
    mainloop_clear_exit();
    return 0;
}

static int teardown(void **state)
{
    machine_free(m);
    mainloop_clear_exit();
    return 0;
}

/* The status mainloop_run() hands to main() after the guest's write. */
static int exit_status_after(uint16_t port, uint64_t value, unsigned size)
{
    mainloop_clear_exit();
    assert_false(mainloop_exit_requested());
    as_write(m->io, port, value, size);
    assert_true(mainloop_exit_requested());
    return mainloop_run(); /* returns at once: an exit is pending */
}

static void test_debugexit_status(void **state)
{
    assert_true(debugexit_create(m, m->io, 0x501, 2));
    assert_int_equal(exit_status_after(0x501, 0, 1), 1);
    assert_int_equal(exit_status_after(0x501, 1, 1), 3);
    assert_int_equal(exit_status_after(0x502, 0x10, 1), 0x21);
    assert_int_equal(exit_status_after(0x501, 0x7f, 1), 0xff);
    /* wider writes: QEMU's exit((v << 1) | 1); the shell sees the low 8 bits */
    assert_int_equal(exit_status_after(0x501, 0x0102, 2), 0x05);
    /* never MAINLOOP_RESET (-1), whatever the guest writes */
    assert_int_equal(exit_status_after(0x501, 0x7fffffff, 4), 0xff);
    assert_int_equal(exit_status_after(0x501, 0xffffffff, 4), 0xff);

    /* the first request wins */
    mainloop_clear_exit();
    as_write(m->io, 0x501, 2, 1);
    as_write(m->io, 0x501, 4, 1);
    assert_int_equal(mainloop_run(), 5);

    /* reads return 0 and do not exit */
    mainloop_clear_exit();
    assert_int_equal(as_read(m->io, 0x501, 1), 0);
    assert_int_equal(as_read(m->io, 0x501, 2), 0);
    assert_false(mainloop_exit_requested());
    /* outside the two ports: a hole */
    assert_int_equal(as_read(m->io, 0x503, 1), 0xff);
    as_write(m->io, 0x503, 1, 1);
    assert_false(mainloop_exit_requested());
}

static void test_debugexit_clash_and_range(void **state)
{
    assert_true(debugexit_create(m, m->io, 0x501, 2));
    assert_false(debugexit_create(m, m->io, 0x502, 1));
    assert_false(debugexit_create(m, m->io, 0xffff, 2));
    assert_false(debugexit_create(m, m->io, 0x600, 0));
    assert_false(debugexit_create(m, m->io, 0x10000, 1));
    assert_true(debugexit_create(m, m->io, 0xffff, 1));
}

static void test_parse_device_defaults(void **state)
{
    assert_true(debugexit_parse_device(m, "isa-debug-exit"));
    assert_int_equal(exit_status_after(0x501, 3, 1), 7);
    assert_int_equal(exit_status_after(0x502, 3, 1), 7);
    assert_int_equal(as_read(m->io, 0x500, 1), 0xff);
    assert_int_equal(as_read(m->io, 0x503, 1), 0xff);
}

static void test_parse_device_props(void **state)
{
    assert_true(debugexit_parse_device(m, "isa-debug-exit,iobase=0xf4,iosize=0x04"));
    assert_int_equal(exit_status_after(0xf4, 0x10, 4), 0x21);
    assert_int_equal(exit_status_after(0xf7, 0, 1), 1);
    assert_int_equal(as_read(m->io, 0xf8, 1), 0xff);
    assert_true(debugexit_parse_device(m, "isa-debug-exit,iobase=1536"));
    assert_int_equal(exit_status_after(0x601, 1, 1), 3);
    assert_true(debugexit_parse_device(m, "isa-debug-exit,iosize=1,iobase=0x700"));
    assert_int_equal(as_read(m->io, 0x701, 1), 0xff);
    /* clashing with the first one */
    assert_false(debugexit_parse_device(m, "isa-debug-exit,iobase=0xf6"));
}

static void test_parse_device_bad(void **state)
{
    static const char *bad[] = {
        "isa-debug-exit,foo=1",
        "isa-debug-exit,iobase=zz",
        "isa-debug-exit,iobase=",
        "isa-debug-exit,iobase",
        "isa-debug-exit,iosize=-1",
        "isa-debug-exit,iosize=0",
        "isa-debug-exit,iobase=0x10000",
        "isa-debug-exit,iobase=0x12 ",
        "isa-debug-exit,iobase=99999999999999999999999",
        "isa-debugcon",
        "isa-debug-exitx",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fflush(stderr);
        FILE *cap = tmpfile();
        int saved = dup(2);
        dup2(fileno(cap), 2);
        bool ok = debugexit_parse_device(m, bad[i]);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        char text[512] = {0};
        rewind(cap);
        size_t n = fread(text, 1, sizeof(text) - 1, cap);
        fclose(cap);
        assert_false(ok);
        assert_true(n > 0);
        assert_non_null(strchr(text, '\n'));
        assert_ptr_equal(strchr(text, '\n'), text + n - 1); /* exactly one line */
    }
    /* nothing was mapped by the failures */
    assert_int_equal(as_read(m->io, 0x501, 1), 0xff);
    assert_int_equal(as_read(m->io, 0x12, 1), 0xff);
}

static void test_debugcon(void **state)
{
    struct chardev *c = chardev_open_buffer();
    assert_true(debugcon_create(m, m->io, DEBUGCON_DEFAULT_IOBASE, c));
    assert_int_equal(as_read(m->io, 0xe9, 1), 0xe9);
    assert_int_equal(as_read(m->io, 0xe9, 1), 0xe9);
    const char *msg = "Hello\r\n\x00\xff";
    for (int i = 0; i < 9; i++)
        as_write(m->io, 0xe9, (uint8_t)msg[i], 1);
    size_t n;
    const uint8_t *out = chardev_buffer_output(c, &n);
    assert_int_equal(n, 9);
    assert_memory_equal(out, msg, 9);
    /* one byte wide: the neighbour port is not part of it */
    assert_int_equal(as_read(m->io, 0xea, 1), 0xff);
    assert_false(debugcon_create(m, m->io, 0xe9, c));
    assert_false(debugcon_create(m, m->io, 0x10000, c));

    /* SeaBIOS's port, no backend: writes are dropped */
    assert_true(debugcon_create(m, m->io, 0x402, NULL));
    as_write(m->io, 0x402, 'x', 1);
    assert_int_equal(as_read(m->io, 0x402, 1), 0xe9);
    chardev_buffer_output(c, &n);
    assert_int_equal(n, 9);
    /* the machine owns the backend now: teardown's machine_free() closes it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_debugexit_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debugexit_clash_and_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_device_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_device_props, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_device_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debugcon, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
