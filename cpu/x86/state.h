/*
 * state.h - x86 architectural register state shared by every engine.
 *
 * Loaders describe the state a guest starts in with this struct; the KVM
 * engine converts it to kvm_regs/kvm_sregs, the interpreter runs on it
 * directly.  It is a plain library header: no hw/ or accel/ includes.
 */
#ifndef CPU_X86_STATE_H
#define CPU_X86_STATE_H

#include <stdbool.h>
#include <stdint.h>

enum {
    X86_RAX,
    X86_RCX,
    X86_RDX,
    X86_RBX,
    X86_RSP,
    X86_RBP,
    X86_RSI,
    X86_RDI,
    X86_R8,
    X86_R9,
    X86_R10,
    X86_R11,
    X86_R12,
    X86_R13,
    X86_R14,
    X86_R15
};
enum { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NSEG };

/* Segment register with its hidden descriptor cache. */
struct x86_segment {
    uint16_t selector;
    uint64_t base;
    uint32_t limit; /* byte granular (already scaled) */
    uint8_t type;   /* descriptor type field (4 bits) */
    bool s, p, l, db, g, avl, unusable;
    uint8_t dpl;
};

struct x86_dtable {
    uint64_t base;
    uint16_t limit;
};

#define X86_CR0_PE (1u << 0)
#define X86_CR0_ET (1u << 4)
#define X86_CR0_NE (1u << 5)
#define X86_CR0_WP (1u << 16)
#define X86_CR0_NW (1u << 29)
#define X86_CR0_CD (1u << 30)
#define X86_CR0_PG (1u << 31)
#define X86_RFLAGS_FIXED 0x2u
#define X86_RFLAGS_IF (1u << 9)

struct x86_state {
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t rflags;
    struct x86_segment seg[X86_NSEG];
    struct x86_segment tr, ldt;
    struct x86_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
};

/* Power-on/RESET state (SDM vol. 3 table 9-1): real mode at F000:FFF0,
 * CS base FFFF0000, EDX = family/model/stepping signature. */
void x86_state_reset(struct x86_state *s, uint32_t edx_signature);
/* Real mode with CS:IP = cs:ip, all data segments and SS = 0. */
void x86_state_real(struct x86_state *s, uint16_t cs, uint16_t ip);
/* Flat 32-bit protected mode, paging off (multiboot start state):
 * CS = 0x08 (code, base 0, limit 4G), data segments 0x10. */
void x86_state_flat32(struct x86_state *s, uint32_t eip);

#endif
