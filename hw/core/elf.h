/*
 * elf.h - a bounds-checked ELF program-header parser shared by every board.
 *
 * Contract
 *   elf_parse() validates an in-memory ELF file and describes its PT_LOAD
 *   segments; it loads nothing.  Boards decide where the segments go and
 *   what start state the entry point gets (hw/pc/pc_kernel.c, later the
 *   AArch64 virt board).  The file's bytes are hostile: every offset, size
 *   and count is checked with overflow-safe arithmetic before it is used,
 *   and a successful parse guarantees that
 *     - every segment's file bytes lie inside the buffer
 *       (data .. data + filesz),
 *     - filesz <= memsz,
 *     - paddr + memsz does not wrap (for ELFCLASS32: does not pass 4 GiB),
 *     - there is at least one PT_LOAD segment with memsz > 0.
 *
 *   Accepted: ELFCLASS32 and ELFCLASS64, ELFDATA2LSB, ET_EXEC and ET_DYN.
 *   ET_DYN (position-independent, e.g. -static-pie) is described at its
 *   linked addresses: no relocation is applied, so it behaves exactly like
 *   ET_EXEC.  e_type is recorded so a board may refuse it.
 *   Refused: big-endian files, ET_REL/ET_CORE, e_phnum == 0 or PN_XNUM
 *   (extended numbering), program header entries smaller than the
 *   standard Elf32_Phdr/Elf64_Phdr.
 *   Not looked at: section headers, e_ident[EI_VERSION]/e_version,
 *   e_ident[EI_OSABI], p_align.  A PT_LOAD with filesz == 0 may have any
 *   p_offset (it reads no file bytes).
 *
 *   Errors are one short phrase written to err (no file name, no newline):
 *   the caller prefixes the path, e.g. "kernel.elf: program header 2
 *   extends past the end of the file".
 */
#ifndef HW_CORE_ELF_H
#define HW_CORE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* e_machine values Janus names (ELF gABI "Machine" table). */
#define ELF_EM_386 3
#define ELF_EM_ARM 40
#define ELF_EM_X86_64 62
#define ELF_EM_AARCH64 183
#define ELF_EM_RISCV 243

/* e_type values. */
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3

/* p_flags bits. */
#define ELF_PF_X 0x1u
#define ELF_PF_W 0x2u
#define ELF_PF_R 0x4u

/* One PT_LOAD segment. */
struct elf_segment {
    uint64_t paddr;
    uint64_t vaddr;
    const uint8_t *data; /* filesz bytes inside the parsed buffer (NULL if filesz == 0) */
    uint64_t filesz;
    uint64_t memsz; /* >= filesz; bytes past filesz are zero (bss) */
    uint32_t flags; /* ELF_PF_* */
};

struct elf_image {
    unsigned elf_class; /* 32 or 64 */
    uint16_t type;      /* ELF_ET_EXEC or ELF_ET_DYN */
    uint16_t machine;   /* e_machine, see elf_machine_name() */
    uint64_t entry;     /* e_entry as written in the file */
    /*
     * e_entry as a physical address: when the entry lies in the file bytes
     * of an executable segment whose vaddr differs from its paddr, it is
     * moved by (paddr - vaddr) - the rule QEMU's ELF loader applies to
     * kernels linked to run at a virtual address.  Otherwise == entry.
     */
    uint64_t entry_phys;
    /* PT_LOAD segments with memsz > 0, in file order (malloc'ed).  Empty
     * PT_LOADs load nothing and are dropped. */
    struct elf_segment *segments;
    size_t nsegments; /* >= 1 after a successful parse */
    /* Lowest paddr, and the end (exclusive) of the highest segment. */
    uint64_t lowest_paddr;
    uint64_t highest_paddr;
};

/* True if data starts with the ELF magic "\x7fELF". */
bool elf_is_elf(const uint8_t *data, size_t size);

/*
 * Parse data[0..size).  On success fills *out (segments point into data,
 * which must outlive *out; free with elf_image_free()).  On failure returns
 * false, writes a short reason to err and leaves *out empty.
 */
bool elf_parse(const uint8_t *data, size_t size, struct elf_image *out, char *err, size_t errlen);

/* Release what elf_parse() allocated; safe on an empty or failed image. */
void elf_image_free(struct elf_image *img);

/* "i386", "x86-64", "AArch64", ... or NULL for a machine Janus does not name. */
const char *elf_machine_name(uint16_t machine);

#endif
