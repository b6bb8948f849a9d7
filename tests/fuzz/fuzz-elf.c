/*
 * fuzz-elf.c - libFuzzer target for the -kernel loaders: elf_parse(),
 * multiboot_find_header() and the whole pc_load_kernel() dispatcher
 * (bzImage / multiboot / ELF / boot sector) on a fresh 8 MiB machine.
 *
 * Not part of the normal build; see docs/loaders.md ("Fuzzing") for the
 * clang command line.  The input reaches pc_load_kernel() through a memfd
 * named by /proc/self/fd/N, so the file-reading path is exercised too.
 * Error messages are expected by the thousand: run with -close_fd_mask=2
 * (libFuzzer keeps its own reports and the sanitizers' on a private copy
 * of stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/x86/state.h"
#include "hw/core/elf.h"
#include "hw/core/machine.h"
#include "hw/pc/multiboot.h"
#include "hw/pc/pc_kernel.h"

#define FUZZ_RAM (8u << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int kernel_fd = -1;
static char kernel_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    kernel_fd = memfd_create("fuzz-kernel", 0);
    if (kernel_fd < 0) {
        perror("memfd_create");
        exit(1);
    }
    snprintf(kernel_path, sizeof(kernel_path), "/proc/self/fd/%d", kernel_fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image img;
    char err[160];
    if (elf_parse(data, size, &img, err, sizeof(err))) {
        /* Touch every segment's bytes: ASan checks they are in the input. */
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < img.nsegments; i++)
            if (img.segments[i].filesz)
                sink ^= img.segments[i].data[0] ^ img.segments[i].data[img.segments[i].filesz - 1];
        (void)sink;
        elf_image_free(&img);
    }
    struct multiboot_header hdr;
    (void)multiboot_find_header(data, size, &hdr);

    if (ftruncate(kernel_fd, 0) != 0 || pwrite(kernel_fd, data, size, 0) != (ssize_t)size)
        return 0;
    struct machine *m = machine_new(NULL);
    m->ram = ram_alloc(FUZZ_RAM);
    m->ram_size = FUZZ_RAM;
    as_add_ram(m->mem, "ram", 0, FUZZ_RAM, m->ram, 0);
    struct x86_state start;
    (void)pc_load_kernel(m, kernel_path, NULL, "console=ttyS0", &start);
    machine_free(m);
    return 0;
}
