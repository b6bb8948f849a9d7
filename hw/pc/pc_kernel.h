/*
 * pc_kernel.h - what -kernel/-initrd/-append mean on -M pc.
 *
 * Contract
 *   pc_load_kernel() reads the -kernel file, recognises its format, copies
 *   it into guest memory with machine_add_blob() (so it is restored at every
 *   reset) and fills *start with the boot CPU's first state.  Formats, in
 *   the order they are tried:
 *     1. Linux bzImage ("HdrS" at 0x202): refused for now, with a message
 *        saying so (the Linux boot protocol arrives with the PC board);
 *     2. a Multiboot v1 header in the first 8 KiB: loaded as QEMU does
 *        (multiboot.h), -initrd is the module list;
 *     3. an x86 ELF (i386 or x86-64): PT_LOAD segments at their physical
 *        addresses, flat 32-bit protected mode at the entry point,
 *        EAX = EBX = 0 (an ELF64 kernel must enter long mode itself);
 *     4. a boot sector (>= 512 bytes ending in 0x55 0xAA at 510): the whole
 *        file at 0x7C00, real mode at 0000:7C00, DL = 0x80.
 *   Anything else, and every malformed image, is one error line naming the
 *   path; nothing is written to guest memory then.  docs/loaders.md has
 *   the load addresses and the full register state of each format.
 *
 *   The board must have mapped its RAM in m->mem before the call (the
 *   multiboot memory map is computed from it), and should call this before
 *   registering anything else at the addresses the kernel may use.
 */
#ifndef HW_PC_PC_KERNEL_H
#define HW_PC_PC_KERNEL_H

#include <stdbool.h>

#include "cpu/x86/state.h"
#include "hw/core/machine.h"

/*
 * Load the -kernel image.  kernel must not be NULL; initrd and append may
 * be.  false: reported error (the caller exits non-zero).
 */
bool pc_load_kernel(struct machine *m, const char *kernel, const char *initrd, const char *append,
                    struct x86_state *start);

#endif
