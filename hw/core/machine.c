/*
 * machine.c - machine construction, reset, loader blobs and guest-initiated
 * events (see machine.h).
 */
#include "hw/core/machine.h"

#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "hw/core/mainloop.h"
#include "janus/util.h"

struct machine *machine_new(struct machine_config *cfg)
{
    struct machine *m = xzalloc(sizeof(*m));
    m->cfg = cfg;
    m->mem = as_new("memory", 0);
    m->io = as_new("ioport", 0x10000);
    m->io->log_category = LOG_IOPORT;
    m->ncpus = cfg && cfg->smp > 0 ? cfg->smp : 1;
    return m;
}

void machine_free(struct machine *m)
{
    if (!m)
        return;
    for (size_t i = m->ncleanups; i-- > 0;)
        m->cleanups[i].fn(m->cleanups[i].opaque);
    free(m->cleanups);
    for (size_t i = 0; i < m->nblobs; i++) {
        free(m->blobs[i].name);
        free(m->blobs[i].data);
    }
    free(m->blobs);
    free(m->resets);
    free(m->board_state); /* boards keep plain structs here */
    as_free(m->mem);
    as_free(m->io);
    ram_free(m->ram, m->ram_size);
    free(m);
}

void machine_register_reset(struct machine *m, reset_fn *fn, void *opaque)
{
    m->resets = xrealloc(m->resets, sizeof(*m->resets) * (m->nresets + 1));
    m->resets[m->nresets].fn = fn;
    m->resets[m->nresets].opaque = opaque;
    m->nresets++;
}

static void blob_write(struct machine *m, const struct machine_blob *b)
{
    static const uint8_t zeros[4096];
    as_write_buf(m->mem, b->addr, b->data, b->len, true);
    for (uint64_t done = 0; done < b->zero_len;) {
        uint64_t n = MIN(b->zero_len - done, (uint64_t)sizeof(zeros));
        uint64_t a = b->addr + b->len + done;
        void *p = as_ram_ptr(m->mem, a, b->zero_len - done, true);
        if (p) { /* fast path: the rest is one RAM range */
            memset(p, 0, b->zero_len - done);
            break;
        }
        as_write_buf(m->mem, a, zeros, n, true);
        done += n;
    }
}

void machine_register_cleanup(struct machine *m, reset_fn *fn, void *opaque)
{
    m->cleanups = xrealloc(m->cleanups, sizeof(*m->cleanups) * (m->ncleanups + 1));
    m->cleanups[m->ncleanups].fn = fn;
    m->cleanups[m->ncleanups].opaque = opaque;
    m->ncleanups++;
}

void machine_reset(struct machine *m)
{
    for (size_t i = 0; i < m->nresets; i++)
        m->resets[i].fn(m->resets[i].opaque);
    for (size_t i = 0; i < m->nblobs; i++)
        blob_write(m, &m->blobs[i]);
    m->intr_level = false;
}

bool machine_range_is_memory(struct machine *m, uint64_t addr, uint64_t len)
{
    if (len == 0)
        return true;
    if (addr > UINT64_MAX - (len - 1))
        return false;
    uint64_t last = addr + (len - 1);
    for (;;) {
        const struct flat_range *f = as_lookup(m->mem, addr);
        if (!f || f->r->kind == REGION_IO)
            return false;
        if (f->end >= last)
            return true;
        addr = f->end + 1;
    }
}

bool machine_add_blob_zeroed(struct machine *m, const char *name, uint64_t addr, const void *data,
                             size_t len, uint64_t zero_len)
{
    uint64_t total = len + zero_len;
    if (total < len || !machine_range_is_memory(m, addr, total)) {
        report_error("%s: does not fit in guest memory (0x%llx..0x%llx; RAM is %llu MiB)", name,
                     (unsigned long long)addr, (unsigned long long)(addr + total),
                     (unsigned long long)(m->ram_size >> 20));
        return false;
    }
    m->blobs = xrealloc(m->blobs, sizeof(*m->blobs) * (m->nblobs + 1));
    struct machine_blob *b = &m->blobs[m->nblobs++];
    b->name = xstrdup(name);
    b->addr = addr;
    b->len = len;
    b->zero_len = zero_len;
    b->data = xmalloc(len);
    if (len)
        memcpy(b->data, data, len);
    blob_write(m, b);
    return true;
}

bool machine_add_blob(struct machine *m, const char *name, uint64_t addr, const void *data,
                      size_t len)
{
    return machine_add_blob_zeroed(m, name, addr, data, len, 0);
}

void machine_set_intr(struct machine *m, bool level)
{
    if (m->intr_level == level)
        return;
    m->intr_level = level;
    if (level && m->accel && m->accel->kick)
        m->accel->kick(m);
}

void machine_request_shutdown(struct machine *m)
{
    if (m->cfg && m->cfg->no_reboot)
        mainloop_request_exit(0);
    else
        machine_request_reset(m);
}

void machine_request_reset(struct machine *m)
{
    (void)m;
    mainloop_request_exit(MAINLOOP_RESET);
}
