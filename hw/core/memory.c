/*
 * memory.c - regions, the flattened view and access dispatch (see memory.h).
 */
#include "hw/core/memory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "janus/util.h"

struct address_space *as_new(const char *name, uint64_t size)
{
    struct address_space *as = xzalloc(sizeof(*as));
    as->name = name;
    as->size = size;
    as->log_category = LOG_MMIO;
    return as;
}

void as_free(struct address_space *as)
{
    if (!as)
        return;
    for (size_t i = 0; i < as->nregions; i++)
        free(as->regions[i]);
    free(as->regions);
    free(as->flat);
    free(as);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t region_last(const struct region *r)
{
    return r->base + (r->size - 1);
}

/* Rebuild the flat view: at every address the highest-priority region wins. */
static void as_flatten(struct address_space *as)
{
    size_t nb = 0;
    uint64_t *b = xmalloc(sizeof(*b) * (as->nregions * 2 + 1));
    for (size_t i = 0; i < as->nregions; i++) {
        const struct region *r = as->regions[i];
        b[nb++] = r->base;
        if (region_last(r) != UINT64_MAX)
            b[nb++] = region_last(r) + 1;
    }
    qsort(b, nb, sizeof(*b), cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < nb; i++)
        if (u == 0 || b[u - 1] != b[i])
            b[u++] = b[i];

    free(as->flat);
    as->flat = xmalloc(sizeof(*as->flat) * (u ? u : 1));
    as->nflat = 0;
    for (size_t i = 0; i < u; i++) {
        uint64_t start = b[i];
        uint64_t end = i + 1 < u ? b[i + 1] - 1 : UINT64_MAX;
        const struct region *best = NULL;
        for (size_t j = 0; j < as->nregions; j++) {
            const struct region *r = as->regions[j];
            if (start >= r->base && start <= region_last(r) &&
                (!best || r->priority > best->priority))
                best = r;
        }
        if (!best)
            continue;
        if (end > region_last(best))
            end = region_last(best);
        struct flat_range *prev = as->nflat ? &as->flat[as->nflat - 1] : NULL;
        if (prev && prev->r == best && prev->end + 1 == start) {
            prev->end = end;
        } else {
            as->flat[as->nflat++] = (struct flat_range){start, end, best};
        }
    }
    free(b);
}

static struct region *as_add(struct address_space *as, const char *name, uint64_t base,
                             uint64_t size, enum region_kind kind, int priority)
{
    if (size == 0 || base > UINT64_MAX - (size - 1))
        return NULL;
    if (as->size && (base >= as->size || size > as->size - base))
        return NULL;
    for (size_t i = 0; i < as->nregions; i++) {
        const struct region *o = as->regions[i];
        if (o->priority == priority && base <= region_last(o) && o->base <= base + (size - 1))
            return NULL;
    }
    struct region *r = xzalloc(sizeof(*r));
    r->name = name;
    r->base = base;
    r->size = size;
    r->kind = kind;
    r->priority = priority;
    as->regions = xrealloc(as->regions, sizeof(*as->regions) * (as->nregions + 1));
    as->regions[as->nregions++] = r;
    as_flatten(as);
    return r;
}

static struct region *as_add_backed(struct address_space *as, const char *name, uint64_t base,
                                    uint64_t size, uint8_t *host, int priority,
                                    enum region_kind kind)
{
    struct region *r = as_add(as, name, base, size, kind, priority);
    if (r)
        r->host = host;
    return r;
}

struct region *as_add_ram(struct address_space *as, const char *name, uint64_t base, uint64_t size,
                          uint8_t *host, int priority)
{
    return as_add_backed(as, name, base, size, host, priority, REGION_RAM);
}

struct region *as_add_rom(struct address_space *as, const char *name, uint64_t base, uint64_t size,
                          uint8_t *host, int priority)
{
    return as_add_backed(as, name, base, size, host, priority, REGION_ROM);
}

struct region *as_add_io(struct address_space *as, const char *name, uint64_t base, uint64_t size,
                         const struct io_ops *ops, void *opaque, int priority)
{
    struct region *r = as_add(as, name, base, size, REGION_IO, priority);
    if (r) {
        r->ops = ops;
        r->opaque = opaque;
    }
    return r;
}

const struct flat_range *as_lookup(const struct address_space *as, uint64_t addr)
{
    size_t lo = 0, hi = as->nflat;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct flat_range *f = &as->flat[mid];
        if (addr < f->start)
            hi = mid;
        else if (addr > f->end)
            lo = mid + 1;
        else
            return f;
    }
    return NULL;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
}

