#!/bin/bash
# bench.sh - what `make bench` runs.  Prints measurements and ratios against
# QEMU measured in the same run; never pass/fail on timing.
#   startup: process start -> first guest instruction (first.elf exits at its
#            first instruction), wall and CPU time, janus vs qemu-system-x86_64
#   memory:  janus's resident memory beyond the guest RAM the guest touched
#   ring 3:  a 64-bit ring-3 compute loop under KVM vs QEMU (KVM and TCG)
set -u
BUILD=${BUILD:-build}
J=$BUILD/janus
G=$BUILD/tests/guest/x86
RUNS=${RUNS:-20}
EXIT_DEV="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
QEMU=$(command -v qemu-system-x86_64 || true)

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    echo "bench: /dev/kvm is not usable here; the KVM benchmarks need it"
    exit 0
fi

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'; }

# time_cmd CMD...: prints "wall_ms cpu_ms" for one run (output discarded)
time_cmd() {
    local t0 t1 u0 u1
    t0=$(date +%s%N)
    read -r u0 < <(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
    "$@" </dev/null >/dev/null 2>&1
    t1=$(date +%s%N)
    # children's CPU time accumulates in cutime+cstime of this shell
    read -r u1 < <(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
    local hz
    hz=$(getconf CLK_TCK)
    echo "$(( (t1 - t0) / 1000 )) $(( (u1 - u0) * 1000000 / hz ))" | awk '{printf "%.3f %.3f\n", $1/1000, $2/1000}'
}

echo "== startup: process start to the guest's first instruction (first.elf, $RUNS runs, median)"
jw=() ; jc=(); js=()
for ((i = 0; i < RUNS; i++)); do
    read -r w c < <(time_cmd "$J" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV)
    jw+=("$w"); jc+=("$c")
    s=$("$J" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV -stats 2>&1 </dev/null |
        awk '/startup/ {print $2}')
    js+=("$s")
done
jwm=$(printf '%s\n' "${jw[@]}" | median)
jcm=$(printf '%s\n' "${jc[@]}" | median)
jsm=$(printf '%s\n' "${js[@]}" | median)
printf '  janus: %8.2f ms to first KVM_RUN (internal), %8.2f ms wall for the whole run, CPU time %.1f ms (tick-granular)\n' "$jsm" "$jwm" "$jcm"
echo "         goal <= 5 ms; Firecracker's specification promises <= 8 CPU ms"
if [ -n "$QEMU" ]; then
    qw=()
    for ((i = 0; i < 5; i++)); do
        read -r w c < <(time_cmd timeout 120 "$QEMU" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV)
        qw+=("$w")
    done
    qwm=$(printf '%s\n' "${qw[@]}" | median)
    printf '  qemu -M pc -accel kvm: %8.2f ms wall (median of 5; includes SeaBIOS)\n' "$qwm"
    awk -v a="$jwm" -v b="$qwm" 'BEGIN {printf "  ratio qemu/janus wall: %.1fx\n", b/a}'
fi

echo "== memory: janus's own resident memory (hello.elf, -m 128M)"
"$J" -M pc -accel kvm -nographic -kernel "$G/hello.elf" $EXIT_DEV -stats </dev/null 2>&1 >/dev/null |
    grep 'resident' | sed 's/^ */  janus: /'
echo "         goal <= 5 MiB beyond the guest RAM touched; Firecracker <= 5 MiB"

N=${RING3_N:-300000000}
echo "== ring 3: 64-bit user-mode loop, n=$N"
read -r jw jc < <(time_cmd "$J" -M pc -accel kvm -nographic -kernel "$G/ring3loop.elf" -append "n=$N" $EXIT_DEV)
printf '  janus kvm: %8.1f ms\n' "$jw"
if [ -n "$QEMU" ]; then
    read -r qk _ < <(time_cmd timeout 300 "$QEMU" -M pc -accel kvm -nographic -kernel "$G/ring3loop.elf" -append "n=$N" $EXIT_DEV)
    printf '  qemu kvm:  %8.1f ms   (ratio qemu/janus %.2fx)\n' "$qk" "$(awk -v a="$jw" -v b="$qk" 'BEGIN{print b/a}')"
    read -r qt _ < <(time_cmd timeout 300 "$QEMU" -M pc -accel tcg -nographic -kernel "$G/ring3loop.elf" -append "n=$N" $EXIT_DEV)
    printf '  qemu tcg:  %8.1f ms   (emulation/virtualization %.1fx)\n' "$qt" "$(awk -v a="$jw" -v b="$qt" 'BEGIN{print b/a}')"
fi
