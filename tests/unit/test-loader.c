/*
 * test-loader.c - the ELF parser, the multiboot loader and the -M pc
 * -kernel dispatcher (hw/core/elf.c, hw/pc/multiboot.c, hw/pc/pc_kernel.c).
 *
 * Images are built in memory, written to mkstemp files in /tmp (removed
 * afterwards) and loaded into a bare machine: RAM at 0 and nothing else,
 * or a pc-like map for the memory-map tests.  Malformed inputs must fail
 * with a clear message and leave no blob behind; the truncation and
 * mutation loops are there for ASan/UBSan to catch over-reads.  The
 * mutation seed is printed; set JANUS_TEST_SEED to replay one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpu/x86/state.h"
#include "hw/core/elf.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/pc/multiboot.h"
#include "hw/pc/pc_kernel.h"
#include "janus/util.h"
#include "tests/unit/helper.h"

#define MIB (1024 * 1024)
#define RAM_SIZE (16 * MIB)
#define KERNEL_ADDR 0x100000u
#define MBI 0x9500u

/* ---------------------------------------------------------------- helpers */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static struct machine *bare_machine(uint64_t size)
{
    struct machine *m = machine_new(NULL);
    m->ram = ram_alloc(size);
    m->ram_size = size;
    assert_non_null(as_add_ram(m->mem, "ram", 0, size, m->ram, 0));
    return m;
}

static uint32_t g32(struct machine *m, uint64_t addr)
{
    return (uint32_t)as_read(m->mem, addr, 4);
}

static uint64_t g64(struct machine *m, uint64_t addr)
{
    return as_read(m->mem, addr, 8);
}

/* A NUL-terminated guest string (at most 255 bytes) into a static buffer. */
static const char *gstr(struct machine *m, uint64_t addr)
{
    static char buf[256];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (char)as_read(m->mem, addr + i, 1);
        if (!buf[i])
            return buf;
    }
    buf[sizeof(buf) - 1] = '\0';
    return buf;
}

