/*
 * multiboot.c - Multiboot v1 kernels for -M pc (see multiboot.h and
 * docs/loaders.md).
 *
 * Follows the Multiboot Specification 0.6.96 for the formats and QEMU's
 * -kernel (hw/i386/multiboot.c plus its multiboot.bin option ROM) for every
 * choice the spec leaves open: header search window, the a.out kludge
 * checks, the command line "<kernel path> <append>", the module list
 * syntax, where the information goes and which fields are filled.  QEMU's
 * option ROM asks the BIOS for int 12h / e820; Janus has no BIOS at this
 * point, so the memory map and mem_lower/mem_upper are computed here from
 * the RAM the board mapped, giving what SeaBIOS would report for it.
 *
 * Not provided: a video mode (header flag 2, warned about like QEMU),
 * symbol tables, the drive list, APM and VBE information.
 */
#include "hw/pc/multiboot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/elf.h"
#include "janus/util.h"

#define PAGE_SIZE 4096u
#define FOUR_GIB 0x100000000ull

/* Offsets in the information structure (spec 3.3). */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_BOOT_DEVICE 12
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_BOOT_LOADER_NAME 64
#define MBI_SIZE 88

#define MB_MOD_SIZE 16   /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY 24 /* size field + 20-byte e820 entry */
/* What QEMU puts in boot_device: BIOS drive 0x80, no partition. */
#define MB_BOOT_DEVICE 0x8000ffffu

/* The fixed block at 0x9000: memory map, then the information structure. */
#define MB_FIXED_BASE MULTIBOOT_MMAP_ADDR
#define MB_FIXED_SIZE (MULTIBOOT_INFO_ADDR + MBI_SIZE - MULTIBOOT_MMAP_ADDR)

/* pc memory map landmarks (what SeaBIOS reports on a QEMU pc). */
#define PC_EBDA_START 0x9FC00ull
#define PC_VGA_START 0xA0000ull
#define PC_BIOS_START 0xF0000ull
#define PC_HIGH_START 0x100000ull

#define E820_RAM 1
#define E820_RESERVED 2

