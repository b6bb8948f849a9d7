; reset.asm - a boot sector that triple-faults on purpose, three times.
;
; Each boot increments a counter at 0x90000 (RAM is not cleared by a
; reset, and neither firmware nor the loader writes there), prints
; "boot N", enters protected mode and triple-faults: an empty IDT (limit 0)
; makes int3 raise #GP, which cannot be delivered either, so the CPU shuts
; down.  Without
; -no-reboot the machine resets and the boot sector runs again; the third
; boot exits through isa-debug-exit with value 0x12 (status 37).  With
; -no-reboot the first triple fault ends the emulator with status 0.
;
; A few dozen real- and protected-mode instructions per boot.
        bits 16
        org 0x7c00
COUNTER equ 0x9000              ; segment: counter at 0x90000

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7c00
        mov ax, COUNTER
        mov es, ax
        mov al, [es:0]
        cmp al, 3
        jb .ok
        xor al, al              ; a stale value from an earlier run: start over
.ok:    inc al
        mov [es:0], al
        mov bl, al
        mov si, msg
        call puts
        mov al, bl
        add al, '0'
        call putc
        mov al, 10
        call putc
        cmp bl, 3
        jae done
        ; Protected mode with an empty IDT (real mode's IVT would not
        ; fault: KVM and QEMU differ on the real-mode IDT limit).
        lgdt [cs:gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

        bits 32
pm32:   mov ax, 0x10
        mov ds, ax
        mov ss, ax
        lidt [empty_idt]
        ud2                     ; #UD -> #GP -> #DF -> shutdown (triple fault)
        hlt                     ; not reached
        bits 16

done:
        mov byte [es:0], 0
        mov al, 0x12
        out 0xf4, al
        hlt

puts:   lodsb
        test al, al
        jz .end
        call putc
        jmp puts
.end:   ret

putc:   mov dx, 0x3f8
        out dx, al
        ret

msg:    db "boot ", 0
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff   ; 0x08 flat 32-bit code
        dq 0x00cf92000000ffff   ; 0x10 flat data
gdtr:   dw gdtr - gdt - 1
        dd gdt
empty_idt:
        dw 0
        dd 0

        times 510 - ($ - $$) db 0
        dw 0xaa55
