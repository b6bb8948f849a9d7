; bios.asm - a 64 KiB firmware image for -bios: started at the reset vector.
;
; The CPU comes out of reset in real mode at F000:FFF0 with CS.base =
; 0xFFFF0000, executing from the top of the 4 GiB space; the same 64 KiB
; are also visible at 0xF0000 (the ISA BIOS alias).  The reset vector far-
; jumps into the alias, and the program then checks: that it runs where it
; thinks, that the firmware is read-only (a write is ignored), that RAM
; below 640 KiB is writable, writes a line to the debug console at port
; 0xe9, and it exits through isa-debug-exit with value 0x15 (status 43).  Real mode only; a few hundred instructions.
        bits 16
        org 0

start:
        cli
        mov ax, cs
        mov ds, ax              ; DS = F000: our own bytes
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov si, msg_hello
        call puts

        ; the far jump landed in the alias: CS must be F000
        mov ax, cs
        cmp ax, 0xf000
        jne fail

        ; firmware is ROM: the write must not stick
        mov al, [rom_probe]
        mov byte [rom_probe], 0x55
        cmp byte [rom_probe], al
        jne fail
        mov si, msg_rom
        call puts

        ; conventional RAM works
        mov ax, 0x1000
        mov es, ax
        mov word [es:0x10], 0x1234
        cmp word [es:0x10], 0x1234
        jne fail
        mov si, msg_ram
        call puts

        ; the reset vector is readable through the alias: EA = jmp far
        cmp byte [0xfff0], 0xea
        jne fail
        ; the Bochs/QEMU debug console (only where -debugcon gives it a backend)
        mov si, msg_debugcon
.dbg:   lodsb
        test al, al
        jz .dbg_end
        out 0xe9, al
        jmp .dbg
.dbg_end:
        mov si, msg_done
        call puts
        mov al, 0x15
        out 0xf4, al
        hlt

fail:   mov si, msg_fail
        call puts
        mov al, 0x7f
        out 0xf4, al
        hlt

puts:   lodsb
        test al, al
        jz .end
        mov dx, 0x3f8
        out dx, al
        jmp puts
.end:   ret

msg_hello:  db "firmware: running from the reset vector", 10, 0
msg_rom:    db "firmware: ROM ignores writes", 10, 0
msg_ram:    db "firmware: RAM below 640 KiB works", 10, 0
msg_done:   db "firmware: done", 10, 0
msg_debugcon: db "firmware: hello on port 0xe9", 10, 0
msg_fail:   db "firmware: FAILED", 10, 0
rom_probe:  db 0xaa

        times 0xfff0 - ($ - $$) db 0xff
reset_vector:
        jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0xff