static const char boot_loader_name[] = "janus";

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t page_align(uint64_t v)
{
    return (v + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

bool multiboot_find_header(const uint8_t *data, size_t size, struct multiboot_header *hdr)
{
    /* QEMU scans i < 8192 - 48: the longest (48-byte) header stays inside 8 KiB. */
    size_t window = MIN(size, (size_t)MULTIBOOT_SEARCH);
    for (size_t i = 0; i + 12 <= window && i < MULTIBOOT_SEARCH - 48; i += 4) {
        const uint8_t *p = data + i;
        uint32_t flags = rd32(p + 4);
        if (rd32(p) != MULTIBOOT_HEADER_MAGIC ||
            (uint32_t)(MULTIBOOT_HEADER_MAGIC + flags + rd32(p + 8)) != 0)
            continue;
        memset(hdr, 0, sizeof(*hdr));
        hdr->offset = (uint32_t)i;
        hdr->flags = flags;
        if (size - i >= 32) {
            hdr->has_addresses = true;
            hdr->header_addr = rd32(p + 12);
            hdr->load_addr = rd32(p + 16);
            hdr->load_end_addr = rd32(p + 20);
            hdr->bss_end_addr = rd32(p + 24);
            hdr->entry_addr = rd32(p + 28);
        }
        return true;
    }
    return false;
}

/* One piece of guest memory the loader writes. */
struct mb_piece {
    uint64_t addr;
    const uint8_t *data; /* len bytes, or NULL for an all-zero piece */
    uint64_t filesz;     /* bytes of data; the rest up to len is zero */
    uint64_t len;
};

/* Everything that is checked before the first byte is written. */
struct mb_plan {
    const char *path;
    uint32_t entry;
    uint64_t load_addr; /* where the kernel area starts (QEMU's mb_buf_phys) */
    uint64_t kernel_size;
    struct mb_piece *kernel; /* a.out: 1 piece; ELF: one per segment */
    size_t nkernel;
    struct elf_image elf;
};

/* One -initrd entry: "path args", QEMU's module syntax. */
struct mb_module {
    char *text; /* the whole entry: the module's string */
    char *path; /* text up to the first space */
    uint8_t *data;
    size_t size;
    uint64_t offset; /* from load_addr */
};

static bool kernel_from_aout(struct mb_plan *p, const uint8_t *data, size_t size,
                             const struct multiboot_header *h)
{
    if (!h->has_addresses) {
        report_error("%s: multiboot header at offset 0x%x asks for the a.out kludge "
                     "(flags bit 16) but its address fields are past the end of the file",
                     p->path, h->offset);
        return false;
    }
    if (h->header_addr < h->load_addr) {
        report_error("%s: multiboot header_addr 0x%x is below load_addr 0x%x", p->path,
                     h->header_addr, h->load_addr);
        return false;
    }
    /* The header's distance from the load address must fit before it in the file. */
    uint32_t header_off = h->header_addr - h->load_addr;
    if (header_off > h->offset) {
        report_error("%s: multiboot header_addr 0x%x - load_addr 0x%x is larger than the "
                     "header's file offset 0x%x",
                     p->path, h->header_addr, h->load_addr, h->offset);
        return false;
    }
    uint64_t text_offset = h->offset - header_off;
    uint64_t load_size;
    if (h->load_end_addr) {
        if (h->load_end_addr < h->load_addr) {
            report_error("%s: multiboot load_end_addr 0x%x is below load_addr 0x%x", p->path,
                         h->load_end_addr, h->load_addr);
            return false;
        }
        load_size = h->load_end_addr - h->load_addr;
        if (load_size > size - text_offset) {
            report_error("%s: multiboot load_end_addr 0x%x reaches past the end of the file "
                         "(0x%llx bytes from file offset 0x%llx, file is 0x%zx bytes)",
                         p->path, h->load_end_addr, (unsigned long long)load_size,
                         (unsigned long long)text_offset, size);
            return false;
        }
    } else {
        load_size = size - text_offset; /* text_offset <= header offset < size */
    }
    if (load_size > UINT32_MAX - h->load_addr) {
        report_error("%s: multiboot kernel (0x%llx bytes at 0x%x) does not fit below 4 GiB",
                     p->path, (unsigned long long)load_size, h->load_addr);
        return false;
    }
    uint64_t kernel_size = load_size;
    if (h->bss_end_addr) {
        if (h->bss_end_addr < h->load_addr + load_size) {
            report_error("%s: multiboot bss_end_addr 0x%x is below the end of the loaded "
                         "image 0x%llx",
                         p->path, h->bss_end_addr, (unsigned long long)(h->load_addr + load_size));
            return false;
        }
        kernel_size = h->bss_end_addr - h->load_addr;
    }
    p->load_addr = h->load_addr;
    p->kernel_size = kernel_size;
    p->entry = h->entry_addr;
    p->kernel = xzalloc(sizeof(*p->kernel));
    p->nkernel = kernel_size ? 1 : 0;
    p->kernel[0] = (struct mb_piece){h->load_addr, data + text_offset, load_size, kernel_size};
    return true;
}

static bool kernel_from_elf(struct mb_plan *p, const uint8_t *data, size_t size)
{
    char err[160];
    if (!elf_is_elf(data, size)) {
        report_error("%s: multiboot header does not set the a.out kludge (flags bit 16), so "
                     "the kernel must be an ELF file, and it is not",
                     p->path);
        return false;
    }
    if (size >= 20 && (data[18] | data[19] << 8) == ELF_EM_X86_64) {
        /* QEMU refuses these too ("Cannot load x86-64 image, give a 32bit one."). */
        report_error("%s: multiboot kernel is an x86-64 ELF image; like QEMU, janus loads "
                     "32-bit (i386) multiboot ELF kernels only - link it as elf32-i386 or use "
                     "the a.out kludge (flags bit 16)",
                     p->path);
        return false;
    }
    if (!elf_parse(data, size, &p->elf, err, sizeof(err))) {
        report_error("%s: %s", p->path, err);
        return false;
    }
    if (p->elf.machine != ELF_EM_386) {
        const char *name = elf_machine_name(p->elf.machine);
        if (name)
            report_error("%s: is an %s ELF image, -M pc needs an x86 kernel", p->path, name);
        else
            report_error("%s: is an ELF image for machine %u, -M pc needs an x86 kernel", p->path,
                         p->elf.machine);
        return false;
    }
    if (p->elf.highest_paddr > FOUR_GIB) {
        report_error("%s: multiboot kernel ends at 0x%llx, above 4 GiB", p->path,
                     (unsigned long long)p->elf.highest_paddr);
        return false;
    }
    if (p->elf.entry_phys >= FOUR_GIB) {
        report_error("%s: entry point 0x%llx is above 4 GiB", p->path,
                     (unsigned long long)p->elf.entry_phys);
        return false;
    }
    p->load_addr = p->elf.lowest_paddr;
    p->kernel_size = p->elf.highest_paddr - p->elf.lowest_paddr;
    p->entry = (uint32_t)p->elf.entry_phys;
    p->kernel = xzalloc(sizeof(*p->kernel) * p->elf.nsegments);
    p->nkernel = p->elf.nsegments;
    for (size_t i = 0; i < p->elf.nsegments; i++) {
        const struct elf_segment *s = &p->elf.segments[i];
        p->kernel[i] = (struct mb_piece){s->paddr, s->data, s->filesz, s->memsz};
    }
    return true;
}

/* Each piece must be memory and keep off the fixed block at 0x9000. */
static bool check_piece(struct machine *m, const char *path, const char *what, uint64_t addr,
                        uint64_t len)
{
    if (len == 0)
        return true;
    if (addr >= FOUR_GIB || len > FOUR_GIB - addr) {
        report_error("%s: %s (0x%llx bytes at 0x%llx) does not fit below 4 GiB", path, what,
                     (unsigned long long)len, (unsigned long long)addr);
        return false;
    }
    if (!machine_range_is_memory(m, addr, len)) {
        report_error("%s: %s (0x%llx..0x%llx) is not in guest RAM (RAM is %llu MiB)", path, what,
                     (unsigned long long)addr, (unsigned long long)(addr + len - 1),
                     (unsigned long long)(m->ram_size >> 20));
        return false;
    }
    if (addr < MB_FIXED_BASE + MB_FIXED_SIZE && MB_FIXED_BASE < addr + len) {
        report_error("%s: %s (0x%llx..0x%llx) overlaps the multiboot information at "
                     "0x%x..0x%x",
                     path, what, (unsigned long long)addr, (unsigned long long)(addr + len - 1),
                     MB_FIXED_BASE, MB_FIXED_BASE + MB_FIXED_SIZE - 1);
        return false;
    }
    return true;
}

/*
 * Split QEMU's -initrd syntax: entries separated by ',', ",," is a literal
 * comma, a trailing ',' ends the list.  Returns the number of entries.
 */
static size_t parse_module_list(const char *list, struct mb_module **out)
{
    size_t n = 0, cap = 0;
    struct mb_module *mods = NULL;
    const char *r = list;
    while (*r) {
        char *text = xmalloc(strlen(r) + 1);
        size_t len = 0;
        for (;;) {
            if (*r == '\0')
                break;
            if (*r == ',') {
                if (r[1] != ',')
                    break;
                r++; /* ",," -> ',' */
            }
            text[len++] = *r++;
        }
        text[len] = '\0';
        if (*r == ',')
            r++;
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            mods = xrealloc(mods, sizeof(*mods) * cap);
        }
        struct mb_module *mod = &mods[n++];
        memset(mod, 0, sizeof(*mod));
        mod->text = text;
        mod->path = xstrdup(text);
        char *space = strchr(mod->path, ' ');
        if (space)
            *space = '\0';
    }
    *out = mods;
    return n;
}

static void free_modules(struct mb_module *mods, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(mods[i].text);
        free(mods[i].path);
        free(mods[i].data);
    }
    free(mods);
}

