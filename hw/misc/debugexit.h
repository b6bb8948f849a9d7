/*
 * debugexit.h - QEMU's isa-debug-exit: a port that ends the emulator.
 *
 * A guest write of v makes the process exit with status (v << 1) | 1, so a
 * test harness can tell a guest's verdict (odd statuses) from an emulator
 * failure.  Defaults as QEMU: iobase 0x501, iosize 2.
 */
#ifndef HW_MISC_DEBUGEXIT_H
#define HW_MISC_DEBUGEXIT_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct address_space;

/* Map the device; false (one line reported) if the ports clash or do not fit. */
bool debugexit_create(struct machine *m, struct address_space *io, uint64_t iobase,
                      uint64_t iosize);

/*
 * Handle "-device isa-debug-exit[,iobase=N][,iosize=N]" on m->io.  Unknown
 * properties, bad numbers or clashing ports: one line reported, false.
 */
bool debugexit_parse_device(struct machine *m, const char *spec);

#endif
