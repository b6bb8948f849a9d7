# Janus - non-recursive Makefile.  Run ./configure first (done for you when
# build/config.mk is missing).  Targets: all check demo bench install format clean.

BUILD ?= build
-include $(BUILD)/config.mk

ifeq ($(CONFIG_KVM),)
# Not configured yet: make deps + configure, then make restarts with config.mk.
$(BUILD)/config.mk: configure scripts/deps.sh
	@scripts/deps.sh build
	./configure $(CONFIGURE_ARGS)
else
$(BUILD)/config.mk: configure
	./configure $(CONFIGURE_ARGS)
endif

CFLAGS_ALL = $(CFLAGS_CONFIG) -I. -Iinclude -MMD -MP $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS_CONFIG) $(LDFLAGS)

# --- sources: every .c under the layer folders belongs to libjanus ---
LIB_SRCS := $(wildcard hw/*/*.c accel/*.c cpu/*/*.c ui/*.c)
ifneq ($(CONFIG_KVM),y)
LIB_SRCS := $(filter-out accel/kvm%.c,$(LIB_SRCS))
endif
ifneq ($(CONFIG_SDL),y)
LIB_SRCS := $(filter-out ui/sdl%.c,$(LIB_SRCS))
endif
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB := $(BUILD)/libjanus.a
JANUS := $(BUILD)/janus

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_HELPER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/helper-*.c))

include tests/guest/x86/guest.mk

.PHONY: all check check-quick demo bench install format clean distclean deps-check deps-demo tests
.DEFAULT_GOAL := all

all: $(JANUS)

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(JANUS): $(BUILD)/main.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/main.o $(LIB) $(LIBS_CONFIG)

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CMOCKA_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/test-%: $(BUILD)/tests/unit/test-%.o $(UNIT_HELPER_OBJS) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(UNIT_HELPER_OBJS) $(LIB) $(LIBS_CONFIG) $(CMOCKA_LIBS)

tests: $(JANUS) $(UNIT_TESTS) $(GUEST_X86_IMAGES)

deps-check:
	@scripts/deps.sh check

deps-demo:
	@scripts/deps.sh demo

# The whole test suite, then again against an ASan+UBSan build in
# $(BUILD)/asan (CHECK_ASAN=0 skips that tier); ends with
# "N passed, N failed, N skipped".
CHECK_ASAN ?= 1
ASAN_BUILD := $(BUILD)/asan
check: deps-check
	@$(MAKE) --no-print-directory tests
ifeq ($(CHECK_ASAN),1)
	@test -f $(ASAN_BUILD)/config.mk || ./configure $(CONFIGURE_ARGS) --enable-sanitizers --builddir=$(ASAN_BUILD) >/dev/null
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) tests
	@BUILD=$(BUILD) BUILDS="$(BUILD) $(ASAN_BUILD)" tests/runner.sh
else
	@BUILD=$(BUILD) tests/runner.sh
endif

demo: deps-demo
	@$(MAKE) --no-print-directory $(JANUS) $(GUEST_X86_IMAGES)
	@BUILD=$(BUILD) scripts/demo.sh

bench: deps-check
	@$(MAKE) --no-print-directory $(JANUS) $(GUEST_X86_IMAGES)
	@BUILD=$(BUILD) scripts/bench.sh

install: $(JANUS)
	install -D -m 755 $(JANUS) $(DESTDIR)$(PREFIX)/bin/janus
	install -D -m 644 docs/janus.1 $(DESTDIR)$(PREFIX)/share/man/man1/janus.1

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)/hw $(BUILD)/accel $(BUILD)/cpu $(BUILD)/ui $(BUILD)/tests $(BUILD)/main.* $(LIB) $(JANUS)

distclean:
	rm -rf $(BUILD)

-include $(LIB_OBJS:.o=.d) $(BUILD)/main.d $(UNIT_TESTS:=.d)
