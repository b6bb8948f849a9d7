; softint.asm - exceptions.asm with the ring-3 -> ring-0 entries that the
; PVM KVM does not virtualise (see exceptions.asm and common.inc): int 0x80
; through a DPL-3 gate, int 0x41 through a DPL-0 gate (#GP) and syscall.
; Exit value 21 (status 43).  softint.meta has PVM_SKIP.

%define SOFTINT
%define WITH_SYSCALL
%include "exceptions.asm"
