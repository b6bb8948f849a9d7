; uartirq.asm - 16550 interrupts end to end through the 8259 PIC.
;
; Ring 3 (IOPL=3, IF=0) does all the device programming; ring 0 only waits
; (int3 as a system call: "sti; hlt" until a phase is done) and runs the
; IRQ4 handler.
;
; Phase 1 - receive a line from the host (stdin) with RX interrupts:
;   8259 pair initialised (ICW1-4, vectors 0x20/0x28), only IRQ4 unmasked,
;   IER = RDI.  The IRQ4 handler reads IIR until "no interrupt", drains RBR
;   while LSR.DR, upper-cases each byte, echoes it and stops at '\n'.
;   The FIFO is NOT enabled before this phase: enabling it flushes the
;   receiver, which would lose a byte that arrived before the guest was
;   ready (QEMU hands the first byte to the UART at once and keeps the rest
;   in its chardev buffer).  If the firmware left the FIFO enabled (QEMU's
;   SeaBIOS does, for its serial console) it stays enabled with a 1-byte
;   trigger level (rewriting FCR with FE unchanged does not flush).  So
;   phase 1 sees IIR 0x04 (FIFO off, Janus) or 0xc4/0xcc (FIFO on, QEMU);
;   both are accepted, and only the outcome is printed.  The number of RX
;   interrupts depends on how fast the host side feeds bytes, so it is not
;   printed either (it must be >= 1).
; Phase 2 - FIFO on (FCR=0x07): IIR must read 0xc1; then IER = THRI raises
;   a THR-empty interrupt at once; the handler sees IIR 0xc2, clears IER
;   and the next IIR read gives 0xc1.  Exactly one THRE interrupt.
; Phase 3 - polled loopback with IRQ4 masked at the PIC: MCR = LOOP|OUT2|
;   RTS|DTR, MSR high nibble must be 0xb0, IER = RDI, a byte written to THR
;   comes back in the RX FIFO: IIR 0xc4 (0xcc, the character-timeout value,
;   is accepted as well since it depends on timing), RBR gives the byte,
;   then IIR 0xc1.
; Exit: value 17 (status 35), or FAIL_VALUE (status 255) on any mismatch.

%define HAVE_GUEST_ISR
%include "common.inc"

UART_VALUE      equ 17
PIC1            equ 0x20
PIC2            equ 0xa0
IRQ_BASE        equ 0x20
LOOP_BYTE       equ 'Z'

%macro PRINT 1
        lea rsi, [%1]
        call puts
%endmacro

%macro OUTB 2                           ; port, value
        mov edx, %1
        mov al, %2
        out dx, al
%endmacro

%macro INB 1
        mov edx, %1
        in al, dx
%endmacro

user_main:
        call uart_setup                 ; IER=0, 115200 8N1, MCR=0x0b; FCR untouched
        INB COM1 + 2
        test al, 0xc0
        jz .fifo_off
        mov byte [fifo_at_start], 1
        OUTB COM1 + 2, 0x01             ; keep FIFO on, RX trigger 1 byte, no flush
.fifo_off:
        PRINT s_wait

        ; 8259: ICW1 edge/cascade/ICW4, ICW2 vector base, ICW3 wiring, ICW4 8086
        OUTB PIC1, 0x11
        OUTB PIC2, 0x11
        OUTB PIC1 + 1, IRQ_BASE
        OUTB PIC2 + 1, IRQ_BASE + 8
        OUTB PIC1 + 1, 0x04
        OUTB PIC2 + 1, 0x02
        OUTB PIC1 + 1, 0x01
        OUTB PIC2 + 1, 0x01
        OUTB PIC1 + 1, 0xef             ; only IRQ4
        OUTB PIC2 + 1, 0xff
        PRINT s_imr
        INB PIC1 + 1
        movzx eax, al
        mov ecx, 2
        call puthex
        PRINT s_imr2
        INB PIC2 + 1
        movzx eax, al
        mov ecx, 2
        call puthex
        mov al, 10
        call putc

        ; ---- phase 1: a line from stdin through RX interrupts
        call clear_seen
        mov byte [mode], 1
        mov byte [done], 0
        OUTB COM1 + 1, 0x01             ; IER = RDI (after the PIC: no lost edge)
        int3                            ; ring-0 "wait until done" service
        OUTB COM1 + 1, 0x00
        cmp dword [rx_irqs], 0
        je .p1bad
        ; every IIR value read in phase 1 must be "no interrupt" or "RX data"
        lea rdi, [allowed_fifo_off]
        cmp byte [fifo_at_start], 0
        je .p1check
        lea rdi, [allowed_fifo_on]
