/*
 * elf.c - ELF header and program header validation (see elf.h).
 *
 * Layouts from the System V gABI, "ELF Header" and "Program Header".  All
 * fields are read byte by byte as little-endian, so the parser neither
 * depends on the host's byte order nor on the buffer's alignment.
 */
#include "hw/core/elf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "janus/util.h"

#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define ET_REL 1
#define ET_CORE 4
#define PT_LOAD 1
#define PN_XNUM 0xffff

#define EHDR32_SIZE 52
#define EHDR64_SIZE 64
#define PHDR32_SIZE 32
#define PHDR64_SIZE 56

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool fail(char *err, size_t errlen, const char *fmt, ...) PRINTF_FMT(3, 4);

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

bool elf_is_elf(const uint8_t *data, size_t size)
{
    return data && size >= 4 && memcmp(data, "\177ELF", 4) == 0;
}

const char *elf_machine_name(uint16_t machine)
{
    switch (machine) {
    case ELF_EM_386: return "i386";
    case ELF_EM_X86_64: return "x86-64";
    case ELF_EM_AARCH64: return "AArch64";
    case ELF_EM_ARM: return "ARM";
    case ELF_EM_RISCV: return "RISC-V";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "S/390";
    case 2: return "SPARC";
    case 43: return "SPARC64";
    case 258: return "LoongArch";
    default: return NULL;
    }
}

void elf_image_free(struct elf_image *img)
{
    if (!img)
        return;
    free(img->segments);
    memset(img, 0, sizeof(*img));
}

/* Decode program header i (already known to lie inside the file). */
static void read_phdr(const uint8_t *ph, bool is64, uint32_t *type, struct elf_segment *seg,
                      uint64_t *offset)
{
    *type = rd32(ph);
    if (is64) {
        seg->flags = rd32(ph + 4);
        *offset = rd64(ph + 8);
        seg->vaddr = rd64(ph + 16);
        seg->paddr = rd64(ph + 24);
        seg->filesz = rd64(ph + 32);
        seg->memsz = rd64(ph + 40);
    } else {
        *offset = rd32(ph + 4);
        seg->vaddr = rd32(ph + 8);
        seg->paddr = rd32(ph + 12);
        seg->filesz = rd32(ph + 16);
        seg->memsz = rd32(ph + 20);
        seg->flags = rd32(ph + 24);
    }
}

/* Validate one PT_LOAD against the file and the address space it lives in. */
static bool check_segment(const uint8_t *data, size_t size, bool is64, unsigned idx,
                          uint64_t offset, struct elf_segment *seg, char *err, size_t errlen)
{
    if (seg->filesz > seg->memsz)
        return fail(err, errlen,
                    "program header %u has a file size (0x%llx) larger than its memory "
                    "size (0x%llx)",
                    idx, (unsigned long long)seg->filesz, (unsigned long long)seg->memsz);
    if (seg->filesz) {
        if (offset > size || seg->filesz > size - offset)
            return fail(err, errlen, "program header %u extends past the end of the file", idx);
        seg->data = data + offset;
    } else {
        seg->data = NULL;
    }
    /* The end (exclusive) must be representable: 2^32 for ELF32, 2^64 - 1 for ELF64. */
    uint64_t limit = is64 ? UINT64_MAX : (uint64_t)UINT32_MAX + 1;
    if (seg->paddr > limit || seg->memsz > limit - seg->paddr)
        return fail(err, errlen, "program header %u (paddr 0x%llx, size 0x%llx) wraps around %s",
                    idx, (unsigned long long)seg->paddr, (unsigned long long)seg->memsz,
                    is64 ? "the 64-bit address space" : "the 32-bit address space");
    return true;
}