static char *write_temp(const void *data, size_t len)
{
    char *path = xstrdup("/tmp/janus-test-loader-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static void remove_temp(char *path)
{
    unlink(path);
    free(path);
}

/* Load path into m, expecting failure with msg in the error output and no blob left. */
static void expect_load_error(struct machine *m, const char *path, const char *initrd,
                              const char *msg)
{
    struct x86_state s;
    capture_begin();
    bool ok = pc_load_kernel(m, path, initrd, NULL, &s);
    const char *out = capture_end();
    if (ok || !strstr(out, msg))
        print_error("expected error containing \"%s\", got %s: \"%s\"\n", msg,
                    ok ? "success" : "failure", out);
    assert_false(ok);
    assert_non_null(strstr(out, msg));
    /* One line, prefixed with the program name. */
    assert_true(strncmp(out, "janus: ", 7) == 0);
    assert_int_equal(m->nblobs, 0);
}

/* Build data in memory, load it into a fresh 16 MiB machine, expect msg. */
static void expect_image_error(const uint8_t *img, size_t len, const char *initrd, const char *msg)
{
    struct machine *m = bare_machine(RAM_SIZE);
    char *path = write_temp(img, len);
    expect_load_error(m, path, initrd, msg);
    remove_temp(path);
    machine_free(m);
}

/* ------------------------------------------------------------ ELF builder */

struct seg_spec {
    uint32_t type; /* 0 means PT_LOAD */
    uint64_t paddr, vaddr;
    uint32_t flags;
    const void *data;
    size_t filesz;
    uint64_t memsz;
};

#define EM_386 3
#define EM_X86_64 62
#define EM_AARCH64 183

/* ELF header, program headers, then each segment's bytes 16-aligned. */
static size_t build_elf(uint8_t *out, size_t cap, int cls, uint16_t machine, uint64_t entry,
                        const struct seg_spec *segs, int n)
{
    bool is64 = cls == 64;
    size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
    size_t off = (ehsize + phsize * n + 15) & ~(size_t)15;
    memset(out, 0, cap);
    memcpy(out, "\177ELF", 4);
    out[4] = is64 ? 2 : 1;
    out[5] = 1;
    out[6] = 1;
    put16(out + 16, 2);
    put16(out + 18, machine);
    put32(out + 20, 1);
    if (is64) {
        put64(out + 24, entry);
        put64(out + 32, ehsize);
        put16(out + 52, (uint16_t)ehsize);
        put16(out + 54, (uint16_t)phsize);
        put16(out + 56, (uint16_t)n);
    } else {
        put32(out + 24, (uint32_t)entry);
        put32(out + 28, (uint32_t)ehsize);
        put16(out + 40, (uint16_t)ehsize);
        put16(out + 42, (uint16_t)phsize);
        put16(out + 44, (uint16_t)n);
    }
    for (int i = 0; i < n; i++) {
        const struct seg_spec *s = &segs[i];
        uint8_t *ph = out + ehsize + phsize * i;
        size_t data_off = s->filesz ? off : 0;
        assert_true(off + s->filesz <= cap);
        if (s->filesz)
            memcpy(out + off, s->data, s->filesz);
        uint32_t type = s->type ? s->type : 1;
        if (is64) {
            put32(ph, type);
            put32(ph + 4, s->flags);
            put64(ph + 8, data_off);
            put64(ph + 16, s->vaddr);
            put64(ph + 24, s->paddr);
            put64(ph + 32, s->filesz);
            put64(ph + 40, s->memsz);
            put64(ph + 48, 0x1000);
        } else {
            put32(ph, type);
            put32(ph + 4, (uint32_t)data_off);
            put32(ph + 8, (uint32_t)s->vaddr);
            put32(ph + 12, (uint32_t)s->paddr);
            put32(ph + 16, (uint32_t)s->filesz);
            put32(ph + 20, (uint32_t)s->memsz);
            put32(ph + 24, s->flags);
            put32(ph + 28, 0x1000);
        }
        off = (off + s->filesz + 15) & ~(size_t)15;
    }
    return off;
}

/* Fill a multiboot header (magic, flags, checksum [, a.out fields]) at p. */
static void put_mb_header(uint8_t *p, uint32_t flags, const uint32_t *aout)
{
    put32(p, MULTIBOOT_HEADER_MAGIC);
    put32(p + 4, flags);
    put32(p + 8, (uint32_t) - (MULTIBOOT_HEADER_MAGIC + flags));
    if (aout)
        for (int i = 0; i < 5; i++)
            put32(p + 12 + 4 * i, aout[i]);
}

static const uint8_t code[] = {0xfa, 0xf4, 0xeb, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* A plain ELF32: text at 1 MiB, data+bss at 1 MiB + 8 KiB. */
static size_t plain_elf32(uint8_t *buf, size_t cap)
{
    static const uint8_t dat[] = {0xde, 0xad, 0xbe, 0xef};
    struct seg_spec s[] = {
        {.paddr = KERNEL_ADDR,
         .vaddr = KERNEL_ADDR,
         .flags = ELF_PF_R | ELF_PF_X,
         .data = code,
         .filesz = sizeof(code),
         .memsz = sizeof(code)},
        {.type = 4 /* PT_NOTE: ignored */, .paddr = 0x5000, .memsz = 0x10},
        {.paddr = KERNEL_ADDR + 0x2000,
         .vaddr = KERNEL_ADDR + 0x2000,
         .flags = ELF_PF_R | ELF_PF_W,
         .data = dat,
         .filesz = sizeof(dat),
         .memsz = 0x100},
    };
    return build_elf(buf, cap, 32, EM_386, KERNEL_ADDR + 1, s, 3);
}

/* A multiboot ELF32: the header is the first thing in the text segment. */
static size_t mb_elf32(uint8_t *buf, size_t cap, uint32_t flags, uint64_t bss)
{
    uint8_t text[64];
    memset(text, 0x90, sizeof(text));
    put_mb_header(text, flags, NULL);
    struct seg_spec s[] = {
        {.paddr = KERNEL_ADDR,
         .vaddr = KERNEL_ADDR,
         .flags = ELF_PF_R | ELF_PF_X,
         .data = text,
         .filesz = sizeof(text),
         .memsz = sizeof(text) + bss},
    };
    return build_elf(buf, cap, 32, EM_386, KERNEL_ADDR + 12, s, 1);
}

/*
 * An a.out-kludge image: 'pre' bytes of junk, the header at file offset
 * pre (header_addr = load_addr + pre, so the file loads from offset 0),
 * code after it.  load_end 0 = to the end of the file.
 */
static size_t mb_aout(uint8_t *buf, size_t cap, size_t pre, uint32_t load_end, uint32_t bss_end)
{
    size_t len = pre + 32 + sizeof(code);
    assert_true(len <= cap);
    memset(buf, 0x41, pre);
    uint32_t a[5] = {KERNEL_ADDR + (uint32_t)pre, KERNEL_ADDR, load_end, bss_end,
                     KERNEL_ADDR + (uint32_t)pre + 32};
    put_mb_header(buf + pre, MULTIBOOT_AOUT_KLUDGE | MULTIBOOT_PAGE_ALIGN, a);
    memcpy(buf + pre + 32, code, sizeof(code));
    return len;
}

static void expect_flat32(const struct x86_state *s, uint32_t eip)
{
    assert_int_equal(s->rip, eip);
    assert_int_equal(s->seg[X86_CS].selector, 0x08);
    assert_true(s->seg[X86_CS].db);
    assert_int_equal(s->seg[X86_CS].base, 0);
    assert_int_equal(s->seg[X86_CS].limit, 0xffffffffu);
    assert_true(s->cr0 & X86_CR0_PE);
    assert_false(s->cr0 & X86_CR0_PG);
    assert_false(s->rflags & X86_RFLAGS_IF);
}

/* -------------------------------------------------------- elf_parse tests */

static void test_elf_parse_elf32(void **state)
{
    uint8_t buf[1024];
    size_t len = plain_elf32(buf, sizeof(buf));
    struct elf_image img;
    char err[128];
    assert_true(elf_is_elf(buf, len));
    assert_true(elf_parse(buf, len, &img, err, sizeof(err)));
    assert_int_equal(img.elf_class, 32);
    assert_int_equal(img.machine, EM_386);
    assert_int_equal(img.type, ELF_ET_EXEC);
    assert_int_equal(img.entry, KERNEL_ADDR + 1);
    assert_int_equal(img.entry_phys, KERNEL_ADDR + 1);
    assert_int_equal(img.nsegments, 2);
    assert_int_equal(img.segments[0].paddr, KERNEL_ADDR);
    assert_int_equal(img.segments[0].filesz, sizeof(code));
    assert_memory_equal(img.segments[0].data, code, sizeof(code));
    assert_int_equal(img.segments[1].memsz, 0x100);
    assert_int_equal(img.segments[1].flags, ELF_PF_R | ELF_PF_W);
    assert_int_equal(img.lowest_paddr, KERNEL_ADDR);
    assert_int_equal(img.highest_paddr, KERNEL_ADDR + 0x2100);
    elf_image_free(&img);
    elf_image_free(&img); /* idempotent */
}

static void test_elf_parse_elf64_virtual_entry(void **state)
{
    uint8_t buf[1024];
    const uint64_t va = 0xffffffff80000000ull + KERNEL_ADDR;
    struct seg_spec s[] = {
        {.paddr = KERNEL_ADDR,
         .vaddr = va,
         .flags = ELF_PF_R | ELF_PF_X,
         .data = code,
         .filesz = sizeof(code),
         .memsz = 0x1000},
        {.paddr = KERNEL_ADDR + 0x1000, .vaddr = 0, .memsz = 0}, /* empty: dropped */
    };
    size_t len = build_elf(buf, sizeof(buf), 64, EM_X86_64, va + 4, s, 2);
    struct elf_image img;
    char err[128];
    assert_true(elf_parse(buf, len, &img, err, sizeof(err)));
    assert_int_equal(img.elf_class, 64);
    assert_int_equal(img.entry, va + 4);
    assert_int_equal(img.entry_phys, KERNEL_ADDR + 4);
    assert_int_equal(img.nsegments, 1);
    assert_int_equal(img.highest_paddr, KERNEL_ADDR + 0x1000);
    elf_image_free(&img);

    /* Not executable: the entry is not translated (QEMU's rule). */
    buf[64 + 4] = ELF_PF_R;
    assert_true(elf_parse(buf, len, &img, err, sizeof(err)));
    assert_int_equal(img.entry_phys, va + 4);
    elf_image_free(&img);
}

static void test_elf_machine_names(void **state)
{
    assert_string_equal(elf_machine_name(EM_386), "i386");
    assert_string_equal(elf_machine_name(EM_X86_64), "x86-64");
    assert_string_equal(elf_machine_name(EM_AARCH64), "AArch64");
    assert_null(elf_machine_name(0xbeef));
}

static void expect_parse_error(const uint8_t *buf, size_t len, const char *msg)
{
    struct elf_image img;
    char err[160] = "";
    bool ok = elf_parse(buf, len, &img, err, sizeof(err));
    if (ok || !strstr(err, msg))
        print_error("expected \"%s\", got \"%s\"\n", msg, ok ? "success" : err);
    assert_false(ok);
    assert_non_null(strstr(err, msg));
    assert_null(img.segments);
    assert_int_equal(img.nsegments, 0);
}

static void test_elf_parse_malformed(void **state)
{
    uint8_t good[1024], b[1024];
    size_t len = plain_elf32(good, sizeof(good));

    memcpy(b, good, len);
    b[1] = 'X';
    expect_parse_error(b, len, "not an ELF file");
    expect_parse_error(good, 3, "not an ELF file");
    expect_parse_error(good, 5, "truncated ELF header");
    expect_parse_error(good, 51, "truncated ELF header");

    memcpy(b, good, len);
    b[4] = 3;
    expect_parse_error(b, len, "unknown ELF class 3");
    memcpy(b, good, len);
    b[5] = 2;
    expect_parse_error(b, len, "big-endian");
    memcpy(b, good, len);
    put16(b + 16, 1);
    expect_parse_error(b, len, "relocatable object");
    memcpy(b, good, len);
    put16(b + 16, 4);
    expect_parse_error(b, len, "core dump");

    memcpy(b, good, len);
    put16(b + 44, 0);
    expect_parse_error(b, len, "has no program headers");
    memcpy(b, good, len);
    put16(b + 44, 0xffff);
    expect_parse_error(b, len, "PN_XNUM");
    memcpy(b, good, len);
    put16(b + 44, 0xfffe); /* huge e_phnum */
    expect_parse_error(b, len, "program header table");
    memcpy(b, good, len);
    put16(b + 42, 16);
    expect_parse_error(b, len, "entry size 16");
    memcpy(b, good, len);
    put32(b + 28, 0xfffffff0u); /* e_phoff near 4 GiB */
    expect_parse_error(b, len, "extends past the end of the file");

    /* program header 0: p_offset / p_filesz past the end, filesz > memsz, wrap */
    memcpy(b, good, len);
    put32(b + 52 + 4, (uint32_t)len);
    expect_parse_error(b, len, "program header 0 extends past the end of the file");
    memcpy(b, good, len);
    put32(b + 52 + 4, 0xffffffffu);
    expect_parse_error(b, len, "program header 0 extends past the end of the file");
    memcpy(b, good, len);
    put32(b + 52 + 16, 0x1000);
    put32(b + 52 + 20, 0x1000);
    expect_parse_error(b, len, "program header 0 extends past the end of the file");
    memcpy(b, good, len);
    put32(b + 52 + 20, 4);
    expect_parse_error(b, len, "program header 0 has a file size (0x10) larger than its memory");
    memcpy(b, good, len);
    put32(b + 52 + 12, 0xfffff000u);
    put32(b + 52 + 20, 0x2000);
    expect_parse_error(b, len, "program header 0 (paddr 0xfffff000, size 0x2000) wraps");
    /* Errors name the program header index, counting non-PT_LOAD ones too. */
    memcpy(b, good, len);
    put32(b + 52 + 64 + 20, 0);
    expect_parse_error(b, len, "program header 2 has a file size");

    /* ELF64: 64-bit wraparound, and no PT_LOAD at all. */
    struct seg_spec s64[] = {{.paddr = 0xfffffffffffff000ull, .memsz = 0x1000}};
    size_t l64 = build_elf(b, sizeof(b), 64, EM_X86_64, 0, s64, 1);
    expect_parse_error(b, l64, "wraps around the 64-bit address space");
    struct seg_spec note[] = {{.type = 4, .memsz = 0x10}};
    l64 = build_elf(b, sizeof(b), 64, EM_X86_64, 0, note, 1);
    expect_parse_error(b, l64, "no loadable");
    struct seg_spec empty[] = {{.paddr = 0x1000, .memsz = 0}};
    l64 = build_elf(b, sizeof(b), 64, EM_X86_64, 0, empty, 1);
    expect_parse_error(b, l64, "no loadable");

    /* err may be NULL or tiny. */
    struct elf_image img;
    char tiny[4];
    assert_false(elf_parse(good, 3, &img, NULL, 0));
    assert_false(elf_parse(good, 3, &img, tiny, sizeof(tiny)));
    assert_string_equal(tiny, "not");
}

/* --------------------------------------------------------- plain ELF load */

static void test_load_plain_elf32(void **state)
{
    uint8_t buf[1024];
    size_t len = plain_elf32(buf, sizeof(buf));
    struct machine *m = bare_machine(RAM_SIZE);
    memset(m->ram + KERNEL_ADDR, 0xcc, 0x4000); /* so bss zeroing shows */
    char *path = write_temp(buf, len);
    struct x86_state s;
    memset(&s, 0x55, sizeof(s));
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    expect_flat32(&s, KERNEL_ADDR + 1);
    assert_int_equal(s.gpr[X86_RAX], 0);
    assert_int_equal(s.gpr[X86_RBX], 0);
    assert_memory_equal(m->ram + KERNEL_ADDR, code, sizeof(code));
    assert_int_equal(g32(m, KERNEL_ADDR + 0x2000), 0xefbeadde);
    for (uint32_t a = KERNEL_ADDR + 0x2004; a < KERNEL_ADDR + 0x2100; a++)
        assert_int_equal(m->ram[a], 0);
    assert_int_equal(m->ram[KERNEL_ADDR + 0x2100], 0xcc);       /* past memsz: untouched */
    assert_int_equal(m->ram[KERNEL_ADDR + sizeof(code)], 0xcc); /* gap: untouched */
    assert_int_equal(m->ram[0x5000], 0);                        /* PT_NOTE not loaded */

    /* Reset rewrites the blobs. */
    memset(m->ram + KERNEL_ADDR, 0x77, 0x4000);
    machine_reset(m);
    assert_memory_equal(m->ram + KERNEL_ADDR, code, sizeof(code));
    assert_int_equal(m->ram[KERNEL_ADDR + 0x2010], 0);
    remove_temp(path);
    machine_free(m);
}

static void test_load_plain_elf64(void **state)
{
    uint8_t buf[1024];
    const uint64_t va = 0xffffffff80000000ull + KERNEL_ADDR;
    struct seg_spec s[] = {
        {.paddr = KERNEL_ADDR,
         .vaddr = va,
         .flags = ELF_PF_R | ELF_PF_X,
         .data = code,
         .filesz = sizeof(code),
         .memsz = 0x800},
    };
    size_t len = build_elf(buf, sizeof(buf), 64, EM_X86_64, va + 2, s, 1);
    struct machine *m = bare_machine(RAM_SIZE);
    char *path = write_temp(buf, len);
    struct x86_state st;
    assert_true(pc_load_kernel(m, path, NULL, NULL, &st));
    expect_flat32(&st, KERNEL_ADDR + 2);
    assert_memory_equal(m->ram + KERNEL_ADDR, code, sizeof(code));
    remove_temp(path);
    machine_free(m);
}

static void test_load_elf_errors(void **state)
{
    uint8_t buf[1024];
    size_t len;

    /* Entry >= 4 GiB (not inside any segment, so not translated). */
    struct seg_spec s[] = {{.paddr = KERNEL_ADDR,
                            .vaddr = KERNEL_ADDR,
                            .flags = ELF_PF_X,
                            .data = code,
                            .filesz = sizeof(code),
                            .memsz = sizeof(code)}};
    len = build_elf(buf, sizeof(buf), 64, EM_X86_64, 0x100000000ull, s, 1);
    expect_image_error(buf, len, NULL, "entry point 0x100000000 is above 4 GiB");

    /* Non-x86 machines are named. */
    len = build_elf(buf, sizeof(buf), 64, EM_AARCH64, KERNEL_ADDR, s, 1);
    expect_image_error(buf, len, NULL, "is an AArch64 ELF image, -M pc needs an x86 kernel");
    len = build_elf(buf, sizeof(buf), 32, 0x1234, KERNEL_ADDR, s, 1);
    expect_image_error(buf, len, NULL, "ELF image for machine 4660, -M pc needs an x86 kernel");

    /* Segment outside RAM (16 MiB), or straddling its end. */
    struct seg_spec out[] = {
        {.paddr = 32 * MIB, .data = code, .filesz = sizeof(code), .memsz = sizeof(code)}};
    len = build_elf(buf, sizeof(buf), 32, EM_386, 32 * MIB, out, 1);
    expect_image_error(buf, len, NULL,
                       "loadable segment 0 (0x2000000..0x200000f) is not in "
                       "guest RAM (RAM is 16 MiB)");
    struct seg_spec straddle[] = {
        {.paddr = KERNEL_ADDR, .data = code, .filesz = sizeof(code), .memsz = sizeof(code)},
        {.paddr = RAM_SIZE - 8, .data = code, .filesz = sizeof(code), .memsz = sizeof(code)}};
    len = build_elf(buf, sizeof(buf), 32, EM_386, KERNEL_ADDR, straddle, 2);
    expect_image_error(buf, len, NULL, "loadable segment 1");
    /* A huge bss must be refused before anything is allocated. */
    struct seg_spec huge[] = {
        {.paddr = KERNEL_ADDR, .data = code, .filesz = sizeof(code), .memsz = 0xfff00000ull}};
    len = build_elf(buf, sizeof(buf), 32, EM_386, KERNEL_ADDR, huge, 1);
    expect_image_error(buf, len, NULL, "is not in guest RAM");

    /* Parse errors carry the path and the reason. */
    len = plain_elf32(buf, sizeof(buf));
    put32(buf + 52 + 20, 4);
    expect_image_error(buf, len, NULL, "program header 0 has a file size");

    /* -initrd needs multiboot. */
    len = plain_elf32(buf, sizeof(buf));
    expect_image_error(buf, len, "/dev/null", "-initrd needs a multiboot kernel");
}

/* -------------------------------------------------------------- multiboot */

/* The pieces of the multiboot information every test checks. */
static void expect_mbi_common(struct machine *m, const struct x86_state *s, uint32_t entry)
{
    expect_flat32(s, entry);
    assert_int_equal(s->gpr[X86_RAX], 0x2BADB002);
    assert_int_equal(s->gpr[X86_RBX], MBI);
    assert_int_equal(g32(m, MBI + 0), 0x24f); /* MEM BOOTDEV CMDLINE MODS MMAP LOADER */
    assert_int_equal(g32(m, MBI + 12), 0x8000ffff);
    assert_int_equal(g32(m, MBI + 48), 0x9000);
    assert_string_equal(gstr(m, g32(m, MBI + 64)), "janus");
}

static void expect_mmap_entry(struct machine *m, unsigned i, uint64_t base, uint64_t len,
                              uint32_t type)
{
    uint64_t e = 0x9000 + 24 * i;
    assert_int_equal(g32(m, e), 20);
    assert_int_equal(g64(m, e + 4), base);
    assert_int_equal(g64(m, e + 12), len);
    assert_int_equal(g32(m, e + 20), type);
}

static void test_multiboot_elf(void **state)
{
    uint8_t buf[1024];
    size_t len = mb_elf32(buf, sizeof(buf), MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO, 0x3000);
    struct machine *m = bare_machine(RAM_SIZE);
    memset(m->ram + KERNEL_ADDR, 0xcc, 0x10000);
    char *path = write_temp(buf, len);

    /* Two modules: one with arguments, one empty file. */
    static const char mod_a[] = "module A contents";
    char *pa = write_temp(mod_a, sizeof(mod_a) - 1);
    char *pb = write_temp("", 0);
    char initrd[256];
    snprintf(initrd, sizeof(initrd), "%s arg1 arg2,%s", pa, pb);

    struct x86_state s;
    assert_true(pc_load_kernel(m, path, initrd, "console=ttyS0 quiet", &s));
    expect_mbi_common(m, &s, KERNEL_ADDR + 12);

    /* Kernel bytes and bss. */
    assert_int_equal(g32(m, KERNEL_ADDR), MULTIBOOT_HEADER_MAGIC);
    assert_int_equal(m->ram[KERNEL_ADDR + 63], 0x90);
    for (uint32_t a = KERNEL_ADDR + 64; a < KERNEL_ADDR + 64 + 0x3000; a++)
        assert_int_equal(m->ram[a], 0);

    /* Memory: 16 MiB of plain RAM. */
    assert_int_equal(g32(m, MBI + 4), 639);
    assert_int_equal(g32(m, MBI + 8), 15 * 1024);
    assert_int_equal(g32(m, MBI + 44), 4 * 24);
    expect_mmap_entry(m, 0, 0, 0x9fc00, 1);
    expect_mmap_entry(m, 1, 0x9fc00, 0x400, 2);
    expect_mmap_entry(m, 2, 0xf0000, 0x10000, 2);
    expect_mmap_entry(m, 3, 0x100000, RAM_SIZE - 0x100000, 1);

    /* Module list right after the page-aligned kernel (0x3040 -> 0x4000). */
    uint32_t mods = g32(m, MBI + 24);
    assert_int_equal(g32(m, MBI + 20), 2);
    assert_int_equal(mods, KERNEL_ADDR + 0x4000);
    /* Module strings follow the list, then the kernel command line. */
    assert_int_equal(g32(m, mods + 8), mods + 32);
    char expect[300];
    snprintf(expect, sizeof(expect), "%s arg1 arg2", pa);
    assert_string_equal(gstr(m, g32(m, mods + 8)), expect);
    assert_string_equal(gstr(m, g32(m, mods + 16 + 8)), pb);
    assert_int_equal(g32(m, mods + 16 + 8), mods + 32 + strlen(expect) + 1);
    snprintf(expect, sizeof(expect), "%s console=ttyS0 quiet", path);
    assert_int_equal(g32(m, MBI + 16), g32(m, mods + 16 + 8) + strlen(pb) + 1);
    assert_string_equal(gstr(m, g32(m, MBI + 16)), expect);
    /* QEMU puts the loader name after room for every string it might write. */
    uint32_t cmdline_len =
        strlen(path) + 1 + strlen("console=ttyS0 quiet") + 1 + strlen(initrd) + 1;
    assert_int_equal(g32(m, MBI + 64), mods + 32 + cmdline_len);

    /* Modules: each page aligned, after the information page. */
    uint32_t a_start = g32(m, mods), a_end = g32(m, mods + 4);
    assert_int_equal(a_start, KERNEL_ADDR + 0x5000);
    assert_int_equal(a_end - a_start, sizeof(mod_a) - 1);
    assert_memory_equal(m->ram + a_start, mod_a, sizeof(mod_a) - 1);
    uint32_t b_start = g32(m, mods + 16), b_end = g32(m, mods + 20);
    assert_int_equal(b_start, KERNEL_ADDR + 0x6000);
    assert_int_equal(b_end, b_start);
    assert_int_equal(g32(m, mods + 12), 0); /* reserved */

    remove_temp(pa);
    remove_temp(pb);
    remove_temp(path);
    machine_free(m);
}

static void test_multiboot_cmdline_without_append(void **state)
{
    uint8_t buf[1024];
    size_t len = mb_elf32(buf, sizeof(buf), 0, 0);
    struct machine *m = bare_machine(RAM_SIZE);
    char *path = write_temp(buf, len);
    struct x86_state s;
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    expect_mbi_common(m, &s, KERNEL_ADDR + 12);
    /* QEMU formats "%s %s": the trailing space stays. */
    char expect[300];
    snprintf(expect, sizeof(expect), "%s ", path);
    assert_string_equal(gstr(m, g32(m, MBI + 16)), expect);
    assert_int_equal(g32(m, MBI + 20), 0);
    assert_int_equal(g32(m, MBI + 24), KERNEL_ADDR + 0x1000);
    assert_int_equal(g32(m, MBI + 16), KERNEL_ADDR + 0x1000); /* no module list */
    remove_temp(path);
    machine_free(m);
}

static void test_multiboot_module_list_syntax(void **state)
{
    uint8_t buf[1024];
    size_t len = mb_elf32(buf, sizeof(buf), 0, 0);
    struct machine *m = bare_machine(RAM_SIZE);
    char *path = write_temp(buf, len);

    /* A module whose name contains a comma, written ",," on the command line. */
    char *mp = xstrdup("/tmp/janus,test-mod-XXXXXX");
    int fd = mkstemp(mp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "xyz", 3), 3);
    close(fd);
    char initrd[600], escaped[256];
    size_t j = 0;
    for (size_t i = 0; mp[i]; i++) {
        if (mp[i] == ',')
            escaped[j++] = ',';
        escaped[j++] = mp[i];
    }
    escaped[j] = '\0';
    snprintf(initrd, sizeof(initrd), "%s a,b,", escaped); /* trailing ',' ends the list */
    /* "a,b" is split: the second entry is "b", which does not exist. */
    expect_load_error(m, path, initrd, "multiboot module b: No such file or directory");

    snprintf(initrd, sizeof(initrd), "%s a=1,", escaped);
    struct x86_state s;
    assert_true(pc_load_kernel(m, path, initrd, "", &s));
    uint32_t mods = g32(m, MBI + 24);
    assert_int_equal(g32(m, MBI + 20), 1);
    char expect[300];
    snprintf(expect, sizeof(expect), "%s a=1", mp);
    assert_string_equal(gstr(m, g32(m, mods + 8)), expect);
    assert_int_equal(g32(m, mods + 4) - g32(m, mods), 3);
    assert_memory_equal(m->ram + g32(m, mods), "xyz", 3);
    machine_free(m);

    m = bare_machine(RAM_SIZE);
    expect_load_error(m, path, ",x", "-initrd entry 1 has an empty module path");
    machine_free(m);

    remove_temp(mp);
    remove_temp(path);
}

static void test_multiboot_aout(void **state)
{
    uint8_t buf[1024];
    /* 0x40 bytes of junk before the header; bss up to 1 MiB + 0x2000. */
    size_t len = mb_aout(buf, sizeof(buf), 0x40, 0, KERNEL_ADDR + 0x2000);
    struct machine *m = bare_machine(RAM_SIZE);
    memset(m->ram + KERNEL_ADDR, 0xcc, 0x4000);
    char *path = write_temp(buf, len);
    struct x86_state s;
    assert_true(pc_load_kernel(m, path, NULL, "x", &s));
    expect_mbi_common(m, &s, KERNEL_ADDR + 0x40 + 32);
    assert_memory_equal(m->ram + KERNEL_ADDR, buf, len); /* the whole file from offset 0 */
    for (uint32_t a = KERNEL_ADDR + len; a < KERNEL_ADDR + 0x2000; a++)
        assert_int_equal(m->ram[a], 0);
    /* Kernel size 0x2000 -> information at +0x2000. */
    assert_int_equal(g32(m, MBI + 24), KERNEL_ADDR + 0x2000);
    remove_temp(path);
    machine_free(m);

    /* load_end_addr limits what is loaded; no bss. */
    len = mb_aout(buf, sizeof(buf), 0, KERNEL_ADDR + 36, 0);
    m = bare_machine(RAM_SIZE);
    memset(m->ram + KERNEL_ADDR, 0xcc, 0x4000);
    path = write_temp(buf, len);
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    assert_memory_equal(m->ram + KERNEL_ADDR, buf, 36);
    assert_int_equal(m->ram[KERNEL_ADDR + 36], 0xcc);
    assert_int_equal(g32(m, MBI + 24), KERNEL_ADDR + 0x1000);
    remove_temp(path);
    machine_free(m);

    /* header_addr - load_addr < header offset: the text starts mid-file. */
    len = mb_aout(buf, sizeof(buf), 0x40, 0, 0);
    put32(buf + 0x40 + 12, KERNEL_ADDR + 0x10);
    m = bare_machine(RAM_SIZE);
    path = write_temp(buf, len);
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    assert_memory_equal(m->ram + KERNEL_ADDR, buf + 0x30, len - 0x30);
    remove_temp(path);
    machine_free(m);

    /* The a.out kludge wins over ELF, as in QEMU. */
    uint8_t elf[1024];
    uint8_t text[64];
    memset(text, 0x90, sizeof(text));
    struct seg_spec seg[] = {
        {.paddr = 0x300000, .data = text, .filesz = sizeof(text), .memsz = sizeof(text)}};
    size_t elen = build_elf(elf, sizeof(elf), 32, EM_386, 0x300000, seg, 1);
    uint32_t a[5] = {KERNEL_ADDR + 0x60, KERNEL_ADDR, 0, 0, KERNEL_ADDR + 0x60};
    put_mb_header(elf + 0x60, MULTIBOOT_AOUT_KLUDGE, a); /* inside the segment data */
    m = bare_machine(RAM_SIZE);
    path = write_temp(elf, elen);
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    assert_int_equal(s.rip, KERNEL_ADDR + 0x60);
    assert_memory_equal(m->ram + KERNEL_ADDR, elf, elen);
    assert_int_equal(m->ram[0x300000], 0);
    remove_temp(path);
    machine_free(m);
}

static void test_multiboot_aout_errors(void **state)
{
    uint8_t buf[1024];
    size_t len;

    len = mb_aout(buf, sizeof(buf), 0, KERNEL_ADDR - 4, 0);
    expect_image_error(buf, len, NULL, "load_end_addr 0xffffc is below load_addr 0x100000");
    len = mb_aout(buf, sizeof(buf), 0, KERNEL_ADDR + 0x1000, 0);
    expect_image_error(buf, len, NULL, "load_end_addr 0x101000 reaches past the end of the file");
    len = mb_aout(buf, sizeof(buf), 0, 0, KERNEL_ADDR + 4);
    expect_image_error(buf, len, NULL, "bss_end_addr 0x100004 is below the end");
    len = mb_aout(buf, sizeof(buf), 0, 0, 0);
    put32(buf + 12, KERNEL_ADDR - 1);
    expect_image_error(buf, len, NULL, "header_addr 0xfffff is below load_addr 0x100000");
    len = mb_aout(buf, sizeof(buf), 8, 0, 0);
    put32(buf + 8 + 12, KERNEL_ADDR + 12);
    expect_image_error(buf, len, NULL, "is larger than the header's file offset 0x8");
    /* load_addr near 4 GiB: the image would wrap. */
    len = mb_aout(buf, sizeof(buf), 0, 0, 0);
    put32(buf + 12, 0xfffffff0u);
    put32(buf + 16, 0xfffffff0u);
    expect_image_error(buf, len, NULL, "does not fit below 4 GiB");
    /* Outside RAM. */
    len = mb_aout(buf, sizeof(buf), 0, 0, 0);
    put32(buf + 12, 0x2000000);
    put32(buf + 16, 0x2000000);
    expect_image_error(buf, len, NULL, "kernel (0x2000000..");
    /* A huge bss. */
    len = mb_aout(buf, sizeof(buf), 0, 0, 0xfff00000u);
    expect_image_error(buf, len, NULL, "is not in guest RAM (RAM is 16 MiB)");
    /* Over the information at 0x9000. */
    len = mb_aout(buf, sizeof(buf), 0, 0, 0);
    put32(buf + 12, 0x8800);
    put32(buf + 16, 0x8800);
    put32(buf + 24, 0x9100); /* bss reaches into 0x9000.. */
    expect_image_error(buf, len, NULL, "overlaps the multiboot information at 0x9000..0x9557");
    /* The file ends inside the address fields. */
    put_mb_header(buf, MULTIBOOT_AOUT_KLUDGE, NULL);
    expect_image_error(buf, 20, NULL, "address fields are past the end of the file");
    /* Modules that do not fit. */
    len = mb_aout(buf, sizeof(buf), 0, 0, 0);
    char *big_path = write_temp("", 0);
    assert_int_equal(truncate(big_path, 20 * MIB), 0);
    expect_image_error(buf, len, big_path, "multiboot module 1");
    remove_temp(big_path);
    expect_image_error(buf, len, "/nonexistent/module", "multiboot module /nonexistent/module");
}

static void test_multiboot_header_search(void **state)
{
    static uint8_t buf[9000];
    struct multiboot_header h;
    memset(buf, 0, sizeof(buf));

    /* 8140 is the last offset QEMU scans (i < 8192 - 48). */
    put_mb_header(buf + 8140, 0, NULL);
    assert_true(multiboot_find_header(buf, sizeof(buf), &h));
    assert_int_equal(h.offset, 8140);
    assert_int_equal(h.flags, 0);
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf + 8144, 0, NULL);
    assert_false(multiboot_find_header(buf, sizeof(buf), &h));
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf + 8192, 0, NULL);
    assert_false(multiboot_find_header(buf, sizeof(buf), &h));

    /* Not 4-byte aligned. */
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf + 2, 0, NULL);
    assert_false(multiboot_find_header(buf, sizeof(buf), &h));

    /* Bad checksum and bad magic; a later valid header still counts. */
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf, 0, NULL);
    buf[8] ^= 1;
    assert_false(multiboot_find_header(buf, sizeof(buf), &h));
    put_mb_header(buf + 64, 3, NULL);
    assert_true(multiboot_find_header(buf, sizeof(buf), &h));
    assert_int_equal(h.offset, 64);
    assert_int_equal(h.flags, 3);
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf, 0, NULL);
    buf[0] ^= 1;
    assert_false(multiboot_find_header(buf, sizeof(buf), &h));

    /* Header cut by the end of the file. */
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf, MULTIBOOT_AOUT_KLUDGE, NULL);
    assert_false(multiboot_find_header(buf, 11, &h));
    assert_true(multiboot_find_header(buf, 12, &h));
    assert_false(h.has_addresses);
    assert_true(multiboot_find_header(buf, 32, &h));
    assert_true(h.has_addresses);

    /* Via the dispatcher: a header past the window is no kernel at all. */
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf + 8192, MULTIBOOT_AOUT_KLUDGE, NULL);
    expect_image_error(buf, sizeof(buf), NULL, "not a kernel image");
    memset(buf, 0, sizeof(buf));
    put_mb_header(buf, 0, NULL);
    buf[8] ^= 0x80;
    expect_image_error(buf, 64, NULL, "not a kernel image");
}