.p1check:
        call check_seen
        jc .p1bad
        PRINT s_line
        mov eax, [nchars]
        call putdec
        PRINT s_chars
        jmp .phase2
.p1bad: PRINT s_p1bad
        call dump_seen
        mov byte [failed], 1

.phase2:
        ; ---- phase 2: FIFO on, THR-empty interrupt
        OUTB COM1 + 2, 0x07             ; FIFO on, clear RX and TX
        PRINT s_fifo
        INB COM1 + 2
        movzx eax, al
        cmp al, 0xc1
        je .c1ok
        mov byte [failed], 1
.c1ok:  mov ecx, 2
        call puthex
        mov al, 10
        call putc

        call clear_seen
        mov byte [mode], 2
        mov byte [done], 0
        mov dword [log_n], 0
        OUTB COM1 + 1, 0x02             ; IER = THRI: THR is empty, so IRQ now
        int3                            ; ring-0 "wait until done" service
        PRINT s_thre
        mov ebx, [log_n]
        xor r12d, r12d
.log:   cmp r12d, ebx
        jae .logdone
        lea rsi, [s_comma]
        test r12d, r12d
        jz .first
        call puts
.first: movzx eax, byte [iir_log + r12]
        mov ecx, 2
        call puthex
        inc r12d
        jmp .log
.logdone:
        mov al, 10
        call putc
        cmp dword [thre_irqs], 1
        jne .p2bad
        cmp ebx, 2
        jne .p2bad
        cmp word [iir_log], 0xc1c2      ; bytes c2, c1
        je .phase3
.p2bad: PRINT s_p2bad
        mov byte [failed], 1

.phase3:
        ; ---- phase 3: loopback, polled, IRQ4 masked at the PIC.  Nothing
        ; can be printed while LOOP is set (output would loop back), so
        ; collect first: r14b = MSR, bl = IIR, r12b = byte, r13b = IIR after.
        OUTB PIC1 + 1, 0xff
        OUTB COM1 + 4, 0x1b             ; LOOP | OUT2 | RTS | DTR
        INB COM1 + 6
        mov r14b, al
        OUTB COM1 + 1, 0x01             ; IER = RDI
        mov al, LOOP_BYTE
        call putc                       ; loops back into the RX FIFO
        xor ebx, ebx                    ; bl = 0: no data
        mov ecx, 1000000
.poll:  INB COM1 + 5
        test al, 1
        jnz .got
        dec ecx
        jnz .poll
        jmp .lbdone
.got:   INB COM1 + 2
        mov bl, al
        INB COM1
        mov r12b, al
        INB COM1 + 2
        mov r13b, al
.lbdone:
        OUTB COM1 + 1, 0x00
        OUTB COM1 + 4, 0x0b             ; loopback off

        PRINT s_loop
        movzx eax, r14b
        and eax, 0xf0
        cmp al, 0xb0
        je .msrok
        mov byte [failed], 1
.msrok: mov ecx, 2
        call puthex
        test bl, bl
        jnz .rxiir
        PRINT s_nodata
        mov byte [failed], 1
        jmp .p3end
.rxiir: PRINT s_rxiir
        cmp bl, 0xc4
        je .rxok
        cmp bl, 0xcc
        je .rxok
        PRINT s_bad
        movzx eax, bl
        mov ecx, 2
        call puthex
        mov byte [failed], 1
        jmp .byte
.rxok:  PRINT s_rxiirok
.byte:  PRINT s_byte
        mov al, r12b
        call putc
        PRINT s_then
        movzx eax, r13b
        mov ecx, 2
        call puthex
        mov al, 10
        call putc
        cmp r12b, LOOP_BYTE
        jne .lbad
        cmp r13b, 0xc1
        je .p3end
.lbad:  mov byte [failed], 1
.p3end:
        PRINT s_done
        cmp byte [failed], 0
        je .exit
        PRINT s_failed
        mov al, FAIL_VALUE
        jmp .exit2
.exit:  mov al, UART_VALUE
.exit2: call exit_value

clear_seen:
        lea rdi, [iir_seen]
        xor eax, eax
        mov ecx, 256
        rep stosb
        ret

; rdi = 0-terminated list of allowed IIR values; CF=1 if another was seen
check_seen:
        xor ecx, ecx
.next:  cmp byte [iir_seen + rcx], 0
        je .ok
        xor edx, edx
.scan:  movzx eax, byte [rdi + rdx]
        test eax, eax
        jz .bad
        cmp eax, ecx
        je .ok
        inc edx
        jmp .scan
.ok:    inc ecx
        cmp ecx, 256
        jb .next
        clc
        ret
.bad:   stc
        ret

dump_seen:
        PRINT s_seen
        xor ebx, ebx
