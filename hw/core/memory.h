/*
 * memory.h - guest RAM, the physical address space and the x86 port space.
 *
 * Contract
 *   An address_space is a set of regions {base, size, kind, priority}.  A
 *   region is RAM (host memory, read/write), ROM (host memory, writes
 *   ignored) or IO (a device's io_ops).  Regions may overlap: at every
 *   address the region with the highest priority wins; two overlapping
 *   regions with the same priority are refused.  Lookups go through a
 *   flattened, sorted view that is rebuilt whenever the region set changes,
 *   so a lookup is one binary search.
 *
 *   Every device is reached through one ops type, whatever engine runs the
 *   guest: the interpreter's TLB miss and KVM's KVM_EXIT_MMIO/KVM_EXIT_IO all
 *   end in as_read()/as_write().  Devices never know which engine called.
 *
 *   Access sizes: an ops table declares the sizes it implements
 *   (min_size..max_size, powers of two, default 1..8).  Wider accesses are
 *   split into little-endian pieces; narrower ones are widened (reads
 *   extract the bytes, writes become read-modify-write).  Misaligned
 *   accesses are split likewise.  An access that straddles two regions is
 *   split byte by byte.  Reads of holes return all ones; writes to holes
 *   and ROM are ignored (logged under -d guest_errors).
 *
 *   Locking: the address space is not locked.  Callers that run on vCPU
 *   threads take the machine lock around device dispatch (see machine.h).
 *   Regions are added during machine construction only.
 */
#ifndef HW_CORE_MEMORY_H
#define HW_CORE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_ops {
    /* offset is relative to the region's base; size is 1, 2, 4 or 8. */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    unsigned min_size; /* 0 means 1 */
    unsigned max_size; /* 0 means 8 */
};

enum region_kind { REGION_RAM, REGION_ROM, REGION_IO };

struct region {
    const char *name;
    uint64_t base;
    uint64_t size;
    enum region_kind kind;
    int priority;
    uint8_t *host;            /* RAM/ROM: host memory backing the region */
    const struct io_ops *ops; /* IO */
    void *opaque;             /* IO */
};

/* One piece of the flattened view: [start, end] belongs to region r. */
struct flat_range {
    uint64_t start;
    uint64_t end; /* inclusive, so a range may reach 2^64 - 1 */
    const struct region *r;
};

struct address_space {
    const char *name;
    uint64_t size; /* addresses >= size do not exist (port space: 64 KiB) */
    struct region **regions;
    size_t nregions;
    struct flat_range *flat;
    size_t nflat;
    unsigned log_category; /* -d category for device accesses (LOG_MMIO by default) */
};

struct address_space *as_new(const char *name, uint64_t size);
void as_free(struct address_space *as);

/*
 * Add a region.  Returns NULL (and reports nothing) if it overlaps a
 * region of the same priority, is empty, or extends past the space.
 * The returned region is owned by the address space.
 */
struct region *as_add_ram(struct address_space *as, const char *name, uint64_t base, uint64_t size,
                          uint8_t *host, int priority);
struct region *as_add_rom(struct address_space *as, const char *name, uint64_t base, uint64_t size,
                          uint8_t *host, int priority);
struct region *as_add_io(struct address_space *as, const char *name, uint64_t base, uint64_t size,
                         const struct io_ops *ops, void *opaque, int priority);

/* The flat range containing addr, or NULL for a hole. */
const struct flat_range *as_lookup(const struct address_space *as, uint64_t addr);

/* Single access of 1, 2, 4 or 8 bytes (little-endian), any alignment. */
uint64_t as_read(struct address_space *as, uint64_t addr, unsigned size);
void as_write(struct address_space *as, uint64_t addr, uint64_t value, unsigned size);

/*
 * Byte-buffer access (loaders, DMA).  RAM and ROM are copied directly
 * (ROM is writable here when rom_writable is true, which is how loaders
 * fill firmware); IO regions see byte accesses.  Returns false if any part
 * of [addr, addr+len) is a hole or past the end; nothing is written then.
 */
bool as_write_buf(struct address_space *as, uint64_t addr, const void *buf, size_t len,
                  bool rom_writable);
bool as_read_buf(struct address_space *as, uint64_t addr, void *buf, size_t len);

/*
 * Host pointer for [addr, addr+len) if it lies wholly inside one RAM (or,
 * for reads, ROM) region; NULL otherwise.  The fast path for engines.
 */
void *as_ram_ptr(const struct address_space *as, uint64_t addr, uint64_t len, bool write);

/* Guest RAM: anonymous host mapping, zero-filled, with MADV_MERGEABLE off. */
uint8_t *ram_alloc(uint64_t size);
void ram_free(uint8_t *p, uint64_t size);

#endif