static unsigned ops_min(const struct io_ops *ops)
{
    return ops->min_size ? ops->min_size : 1;
}
static unsigned ops_max(const struct io_ops *ops)
{
    return ops->max_size ? ops->max_size : 8;
}

static uint64_t io_read(const struct region *r, uint64_t off, unsigned size);
static void io_write(const struct region *r, uint64_t off, uint64_t v, unsigned size);

/* One byte at off, through a (possibly widened) aligned access. */
static uint64_t io_read_byte(const struct region *r, uint64_t off)
{
    unsigned min = ops_min(r->ops);
    if (min == 1)
        return r->ops->read ? r->ops->read(r->opaque, off, 1) & 0xff : 0xff;
    uint64_t base = off & ~(uint64_t)(min - 1);
    return (io_read(r, base, min) >> (8 * (off - base))) & 0xff;
}

static uint64_t io_read(const struct region *r, uint64_t off, unsigned size)
{
    const struct io_ops *ops = r->ops;
    unsigned min = ops_min(ops), max = ops_max(ops);
    bool aligned = (off & (size - 1)) == 0;
    if (size >= min && size <= max && aligned)
        return ops->read ? ops->read(r->opaque, off, size) & size_mask(size) : size_mask(size);
    if (size > max && aligned) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += max)
            v |= io_read(r, off + i, max) << (8 * i);
        return v;
    }
    if (size < min) {
        uint64_t base = off & ~(uint64_t)(min - 1);
        if (off + size <= base + min)
            return (io_read(r, base, min) >> (8 * (off - base))) & size_mask(size);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= io_read_byte(r, off + i) << (8 * i);
    return v;
}

static void io_write_byte(const struct region *r, uint64_t off, uint8_t b)
{
    unsigned min = ops_min(r->ops);
    if (min == 1) {
        if (r->ops->write)
            r->ops->write(r->opaque, off, b, 1);
        return;
    }
    uint64_t base = off & ~(uint64_t)(min - 1);
    unsigned sh = 8 * (unsigned)(off - base);
    uint64_t v = io_read(r, base, min);
    v = (v & ~(0xffULL << sh)) | ((uint64_t)b << sh);
    io_write(r, base, v, min);
}

static void io_write(const struct region *r, uint64_t off, uint64_t v, unsigned size)
{
    const struct io_ops *ops = r->ops;
    unsigned min = ops_min(ops), max = ops_max(ops);
    bool aligned = (off & (size - 1)) == 0;
    v &= size_mask(size);
    if (size >= min && size <= max && aligned) {
        if (ops->write)
            ops->write(r->opaque, off, v, size);
        return;
    }
    if (size > max && aligned) {
        for (unsigned i = 0; i < size; i += max)
            io_write(r, off + i, (v >> (8 * i)) & size_mask(max), max);
        return;
    }
    if (size < min) {
        uint64_t base = off & ~(uint64_t)(min - 1);
        if (off + size <= base + min) {
            unsigned sh = 8 * (unsigned)(off - base);
            uint64_t old = io_read(r, base, min);
            uint64_t m = size_mask(size) << sh;
            io_write(r, base, (old & ~m) | (v << sh), min);
            return;
        }
    }
    for (unsigned i = 0; i < size; i++)
        io_write_byte(r, off + i, (uint8_t)(v >> (8 * i)));
}

static uint64_t range_read(struct address_space *as, const struct flat_range *f, uint64_t addr,
                           unsigned size)
{
    const struct region *r = f->r;
    uint64_t off = addr - r->base;
    if (r->kind == REGION_IO) {
        uint64_t v = io_read(r, off, size);
        if (log_enabled(as->log_category))
            log_msg(as->log_category, "%s: read  %s+0x%llx size %u -> 0x%llx", as->name, r->name,
                    (unsigned long long)off, size, (unsigned long long)v);
        return v;
    }
    return load_le(r->host + off, size);
}