.next:  cmp byte [iir_seen + rbx], 0
        je .skip
        mov al, ' '
        call putc
        mov eax, ebx
        mov ecx, 2
        call puthex
.skip:  inc ebx
        cmp ebx, 256
        jb .next
        PRINT s_rxn
        mov eax, [rx_irqs]
        call putdec
        mov al, 10
        call putc
        ret

;---------------------------------------------------------------------------
; Ring 0
;---------------------------------------------------------------------------
guest_isr:
        cmp qword [rsp], IRQ_BASE + 4
        je irq4
        cmp qword [rsp], 3              ; int3 from ring 3: wait service
        je svc_wait
        cmp qword [rsp], IRQ_BASE + 7   ; spurious master IRQ7: no EOI
        je isr_return
        jmp panic_isr

; int3 from ring 3 (the only software interrupt the PVM KVM delivers to
; the guest IDT): sleep until the IRQ handler sets [done]
svc_wait:
        cmp byte [done], 0
        jne isr_return
        sti
        hlt
        cli
        jmp svc_wait

isr_return:
        add rsp, 16
        iretq

irq4:
        push rax
        push rcx
        push rdx
.iir:   mov edx, COM1 + 2
        in al, dx
        movzx ecx, al
        mov byte [iir_seen + rcx], 1
        cmp byte [mode], 2
        jne .nolog
        mov ecx, [log_n]
        cmp ecx, 8
        jae .nolog
        mov [iir_log + rcx], al
        inc dword [log_n]
.nolog: test al, 1
        jnz .eoi
        and al, 0x0e
        cmp al, 0x02
        je .thre
        cmp al, 0x06
        je .lsr
        test al, al
        jz .msr
        inc dword [rx_irqs]             ; 0x04 data available, 0x0c timeout
.rx:    mov edx, COM1 + 5
        in al, dx
        test al, 1
        jz .iir
        mov edx, COM1
        in al, dx
        cmp byte [mode], 1
        jne .rx                         ; not the input phase: drop
        cmp byte [done], 0
        jne .rx                         ; after the newline: drop
        inc dword [nchars]
        cmp al, 10
        jne .upper
        mov byte [done], 1
.upper: cmp al, 'a'
        jb .echo
        cmp al, 'z'
        ja .echo
        sub al, 'a' - 'A'
.echo:  call putc
        jmp .rx
.thre:  inc dword [thre_irqs]
        mov edx, COM1 + 1
        xor eax, eax
        out dx, al                      ; IER = 0: one THRE interrupt is enough
        mov byte [done], 1
        jmp .iir
.lsr:   mov edx, COM1 + 5
        in al, dx
        jmp .iir
.msr:   mov edx, COM1 + 6
        in al, dx
        jmp .iir
.eoi:   mov al, 0x20
        out PIC1, al
        pop rdx
        pop rcx
        pop rax
        add rsp, 16
        iretq

s_wait:     db "uartirq: waiting for a line (COM1 IRQ4, 8259 vectors 0x20/0x28)", 10, 0
s_imr:      db "uartirq: 8259 IMR master 0x", 0
s_imr2:     db " slave 0x", 0
s_line:     db "uartirq: line received through RX interrupts, ", 0
s_chars:    db " chars", 10, 0
s_p1bad:    db "uartirq: FAILED phase 1 (RX interrupts), IIR values seen:", 0
s_seen:     db "uartirq: IIR seen:", 0
s_rxn:      db ", RX interrupts: ", 0
s_fifo:     db "uartirq: FIFO enabled, IIR 0x", 0
s_thre:     db "uartirq: THR-empty interrupt, IIR reads 0x", 0
s_comma:    db ", 0x", 0
s_p2bad:    db "uartirq: FAILED phase 2 (THRE interrupt)", 10, 0
s_loop:     db "uartirq: loopback, MSR & 0xf0 = 0x", 0
s_nodata:   db ", FAILED: no loopback data", 10, 0
s_rxiir:    db ", RX IIR ", 0
s_rxiirok:  db "0xc4/0xcc", 0
s_bad:      db "UNEXPECTED 0x", 0
s_byte:     db ", byte '", 0
s_then:     db "', then IIR 0x", 0
s_done:     db "uartirq: done", 10, 0
s_failed:   db "uartirq: FAILED", 10, 0

allowed_fifo_off:   db 0x01, 0x04, 0
allowed_fifo_on:    db 0xc1, 0xc4, 0xcc, 0

        align 8
nchars:         dd 0
rx_irqs:        dd 0
thre_irqs:      dd 0
log_n:          dd 0
iir_log:        times 8 db 0
mode:           db 0
done:           db 0
failed:         db 0
fifo_at_start:  db 0
iir_seen:       times 256 db 0