/* End (exclusive, capped at limit) of the run of RAM starting at start. */
static uint64_t ram_run_end(const struct address_space *as, uint64_t start, uint64_t limit)
{
    uint64_t addr = start;
    while (addr < limit) {
        const struct flat_range *f = as_lookup(as, addr);
        if (!f || f->r->kind != REGION_RAM)
            break;
        if (f->end >= limit - 1)
            return limit;
        addr = f->end + 1;
    }
    return addr;
}

static uint8_t *mmap_entry(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
    wr32(p, 20);
    wr64(p + 4, base);
    wr64(p + 12, len);
    wr32(p + 20, type);
    return p + MB_MMAP_ENTRY;
}

/*
 * Fill the fixed block: the e820-style map SeaBIOS reports for this RAM,
 * then mem_lower (int 12h: conventional memory below the EBDA) and
 * mem_upper (contiguous RAM from 1 MiB, in KiB), as QEMU's option ROM does.
 */
static void build_memory_info(const struct address_space *as, uint8_t *fixed)
{
    uint8_t *mbi = fixed + (MULTIBOOT_INFO_ADDR - MB_FIXED_BASE);
    uint8_t *p = fixed;
    uint64_t base_end = ram_run_end(as, 0, PC_EBDA_START);
    uint64_t ext_end = ram_run_end(as, PC_HIGH_START, FOUR_GIB);
    uint64_t high_end = ram_run_end(as, FOUR_GIB, UINT64_MAX);

    if (base_end)
        p = mmap_entry(p, 0, base_end, E820_RAM);
    p = mmap_entry(p, PC_EBDA_START, PC_VGA_START - PC_EBDA_START, E820_RESERVED);
    p = mmap_entry(p, PC_BIOS_START, PC_HIGH_START - PC_BIOS_START, E820_RESERVED);
    if (ext_end > PC_HIGH_START)
        p = mmap_entry(p, PC_HIGH_START, ext_end - PC_HIGH_START, E820_RAM);
    if (high_end > FOUR_GIB)
        p = mmap_entry(p, FOUR_GIB, high_end - FOUR_GIB, E820_RAM);

    wr32(mbi + MBI_MEM_LOWER, (uint32_t)(base_end >> 10));
    wr32(mbi + MBI_MEM_UPPER, (uint32_t)((ext_end - PC_HIGH_START) >> 10));
    wr32(mbi + MBI_MMAP_LENGTH, (uint32_t)(p - fixed));
    wr32(mbi + MBI_MMAP_ADDR, MULTIBOOT_MMAP_ADDR);
}