static void test_multiboot_elf_errors(void **state)
{
    uint8_t buf[1024];
    size_t len;

    /* x86-64 ELF with a multiboot header: refused like QEMU does. */
    uint8_t text[64];
    memset(text, 0x90, sizeof(text));
    put_mb_header(text, 0, NULL);
    struct seg_spec s[] = {
        {.paddr = KERNEL_ADDR, .data = text, .filesz = sizeof(text), .memsz = sizeof(text)}};
    len = build_elf(buf, sizeof(buf), 64, EM_X86_64, KERNEL_ADDR, s, 1);
    expect_image_error(buf, len, NULL, "multiboot kernel is an x86-64 ELF image");
    len = build_elf(buf, sizeof(buf), 32, EM_AARCH64, KERNEL_ADDR, s, 1);
    expect_image_error(buf, len, NULL, "is an AArch64 ELF image");

    /* No a.out kludge and no ELF. */
    memset(buf, 0, 64);
    put_mb_header(buf, 0, NULL);
    expect_image_error(buf, 64, NULL, "must be an ELF file");

    /* Broken program headers. */
    len = mb_elf32(buf, sizeof(buf), 0, 0);
    put32(buf + 52 + 20, 1);
    expect_image_error(buf, len, NULL, "program header 0 has a file size");

    /* Segment outside RAM, over the information block, or too high. */
    struct seg_spec high[] = {
        {.paddr = 32 * MIB, .data = text, .filesz = sizeof(text), .memsz = sizeof(text)}};
    len = build_elf(buf, sizeof(buf), 32, EM_386, 32 * MIB, high, 1);
    expect_image_error(buf, len, NULL, "is not in guest RAM");
    struct seg_spec low[] = {
        {.paddr = 0x9400, .data = text, .filesz = sizeof(text), .memsz = sizeof(text)}};
    len = build_elf(buf, sizeof(buf), 32, EM_386, 0x9400, low, 1);
    expect_image_error(buf, len, NULL, "overlaps the multiboot information");

    /* The information after the kernel must fit in RAM too. */
    struct seg_spec top[] = {
        {.paddr = RAM_SIZE - 0x1000, .data = text, .filesz = sizeof(text), .memsz = 0x1000}};
    len = build_elf(buf, sizeof(buf), 32, EM_386, RAM_SIZE - 0x1000, top, 1);
    expect_image_error(buf, len, NULL, "multiboot module list and command lines");
}

