/*
 * test-cmdline.c - option parsing: QEMU spellings, defaults, sizes, and
 * bad input rejected with CMDLINE_ERROR (the message itself is checked by
 * tests/cli/check-cli.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "janus/util.h"
#include "ui/cmdline.h"

#define ARGV(...) ((char *[]){"janus", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"janus", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(cfg, ...) cmdline_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), cfg)

static void test_defaults(void **state)
{
    struct machine_config c;
    char *argv[] = {"janus", NULL};
    assert_int_equal(cmdline_parse(1, argv, &c), CMDLINE_OK);
    assert_string_equal(c.machine, "pc");
    assert_int_equal(c.ram_size, 128ULL << 20);
    assert_int_equal(c.smp, 1);
    assert_string_equal(c.accel, "auto");
    assert_null(c.kernel);
    assert_false(c.nographic);
}

static void test_qemu_options(void **state)
{
    struct machine_config c;
    assert_int_equal(PARSE(&c, "-M", "pc", "-m", "512", "-smp", "2", "-accel", "kvm", "-kernel",
                           "k.elf", "-initrd", "a,b", "-append", "x=1 y", "-nographic", "-serial",
                           "file:/tmp/o", "-serial", "null", "-device",
                           "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-stats"),
                     CMDLINE_OK);
    assert_int_equal(c.ram_size, 512ULL << 20);
    assert_int_equal(c.smp, 2);
    assert_string_equal(c.accel, "kvm");
    assert_string_equal(c.kernel, "k.elf");
    assert_string_equal(c.initrd, "a,b");
    assert_string_equal(c.append, "x=1 y");
    assert_true(c.nographic);
    assert_int_equal(c.nserial, 2);
    assert_string_equal(c.serial[0], "file:/tmp/o");
    assert_string_equal(c.serial[1], "null");
    assert_int_equal(c.ndevice, 1);
    assert_true(c.no_reboot);
    assert_true(c.stats);
}

static void test_double_dash_and_aliases(void **state)
{
    struct machine_config c;
    assert_int_equal(PARSE(&c, "--machine", "type=pc,accel=kvm", "--enable-kvm", "-m", "size=1G"),
                     CMDLINE_OK);
    assert_string_equal(c.machine, "pc");
    assert_string_equal(c.accel, "kvm");
    assert_int_equal(c.ram_size, 1ULL << 30);
    assert_int_equal(PARSE(&c, "-accel", "tcg"), CMDLINE_OK);
    assert_string_equal(c.accel, "interp");
    assert_int_equal(PARSE(&c, "-smp", "sockets=2,cores=2,threads=2"), CMDLINE_OK);
    assert_int_equal(c.smp, 8);
    assert_int_equal(PARSE(&c, "-smp", "cpus=3,maxcpus=4"), CMDLINE_OK);
    assert_int_equal(c.smp, 3);
}

static void test_sizes(void **state)
{
    struct machine_config c;
    assert_int_equal(PARSE(&c, "-m", "2G"), CMDLINE_OK);
    assert_int_equal(c.ram_size, 2ULL << 30);
    assert_int_equal(PARSE(&c, "-m", "1.5G"), CMDLINE_OK);
    assert_int_equal(c.ram_size, 3ULL << 29);
    assert_int_equal(PARSE(&c, "-m", "1000k"), CMDLINE_ERROR); /* below 1 MiB */
    assert_int_equal(PARSE(&c, "-m", "2049K"), CMDLINE_OK);
    assert_int_equal(c.ram_size, 2052ULL * 1024); /* rounded up to a page */
    assert_int_equal(PARSE(&c, "-m", "0"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", "99999999G"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", "18446744073709551615G"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", "99999999999999999999999"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", "12Q"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", ""), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", "-1"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-m", " 5"), CMDLINE_ERROR);
}

static void test_bad_input(void **state)
{
    struct machine_config c;
    assert_int_equal(PARSE(&c, "-bogus"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "--"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-kernel"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "disk.img"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-smp", "0"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-smp", "x"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-smp", "2,bogus=1"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-smp", "cpus=5,maxcpus=4"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-smp", "1000"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-accel", "warp"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-accel", "kvm,thread=multi"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-machine", "pc,color=blue"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-machine", "pc,blue"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-cpu", "486"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-display", "gtk"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-monitor", "stdio"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-s"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-S"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-d", "bogus"), CMDLINE_ERROR);
    assert_int_equal(PARSE(&c, "-netdev", "user,id=n0"), CMDLINE_ERROR);
    assert_int_equal(
        PARSE(&c, "-serial", "a", "-serial", "b", "-serial", "c", "-serial", "d", "-serial", "e"),
        CMDLINE_ERROR);
}

static void test_log_mask(void **state)
{
    struct machine_config c;
    log_mask = 0;
    assert_int_equal(PARSE(&c, "-d", "guest_errors,unimp"), CMDLINE_OK);
    assert_true(log_enabled(LOG_GUEST_ERROR));
    assert_true(log_enabled(LOG_UNIMP));
    assert_false(log_enabled(LOG_INT));
    log_mask = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_qemu_options),
        cmocka_unit_test(test_double_dash_and_aliases),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_log_mask),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    cmdline_release();
    return r;
}
