; exceptions.asm - exceptions raised from 64-bit ring 3.
;
; Ring 3 triggers, in order: int3 (#BP), ud2 (#UD), div by zero (#DE),
; hlt (#GP(0)), mov cr3 (#GP(0)), a read of an unmapped address (#PF, err
; 0x4, CR2) and a write to a user read-only page (#PF, err 0x7, CR2).
;
; Built with SOFTINT defined (softint.asm) it raises instead the ring-3 ->
; ring-0 entries that the PVM KVM does not virtualise (there "int n" gives
; #UD and syscall stays at CPL 3, see common.inc): int 0x80 through a DPL-3
; gate (RAX passed in), int 0x41 through a DPL-0 gate (#GP with an IDT
; error code; only its IDT/EXT flags are printed because QEMU TCG 7.2
; reports 0x41*16+2 = 0x412 in long mode where hardware and KVM report
; 0x41*8+2 = 0x20a) and syscall (RAX passed in, vector shown as 0x100).
;
; The ring-0 handler (guest_isr, 20 instructions) snapshots the vector,
; error code, RIP, CS, CR2 and the RAX it was entered with into the exc_*
; variables, bumps exc_count and resumes ring 3 at resume_rip, the
; instruction after the trigger.  Ring 3 then prints the report line
; (printing from ring 0 would cost thousands of emulated instructions under
; PVM).  RIP is printed relative to the trigger instruction's label.
; Exit: value 16 (status 33), softint value 21 (status 43); FAIL_VALUE
; (status 255) when an exception did not arrive exactly once or had the
; wrong vector.

%define HAVE_GUEST_ISR
%define WITH_RO_ALIAS
%include "common.inc"

%ifndef SOFTINT
EXC_VALUE       equ 16
%define PROG    "exceptions"
%else
EXC_VALUE       equ 21
%define PROG    "softint"
%endif

; TRIGGER "name", expected vector, {setup instructions}, {trigger}
; The reported RIP is relative to the trigger instruction (site).
%macro TRIGGER 4
        lea rax, [%%after]
        mov [resume_rip], rax
        lea rax, [%%site]
        mov [site_rip], rax
        mov qword [want_vector], %2
        mov rax, [exc_count]
        mov [count_before], rax
        jmp %%setup
%%name: db %1, 0
%%setup:
        %3
%%site:
        %4
%%after:
        lea rsi, [%%name]
        call report
%endmacro

user_main:
        call uart_init
        lea rsi, [s_start]
        call puts

%ifndef SOFTINT
        TRIGGER "int3", 3, {}, {int3}
        TRIGGER "ud2", 6, {}, {ud2}
        TRIGGER "div by zero", 0, {xor ecx, ecx}, {div ecx}
        TRIGGER "hlt in ring 3", 13, {}, {hlt}
        TRIGGER "mov cr3 in ring 3", 13, {xor eax, eax}, {mov cr3, rax}
        TRIGGER "read unmapped", 14, {mov ebx, UNMAPPED_VA}, {mov eax, [rbx]}
        TRIGGER "write read-only", 14, {mov ebx, RO_ALIAS_VA}, {mov byte [rbx], 1}
%else
        TRIGGER "int 0x80", 0x80, {mov rax, 0x0123456789abcdef}, {int 0x80}
        TRIGGER "int 0x41 (DPL 0 gate)", 13, {}, {int 0x41}
        TRIGGER "syscall", SYSCALL_VECTOR, {mov rax, 0x0123456789abcdef}, {syscall}
%endif
        lea rsi, [s_done]
        call puts
        mov rax, [exc_count]
        call putdec
        lea rsi, [s_done2]
        call puts
        mov al, EXC_VALUE
        cmp byte [failed], 0
        je .exit
        mov al, FAIL_VALUE
.exit:  call exit_value

; rsi = test name.  Prints
;   "<name>: vector 0xNN [err 0xE] rip site+0xN cs 0xNN [cr2 0xN] [rax 0xN]"
report:
        call puts
        mov rax, [exc_count]
        sub rax, [count_before]
        cmp rax, 1
        je .one
        lea rsi, [s_count]
        call puts
        call putdec
        mov al, 10
        call putc
        mov byte [failed], 1
        ret
.one:
        lea rsi, [s_vec]
        call puts
        mov rax, [exc_vector]
        mov ecx, 2
        call puthex
        mov rax, [exc_vector]
        cmp rax, [want_vector]
        je .vecok
        mov byte [failed], 1
.vecok:
        mov rax, [exc_vector]           ; vectors that push an error code
        cmp rax, 8
        je .err
        cmp rax, 10
        jb .noerr
        cmp rax, 14
        jbe .err
        cmp rax, 17
        jne .noerr
.err:   cmp qword [exc_vector], 14     ; #PF: page-fault error code
        je .errnum
        test byte [exc_error], 2        ; selector error code referencing the IDT?
        jnz .erridt
.errnum:
        lea rsi, [s_err]
        call puts
        mov rax, [exc_error]
        mov ecx, 1
        call puthex
        jmp .noerr
.erridt:                                ; QEMU TCG (7.2) puts vector*16+2 in
        lea rsi, [s_erridt]             ; long mode, hardware/KVM vector*8+2:
        call puts                       ; print only the IDT/EXT flags
        mov al, [exc_error]
        and eax, 1
        call putdec
.noerr: lea rsi, [s_rip]
        call puts
        mov rax, [exc_rip]
        sub rax, [site_rip]
        mov ecx, 1
        call puthex
        lea rsi, [s_cs]
        call puts
        mov rax, [exc_cs]
        mov ecx, 2
        call puthex
        cmp qword [exc_vector], 14
        jne .nocr2
        lea rsi, [s_cr2]
        call puts
        mov rax, [exc_cr2]
        mov ecx, 1
        call puthex
.nocr2: cmp qword [exc_vector], 0x80
        je .rax
        cmp qword [exc_vector], SYSCALL_VECTOR
        jne .norax
.rax:
        lea rsi, [s_rax]
        call puts
        mov rax, [exc_rax]
        mov ecx, 1
        call puthex
.norax: mov al, 10
        call putc
        ret

; Ring 0.  Anything that did not come from ring 3 is fatal.
guest_isr:
        test byte [rsp + 24], 3
        jz panic_isr
        mov [exc_rax], rax
        mov rax, [rsp]
        mov [exc_vector], rax
        mov rax, [rsp + 8]
        mov [exc_error], rax
        mov rax, [rsp + 16]
        mov [exc_rip], rax
        mov rax, [rsp + 24]
        mov [exc_cs], rax
        mov rax, cr2
        mov [exc_cr2], rax
        inc qword [exc_count]
        mov rax, [resume_rip]
        mov [rsp + 16], rax
        mov rax, [exc_rax]
        add rsp, 16
        iretq

s_start:    db PROG, ": raising exceptions from ring 3", 10, 0
s_count:    db ": FAILED, number of exceptions taken: ", 0
s_vec:      db ": vector 0x", 0
s_err:      db " err 0x", 0
s_erridt:   db " err IDT ext=", 0
s_rip:      db " rip site+0x", 0
s_cs:       db " cs 0x", 0
s_cr2:      db " cr2 0x", 0
s_rax:      db " rax 0x", 0
s_done:     db PROG, ": done, ", 0
s_done2:    db " exceptions handled", 10, 0

        align 8
exc_count:      dq 0
exc_vector:     dq 0
exc_error:      dq 0
exc_rip:        dq 0
exc_cs:         dq 0
exc_cr2:        dq 0
exc_rax:        dq 0
resume_rip:     dq 0
site_rip:       dq 0
want_vector:    dq 0
count_before:   dq 0
failed:         db 0
