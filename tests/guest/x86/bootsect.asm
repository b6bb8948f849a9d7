; bootsect.asm - a 512-byte boot sector: real mode -> protected mode ->
; long mode, printing on COM1 in each mode, then isa-debug-exit with value
; 18 (exit status 37).
;
; Loaded at 0000:7C00 and entered in 16-bit real mode (by a BIOS from the
; first sector of a disk, or by Janus from -kernel).  Depends on nothing the
; firmware may have left: sets its own segments, stack, UART mode, GDT and
; page tables; never calls the BIOS.  Everything it touches is below 1 MiB
; (code at 0x7C00, stack below it, page tables at 0x1000-0x3FFF), so the A20
; gate state does not matter.  Runs entirely in ring 0.

PT_BASE         equ 0x1000              ; PML4 0x1000, PDPT 0x2000, PD 0x3000
BOOT_VALUE      equ 18

        org 0x7c00
        bits 16
start:
        cli
        cld
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        jmp 0:real                      ; normalise CS:IP
real:
        mov dx, 0x3f9                   ; COM1: IER = 0
        mov al, 0
        out dx, al
        mov dl, 0xfb                    ; LCR: DLAB
        mov al, 0x80
        out dx, al
        mov dl, 0xf8                    ; DLL = 1 (115200)
        mov al, 1
        out dx, al
        mov dl, 0xf9                    ; DLM = 0
        mov al, 0
        out dx, al
        mov dl, 0xfb                    ; 8N1
        mov al, 3
        out dx, al
        mov dl, 0xfa                    ; FIFO on, cleared
        mov al, 7
        out dx, al
        mov dl, 0xfc                    ; DTR | RTS | OUT2
        mov al, 0x0b
        out dx, al

        mov si, msg_real
        call print

        mov di, PT_BASE                 ; zero the three page-table pages
        xor eax, eax
        mov cx, 3 * 4096 / 4
        rep stosd
        mov byte [PT_BASE], 0x03        ; PML4[0] -> PDPT 0x2000, present + writable
        mov byte [PT_BASE + 1], 0x20
        mov byte [PT_BASE + 0x1000], 0x03 ; PDPT[0] -> PD 0x3000
        mov byte [PT_BASE + 0x1001], 0x30
        mov byte [PT_BASE + 0x2000], 0x83 ; PD[0] = 2 MiB page at 0, present + writable

        lgdt [gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pmode

        bits 32
pmode:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7c00
        mov esi, msg_prot
        call print

        mov eax, 0x20                   ; CR4.PAE
        mov cr4, eax
        mov eax, PT_BASE
        mov cr3, eax
        mov ecx, 0xc0000080             ; EFER.LME
        rdmsr
        or eax, 0x100
        wrmsr
        mov eax, cr0
        or eax, 0x80000000              ; PG
        mov cr0, eax
        jmp 0x18:lmode

        bits 64
lmode:
        mov esi, msg_long
        call print
        mov al, BOOT_VALUE
        out 0xf4, al
.halt:  cli
        hlt
        jmp .halt

; print: DS:SI / ESI / RSI -> NUL-terminated string.  Uses only instructions
; that encode and behave the same in 16-, 32- and 64-bit mode, so the one
; copy serves all three (each caller's "call" matches its mode's "ret").
        bits 16
print:
.next:  lodsb
        test al, al
        jz .done
        mov ah, al
        mov dh, 0x03
        mov dl, 0xfd                    ; LSR
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov dl, 0xf8                    ; THR
        mov al, ah
        out dx, al
        jmp .next
.done:  ret

msg_real:   db "bootsect: real mode", 10, 0
msg_prot:   db "bootsect: protected mode", 10, 0
msg_long:   db "bootsect: long mode", 10, 0

        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff           ; 0x08 code 32
        dq 0x00cf92000000ffff           ; 0x10 data
        dq 0x00af9a000000ffff           ; 0x18 code 64
gdtr:   dw gdtr - gdt - 1
        dd gdt

        times 510 - ($ - $$) db 0
        dw 0xaa55