static void range_write(struct address_space *as, const struct flat_range *f, uint64_t addr,
                        uint64_t v, unsigned size)
{
    const struct region *r = f->r;
    uint64_t off = addr - r->base;
    switch (r->kind) {
    case REGION_RAM: store_le(r->host + off, v, size); break;
    case REGION_ROM:
        guest_log("%s: write to ROM %s+0x%llx ignored", as->name, r->name, (unsigned long long)off);
        break;
    case REGION_IO:
        if (log_enabled(as->log_category))
            log_msg(as->log_category, "%s: write %s+0x%llx size %u <- 0x%llx", as->name, r->name,
                    (unsigned long long)off, size, (unsigned long long)v);
        io_write(r, off, v, size);
        break;
    }
}

uint64_t as_read(struct address_space *as, uint64_t addr, unsigned size)
{
    const struct flat_range *f = as_lookup(as, addr);
    if (f && size - 1 <= f->end - addr)
        return range_read(as, f, addr, size);
    if (!f && size == 1) {
        guest_log("%s: read of unassigned address 0x%llx", as->name, (unsigned long long)addr);
        return 0xff;
    }
    /* Straddles two ranges or a hole: byte by byte. */
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= as_read(as, addr + i, 1) << (8 * i);
    return v;
}

void as_write(struct address_space *as, uint64_t addr, uint64_t value, unsigned size)
{
    const struct flat_range *f = as_lookup(as, addr);
    if (f && size - 1 <= f->end - addr) {
        range_write(as, f, addr, value, size);
        return;
    }
    if (!f && size == 1) {
        guest_log("%s: write of unassigned address 0x%llx <- 0x%llx", as->name,
                  (unsigned long long)addr, (unsigned long long)value);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        as_write(as, addr + i, (value >> (8 * i)) & 0xff, 1);
}

/* true if [addr, addr+len) is covered by ranges with no hole */
static bool as_covered(const struct address_space *as, uint64_t addr, size_t len)
{
    if (len == 0)
        return true;
    if (addr > UINT64_MAX - (len - 1))
        return false;
    uint64_t last = addr + (len - 1);
    while (1) {
        const struct flat_range *f = as_lookup(as, addr);
        if (!f)
            return false;
        if (f->end >= last)
            return true;
        addr = f->end + 1;
    }
}

static bool as_rw_buf(struct address_space *as, uint64_t addr, uint8_t *buf, size_t len, bool write,
                      bool rom_writable)
{
    if (!as_covered(as, addr, len))
        return false;
    while (len) {
        const struct flat_range *f = as_lookup(as, addr);
        uint64_t avail = f->end - addr;
        size_t n = avail >= len - 1 ? len : (size_t)avail + 1;
        const struct region *r = f->r;
        uint64_t off = addr - r->base;
        if (r->kind == REGION_RAM || (r->kind == REGION_ROM && (!write || rom_writable))) {
            if (write)
                memcpy(r->host + off, buf, n);
            else
                memcpy(buf, r->host + off, n);
        } else if (r->kind == REGION_IO) {
            for (size_t i = 0; i < n; i++) {
                if (write)
                    io_write(r, off + i, buf[i], 1);
                else
                    buf[i] = (uint8_t)io_read(r, off + i, 1);
            }
        } /* else: write to ROM, ignored */
        addr += n;
        buf += n;
        len -= n;
    }
    return true;
}

bool as_write_buf(struct address_space *as, uint64_t addr, const void *buf, size_t len,
                  bool rom_writable)
{
    return as_rw_buf(as, addr, (uint8_t *)buf, len, true, rom_writable);
}

bool as_read_buf(struct address_space *as, uint64_t addr, void *buf, size_t len)
{
    return as_rw_buf(as, addr, buf, len, false, false);
}

void *as_ram_ptr(const struct address_space *as, uint64_t addr, uint64_t len, bool write)
{
    const struct flat_range *f = as_lookup(as, addr);
    if (!f || len == 0 || len - 1 > f->end - addr)
        return NULL;
    const struct region *r = f->r;
    if (r->kind == REGION_RAM || (r->kind == REGION_ROM && !write))
        return r->host + (addr - r->base);
    return NULL;
}

uint8_t *ram_alloc(uint64_t size)
{
    if (size == 0 || size > (uint64_t)SIZE_MAX)
        return NULL;
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    return p;
}

void ram_free(uint8_t *p, uint64_t size)
{
    if (p)
        munmap(p, (size_t)size);
}
