/*
 * kvm-x86.c - the KVM engine's x86 part: CPUID and MSRs from what this
 * host's KVM reports, register state conversion, interrupt injection from
 * the userspace interrupt controller.
 *
 * MSRs: only MSRs listed by KVM_GET_MSR_INDEX_LIST are written, one at a
 * time, and a refusal is logged (-d unimp), not fatal: some KVMs (PVM)
 * refuse MSRs that are architecturally present (e.g. 0x10a).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "accel/kvm.h"
#include "janus/util.h"

/* KVM's internal addresses (below 4 GiB, above usual RAM) as QEMU places them. */
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000ULL
#define KVM_TSS_ADDR 0xfeffd000ULL

#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

struct kvm_x86 {
    struct kvm_cpuid2 *cpuid; /* supported CPUID, shared template */
    struct kvm_msr_list *msrs;
};

static bool msr_listed(const struct kvm_x86 *a, uint32_t index)
{
    for (uint32_t i = 0; i < a->msrs->nmsrs; i++)
        if (a->msrs->indices[i] == index)
            return true;
    return false;
}

bool kvm_arch_init_vm(struct kvm_accel *k)
{
    struct kvm_x86 *a = xzalloc(sizeof(*a));
    k->arch = a;
    int kfd = kvm_dev_fd();

    if (ioctl(kfd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
        uint64_t addr = KVM_IDENTITY_MAP_ADDR;
        if (ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0) {
            report_error("kvm: KVM_SET_IDENTITY_MAP_ADDR refused: %s", strerror(errno));
            return false;
        }
    }
    if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
        report_error("kvm: KVM_SET_TSS_ADDR refused: %s", strerror(errno));
        return false;
    }

    for (int n = 256;; n *= 2) {
        struct kvm_cpuid2 *c = xzalloc(sizeof(*c) + sizeof(c->entries[0]) * (size_t)n);
        c->nent = (uint32_t)n;
        if (ioctl(kfd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            a->cpuid = c;
            break;
        }
        int e = errno;
        free(c);
        if (e != E2BIG || n > 4096) {
            report_error("kvm: KVM_GET_SUPPORTED_CPUID failed: %s", strerror(e));
            return false;
        }
    }

    struct kvm_msr_list probe = {.nmsrs = 0};
    if (ioctl(kfd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
        report_error("kvm: KVM_GET_MSR_INDEX_LIST failed: %s", strerror(errno));
        return false;
    }
    a->msrs = xzalloc(sizeof(*a->msrs) + sizeof(uint32_t) * probe.nmsrs);
    a->msrs->nmsrs = probe.nmsrs;
    if (probe.nmsrs && ioctl(kfd, KVM_GET_MSR_INDEX_LIST, a->msrs) < 0) {
        report_error("kvm: KVM_GET_MSR_INDEX_LIST failed: %s", strerror(errno));
        return false;
    }
    return true;
}

static bool set_cpuid(struct kvm_vcpu *v)
{
    const struct kvm_x86 *a = v->k->arch;
    size_t sz = sizeof(*a->cpuid) + sizeof(a->cpuid->entries[0]) * a->cpuid->nent;
    struct kvm_cpuid2 *c = xmalloc(sz);
    memcpy(c, a->cpuid, sz);
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        switch (e->function) {
        case 1:
            /* Initial APIC ID and logical processor count. */
            e->ebx = (e->ebx & 0x0000ffffu) | ((uint32_t)v->index << 24) |
                     ((uint32_t)MIN(v->k->nvcpus, 255) << 16);
            /* No local APIC is modelled yet (userspace 8259 only). */
            e->edx &= ~CPUID_1_EDX_APIC;
            e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
            e->ecx |= CPUID_1_ECX_HYPERVISOR;
            break;
        case 0xb:
        case 0x1f:
            e->edx = (uint32_t)v->index; /* x2APIC ID */
            break;
        }
    }
    int r = ioctl(v->fd, KVM_SET_CPUID2, c);
    int e = errno;
    free(c);
    if (r < 0) {
        report_error("kvm: KVM_SET_CPUID2 refused: %s", strerror(e));
        return false;
    }
    return true;
}

static bool set_msr(struct kvm_vcpu *v, uint32_t index, uint64_t value)
{
    const struct kvm_x86 *a = v->k->arch;
    if (!msr_listed(a, index))
        return false;
    /* struct kvm_msrs ends in a flexible array: build it in a raw buffer. */
    union {
        struct kvm_msrs hdr;
        uint8_t raw[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
    } buf;
    memset(&buf, 0, sizeof(buf));
    buf.hdr.nmsrs = 1;
    buf.hdr.entries[0] = (struct kvm_msr_entry){.index = index, .data = value};
    int r = ioctl(v->fd, KVM_SET_MSRS, &buf);
    if (r != 1) {
        log_msg(LOG_UNIMP, "kvm: host KVM refused MSR 0x%x := 0x%llx", index,
                (unsigned long long)value);
        return false;
    }
    return true;
}

/* Architectural reset values of the MSRs KVM lets us set. */
static void reset_msrs(struct kvm_vcpu *v)
{
    static const struct {
        uint32_t index;
        uint64_t value;
    } resets[] = {
        {0x10, 0}, /* IA32_TIME_STAMP_COUNTER */
        {0x174, 0},
        {0x175, 0},
        {0x176, 0},                     /* SYSENTER_CS/ESP/EIP */
        {0x277, 0x0007040600070406ULL}, /* IA32_PAT */
        {0x1a0, 1},                     /* IA32_MISC_ENABLE: fast strings */
        {0xc0000081, 0},
        {0xc0000082, 0},
        {0xc0000083, 0},
        {0xc0000084, 0}, /* STAR.. */
        {0xc0000102, 0}, /* KERNEL_GS_BASE */
    };
    for (size_t i = 0; i < ARRAY_SIZE(resets); i++)
        set_msr(v, resets[i].index, resets[i].value);
}

bool kvm_arch_init_vcpu(struct kvm_vcpu *v)
{
    return set_cpuid(v);
}

static void seg_to_kvm(const struct x86_segment *s, struct kvm_segment *k)
{
    *k = (struct kvm_segment){
        .base = s->base,
        .limit = s->limit,
        .selector = s->selector,
        .type = s->type,
        .present = s->p,
        .dpl = s->dpl,
        .db = s->db,
        .s = s->s,
        .l = s->l,
        .g = s->g,
        .avl = s->avl,
        .unusable = s->unusable,
    };
}

bool kvm_arch_load_state(struct kvm_vcpu *v, const struct x86_state *s)
{
    struct kvm_sregs sregs;
    if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0) {
        report_error("kvm: KVM_GET_SREGS failed: %s", strerror(errno));
        return false;
    }
    struct kvm_segment *segs[X86_NSEG] = {&sregs.es, &sregs.cs, &sregs.ss,
                                          &sregs.ds, &sregs.fs, &sregs.gs};
    for (int i = 0; i < X86_NSEG; i++)
        seg_to_kvm(&s->seg[i], segs[i]);
    seg_to_kvm(&s->tr, &sregs.tr);
    seg_to_kvm(&s->ldt, &sregs.ldt);
    sregs.gdt = (struct kvm_dtable){.base = s->gdt.base, .limit = s->gdt.limit};
    sregs.idt = (struct kvm_dtable){.base = s->idt.base, .limit = s->idt.limit};
    sregs.cr0 = s->cr0;
    sregs.cr2 = s->cr2;
    sregs.cr3 = s->cr3;
    sregs.cr4 = s->cr4;
    sregs.cr8 = s->cr8;
    sregs.efer = s->efer;
    memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
    if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0) {
        report_error("kvm: KVM_SET_SREGS refused the start state: %s", strerror(errno));
        return false;
    }
    struct kvm_regs regs = {
        .rax = s->gpr[X86_RAX],
        .rbx = s->gpr[X86_RBX],
        .rcx = s->gpr[X86_RCX],
        .rdx = s->gpr[X86_RDX],
        .rsi = s->gpr[X86_RSI],
        .rdi = s->gpr[X86_RDI],
        .rsp = s->gpr[X86_RSP],
        .rbp = s->gpr[X86_RBP],
        .r8 = s->gpr[X86_R8],
        .r9 = s->gpr[X86_R9],
        .r10 = s->gpr[X86_R10],
        .r11 = s->gpr[X86_R11],
        .r12 = s->gpr[X86_R12],
        .r13 = s->gpr[X86_R13],
        .r14 = s->gpr[X86_R14],
        .r15 = s->gpr[X86_R15],
        .rip = s->rip,
        .rflags = s->rflags | X86_RFLAGS_FIXED,
    };
    if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
        report_error("kvm: KVM_SET_REGS failed: %s", strerror(errno));
        return false;
    }
    struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};
    if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
        report_error("kvm: KVM_SET_FPU failed: %s", strerror(errno));
        return false;
    }
    reset_msrs(v);
    return true;
}