static void test_multiboot_video_mode_warns(void **state)
{
    uint8_t buf[1024];
    size_t len = mb_elf32(buf, sizeof(buf), MULTIBOOT_VIDEO_MODE, 0);
    struct machine *m = bare_machine(RAM_SIZE);
    char *path = write_temp(buf, len);
    struct x86_state s;
    capture_begin();
    bool ok = pc_load_kernel(m, path, NULL, NULL, &s);
    const char *out = capture_end();
    assert_true(ok);
    assert_non_null(strstr(out, "warning"));
    assert_non_null(strstr(out, "video mode"));
    remove_temp(path);
    machine_free(m);
}

static uint64_t hole_read(void *opaque, uint64_t off, unsigned size)
{
    return ~0ull;
}
static void hole_write(void *opaque, uint64_t off, uint64_t v, unsigned size) {}
static const struct io_ops hole_ops = {.read = hole_read, .write = hole_write};

/* The map follows the board's RAM: a pc-like layout with RAM above 4 GiB. */
static void test_multiboot_memory_map_pc(void **state)
{
    const uint64_t low = 64 * MIB, high = 2 * MIB;
    struct machine *m = machine_new(NULL);
    m->ram = ram_alloc(low);
    m->ram_size = low; /* what machine_free() unmaps; the high part is ours */
    uint8_t *hi = ram_alloc(high);
    as_add_ram(m->mem, "ram-below-4g", 0, low, m->ram, 0);
    as_add_ram(m->mem, "ram-above-4g", 0x100000000ull, high, hi, 0);
    as_add_io(m->mem, "vga-window", 0xa0000, 0x20000, &hole_ops, NULL, 1);

    uint8_t buf[1024];
    size_t len = mb_elf32(buf, sizeof(buf), 0, 0);
    char *path = write_temp(buf, len);
    struct x86_state s;
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    expect_mbi_common(m, &s, KERNEL_ADDR + 12);
    assert_int_equal(g32(m, MBI + 4), 639);
    assert_int_equal(g32(m, MBI + 8), (low - MIB) / 1024);
    assert_int_equal(g32(m, MBI + 44), 5 * 24);
    expect_mmap_entry(m, 0, 0, 0x9fc00, 1);
    expect_mmap_entry(m, 1, 0x9fc00, 0x400, 2);
    expect_mmap_entry(m, 2, 0xf0000, 0x10000, 2);
    expect_mmap_entry(m, 3, 0x100000, low - MIB, 1);
    expect_mmap_entry(m, 4, 0x100000000ull, high, 1);
    remove_temp(path);
    machine_free(m);
    ram_free(hi, high);
}

