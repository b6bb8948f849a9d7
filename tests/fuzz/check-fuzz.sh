#!/bin/sh
# check-fuzz.sh - a short libFuzzer run of every fuzz target (the loaders'
# parsers today), seeded with the guest images, under ASan+UBSan.  TAP.
#   FUZZ_SECONDS (default 15) per target; the full recipe is in docs/loaders.md.
set -u
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-15}
out=$BUILD/fuzz
echo "1..1"
CC=${FUZZ_CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "ok 1 - fuzz-elf # SKIP $CC not installed (apt-get install clang libclang-rt-14-dev)"
    exit 0
fi
mkdir -p "$out/corpus-elf"
if ! "$CC" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -Iinclude -D_GNU_SOURCE \
    tests/fuzz/fuzz-elf.c hw/core/elf.c hw/pc/multiboot.c hw/pc/pc_kernel.c hw/core/machine.c \
    hw/core/memory.c hw/core/util.c hw/core/mainloop.c hw/core/clock.c cpu/x86/state.c \
    -o "$out/fuzz-elf" -pthread -lm >"$out/build.log" 2>&1; then
    if grep -q 'libclang_rt.fuzzer' "$out/build.log"; then
        echo "ok 1 - fuzz-elf # SKIP no libFuzzer runtime (apt-get install libclang-rt-14-dev)"
        exit 0
    fi
    echo "not ok 1 - fuzz-elf does not build"
    sed 's/^/# /' "$out/build.log" | head -20
    exit 1
fi
# seeds: every guest image this build made
cp "$BUILD"/tests/guest/x86/*.elf "$BUILD"/tests/guest/x86/*.bin "$out/corpus-elf/" 2>/dev/null
"$out/fuzz-elf" -artifact_prefix="$out/" -close_fd_mask=2 -max_len=16384 -max_total_time="$secs" -print_final_stats=1 \
    "$out/corpus-elf" >"$out/fuzz-elf.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz-elf.log")
if [ "$rc" -eq 0 ]; then
    echo "ok 1 - fuzz-elf: ${runs:-?} inputs in ${secs}s, no crash, leak or UB"
else
    echo "not ok 1 - fuzz-elf found a problem (exit $rc); reproducer in $out"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$out/fuzz-elf.log" | head -10 | sed 's/^/# /'
    exit 1
fi
