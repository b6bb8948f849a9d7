; strio.asm - string port I/O: "rep outsb" and "rep outsw" to the UART.
;
; Under KVM a whole "rep outs" can arrive as one KVM_EXIT_IO with a count
; and a data buffer; janus must replay every element through the port
; space, in order.  A 16-bit "outsw" to 0x3f8 is split by the port space
; into the THR byte and the IER byte (QEMU splits it the same way), so the
; words here carry the text in their low bytes and 0 (IER = no interrupts)
; in their high bytes.  Boot sector, real mode; exits with value 0x16
; (status 45).
        bits 16
        org 0x7c00
start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        cld
        mov dx, 0x3f8
        mov si, line1
        mov cx, line1_len
        rep outsb
        mov si, line2
        mov cx, line2_words
        rep outsw
        mov si, line3
        mov cx, line3_len
        rep outsb
        mov al, 0x16
        out 0xf4, al
        hlt

line1:  db "rep outsb: one instruction, many bytes", 10
line1_len equ $ - line1
line2:                          ; one character per word, high byte 0
%define S2 "rep outsw: low bytes reach THR"
%strlen n2 S2
%assign i 0
%rep n2
%assign i i+1
%substr c S2 i
        db c, 0
%endrep
        db 10, 0
line2_words equ n2 + 1
line3:  db "strio: done", 10
line3_len equ $ - line3

        times 510 - ($ - $$) db 0
        dw 0xaa55