/* ------------------------------------------------------------ boot sector */

static void test_boot_sector(void **state)
{
    uint8_t buf[1024];
    memset(buf, 0x90, sizeof(buf));
    buf[510] = 0x55;
    buf[511] = 0xaa;
    struct machine *m = bare_machine(RAM_SIZE);
    char *path = write_temp(buf, sizeof(buf)); /* 1 KiB: the whole file is loaded */
    struct x86_state s;
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    assert_memory_equal(m->ram + 0x7c00, buf, sizeof(buf));
    assert_int_equal(s.rip, 0x7c00);
    assert_int_equal(s.seg[X86_CS].selector, 0);
    assert_int_equal(s.seg[X86_CS].base, 0);
    assert_false(s.seg[X86_CS].db);
    assert_false(s.cr0 & X86_CR0_PE);
    assert_int_equal(s.seg[X86_SS].selector, 0);
    assert_int_equal(s.seg[X86_DS].selector, 0);
    assert_int_equal(s.gpr[X86_RDX], 0x80);
    assert_int_equal(s.gpr[X86_RAX], 0xaa55);
    assert_int_equal(s.gpr[X86_RSP], 0x7c00);
    assert_false(s.rflags & X86_RFLAGS_IF);
    remove_temp(path);
    machine_free(m);

    /* The largest image that ends below the EBDA, and one byte more. */
    const size_t max = 0x9fc00 - 0x7c00;
    uint8_t *big = xzalloc(max + 1);
    big[510] = 0x55;
    big[511] = 0xaa;
    m = bare_machine(RAM_SIZE);
    path = write_temp(big, max);
    assert_true(pc_load_kernel(m, path, NULL, NULL, &s));
    remove_temp(path);
    machine_free(m);
    expect_image_error(big, max + 1, NULL, "must end below 0x9fc00");
    free(big);

    /* Signature missing or the file too short for it. */
    buf[511] = 0xab;
    expect_image_error(buf, 512, NULL,
                       "not a kernel image (expected multiboot, ELF, or a "
                       "boot sector with the 0x55AA signature)");
    buf[511] = 0xaa;
    expect_image_error(buf, 511, NULL, "not a kernel image");
    expect_image_error(buf, 512, "/dev/null", "-initrd needs a multiboot kernel");

    /* RAM too small to hold it. */
    m = bare_machine(0x7000);
    path = write_temp(buf, 512);
    expect_load_error(m, path, NULL, "no guest RAM at 0x7c00");
    remove_temp(path);
    machine_free(m);
}

