; mbinfo.asm - print the multiboot v1 information the loader passed, to pin
; down exactly what Janus's multiboot loader must provide to match QEMU
; (QEMU's multiboot option ROM builds it from the firmware's E820 map).
;
; Prints the MBI flags, mem_lower/mem_upper when flag 0 is set, every
; memory-map entry when flag 6 is set, and the command line after the
; kernel path when flag 2 is set; exits with value 20 (status 41).
; Not printed: the kernel path itself (differs between runs), the boot
; loader name (names the emulator), pointers (layout-dependent).

%include "common.inc"

MBINFO_VALUE    equ 20

user_main:
        call uart_init
        mov ebx, [mb_info]
        lea rsi, [s_flags]
        call puts
        mov eax, [rbx]
        mov ecx, 8
        call puthex
        mov al, 10
        call putc

        test byte [rbx], 1
        jz .nomem
        lea rsi, [s_mem]
        call puts
        mov eax, [rbx + 4]
        call putdec
        lea rsi, [s_mem2]
        call puts
        mov eax, [rbx + 8]
        call putdec
        lea rsi, [s_kb]
        call puts
.nomem:
        test byte [rbx], 0x40
        jz .nommap
        mov r12d, [rbx + 48]            ; mmap_addr
        mov r13d, [rbx + 44]            ; mmap_length
        add r13, r12                    ; end
.entry: cmp r12, r13
        jae .nommap
        lea rsi, [s_mmap]
        call puts
        mov rax, [r12 + 4]              ; base_addr
        mov ecx, 9
        call puthex
        lea rsi, [s_len]
        call puts
        mov rax, [r12 + 12]             ; length
        mov ecx, 9
        call puthex
        lea rsi, [s_type]
        call puts
        mov eax, [r12 + 20]
        call putdec
        mov al, 10
        call putc
        mov eax, [r12]                  ; size (not counting itself)
        lea r12, [r12 + rax + 4]
        jmp .entry
.nommap:
        call mb_args
        test rsi, rsi
        jz .exit
        mov r12, rsi
        lea rsi, [s_args]
        call puts
        mov rsi, r12
        call puts
        lea rsi, [s_args2]
        call puts
.exit:  mov al, MBINFO_VALUE
        call exit_value

s_flags:    db "mbinfo: flags=0x", 0
s_mem:      db "mbinfo: mem_lower=", 0
s_mem2:     db "K mem_upper=", 0
s_kb:       db "K", 10, 0
s_mmap:     db "mbinfo: mmap base=0x", 0
s_len:      db " length=0x", 0
s_type:     db " type=", 0
s_args:     db "mbinfo: args=[", 0
s_args2:    db "]", 10, 0
