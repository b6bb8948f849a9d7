; hello.asm - smallest complete Janus x86 guest.
;
; multiboot (32-bit) -> long mode -> 64-bit ring 3 (IOPL=3), then from
; ring 3: initialise COM1, print a greeting and the command line (without
; the kernel path that QEMU puts first, see mb_args in common.inc), and exit
; through isa-debug-exit with value 42 (exit status 85), or with value N
; (status (N<<1)|1) when the command line has a token "exit=N".

%include "common.inc"

HELLO_VALUE     equ 42

user_main:
        call uart_init
        lea rsi, [s_hello]
        call puts

        call mb_args
        test rsi, rsi
        jz .nocmd
        cmp byte [rsi], 0
        je .nocmd
        mov rbx, rsi
        lea rsi, [s_cmdline]
        call puts
        mov rsi, rbx
        call puts
        mov al, 10
        call putc
.nocmd:
        lea rsi, [s_exit_key]
        call arg_uint
        jnc .exit
        mov eax, HELLO_VALUE
.exit:
        mov rbx, rax
        lea rsi, [s_bye]
        call puts
        mov rax, rbx
        call putdec
        mov al, 10
        call putc
        mov rax, rbx
        call exit_value

s_hello:    db "Hello from a Janus guest: 64-bit ring 3", 10, 0
s_cmdline:  db "cmdline: ", 0
s_exit_key: db "exit=", 0
s_bye:      db "exiting with value ", 0
