/*
 * kvm.c - the KVM engine, common part: VM and memory slots built from the
 * address space, one thread per vCPU, and THE run loop (kvm_vcpu_loop):
 * every KVM_EXIT_IO/KVM_EXIT_MMIO goes through the same as_read()/as_write()
 * the emulators use.
 *
 * Interrupts: the interrupt controller lives in userspace (hw/intc/i8259.c)
 * and is delivered with KVM_INTERRUPT by the arch part, so HLT and
 * interrupt-window exits come to us and are counted (-stats).
 *
 * Kicks: a vCPU thread blocked in KVM_RUN is interrupted with SIGUSR1;
 * run->immediate_exit closes the race with a kick that lands just before
 * the ioctl.  A halted vCPU (HLT exit) waits on a condition variable.
 */
#include "accel/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/accel.h"
#include "hw/core/clock.h"
#include "hw/core/mainloop.h"
#include "janus/util.h"

#define KICK_SIGNAL SIGUSR1

static int kvm_fd = -1;

int kvm_dev_fd(void)
{
    return kvm_fd;
}

/* The device path can be overridden for tests ("what if /dev/kvm is missing"). */
static const char *kvm_device_path(void)
{
    const char *p = getenv("JANUS_KVM_DEVICE");
    return p && *p ? p : "/dev/kvm";
}

