/*
 * accel.h - the engine interface: what executes guest instructions.
 *
 * One ops table per engine (kvm, interp, jit).  Chosen once at start with
 * -accel; "auto" picks the first available engine in accel_table order
 * (KVM when it can run this guest, else the fastest emulator).  Nothing
 * outside accel/ knows which engine runs.
 *
 * Life cycle: probe -> init (VM, memory map from m->mem) -> start (vCPU
 * threads running) -> stop (threads joined) -> destroy.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct machine;

struct accel_ops {
    const char *name;
    const char *desc;
    /* Can this engine run on this host?  If not, why (one line, no newline). */
    bool (*probe)(char *why, size_t len);
    /* Create the VM and vCPUs; false on host failure (reported). */
    bool (*init)(struct machine *m);
    /* Start running all vCPUs (threads or scheduling). */
    void (*start)(struct machine *m);
    /* Stop all vCPUs and wait for them (called from the main thread). */
    void (*stop)(struct machine *m);
    /* The INTR pin or another wakeup condition changed: make vCPUs look. */
    void (*kick)(struct machine *m);
    /* Print engine statistics (-stats). */
    void (*print_stats)(struct machine *m, FILE *f);
    void (*destroy)(struct machine *m);
};

/* Look up an engine by name; NULL if unknown. */
const struct accel_ops *accel_find(const char *name);
/*
 * Resolve -accel (NULL or "auto" allowed).  Returns NULL after reporting
 * one clear line: unknown engine, or engine not available and why.
 */
const struct accel_ops *accel_select(const char *name);
void accel_print_list(FILE *f);

#endif