/* ------------------------------------------------------ dispatcher errors */

static void test_bad_files(void **state)
{
    uint8_t buf[0x400];
    memset(buf, 0, sizeof(buf));
    memcpy(buf + 0x202, "HdrS", 4);
    buf[510] = 0x55;
    buf[511] = 0xaa;
    expect_image_error(buf, sizeof(buf), NULL,
                       "Linux bzImage; the Linux boot protocol is not implemented yet");

    expect_image_error(buf, 0, NULL, "empty file");
    expect_image_error((const uint8_t *)"abc", 3, NULL, "not a kernel image");
    expect_image_error((const uint8_t *)"\177EL", 3, NULL, "not a kernel image");
    expect_image_error((const uint8_t *)"\177ELF\001", 5, NULL, "truncated ELF header");

    struct machine *m = bare_machine(RAM_SIZE);
    expect_load_error(m, "/nonexistent/janus-kernel", NULL,
                      "/nonexistent/janus-kernel: No such file or directory");
    expect_load_error(m, "/tmp", NULL, "/tmp: Is a directory");
    machine_free(m);
}

/* ------------------------------------------------- truncation and fuzzing */

static int quiet_begin(void)
{
    fflush(stderr);
    int saved = dup(2);
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    dup2(fileno(null), 2);
    fclose(null);
    return saved;
}

