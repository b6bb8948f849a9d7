/*
 * cmdline.h - QEMU-compatible command-line parsing into a machine_config.
 *
 * Options shared with QEMU keep QEMU's spelling and meaning (-M -m -smp
 * -cpu -accel -kernel -initrd -append -bios -drive -netdev -device
 * -nographic -display -serial -monitor -s -S -d -D -no-reboot); both "-opt"
 * and "--opt" work.  Janus's own additions: -stats.  See docs/usage.md.
 */
#ifndef UI_CMDLINE_H
#define UI_CMDLINE_H

#include "hw/core/machine.h"

enum cmdline_result {
    CMDLINE_OK,    /* run the machine */
    CMDLINE_EXIT,  /* informational output printed (help, version): exit 0 */
    CMDLINE_ERROR, /* one error line printed: exit 1 */
};

/* Fills cfg (defaults first).  Strings point into argv. */
enum cmdline_result cmdline_parse(int argc, char **argv, struct machine_config *cfg);
void cmdline_defaults(struct machine_config *cfg);
/* Free the strings the parser made; cfg must not be used afterwards. */
void cmdline_release(void);
void cmdline_usage(FILE *f);

/* Largest -m janus accepts (before the host says no). */
#define CMDLINE_MAX_RAM (1ULL << 40)

#endif
