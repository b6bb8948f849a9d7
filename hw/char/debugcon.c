/*
 * debugcon.c - Bochs "port E9" debug console, as QEMU's isa-debugcon.
 *
 * Every byte written to the port goes to the chardev unbuffered.  A read
 * returns 0xE9, the value Bochs and QEMU (readback property default) give,
 * which guests use to detect the port.  Wider accesses are split into
 * bytes by the address space, as QEMU does.
 */
#include "hw/char/debugcon.h"

#include "hw/core/chardev.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "janus/util.h"

#define DEBUGCON_READBACK 0xe9

static uint64_t debugcon_read(void *opaque, uint64_t offset, unsigned size)
{
    return DEBUGCON_READBACK;
}

static void debugcon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    uint8_t b = (uint8_t)value;
    chardev_write(opaque, &b, 1);
}

static const struct io_ops debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .min_size = 1,
    .max_size = 1,
};

/* Machine teardown: the console owns its backend. */
static void debugcon_free(void *opaque)
{
    chardev_close(opaque);
}

bool debugcon_create(struct machine *m, struct address_space *io, uint64_t iobase,
                     struct chardev *chr)
{
    if (iobase > 0xffff || !as_add_io(io, "isa-debugcon", iobase, 1, &debugcon_ops, chr, 0)) {
        report_error("debugcon: port 0x%llx is already in use or out of range",
                     (unsigned long long)iobase);
        return false;
    }
    machine_register_cleanup(m, debugcon_free, chr);
    return true;
}
