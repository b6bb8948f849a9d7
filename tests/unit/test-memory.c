/*
 * test-memory.c - address space: lookup, priorities/overlaps, holes,
 * sub-word and split accesses, buffer access, and a randomized comparison
 * against a byte-level model.
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

#include "hw/core/memory.h"
#include "tests/unit/helper.h"

/* A device that records accesses and is backed by a byte array. */
struct recdev {
    uint8_t bytes[64];
    int reads, writes;
    unsigned last_size;
    uint64_t last_off;
};

static uint64_t rec_read(void *opaque, uint64_t off, unsigned size)
{
    struct recdev *d = opaque;
    d->reads++;
    d->last_size = size;
    d->last_off = off;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)d->bytes[(off + i) % sizeof(d->bytes)] << (8 * i);
    return v;
}

static void rec_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct recdev *d = opaque;
    d->writes++;
    d->last_size = size;
    d->last_off = off;
    for (unsigned i = 0; i < size; i++)
        d->bytes[(off + i) % sizeof(d->bytes)] = (uint8_t)(v >> (8 * i));
}

static const struct io_ops rec_any = {.read = rec_read, .write = rec_write};
static const struct io_ops rec_byte = {.read = rec_read, .write = rec_write, .max_size = 1};
static const struct io_ops rec_dword = {
    .read = rec_read, .write = rec_write, .min_size = 4, .max_size = 4};

static void test_ram_rw(void **state)
{
    uint8_t ram[4096] = {0};
    struct address_space *as = as_new("t", 0);
    assert_non_null(as_add_ram(as, "ram", 0x1000, sizeof(ram), ram, 0));
    as_write(as, 0x1000, 0x1122334455667788ULL, 8);
    assert_int_equal(ram[0], 0x88);
    assert_int_equal(ram[7], 0x11);
    assert_int_equal(as_read(as, 0x1001, 2), 0x6677);
    assert_int_equal(as_read(as, 0x1003, 4), 0x22334455);
    assert_int_equal(as_read(as, 0x1000, 8), 0x1122334455667788ULL);
    /* just below and past the end are holes */
    assert_int_equal(as_read(as, 0xfff, 1), 0xff);
    assert_int_equal(as_read(as, 0x2000, 4), 0xffffffffu);
    /* a read straddling RAM end and hole: low bytes from RAM, high bytes 0xff */
    ram[4095] = 0x5a;
    assert_int_equal(as_read(as, 0x1fff, 2), 0xff5a);
    as_free(as);
}

static void test_holes_and_overlaps(void **state)
{
    uint8_t a[12288], b[4096];
    struct address_space *as = as_new("t", 0);
    assert_non_null(as_add_ram(as, "a", 0, sizeof(a), a, 0));
    /* same priority overlap is refused */
    assert_null(as_add_ram(as, "b", 0x1000, sizeof(b), b, 0));
    /* empty and wrapping regions are refused */
    assert_null(as_add_ram(as, "z", 0x9000, 0, b, 0));
    assert_null(as_add_ram(as, "w", UINT64_MAX - 10, 4096, b, 0));
    /* higher priority overlays the middle page */
    assert_non_null(as_add_ram(as, "b", 0x1000, sizeof(b), b, 1));
    assert_int_equal(as->nflat, 3);
    memset(a, 0x11, sizeof(a));
    memset(b, 0x22, sizeof(b));
    assert_int_equal(as_read(as, 0x0fff, 1), 0x11);
    assert_int_equal(as_read(as, 0x1000, 1), 0x22);
    assert_int_equal(as_read(as, 0x1fff, 1), 0x22);
    assert_int_equal(as_read(as, 0x2000, 1), 0x11);
    /* straddling the overlay boundary combines both */
    assert_int_equal(as_read(as, 0x0ffe, 4), 0x22221111);
    const struct flat_range *f = as_lookup(as, 0x1800);
    assert_non_null(f);
    assert_string_equal(f->r->name, "b");
    assert_int_equal(f->start, 0x1000);
    assert_int_equal(f->end, 0x1fff);
    assert_null(as_lookup(as, 0x2000 + 4096));
    as_free(as);
}