static void quiet_end(int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

/* Rewrite path with data[0..len) and try to load it into a fresh machine. */
static bool try_load(const char *path, const uint8_t *data, size_t len, const char *initrd)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    struct machine *m = bare_machine(8 * MIB);
    struct x86_state s;
    bool ok = pc_load_kernel(m, path, initrd, "a b", &s);
    if (!ok)
        assert_int_equal(m->nblobs, 0); /* nothing half-written */
    machine_free(m);
    return ok;
}

static void test_truncation(void **state)
{
    uint8_t elf[1024], mb[1024], aout[1024], elf64[1024];
    size_t lens[4];
    const uint8_t *imgs[4] = {elf, mb, aout, elf64};
    lens[0] = plain_elf32(elf, sizeof(elf));
    lens[1] = mb_elf32(mb, sizeof(mb), MULTIBOOT_PAGE_ALIGN, 0x100);
    lens[2] = mb_aout(aout, sizeof(aout), 0x20, 0, KERNEL_ADDR + 0x1000);
    struct seg_spec s[] = {{.paddr = KERNEL_ADDR,
                            .vaddr = KERNEL_ADDR,
                            .flags = ELF_PF_X,
                            .data = code,
                            .filesz = sizeof(code),
                            .memsz = 0x40}};
    lens[3] = build_elf(elf64, sizeof(elf64), 64, EM_X86_64, KERNEL_ADDR, s, 1);
    char *path = write_temp("", 0);
    char *mod = write_temp("module", 6);
    int loaded = 0, failed = 0;
    int saved = quiet_begin();
    for (int k = 0; k < 4; k++) {
        for (size_t len = 0; len <= lens[k]; len++) {
            /* The multiboot images also get a module. */
            bool ok = try_load(path, imgs[k], len, k == 1 || k == 2 ? mod : NULL);
            if (ok)
                loaded++;
            else
                failed++;
            struct elf_image img;
            char err[128];
            if (elf_parse(imgs[k], len, &img, err, sizeof(err)))
                elf_image_free(&img);
        }
        /* The full image always loads. */
        assert_true(try_load(path, imgs[k], lens[k], k == 1 || k == 2 ? mod : NULL));
    }
    quiet_end(saved);
    print_message("truncation: %d loads, %d clean failures\n", loaded, failed);
    assert_true(loaded >= 4);
    remove_temp(mod);
    remove_temp(path);
}

