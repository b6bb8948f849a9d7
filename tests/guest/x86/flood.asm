; flood.asm - a boot sector that prints "0123456789abcdef...\n" forever.
;
; Not a pass/fail guest on its own: tests use it to check that a host
; reader that stops reading cannot hang janus (a signal still ends it), and
; to push sustained output through the UART path.  Real mode, a tight loop.
        bits 16
        org 0x7c00
start:
        cli
        xor ax, ax
        mov ds, ax
        mov dx, 0x3f8
.line:  mov si, text
.next:  lodsb
        test al, al
        jz .line
        out dx, al
        jmp .next

text:   db "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 10, 0

        times 510 - ($ - $$) db 0
        dw 0xaa55