static bool read_modules(const char *kernel_path, struct mb_module *mods, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (mods[i].path[0] == '\0') {
            report_error("%s: -initrd entry %zu has an empty module path", kernel_path, i + 1);
            return false;
        }
        if (!read_whole_file(mods[i].path, &mods[i].data, &mods[i].size)) {
            report_error("multiboot module %s: %s", mods[i].path, strerror(errno));
            return false;
        }
    }
    return true;
}

/* Copy a piece (data plus zero fill) into guest memory as a reset blob. */
static void add_piece(struct machine *m, const char *name, const struct mb_piece *pc)
{
    if (pc->len == 0)
        return;
    /* Cannot fail: the range was checked by check_piece(). */
    machine_add_blob_zeroed(m, name, pc->addr, pc->data, pc->filesz, pc->len - pc->filesz);
}

static void free_plan(struct mb_plan *p)
{
    free(p->kernel);
    elf_image_free(&p->elf);
}

bool multiboot_load(struct machine *m, const char *kernel_path, const uint8_t *data, size_t size,
                    const struct multiboot_header *hdr, const char *initrd, const char *append,
                    struct x86_state *start)
{
    struct mb_plan plan = {.path = kernel_path};
    struct mb_module *mods = NULL;
    size_t nmods = 0;
    bool ok = false;

    if (hdr->flags & MULTIBOOT_VIDEO_MODE)
        report_warning("%s: multiboot kernel asks for a video mode; janus, like QEMU, does "
                       "not set one",
                       kernel_path);
    if (!append)
        append = "";

    if (hdr->flags & MULTIBOOT_AOUT_KLUDGE) {
        if (!kernel_from_aout(&plan, data, size, hdr))
            goto out;
    } else if (!kernel_from_elf(&plan, data, size)) {
        goto out;
    }
    for (size_t i = 0; i < plan.nkernel; i++) {
        if (!check_piece(m, kernel_path, "kernel", plan.kernel[i].addr, plan.kernel[i].len))
            goto out;
    }

    if (initrd)
        nmods = parse_module_list(initrd, &mods);
    if (!read_modules(kernel_path, mods, nmods))
        goto out;

