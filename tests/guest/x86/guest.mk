# guest.mk - x86 guest test images for Janus (GNU make fragment).
#
# Included by the top-level Makefile; paths are relative to the repository
# root, outputs go under $(BUILD)/tests/guest/x86/.  Needs nasm and GNU ld
# (binutils, with the elf_i386 emulation).
#
#   GUEST_X86_IMAGES     all images (ELF32 multiboot + the boot sector)
#   guest-x86            phony: build them
#   check-guest-x86      phony: build them and run tests/guest/x86/check.sh
#                        (pass CHECK_GUEST_X86_FLAGS=--qemu-only etc.)

BUILD ?= build

GUEST_X86_SRC := tests/guest/x86
GUEST_X86_OUT := $(BUILD)/tests/guest/x86
GUEST_X86_NASM ?= nasm
GUEST_X86_LD ?= ld

GUEST_X86_ELF_NAMES := hello exceptions softint uartirq ring3loop first mbinfo
GUEST_X86_ELFS := $(GUEST_X86_ELF_NAMES:%=$(GUEST_X86_OUT)/%.elf)
GUEST_X86_OBJS := $(GUEST_X86_ELF_NAMES:%=$(GUEST_X86_OUT)/%.o)
GUEST_X86_IMAGES := $(GUEST_X86_ELFS) $(GUEST_X86_OUT)/bootsect.bin $(GUEST_X86_OUT)/reset.bin \
	$(GUEST_X86_OUT)/bios.bin $(GUEST_X86_OUT)/flood.bin \
	$(GUEST_X86_OUT)/strio.bin

$(GUEST_X86_OBJS): $(GUEST_X86_OUT)/%.o: $(GUEST_X86_SRC)/%.asm $(GUEST_X86_SRC)/common.inc
	@mkdir -p $(@D)
	$(GUEST_X86_NASM) -f elf32 -I$(GUEST_X86_SRC)/ -o $@ $<

$(GUEST_X86_OUT)/softint.o: $(GUEST_X86_SRC)/exceptions.asm

$(GUEST_X86_ELFS): $(GUEST_X86_OUT)/%.elf: $(GUEST_X86_OUT)/%.o $(GUEST_X86_SRC)/link.ld
	$(GUEST_X86_LD) -m elf_i386 -T $(GUEST_X86_SRC)/link.ld -o $@ $<

$(GUEST_X86_OUT)/bootsect.bin $(GUEST_X86_OUT)/reset.bin $(GUEST_X86_OUT)/flood.bin \
	$(GUEST_X86_OUT)/strio.bin: $(GUEST_X86_OUT)/%.bin: $(GUEST_X86_SRC)/%.asm
	@mkdir -p $(@D)
	$(GUEST_X86_NASM) -f bin -o $@ $<
	@test "$$(wc -c <$@)" -eq 512 || { echo "$@: not 512 bytes" >&2; rm -f $@; exit 1; }

$(GUEST_X86_OUT)/bios.bin: $(GUEST_X86_SRC)/bios.asm
	@mkdir -p $(@D)
	$(GUEST_X86_NASM) -f bin -o $@ $<

.PHONY: guest-x86 check-guest-x86
guest-x86: $(GUEST_X86_IMAGES)

check-guest-x86: $(GUEST_X86_IMAGES)
	BUILD=$(BUILD) $(GUEST_X86_SRC)/check.sh $(CHECK_GUEST_X86_FLAGS)
