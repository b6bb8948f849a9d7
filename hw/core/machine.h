/*
 * machine.h - the machine every engine runs: configuration, memory, I/O
 * spaces, vCPUs, reset and exit.
 *
 * Construction order (main.c): parse options into a machine_config ->
 * machine_new() -> the board's init() creates RAM, devices and loads
 * images -> choose an accelerator (accel.h; an engine named with -accel
 * is checked before machine_new) -> accel init (VM, vCPUs) ->
 * machine_reset() -> accel start -> mainloop_run() -> accel stop ->
 * machine_free() (which runs the devices' cleanups).
 *
 * Exactly one machine exists per process; device callbacks run with the
 * machine lock (mainloop.h) held.
 */
#ifndef HW_CORE_MACHINE_H
#define HW_CORE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/x86/state.h"
#include "hw/core/memory.h"

#define MAX_SERIAL 4
#define MAX_DEVICES 32
#define MAX_CPUS 64

struct machine_config {
    const char *machine;            /* -M, default "pc" */
    uint64_t ram_size;              /* -m, bytes */
    int smp;                        /* -smp */
    const char *cpu_model;          /* -cpu */
    const char *accel;              /* -accel: kvm, interp, auto */
    const char *kernel;             /* -kernel */
    const char *initrd;             /* -initrd */
    const char *append;             /* -append */
    const char *bios;               /* -bios */
    const char *serial[MAX_SERIAL]; /* -serial specs (NULL: board default) */
    int nserial;
    const char *debugcon;            /* -debugcon spec */
    const char *device[MAX_DEVICES]; /* -device strings */
    int ndevice;
    const char *drive[MAX_DEVICES]; /* -drive strings (stored for later boards) */
    int ndrive;
    const char *netdev[MAX_DEVICES]; /* -netdev strings */
    int nnetdev;
    const char *display; /* -display */
    const char *monitor; /* -monitor */
    bool nographic;
    bool no_reboot;
    bool no_shutdown;
    bool stats;             /* -stats: print run time and VM exits at exit */
};

/* Data a loader placed in memory; rewritten at every machine reset. */
struct machine_blob {
    char *name;
    uint64_t addr;
    uint8_t *data;
    size_t len;
    uint64_t zero_len; /* zero bytes following the data (an ELF segment's bss) */
};

typedef void reset_fn(void *opaque);

struct machine;
struct accel_ops;

struct board_ops {
    const char *name;
    const char *desc;
    /* Build the machine: RAM, devices, images.  false = config error (reported). */
    bool (*init)(struct machine *m);
    /* Fill the boot CPU's start state (after a reset). */
    void (*boot_state)(struct machine *m, int cpu, struct x86_state *s);
    /* -device help */
    void (*print_devices)(FILE *f);
};

/* Per-exit-reason counters kept by the engine, printed by -stats. */
enum exit_stat {
    STAT_EXIT_IO,         /* port I/O exit */
    STAT_EXIT_MMIO,       /* MMIO exit */
    STAT_EXIT_HLT,        /* HLT */
    STAT_EXIT_IRQ_WINDOW, /* interrupt window opened */
    STAT_EXIT_INTR,       /* signal/kick (host interrupted KVM_RUN) */
    STAT_EXIT_SHUTDOWN,   /* shutdown / triple fault */
    STAT_EXIT_OTHER,
    STAT_IRQ_INJECTED, /* interrupts injected (not an exit) */
    STAT_NR,
};

struct machine {
    struct machine_config *cfg;
    const struct board_ops *board;
    const struct accel_ops *accel;
    void *accel_state;

    struct address_space *mem; /* guest physical */
    struct address_space *io;  /* x86 ports (64 KiB) */
    uint8_t *ram;
    uint64_t ram_size;
    void *board_state; /* plain struct, freed with free() by machine_free() */

    int ncpus;

    /*
     * x86 INTR pin of the boot CPU: the board connects its interrupt
     * controller's output here; engines poll intr_level and call
     * intr_ack() to fetch the vector when they can deliver.
     */
    bool intr_level;
    int (*intr_ack)(void *opaque);
    void *intr_opaque;

    struct machine_blob *blobs;
    size_t nblobs;
    struct {
        reset_fn *fn;
        void *opaque;
    } * resets;
    size_t nresets;
    struct {
        reset_fn *fn;
        void *opaque;
    } * cleanups;
    size_t ncleanups;

    /* Statistics (see -stats). */
    int64_t start_ns; /* host time main() started (engines count exits themselves) */
};

struct machine *machine_new(struct machine_config *cfg);
void machine_free(struct machine *m);
const struct board_ops *machine_find_board(const char *name);
void machine_print_boards(FILE *f);

/* Called at every machine reset, in registration order. */
void machine_register_reset(struct machine *m, reset_fn *fn, void *opaque);
/* Called by machine_free(), in reverse registration order: devices free their state. */
void machine_register_cleanup(struct machine *m, reset_fn *fn, void *opaque);
/* Reset devices (in registration order) and rewrite loader blobs. */
void machine_reset(struct machine *m);

/*
 * Copy data into guest memory now and at every reset.  Fails (false,
 * reported with name) when [addr, addr+len) is not entirely RAM/ROM.
 */
bool machine_add_blob(struct machine *m, const char *name, uint64_t addr, const void *data,
                      size_t len);
/* The same, followed by zero_len zero bytes (kept as a count, not a buffer). */
bool machine_add_blob_zeroed(struct machine *m, const char *name, uint64_t addr, const void *data,
                             size_t len, uint64_t zero_len);
/* true if [addr, addr+len) is entirely guest RAM/ROM (what blobs accept). */
bool machine_range_is_memory(struct machine *m, uint64_t addr, uint64_t len);

/* Interrupt controller output -> CPU INTR pin (kicks the engine). */
void machine_set_intr(struct machine *m, bool level);

/* Guest-initiated events. */
void machine_request_shutdown(struct machine *m); /* triple fault / power off */
void machine_request_reset(struct machine *m);

#endif