    /*
     * QEMU's layout relative to the kernel's load address: the kernel,
     * page aligned; the module list; the module strings then the kernel
     * command line; the boot loader name (placed after room for every
     * string, sized as QEMU sizes it); page aligned; each module, page
     * aligned.  Sizes are 64-bit so nothing here can wrap.
     */
    uint64_t info_off = page_align(plan.kernel_size);
    uint64_t cmdline_len = strlen(kernel_path) + 1 + strlen(append) + 1;
    if (initrd)
        cmdline_len += strlen(initrd) + 1;
    uint64_t strings_off = info_off + (uint64_t)nmods * MB_MOD_SIZE;
    uint64_t loader_off = strings_off + cmdline_len;
    uint64_t info_len = loader_off + sizeof(boot_loader_name) - info_off;
    uint64_t end = page_align(info_off + info_len);
    for (size_t i = 0; i < nmods; i++) {
        mods[i].offset = end;
        end = page_align(end + mods[i].size);
    }
    if (plan.load_addr + end > FOUR_GIB) {
        report_error("%s: multiboot kernel, modules and command lines (0x%llx bytes from "
                     "0x%llx) do not fit below 4 GiB",
                     kernel_path, (unsigned long long)end, (unsigned long long)plan.load_addr);
        goto out;
    }
    if (!check_piece(m, kernel_path, "multiboot module list and command lines",
                     plan.load_addr + info_off, info_len))
        goto out;
    for (size_t i = 0; i < nmods; i++) {
        char what[64];
        snprintf(what, sizeof(what), "multiboot module %zu", i + 1);
        if (!check_piece(m, mods[i].path, what, plan.load_addr + mods[i].offset, mods[i].size))
            goto out;
    }
    if (!machine_range_is_memory(m, MB_FIXED_BASE, MB_FIXED_SIZE)) {
        report_error("%s: no guest RAM at 0x%x for the multiboot information", kernel_path,
                     MB_FIXED_BASE);
        goto out;
    }

    /* Everything is checked: from here on nothing fails. */
    uint8_t *info = xzalloc(info_len);
    uint64_t str = strings_off - info_off;
    for (size_t i = 0; i < nmods; i++) {
        uint8_t *e = info + i * MB_MOD_SIZE;
        wr32(e + 0, (uint32_t)(plan.load_addr + mods[i].offset));
        wr32(e + 4, (uint32_t)(plan.load_addr + mods[i].offset + mods[i].size));
        wr32(e + 8, (uint32_t)(plan.load_addr + info_off + str));
        memcpy(info + str, mods[i].text, strlen(mods[i].text) + 1);
        str += strlen(mods[i].text) + 1;
    }
    uint64_t cmdline_at = str;
    memcpy(info + str, kernel_path, strlen(kernel_path));
    str += strlen(kernel_path);
    info[str++] = ' ';
    memcpy(info + str, append, strlen(append) + 1);
    memcpy(info + (loader_off - info_off), boot_loader_name, sizeof(boot_loader_name));

    uint8_t fixed[MB_FIXED_SIZE] = {0};
    uint8_t *mbi = fixed + (MULTIBOOT_INFO_ADDR - MB_FIXED_BASE);
    wr32(mbi + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_BOOTDEV | MULTIBOOT_INFO_CMDLINE |
                              MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MEM_MAP |
                              MULTIBOOT_INFO_BOOT_LOADER_NAME);
    wr32(mbi + MBI_BOOT_DEVICE, MB_BOOT_DEVICE);
    wr32(mbi + MBI_CMDLINE, (uint32_t)(plan.load_addr + info_off + cmdline_at));
    wr32(mbi + MBI_MODS_COUNT, (uint32_t)nmods);
    wr32(mbi + MBI_MODS_ADDR, (uint32_t)(plan.load_addr + info_off));
    wr32(mbi + MBI_BOOT_LOADER_NAME, (uint32_t)(plan.load_addr + loader_off));
    build_memory_info(m->mem, fixed);

    for (size_t i = 0; i < plan.nkernel; i++)
        add_piece(m, kernel_path, &plan.kernel[i]);
    struct mb_piece info_piece = {plan.load_addr + info_off, info, info_len, info_len};
    add_piece(m, "multiboot command lines", &info_piece);
    free(info);
    for (size_t i = 0; i < nmods; i++) {
        struct mb_piece mp = {plan.load_addr + mods[i].offset, mods[i].data, mods[i].size,
                              mods[i].size};
        add_piece(m, mods[i].path, &mp);
    }
    machine_add_blob(m, "multiboot information", MB_FIXED_BASE, fixed, sizeof(fixed));

    x86_state_flat32(start, plan.entry);
    start->gpr[X86_RAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    start->gpr[X86_RBX] = MULTIBOOT_INFO_ADDR;
    ok = true;
out:
    free_modules(mods, nmods);
    free_plan(&plan);
    return ok;
}