static void test_port_space_limit(void **state)
{
    struct recdev d = {0};
    struct address_space *io = as_new("io", 0x10000);
    assert_null(as_add_io(io, "past", 0xfffc, 8, &rec_any, &d, 0));
    assert_non_null(as_add_io(io, "last", 0xfff8, 8, &rec_any, &d, 0));
    assert_null(as_add_io(io, "beyond", 0x10000, 1, &rec_any, &d, 0));
    as_free(io);
}

static void test_top_of_address_space(void **state)
{
    uint8_t page[4096] = {0};
    struct address_space *as = as_new("t", 0);
    assert_non_null(as_add_ram(as, "top", UINT64_MAX - 4095, 4096, page, 0));
    as_write(as, UINT64_MAX - 3, 0xdeadbeef, 4);
    assert_int_equal(as_read(as, UINT64_MAX - 3, 4), 0xdeadbeef);
    assert_int_equal(page[4092], 0xef);
    /* a read wrapping past 2^64 does not crash; bytes past the end are a hole at 0 */
    (void)as_read(as, UINT64_MAX, 2);
    as_free(as);
}

static void test_byte_device_split(void **state)
{
    struct recdev d = {0};
    struct address_space *io = as_new("io", 0x10000);
    assert_non_null(as_add_io(io, "dev", 0x3f8, 8, &rec_byte, &d, 0));
    as_write(io, 0x3f8, 0x44332211, 4);
    assert_int_equal(d.writes, 4);
    assert_int_equal(d.last_size, 1);
    assert_int_equal(d.last_off, 3);
    assert_memory_equal(d.bytes, "\x11\x22\x33\x44", 4);
    d.reads = 0;
    assert_int_equal(as_read(io, 0x3f9, 2), 0x3322);
    assert_int_equal(d.reads, 2);
    as_free(io);
}

