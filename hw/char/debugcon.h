/*
 * debugcon.h - the Bochs/QEMU debug console port (0xE9 by default).
 */
#ifndef HW_CHAR_DEBUGCON_H
#define HW_CHAR_DEBUGCON_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct address_space;
struct chardev;

#define DEBUGCON_DEFAULT_IOBASE 0xe9

/*
 * One byte-wide port at iobase: writes go to chr (NULL: dropped), reads
 * return 0xE9.  false (one line reported) if the port is taken.
 */
bool debugcon_create(struct machine *m, struct address_space *io, uint64_t iobase,
                     struct chardev *chr);

#endif