void kvm_arch_pre_run(struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    struct machine *m = v->m;
    if (v->index != 0 || !m->intr_level || !m->intr_ack) {
        run->request_interrupt_window = 0;
        return;
    }
    if (run->ready_for_interrupt_injection && run->if_flag) {
        int vector = m->intr_ack(m->intr_opaque);
        if (vector >= 0) {
            struct kvm_interrupt irq = {.irq = (uint32_t)vector};
            if (ioctl(v->fd, KVM_INTERRUPT, &irq) == 0) {
                v->exits[STAT_IRQ_INJECTED]++;
                if (log_enabled(LOG_INT))
                    log_msg(LOG_INT, "kvm: inject vector 0x%02x", vector);
            } else {
                log_msg(LOG_INT, "kvm: KVM_INTERRUPT vector %d refused: %s", vector,
                        strerror(errno));
            }
        }
        /* Another request may still be pending: look again at the next window. */
        run->request_interrupt_window = m->intr_level;
    } else {
        run->request_interrupt_window = 1;
    }
}

bool kvm_arch_has_work(struct kvm_vcpu *v)
{
    return v->index == 0 && v->m->intr_level;
}

void kvm_arch_dump_regs(struct kvm_vcpu *v, FILE *f)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return;
    fprintf(f,
            "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
            "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n"
            "RIP=%016llx RFL=%08llx CS=%04x(base %llx, %s) SS=%04x CPL=%u\n"
            "CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx EFER=%llx\n",
            (unsigned long long)r.rax, (unsigned long long)r.rbx, (unsigned long long)r.rcx,
            (unsigned long long)r.rdx, (unsigned long long)r.rsi, (unsigned long long)r.rdi,
            (unsigned long long)r.rbp, (unsigned long long)r.rsp, (unsigned long long)r.rip,
            (unsigned long long)r.rflags, s.cs.selector, (unsigned long long)s.cs.base,
            s.cs.l    ? "64-bit"
            : s.cs.db ? "32-bit"
                      : "16-bit",
            s.ss.selector, s.cs.selector & 3, (unsigned long long)s.cr0, (unsigned long long)s.cr2,
            (unsigned long long)s.cr3, (unsigned long long)s.cr4, (unsigned long long)s.efer);
}

void kvm_arch_destroy(struct kvm_accel *k)
{
    struct kvm_x86 *a = k->arch;
    if (!a)
        return;
    free(a->cpuid);
    free(a->msrs);
    free(a);
    k->arch = NULL;
}