static bool kvm_probe(char *why, size_t len)
{
    if (kvm_fd >= 0)
        return true;
    const char *path = kvm_device_path();
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            snprintf(why, len,
                     "KVM is not available: %s does not exist (no kvm module, or not a KVM-capable "
                     "host)",
                     path);
        else if (e == EACCES || e == EPERM)
            snprintf(why, len, "no permission to open %s (run as root or join the 'kvm' group)",
                     path);
        else
            snprintf(why, len, "cannot open %s: %s", path, strerror(e));
        return false;
    }
    int api = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        snprintf(why, len, "%s: KVM API version %d, janus needs %d", path, api, KVM_API_VERSION);
        close(fd);
        return false;
    }
    static const struct {
        int cap;
        const char *name;
    } needed[] = {
        {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
        {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
        {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
        if (ioctl(fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
            snprintf(why, len, "%s lacks %s", path, needed[i].name);
            close(fd);
            return false;
        }
    }
    kvm_fd = fd;
    return true;
}

static void kick_handler(int sig)
{
    (void)sig;
}

static bool kvm_set_slots(struct machine *m, struct kvm_accel *k)
{
    int nslots = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    bool ro_ok = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
    uint32_t slot = 0;
    for (size_t i = 0; i < m->mem->nflat; i++) {
        const struct flat_range *f = &m->mem->flat[i];
        const struct region *r = f->r;
        if (r->kind == REGION_IO || (r->kind == REGION_ROM && !ro_ok))
            continue; /* ROM without readonly slots: every access exits (slow but right) */
        uint64_t size = f->end - f->start + 1;
        if ((f->start | size) & 0xfff) {
            report_error("kvm: memory range %s at 0x%llx (+0x%llx) is not page aligned", r->name,
                         (unsigned long long)f->start, (unsigned long long)size);
            return false;
        }
        if (nslots > 0 && (int)slot >= nslots) {
            report_error("kvm: too many memory slots (host allows %d)", nslots);
            return false;
        }
        struct kvm_userspace_memory_region mr = {
            .slot = slot++,
            .flags = r->kind == REGION_ROM ? KVM_MEM_READONLY : 0,
            .guest_phys_addr = f->start,
            .memory_size = size,
            .userspace_addr = (uint64_t)(uintptr_t)(r->host + (f->start - r->base)),
        };
        if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
            report_error("kvm: KVM_SET_USER_MEMORY_REGION for %s (%llu MiB at 0x%llx) refused: %s",
                         r->name, (unsigned long long)(size >> 20), (unsigned long long)f->start,
                         strerror(errno));
            return false;
        }
    }
    return true;
}

static bool kvm_init(struct machine *m)
{
    struct kvm_accel *k = xzalloc(sizeof(*k));
    m->accel_state = k;
    pthread_cond_init(&k->wake, NULL);

    int vm = -1;
    for (int tries = 0; tries < 10; tries++) {
        vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
        if (vm >= 0 || errno != EINTR)
            break;
    }
    if (vm < 0) {
        report_error("kvm: KVM_CREATE_VM failed: %s", strerror(errno));
        return false;
    }
    k->vm_fd = vm;
    k->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (k->run_size < (int)sizeof(struct kvm_run)) {
        report_error("kvm: KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
        return false;
    }
    int max = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (max <= 0)
        max = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    if (max > 0 && m->ncpus > max) {
        report_error("-smp %d: this host's KVM allows at most %d vCPUs", m->ncpus, max);
        return false;
    }
    if (!kvm_arch_init_vm(k) || !kvm_set_slots(m, k))
        return false;

    k->nvcpus = m->ncpus;
    k->vcpus = xzalloc(sizeof(*k->vcpus) * (size_t)k->nvcpus);
    for (int i = 0; i < k->nvcpus; i++) {
        struct kvm_vcpu *v = &k->vcpus[i];
        v->m = m;
        v->k = k;
        v->index = i;
        v->fd = ioctl(vm, KVM_CREATE_VCPU, i);
        if (v->fd < 0) {
            report_error("kvm: KVM_CREATE_VCPU %d failed: %s", i, strerror(errno));
            return false;
        }
        v->run = mmap(NULL, (size_t)k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
        if (v->run == MAP_FAILED) {
            v->run = NULL;
            report_error("kvm: cannot map the vCPU %d run area: %s", i, strerror(errno));
            return false;
        }
        if (!kvm_arch_init_vcpu(v))
            return false;
    }
    if (m->cfg && m->cfg->stats)
        k->port_exits = xzalloc(sizeof(*k->port_exits) * 0x10000);

    struct sigaction sa = {.sa_handler = kick_handler};
    sigemptyset(&sa.sa_mask);
    sigaction(KICK_SIGNAL, &sa, NULL);
    return true;
}

static void vcpu_fatal(struct kvm_vcpu *v, const char *what)
{
    report_error("kvm: vCPU %d: %s", v->index, what);
    kvm_arch_dump_regs(v, stderr);
    mainloop_request_exit(1);
}

static void handle_io(struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    struct address_space *io = v->m->io;
    unsigned size = run->io.size;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    if (v->k->port_exits)
        v->k->port_exits[run->io.port]++;
    /* data_offset/size/count come from the kernel, but stay inside the mapping anyway */
    if (size != 1 && size != 2 && size != 4)
        return;
    if (run->io.data_offset > (uint64_t)v->k->run_size ||
        (uint64_t)size * run->io.count > (uint64_t)v->k->run_size - run->io.data_offset)
        return;
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint64_t val = 0;
            memcpy(&val, data, size); /* x86 host: little-endian */
            as_write(io, run->io.port, val, size);
        } else {
            uint64_t val = as_read(io, run->io.port, size);
            memcpy(data, &val, size);
        }
    }
}

static void handle_mmio(struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    unsigned len = run->mmio.len;
    if (len == 0 || len > 8)
        return;
    if (run->mmio.is_write) {
        uint64_t val = 0;
        memcpy(&val, run->mmio.data, len);
        as_write(v->m->mem, run->mmio.phys_addr, val, len);
    } else {
        uint64_t val = as_read(v->m->mem, run->mmio.phys_addr, len);
        memcpy(run->mmio.data, &val, len);
    }
}

/* Wait (lock held) until the halted vCPU has work or must stop. */
static void vcpu_wait_halted(struct kvm_vcpu *v, bool can_wake)
{
    while (!atomic_load(&v->stop) && !mainloop_exit_requested() &&
           !(can_wake && kvm_arch_has_work(v)))
        machine_cond_wait(&v->k->wake);
}

/* THE KVM run loop. */
static void kvm_vcpu_loop(struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    struct machine *m = v->m;
    for (;;) {
        __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        machine_lock();
        if (atomic_load(&v->stop) || mainloop_exit_requested()) {
            machine_unlock();
            return;
        }
        kvm_arch_pre_run(v);
        machine_unlock();

        int64_t t0 = host_clock_ns();
        if (!v->k->first_run_ns) {
            struct timespec cpu;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
            v->k->first_run_cpu_ns = (int64_t)cpu.tv_sec * NS_PER_SEC + cpu.tv_nsec;
            v->k->first_run_ns = t0;
        }
        int r = ioctl(v->fd, KVM_RUN, 0);
        int err = errno;
        v->guest_ns += host_clock_ns() - t0;
        if (r < 0) {
            if (err == EINTR || err == EAGAIN) {
                v->exits[STAT_EXIT_INTR]++;
                continue;
            }
            errno = err;
            machine_lock();
            char msg[128];
            snprintf(msg, sizeof(msg), "KVM_RUN failed: %s", strerror(err));
            vcpu_fatal(v, msg);
            machine_unlock();
            return;
        }

        machine_lock();
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            v->exits[STAT_EXIT_IO]++;
            handle_io(v);
            break;
        case KVM_EXIT_MMIO:
            v->exits[STAT_EXIT_MMIO]++;
            handle_mmio(v);
            break;
        case KVM_EXIT_HLT:
            v->exits[STAT_EXIT_HLT]++;
            /* With IF=0 a halted CPU sleeps until NMI/reset: only a stop wakes it. */
            vcpu_wait_halted(v, run->if_flag);
            break;
        case KVM_EXIT_IRQ_WINDOW_OPEN: v->exits[STAT_EXIT_IRQ_WINDOW]++; break;
        case KVM_EXIT_INTR: v->exits[STAT_EXIT_INTR]++; break;
        case KVM_EXIT_SHUTDOWN:
            v->exits[STAT_EXIT_SHUTDOWN]++;
            if (log_enabled(LOG_GUEST_ERROR)) {
                log_msg(LOG_GUEST_ERROR, "kvm: vCPU %d: shutdown (triple fault)", v->index);
                kvm_arch_dump_regs(v, stderr);
            }
            machine_request_shutdown(m);
            vcpu_wait_halted(v, false);
            break;
        case KVM_EXIT_SYSTEM_EVENT:
            v->exits[STAT_EXIT_SHUTDOWN]++;
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
                machine_request_reset(m);
            else
                machine_request_shutdown(m);
            vcpu_wait_halted(v, false);
            break;
        case KVM_EXIT_FAIL_ENTRY: {
            char msg[128];
            snprintf(msg, sizeof(msg), "VM entry failed (hardware reason 0x%llx)",
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            v->exits[STAT_EXIT_OTHER]++;
            vcpu_fatal(v, msg);
            break;
        }
        case KVM_EXIT_INTERNAL_ERROR: {
            char msg[128];
            snprintf(msg, sizeof(msg), "KVM internal error (suberror %u)", run->internal.suberror);
            v->exits[STAT_EXIT_OTHER]++;
            vcpu_fatal(v, msg);
            break;
        }
        default: {
            char msg[128];
            snprintf(msg, sizeof(msg), "unhandled exit reason %u", run->exit_reason);
            v->exits[STAT_EXIT_OTHER]++;
            vcpu_fatal(v, msg);
            break;
        }
        }
        machine_unlock();
    }
}

static void *vcpu_thread(void *arg)
{
    struct kvm_vcpu *v = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigemptyset(&set);
    sigaddset(&set, KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);

    if (v->index != 0) {
        /*
         * Application processors wait for INIT/SIPI, which needs the local
         * APIC that arrives with the full PC board; until then they sleep.
         */
        machine_lock();
        vcpu_wait_halted(v, false);
        machine_unlock();
        return NULL;
    }
    kvm_vcpu_loop(v);
    return NULL;
}

static void kvm_start(struct machine *m)
{
    struct kvm_accel *k = m->accel_state;
    if (!k->start_ns)
        k->start_ns = host_clock_ns();
    for (int i = 0; i < k->nvcpus; i++) {
        struct kvm_vcpu *v = &k->vcpus[i];
        struct x86_state s;
        m->board->boot_state(m, i, &s);
        if (!kvm_arch_load_state(v, &s)) {
            mainloop_request_exit(1);
            return;
        }
        atomic_store(&v->stop, false);
        /* vCPU threads block the kick signal until they run: inherit a mask with it blocked */
        sigset_t set, old;
        sigemptyset(&set);
        sigaddset(&set, KICK_SIGNAL);
        pthread_sigmask(SIG_BLOCK, &set, &old);
        int e = pthread_create(&v->thread, NULL, vcpu_thread, v);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (e) {
            errno = e;
            die_errno("cannot create the thread for vCPU %d", i);
        }
        v->thread_started = true;
    }
}

static void kvm_kick_vcpu(struct kvm_vcpu *v)
{
    if (v->run)
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (v->thread_started)
        pthread_kill(v->thread, KICK_SIGNAL);
}

/* Called with the machine lock held. */
static void kvm_kick(struct machine *m)
{
    struct kvm_accel *k = m->accel_state;
    if (!k)
        return;
    pthread_cond_broadcast(&k->wake);
    kvm_kick_vcpu(&k->vcpus[0]);
}

static void kvm_stop(struct machine *m)
{
    struct kvm_accel *k = m->accel_state;
    if (!k || !k->vcpus)
        return;
    machine_lock();
    for (int i = 0; i < k->nvcpus; i++)
        atomic_store(&k->vcpus[i].stop, true);
    pthread_cond_broadcast(&k->wake);
    machine_unlock();
    for (int i = 0; i < k->nvcpus; i++) {
        struct kvm_vcpu *v = &k->vcpus[i];
        if (!v->thread_started)
            continue;
        /* Keep kicking until the thread leaves KVM_RUN (a kick may land between checks). */
        for (;;) {
            kvm_kick_vcpu(v);
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 10 * 1000 * 1000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            if (pthread_timedjoin_np(v->thread, NULL, &ts) == 0)
                break;
        }
        v->thread_started = false;
    }
    k->stop_ns = host_clock_ns();
}

static const char *const stat_names[STAT_NR] = {
    [STAT_EXIT_IO] = "I/O port",
    [STAT_EXIT_MMIO] = "MMIO",
    [STAT_EXIT_HLT] = "HLT",
    [STAT_EXIT_IRQ_WINDOW] = "interrupt window",
    [STAT_EXIT_INTR] = "host signal/kick",
    [STAT_EXIT_SHUTDOWN] = "shutdown",
    [STAT_EXIT_OTHER] = "other/error",
    [STAT_IRQ_INJECTED] = "interrupts injected",
};

static void kvm_print_stats(struct machine *m, FILE *f)
{
    struct kvm_accel *k = m->accel_state;
    if (!k)
        return;
    uint64_t tot[STAT_NR] = {0};
    int64_t guest_ns = 0;
    for (int i = 0; i < k->nvcpus; i++) {
        for (int s = 0; s < STAT_NR; s++)
            tot[s] += k->vcpus[i].exits[s];
        guest_ns += k->vcpus[i].guest_ns;
    }
    int64_t end = k->stop_ns ? k->stop_ns : host_clock_ns();
    double wall = (double)(end - k->start_ns) / 1e9;
    uint64_t nexits = 0;
    for (int s = 0; s < STAT_IRQ_INJECTED; s++)
        nexits += tot[s];
    fprintf(f, "janus stats (engine: kvm, %d vCPU%s)\n", k->nvcpus, k->nvcpus > 1 ? "s" : "");
    if (k->first_run_ns)
        fprintf(f, "  startup           %10.3f ms  main() to first KVM_RUN (%.3f ms process CPU)\n",
                (double)(k->first_run_ns - m->start_ns) / 1e6, (double)k->first_run_cpu_ns / 1e6);
    fprintf(f, "  run time          %10.3f s   wall clock while vCPUs ran\n", wall);
    fprintf(f, "  in guest          %10.3f s   inside KVM_RUN (all vCPUs)\n",
            (double)guest_ns / 1e9);
    fprintf(f, "  VM exits          %10llu     %.0f per second\n", (unsigned long long)nexits,
            wall > 0 ? (double)nexits / wall : 0.0);
    for (int s = 0; s < STAT_IRQ_INJECTED; s++)
        fprintf(f, "    %-18s %10llu\n", stat_names[s], (unsigned long long)tot[s]);
    fprintf(f, "  %-20s %10llu\n", stat_names[STAT_IRQ_INJECTED],
            (unsigned long long)tot[STAT_IRQ_INJECTED]);
    if (k->port_exits && tot[STAT_EXIT_IO]) {
        fprintf(f, "  busiest I/O ports:");
        uint32_t shown[5] = {0};
        for (int n = 0; n < 5; n++) {
            int best = -1;
            for (int p = 0; p < 0x10000; p++) {
                bool dup = false;
                for (int j = 0; j < n; j++)
                    dup |= shown[j] == (uint32_t)p + 1;
                if (!dup && k->port_exits[p] &&
                    (best < 0 || k->port_exits[p] > k->port_exits[best]))
                    best = p;
            }
            if (best < 0)
                break;
            shown[n] = (uint32_t)best + 1;
            fprintf(f, " 0x%x=%u", best, k->port_exits[best]);
        }
        fprintf(f, "\n");
    }
}

static void kvm_destroy(struct machine *m)
{
    struct kvm_accel *k = m->accel_state;
    if (!k)
        return;
    for (int i = 0; k->vcpus && i < k->nvcpus; i++) {
        struct kvm_vcpu *v = &k->vcpus[i];
        if (v->run)
            munmap(v->run, (size_t)k->run_size);
        if (v->fd > 0)
            close(v->fd);
    }
    kvm_arch_destroy(k);
    if (k->vm_fd > 0)
        close(k->vm_fd);
    free(k->vcpus);
    free(k->port_exits);
    free(k);
    m->accel_state = NULL;
}

const struct accel_ops kvm_accel_ops = {
    .name = "kvm",
    .desc = "hardware virtualization through /dev/kvm",
    .probe = kvm_probe,
    .init = kvm_init,
    .start = kvm_start,
    .stop = kvm_stop,
    .kick = kvm_kick,
    .print_stats = kvm_print_stats,
    .destroy = kvm_destroy,
};
