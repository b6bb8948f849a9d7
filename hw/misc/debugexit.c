/*
 * debugexit.c - QEMU-compatible isa-debug-exit device.
 *
 * Any write (1 to 4 bytes, as QEMU accepts) requests exit status
 * (value << 1) | 1 through the main loop, so the accelerator is stopped and
 * the terminal restored as for any other exit.  Only the low 8 bits of the
 * status reach the shell, so only those are kept: this also keeps a large
 * value from turning into MAINLOOP_RESET (-1).  Reads return 0, as QEMU's.
 */
#include "hw/misc/debugexit.h"

#include <stdlib.h>
#include <string.h>

#include "hw/core/machine.h"
#include "hw/core/mainloop.h"
#include "hw/core/memory.h"
#include "janus/util.h"

#define DEBUGEXIT_DEFAULT_IOBASE 0x501
#define DEBUGEXIT_DEFAULT_IOSIZE 0x02
#define DEBUGEXIT_PORT_SPACE 0x10000

static uint64_t debugexit_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void debugexit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    mainloop_request_exit((int)(((value << 1) | 1) & 0xff));
}

static const struct io_ops debugexit_ops = {
    .read = debugexit_read,
    .write = debugexit_write,
    .min_size = 1,
    .max_size = 4,
};

bool debugexit_create(struct machine *m, struct address_space *io, uint64_t iobase, uint64_t iosize)
{
    (void)m;
    if (iosize == 0 || iobase >= DEBUGEXIT_PORT_SPACE || iosize > DEBUGEXIT_PORT_SPACE - iobase) {
        report_error("isa-debug-exit: ports 0x%llx+0x%llx do not fit in the I/O space",
                     (unsigned long long)iobase, (unsigned long long)iosize);
        return false;
    }
    if (!as_add_io(io, "isa-debug-exit", iobase, iosize, &debugexit_ops, NULL, 0)) {
        report_error("isa-debug-exit: ports 0x%llx..0x%llx are already in use",
                     (unsigned long long)iobase, (unsigned long long)(iobase + iosize - 1));
        return false;
    }
    return true;
}

bool debugexit_parse_device(struct machine *m, const char *spec)
{
    uint64_t iobase = DEBUGEXIT_DEFAULT_IOBASE, iosize = DEBUGEXIT_DEFAULT_IOSIZE;
    char *copy = xstrdup(spec), *save = NULL;
    bool ok = true;
    char *tok = strtok_r(copy, ",", &save);
    if (!tok || strcmp(tok, "isa-debug-exit") != 0) {
        report_error("-device %s: not an isa-debug-exit device", spec);
        free(copy);
        return false;
    }
    while (ok && (tok = strtok_r(NULL, ",", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq = '\0';
        uint64_t *dst = !strcmp(tok, "iobase") ? &iobase : !strcmp(tok, "iosize") ? &iosize : NULL;
        if (!dst) {
            report_error("-device isa-debug-exit: unknown property '%s' (iobase, iosize)", tok);
            ok = false;
        } else if (!eq || !parse_u64(eq + 1, dst)) {
            report_error("-device isa-debug-exit: bad %s value '%s'", tok, eq ? eq + 1 : "");
            ok = false;
        }
    }
    free(copy);
    return ok && debugexit_create(m, m->io, iobase, iosize);
}
