/*
 * multiboot.h - Multiboot (version 1, spec 0.6.96) kernels for the pc board,
 * loaded the way QEMU's -kernel loads them.
 *
 * Contract
 *   multiboot_find_header() looks for the header the way QEMU does: a
 *   4-byte aligned magic 0x1BADB002 at an offset below 8144 (QEMU scans
 *   i < 8192 - 48 so the whole 48-byte header fits in the first 8 KiB),
 *   whose magic + flags + checksum is 0 mod 2^32.  The first such header
 *   wins.
 *
 *   multiboot_load() places the kernel, its modules and the Multiboot
 *   information in guest memory with machine_add_blob() (so they come back
 *   at every reset) and fills the start state.  It checks every range
 *   before writing anything, so a failure leaves the machine untouched.
 *   The layout and register state are documented in docs/loaders.md;
 *   briefly:
 *     - kernel: flags bit 16 set -> the a.out kludge addresses; otherwise
 *       the file must be an i386 ELF (x86-64 ELF is refused, like QEMU);
 *     - after the kernel, page aligned: the module list, the module
 *       strings, the kernel command line "<kernel path> <append>" and the
 *       boot loader name "janus"; then each module, page aligned;
 *     - the e820-style memory map at 0x9000 and the information structure
 *       at 0x9500 (QEMU's fixed addresses);
 *     - flat 32-bit protected mode, EIP = entry, EAX = 0x2BADB002,
 *       EBX = 0x9500.
 *
 *   The memory map is derived from the RAM regions the board mapped in
 *   m->mem: the region at 0 (low memory, capped at 0x9FC00 - the EBDA),
 *   the region at 1 MiB (capped at 4 GiB) and the region at 4 GiB if any.
 *   RAM must therefore exist before multiboot_load() is called.
 */
#ifndef HW_PC_MULTIBOOT_H
#define HW_PC_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/x86/state.h"
#include "hw/core/machine.h"

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT_SEARCH 8192 /* the header lies in the first 8 KiB */

/* Header flags (spec 3.1.2). */
#define MULTIBOOT_PAGE_ALIGN (1u << 0)   /* modules page aligned: always done */
#define MULTIBOOT_MEMORY_INFO (1u << 1)  /* mem_* fields: always provided */
#define MULTIBOOT_VIDEO_MODE (1u << 2)   /* video mode: not provided (warned) */
#define MULTIBOOT_AOUT_KLUDGE (1u << 16) /* address fields are valid */

/* Guest-physical addresses QEMU uses (hw/i386/multiboot.c). */
#define MULTIBOOT_MMAP_ADDR 0x9000u
#define MULTIBOOT_INFO_ADDR 0x9500u

/* Information structure flags (spec 3.3). */
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_BOOTDEV (1u << 1)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME (1u << 9)

/* A header found in a file.  The address fields are only read (and only
 * meaningful) when flags has MULTIBOOT_AOUT_KLUDGE. */
struct multiboot_header {
    uint32_t offset; /* file offset of the magic */
    uint32_t flags;
    bool has_addresses; /* all of header_addr..entry_addr lie inside the file */
    uint32_t header_addr;
    uint32_t load_addr;
    uint32_t load_end_addr; /* 0: load to the end of the file */
    uint32_t bss_end_addr;  /* 0: no bss */
    uint32_t entry_addr;
};

/* Find a valid Multiboot header in data[0..size); false if there is none. */
bool multiboot_find_header(const uint8_t *data, size_t size, struct multiboot_header *hdr);

/*
 * Load the multiboot kernel data[0..size) (read from kernel_path, which is
 * also the first word of the kernel command line).  initrd: NULL or QEMU's
 * comma-separated module list, each entry "path [args]", ",," for a
 * literal comma.  append: NULL or the -append text.  Errors (reported,
 * false): malformed header or ELF, unreadable module, anything not fitting
 * in guest RAM below 4 GiB or overlapping 0x9000..0x9557.
 */
bool multiboot_load(struct machine *m, const char *kernel_path, const uint8_t *data, size_t size,
                    const struct multiboot_header *hdr, const char *initrd, const char *append,
                    struct x86_state *start);

#endif
