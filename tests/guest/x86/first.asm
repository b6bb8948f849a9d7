; first.asm - the shortest possible multiboot guest, for timing
; "process start -> first guest instruction".
;
; The very first instruction at the entry point writes AL to isa-debug-exit.
; The loader has just put the multiboot magic 0x2BADB002 in EAX, so the
; value written is 0x02 and the exit status is (2<<1)|1 = 5.  (Writing 0
; would need a second instruction, and status 1 is also what QEMU and most
; programs return on a generic error, so a failed start would look like a
; success.)  Status 5 therefore also proves EAX held the multiboot magic.

        section .text progbits alloc exec write align=4096
        bits 32
        align 4
mb_header:
        dd 0x1badb002
        dd 0
        dd -0x1badb002

        global _start
_start:
        out 0xf4, al                    ; first instruction: exit, status 5
.halt:  cli                             ; only without isa-debug-exit
        hlt
        jmp .halt