static void test_dword_device_widen(void **state)
{
    struct recdev d = {0};
    struct address_space *as = as_new("mmio", 0);
    assert_non_null(as_add_io(as, "dev", 0x10000, 16, &rec_dword, &d, 0));
    memcpy(d.bytes, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    /* byte read inside a dword register: one 4-byte access, byte extracted */
    assert_int_equal(as_read(as, 0x10002, 1), 0x03);
    assert_int_equal(d.last_size, 4);
    assert_int_equal(d.last_off, 0);
    /* byte write: read-modify-write of the dword */
    d.reads = d.writes = 0;
    as_write(as, 0x10001, 0xaa, 1);
    assert_int_equal(d.reads, 1);
    assert_int_equal(d.writes, 1);
    assert_memory_equal(d.bytes, "\x01\xaa\x03\x04", 4);
    /* 8-byte access splits into two dwords, low first */
    d.reads = 0;
    assert_int_equal(as_read(as, 0x10000, 8), 0x080706050403aa01ULL);
    assert_int_equal(d.reads, 2);
    assert_int_equal(d.last_off, 4);
    /* misaligned dword across two registers */
    as_write(as, 0x10002, 0xddccbbaa, 4);
    assert_memory_equal(d.bytes, "\x01\xaa\xaa\xbb\xcc\xdd\x07\x08", 8);
    as_free(as);
}

static void test_rom_and_buffers(void **state)
{
    uint8_t rom[4096], ram[4096] = {0};
    memset(rom, 0x5a, sizeof(rom));
    struct address_space *as = as_new("t", 0);
    assert_non_null(as_add_rom(as, "rom", 0xf000, sizeof(rom), rom, 0));
    assert_non_null(as_add_ram(as, "ram", 0xe000, sizeof(ram), ram, 0));
    as_write(as, 0xf000, 0x12, 1);
    assert_int_equal(rom[0], 0x5a);
    assert_true(as_write_buf(as, 0xf000, "\x99", 1, true));
    assert_int_equal(rom[0], 0x99);
    /* a buffer crossing RAM -> ROM: the ROM part is ignored unless rom_writable */
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_true(as_write_buf(as, 0xeffc, buf, 8, false));
    assert_memory_equal(ram + 4092, buf, 4);
    assert_int_equal(rom[1], 0x5a);
    /* a hole anywhere in the range: false and nothing written */
    memset(ram, 0, sizeof(ram));
    assert_false(as_write_buf(as, 0xdffc, buf, 8, true));
    assert_int_equal(ram[0], 0);
    assert_false(as_write_buf(as, 0xfffc, buf, 8, true));
    uint8_t out[8];
    assert_true(as_read_buf(as, 0xeffe, out, 4));
    assert_int_equal(out[2], 0x99);
    /* host pointers only for whole ranges inside one RAM/ROM range */
    assert_ptr_equal(as_ram_ptr(as, 0xe010, 16, true), ram + 16);
    assert_null(as_ram_ptr(as, 0xeff0, 32, false));
    assert_null(as_ram_ptr(as, 0xf000, 4, true));
    assert_ptr_equal(as_ram_ptr(as, 0xf000, 4, false), rom);
    assert_null(as_ram_ptr(as, 0x100000, 1, false));
    as_free(as);
}

/*
 * Random regions over a 64 KiB space; every access goes through the
 * address space and through a byte model built independently.
 */
static void test_random_model(void **state)
{
    srand(test_seed("test-memory random model"));
    enum { SPACE = 0x10000 };
    for (int round = 0; round < 50; round++) {
        static uint8_t backing[8][SPACE];
        static int owner[SPACE]; /* -1 hole, else region index */
        static int prio_at[SPACE];
        uint64_t bases[8] = {0};
        struct added_region {
            uint64_t base, size;
            int prio;
        } added[8];
        int nadded = 0;
        struct address_space *as = as_new("r", SPACE);
        int nreg = 1 + rand() % 8;
        for (int i = 0; i < SPACE; i++) {
            owner[i] = -1;
            prio_at[i] = -1000;
        }
        for (int r = 0; r < nreg; r++) {
            uint64_t base = (uint64_t)(rand() % SPACE), size = 1 + (uint64_t)(rand() % 0x3000);
            if (base + size > SPACE)
                size = SPACE - base;
            int prio = rand() % 4;
            for (int i = 0; i < SPACE; i++)
                backing[r][i] = (uint8_t)rand();
            if (!as_add_ram(as, "r", base, size, backing[r], prio)) {
                /* must have been refused for a same-priority overlap */
                bool clash = false;
                for (int k = 0; k < nadded; k++)
                    clash |= added[k].prio == prio && base < added[k].base + added[k].size &&
                             added[k].base < base + size;
                assert_true(clash);
                continue;
            }
            for (uint64_t a = base; a < base + size; a++) {
                if (prio > prio_at[a]) {
                    owner[a] = r;
                    prio_at[a] = prio;
                }
            }
            bases[r] = base; /* the model maps a -> backing[r][a - base] */
            added[nadded++] = (struct added_region){base, size, prio};
        }
        for (int n = 0; n < 2000; n++) {
            unsigned size = 1u << (rand() % 4);
            uint64_t addr = (uint64_t)(rand() % (SPACE - 8));
            uint64_t expect = 0;
            for (unsigned i = 0; i < size; i++) {
                uint64_t a = addr + i;
                uint8_t b = 0xff;
                if (owner[a] >= 0)
                    b = backing[owner[a]][a - bases[owner[a]]];
                expect |= (uint64_t)b << (8 * i);
            }
            if (rand() & 1) {
                assert_int_equal(as_read(as, addr, size), expect);
            } else {
                uint64_t v = ((uint64_t)rand() << 32) ^ (uint64_t)rand();
                as_write(as, addr, v, size);
                uint64_t mask = size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
                uint64_t holes = 0;
                for (unsigned i = 0; i < size; i++)
                    if (owner[addr + i] < 0)
                        holes |= 0xffULL << (8 * i);
                assert_int_equal(as_read(as, addr, size), ((v & mask) & ~holes) | holes);
            }
        }
        as_free(as);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ram_rw),
        cmocka_unit_test(test_holes_and_overlaps),
        cmocka_unit_test(test_port_space_limit),
        cmocka_unit_test(test_top_of_address_space),
        cmocka_unit_test(test_byte_device_split),
        cmocka_unit_test(test_dword_device_widen),
        cmocka_unit_test(test_rom_and_buffers),
        cmocka_unit_test(test_random_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
