/*
 * kvm.h - internals shared by the KVM engine's common part (kvm.c) and its
 * per-architecture part (kvm-x86.c).  Not used outside accel/.
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/core/machine.h"

struct kvm_vcpu {
    struct machine *m;
    struct kvm_accel *k;
    int index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;
    /* Statistics, owned by this vCPU's thread, read after it stopped. */
    uint64_t exits[STAT_NR];
    int64_t guest_ns; /* time spent inside KVM_RUN */
    int64_t run_start_ns;
};

struct kvm_accel {
    int vm_fd;
    int run_size;
    int nvcpus;
    struct kvm_vcpu *vcpus;
    pthread_cond_t wake;      /* with the machine lock: halted vCPUs wait here */
    uint32_t *port_exits;     /* per-port I/O exit counts (-stats only) */
    int64_t first_run_ns;     /* host time of the first KVM_RUN */
    int64_t first_run_cpu_ns; /* process CPU time (all threads) at that moment */
    int64_t start_ns, stop_ns;
    void *arch;
};

/* kvm.c */
int kvm_dev_fd(void);

/* kvm-x86.c: architecture hooks called by the common run loop. */
bool kvm_arch_init_vm(struct kvm_accel *k);
bool kvm_arch_init_vcpu(struct kvm_vcpu *v);
/* Load the board's start state into the vCPU (at start and after reset). */
bool kvm_arch_load_state(struct kvm_vcpu *v, const struct x86_state *s);
/* Called with the machine lock held just before KVM_RUN: inject interrupts. */
void kvm_arch_pre_run(struct kvm_vcpu *v);
/* true when a halted vCPU has something to do (called with the lock held). */
bool kvm_arch_has_work(struct kvm_vcpu *v);
/* One line of register state for error reports. */
void kvm_arch_dump_regs(struct kvm_vcpu *v, FILE *f);
void kvm_arch_destroy(struct kvm_accel *k);

#endif
