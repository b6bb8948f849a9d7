; ring3loop.asm - a pure 64-bit ring-3 compute loop, to compare native
; ring-3 speed under KVM with emulation.
;
; Same setup as hello; then N rounds of xorshift64 (x ^= x<<13; x ^= x>>7;
; x ^= x<<17) starting from 0x9e3779b97f4a7c15, with N from "n=N" on the
; command line (default 100000000), prints N and the final x in hex and
; exits with value 19 (status 39).  The loop touches no memory and makes no
; system calls: about 7 instructions per round, all in ring 3.

%include "common.inc"

LOOP_VALUE      equ 19
DEFAULT_N       equ 100000000

user_main:
        call uart_init
        lea rsi, [s_n_key]
        call arg_uint
        jnc .have_n
        mov eax, DEFAULT_N
.have_n:
        mov rbx, rax
        lea rsi, [s_start]
        call puts
        mov rax, rbx
        call putdec
        mov al, 10
        call putc

        mov rax, 0x9e3779b97f4a7c15
        mov rcx, rbx
        test rcx, rcx
        jz .done
.round: mov rdx, rax
        shl rdx, 13
        xor rax, rdx
        mov rdx, rax
        shr rdx, 7
        xor rax, rdx
        mov rdx, rax
        shl rdx, 17
        xor rax, rdx
        dec rcx
        jnz .round
.done:  mov rbx, rax
        lea rsi, [s_result]
        call puts
        mov rax, rbx
        mov ecx, 16
        call puthex
        mov al, 10
        call putc
        mov al, LOOP_VALUE
        call exit_value

s_n_key:    db "n=", 0
s_start:    db "ring3loop: xorshift64 rounds n=", 0
s_result:   db "ring3loop: result=0x", 0
