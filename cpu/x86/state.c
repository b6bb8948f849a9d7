/*
 * state.c - x86 start states (see state.h).
 */
#include "cpu/x86/state.h"

#include <string.h>

static struct x86_segment seg_real(uint16_t sel, bool code)
{
    return (struct x86_segment){
        .selector = sel,
        .base = (uint64_t)sel << 4,
        .limit = 0xffff,
        .type = code ? 0xb : 0x3, /* code: exec/read accessed; data: r/w accessed */
        .s = true,
        .p = true,
    };
}

static void system_segments(struct x86_state *s)
{
    s->ldt = (struct x86_segment){.limit = 0xffff, .type = 2, .p = true};
    s->tr = (struct x86_segment){.limit = 0xffff, .type = 0xb, .p = true};
    s->gdt.limit = 0xffff;
    s->idt.limit = 0xffff;
}

void x86_state_real(struct x86_state *s, uint16_t cs, uint16_t ip)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < X86_NSEG; i++)
        s->seg[i] = seg_real(0, false);
    s->seg[X86_CS] = seg_real(cs, true);
    system_segments(s);
    s->rip = ip;
    s->rflags = X86_RFLAGS_FIXED;
    s->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
}

void x86_state_reset(struct x86_state *s, uint32_t edx_signature)
{
    x86_state_real(s, 0xf000, 0xfff0);
    s->seg[X86_CS].base = 0xffff0000;
    s->gpr[X86_RDX] = edx_signature;
}

void x86_state_flat32(struct x86_state *s, uint32_t eip)
{
    memset(s, 0, sizeof(*s));
    struct x86_segment code = {
        .selector = 0x08,
        .base = 0,
        .limit = 0xffffffff,
        .type = 0xb,
        .s = true,
        .p = true,
        .db = true,
        .g = true,
    };
    struct x86_segment data = code;
    data.selector = 0x10;
    data.type = 0x3;
    for (int i = 0; i < X86_NSEG; i++)
        s->seg[i] = data;
    s->seg[X86_CS] = code;
    system_segments(s);
    s->rip = eip;
    s->rflags = X86_RFLAGS_FIXED;
    s->cr0 = X86_CR0_PE | X86_CR0_ET;
}
