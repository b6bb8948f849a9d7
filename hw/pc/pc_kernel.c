/*
 * pc_kernel.c - the -kernel dispatcher for -M pc (see pc_kernel.h and
 * docs/loaders.md).
 *
 * The order of the checks matters: a bzImage also carries 0x55AA at 510
 * (its legacy boot sector), and a multiboot kernel is usually an ELF file,
 * so the most specific format is tried first - the order QEMU uses for
 * Linux and multiboot.  Plain ELF and boot-sector images are Janus
 * extensions: QEMU's -kernel would treat them as an old zImage.
 */
#include "hw/pc/pc_kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/elf.h"
#include "hw/pc/multiboot.h"
#include "janus/util.h"

#define FOUR_GIB 0x100000000ull

/* Linux boot protocol: "HdrS" at 0x202 (Documentation/x86/boot.rst). */
#define LINUX_HDRS_OFFSET 0x202
#define LINUX_HDRS_MAGIC 0x53726448u

/* Boot sector: the BIOS loads 512 bytes to 0000:7C00 when they end in 55 AA. */
#define BOOT_SECTOR_SIZE 512
#define BOOT_SECTOR_ADDR 0x7C00u
#define BOOT_SECTOR_LIMIT 0x9FC00u /* the EBDA starts here on a pc */
#define BOOT_DRIVE_HDD 0x80

static bool is_bzimage(const uint8_t *d, size_t size)
{
    if (size < LINUX_HDRS_OFFSET + 4)
        return false;
    const uint8_t *p = d + LINUX_HDRS_OFFSET;
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return v == LINUX_HDRS_MAGIC;
}

static bool is_boot_sector(const uint8_t *d, size_t size)
{
    return size >= BOOT_SECTOR_SIZE && d[510] == 0x55 && d[511] == 0xAA;
}

static void report_wrong_machine(const char *path, uint16_t machine)
{
    const char *name = elf_machine_name(machine);
    if (name)
        report_error("%s: is an %s ELF image, -M pc needs an x86 kernel", path, name);
    else
        report_error("%s: is an ELF image for machine %u, -M pc needs an x86 kernel", path,
                     machine);
}

/* An ELF without a multiboot header: segments at paddr, 32-bit flat start. */
static bool load_elf(struct machine *m, const char *path, const uint8_t *data, size_t size,
                     struct x86_state *start)
{
    struct elf_image img;
    char err[160];
    if (!elf_parse(data, size, &img, err, sizeof(err))) {
        report_error("%s: %s", path, err);
        return false;
    }
    bool ok = false;
    if (img.machine != ELF_EM_386 && img.machine != ELF_EM_X86_64) {
        report_wrong_machine(path, img.machine);
        goto out;
    }
    if (img.entry_phys >= FOUR_GIB) {
        report_error("%s: entry point 0x%llx is above 4 GiB; the kernel starts in 32-bit "
                     "protected mode",
                     path, (unsigned long long)img.entry_phys);
        goto out;
    }
    for (size_t i = 0; i < img.nsegments; i++) {
        const struct elf_segment *s = &img.segments[i];
        if (!machine_range_is_memory(m, s->paddr, s->memsz)) {
            report_error("%s: loadable segment %zu (0x%llx..0x%llx) is not in guest RAM "
                         "(RAM is %llu MiB)",
                         path, i, (unsigned long long)s->paddr,
                         (unsigned long long)(s->paddr + s->memsz - 1),
                         (unsigned long long)(m->ram_size >> 20));
            goto out;
        }
    }
    /* Checked above, so memsz is bounded by guest RAM and the blobs cannot fail. */
    for (size_t i = 0; i < img.nsegments; i++) {
        const struct elf_segment *s = &img.segments[i];
        machine_add_blob_zeroed(m, path, s->paddr, s->data, s->filesz, s->memsz - s->filesz);
    }
    x86_state_flat32(start, (uint32_t)img.entry_phys);
    ok = true;
out:
    elf_image_free(&img);
    return ok;
}

/* A boot sector image: what a BIOS hands over after loading sector 0. */
static bool load_boot_sector(struct machine *m, const char *path, const uint8_t *data, size_t size,
                             struct x86_state *start)
{
    if (size > BOOT_SECTOR_LIMIT - BOOT_SECTOR_ADDR) {
        report_error("%s: boot sector image is %zu bytes; loaded at 0x7c00 it must end below "
                     "0x9fc00 (at most %u bytes)",
                     path, size, BOOT_SECTOR_LIMIT - BOOT_SECTOR_ADDR);
        return false;
    }
    if (!machine_range_is_memory(m, BOOT_SECTOR_ADDR, size)) {
        report_error("%s: no guest RAM at 0x7c00..0x%zx for the boot sector image", path,
                     BOOT_SECTOR_ADDR + size - 1);
        return false;
    }
    machine_add_blob(m, path, BOOT_SECTOR_ADDR, data, size);
    /*
     * SeaBIOS jumps to 0000:7C00 with AX = 0xAA55, DL = boot drive, DS = ES
     * = 0.  Its stack is its own (just below 0x7000); SS:SP = 0000:7C00 is
     * the conventional equivalent.  IF stays 0: there is no BIOS, so no
     * interrupt vector table to take an interrupt through.
     */
    x86_state_real(start, 0, BOOT_SECTOR_ADDR);
    start->gpr[X86_RAX] = 0xAA55;
    start->gpr[X86_RDX] = BOOT_DRIVE_HDD;
    start->gpr[X86_RSP] = BOOT_SECTOR_ADDR;
    return true;
}

bool pc_load_kernel(struct machine *m, const char *kernel, const char *initrd, const char *append,
                    struct x86_state *start)
{
    uint8_t *data;
    size_t size;
    if (!read_whole_file(kernel, &data, &size)) {
        report_error("%s: %s", kernel, strerror(errno));
        return false;
    }

    bool ok = false;
    struct multiboot_header mbh;
    const char *kind;
    if (size == 0) {
        report_error("%s: empty file, not a kernel image", kernel);
        goto out;
    }
    if (is_bzimage(data, size)) {
        report_error("%s: is a Linux bzImage; the Linux boot protocol is not implemented yet "
                     "in janus -M pc (it arrives with the PC board work) - use a multiboot, "
                     "ELF or boot sector image",
                     kernel);
        goto out;
    }
    if (multiboot_find_header(data, size, &mbh)) {
        ok = multiboot_load(m, kernel, data, size, &mbh, initrd, append, start);
        goto out;
    }
    if (elf_is_elf(data, size))
        kind = "an ELF image";
    else if (is_boot_sector(data, size))
        kind = "a boot sector image";
    else {
        report_error("%s: not a kernel image (expected multiboot, ELF, or a boot sector with "
                     "the 0x55AA signature)",
                     kernel);
        goto out;
    }
    if (initrd) {
        report_error("%s: -initrd needs a multiboot kernel (its modules), but this is %s", kernel,
                     kind);
        goto out;
    }
    if (append && append[0])
        report_warning("%s: -append is ignored: %s has no command line", kernel, kind);
    if (elf_is_elf(data, size))
        ok = load_elf(m, kernel, data, size, start);
    else
        ok = load_boot_sector(m, kernel, data, size, start);
out:
    free(data);
    return ok;
}