static void test_mutation(void **state)
{
    srand(test_seed("test-loader mutation"));

    uint8_t base[4][1024], img[1024];
    size_t lens[4];
    lens[0] = plain_elf32(base[0], sizeof(base[0]));
    lens[1] = mb_elf32(base[1], sizeof(base[1]), MULTIBOOT_PAGE_ALIGN, 0x100);
    lens[2] = mb_aout(base[2], sizeof(base[2]), 0x20, 0, KERNEL_ADDR + 0x1000);
    struct seg_spec s[] = {{.paddr = KERNEL_ADDR,
                            .vaddr = 0xffffffff80100000ull,
                            .flags = ELF_PF_X,
                            .data = code,
                            .filesz = sizeof(code),
                            .memsz = 0x40}};
    lens[3] = build_elf(base[3], sizeof(base[3]), 64, EM_X86_64, 0xffffffff80100000ull, s, 1);

    char *path = write_temp("", 0);
    char *mod = write_temp("module", 6);
    int loaded = 0;
    const int iterations = 20000;
    int saved = quiet_begin();
    for (int it = 0; it < iterations; it++) {
        int k = it % 4;
        size_t len = lens[k];
        memcpy(img, base[k], len);
        /* Flip 1-4 bytes, mostly in the headers (first 160 bytes). */
        int flips = 1 + rand() % 4;
        for (int f = 0; f < flips; f++) {
            size_t pos = rand() % 8 ? (size_t)rand() % MIN(len, 160) : (size_t)rand() % len;
            switch (rand() % 3) {
            case 0: img[pos] ^= (uint8_t)(1u << (rand() % 8)); break;
            case 1: img[pos] = (uint8_t)rand(); break;
            default: img[pos] = rand() % 2 ? 0xff : 0x00; break;
            }
        }
        /* Sometimes also truncate. */
        if (rand() % 8 == 0)
            len = (size_t)rand() % (len + 1);
        struct elf_image e;
        char err[128];
        if (elf_parse(img, len, &e, err, sizeof(err)))
            elf_image_free(&e);
        struct multiboot_header h;
        (void)multiboot_find_header(img, len, &h);
        if (try_load(path, img, len, k == 1 || k == 2 ? mod : NULL))
            loaded++;
    }
    quiet_end(saved);
    print_message("mutation: %d of %d mutated images still loaded\n", loaded, iterations);
    remove_temp(mod);
    remove_temp(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_parse_elf32),
        cmocka_unit_test(test_elf_parse_elf64_virtual_entry),
        cmocka_unit_test(test_elf_machine_names),
        cmocka_unit_test(test_elf_parse_malformed),
        cmocka_unit_test(test_load_plain_elf32),
        cmocka_unit_test(test_load_plain_elf64),
        cmocka_unit_test(test_load_elf_errors),
        cmocka_unit_test(test_multiboot_elf),
        cmocka_unit_test(test_multiboot_cmdline_without_append),
        cmocka_unit_test(test_multiboot_module_list_syntax),
        cmocka_unit_test(test_multiboot_aout),
        cmocka_unit_test(test_multiboot_aout_errors),
        cmocka_unit_test(test_multiboot_header_search),
        cmocka_unit_test(test_multiboot_elf_errors),
        cmocka_unit_test(test_multiboot_video_mode_warns),
        cmocka_unit_test(test_multiboot_memory_map_pc),
        cmocka_unit_test(test_boot_sector),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_mutation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