bool elf_parse(const uint8_t *data, size_t size, struct elf_image *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!elf_is_elf(data, size))
        return fail(err, errlen, "not an ELF file");
    if (size < EI_DATA + 1)
        return fail(err, errlen, "truncated ELF header (%zu bytes)", size);

    unsigned cls = data[EI_CLASS];
    if (cls != ELFCLASS32 && cls != ELFCLASS64)
        return fail(err, errlen, "unknown ELF class %u (expected 1 for 32-bit or 2 for 64-bit)",
                    cls);
    bool is64 = cls == ELFCLASS64;
    if (data[EI_DATA] == ELFDATA2MSB)
        return fail(err, errlen, "big-endian ELF files are not supported");
    if (data[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "unknown ELF data encoding %u", data[EI_DATA]);

    size_t ehsize = is64 ? EHDR64_SIZE : EHDR32_SIZE;
    if (size < ehsize)
        return fail(err, errlen, "truncated ELF header (%zu of %zu bytes)", size, ehsize);

    uint16_t type = rd16(data + 16);
    if (type == ET_REL)
        return fail(err, errlen, "is a relocatable object (ET_REL), not an executable");
    if (type == ET_CORE)
        return fail(err, errlen, "is a core dump (ET_CORE), not an executable");
    if (type != ELF_ET_EXEC && type != ELF_ET_DYN)
        return fail(err, errlen, "ELF type %u is not an executable (ET_EXEC or ET_DYN)", type);

    uint64_t entry, phoff;
    uint16_t phentsize, phnum;
    if (is64) {
        entry = rd64(data + 24);
        phoff = rd64(data + 32);
        phentsize = rd16(data + 54);
        phnum = rd16(data + 56);
    } else {
        entry = rd32(data + 24);
        phoff = rd32(data + 28);
        phentsize = rd16(data + 42);
        phnum = rd16(data + 44);
    }

    if (phnum == 0)
        return fail(err, errlen, "has no program headers");
    if (phnum == PN_XNUM)
        return fail(err, errlen, "uses extended program header numbering (PN_XNUM), not supported");
    size_t min_phent = is64 ? PHDR64_SIZE : PHDR32_SIZE;
    if (phentsize < min_phent)
        return fail(err, errlen, "program header entry size %u is smaller than %zu", phentsize,
                    min_phent);
    /* phnum and phentsize are 16-bit, so the product cannot overflow 64 bits. */
    uint64_t table = (uint64_t)phnum * phentsize;
    if (phoff > size || table > size - phoff)
        return fail(err, errlen,
                    "program header table (offset 0x%llx, %u entries of %u bytes) extends past "
                    "the end of the file",
                    (unsigned long long)phoff, phnum, phentsize);

    struct elf_segment *segs = xmalloc(sizeof(*segs) * phnum);
    size_t nsegs = 0;
    uint64_t low = UINT64_MAX, high = 0, entry_phys = entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = data + phoff + (uint64_t)i * phentsize;
        struct elf_segment seg = {0};
        uint32_t ptype;
        uint64_t offset;
        read_phdr(ph, is64, &ptype, &seg, &offset);
        if (ptype != PT_LOAD)
            continue;
        if (!check_segment(data, size, is64, i, offset, &seg, err, errlen)) {
            free(segs);
            return false;
        }
        if (seg.memsz == 0)
            continue;
        /* A kernel linked to run at a virtual address: its entry is virtual too. */
        if (seg.vaddr != seg.paddr && (seg.flags & ELF_PF_X) && entry >= seg.vaddr &&
            entry - seg.vaddr < seg.filesz)
            entry_phys = seg.paddr + (entry - seg.vaddr);
        low = MIN(low, seg.paddr);
        high = MAX(high, seg.paddr + seg.memsz);
        segs[nsegs++] = seg;
    }
    if (nsegs == 0) {
        free(segs);
        return fail(err, errlen, "has no loadable (PT_LOAD) segments");
    }

    out->elf_class = is64 ? 64 : 32;
    out->type = type;
    out->machine = rd16(data + 18);
    out->entry = entry;
    out->entry_phys = entry_phys;
    out->segments = segs;
    out->nsegments = nsegs;
    out->lowest_paddr = low;
    out->highest_paddr = high;
    return true;
}
