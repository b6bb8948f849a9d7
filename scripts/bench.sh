#!/bin/bash
# bench.sh - what `make bench` runs.  Prints measurements and ratios against
# QEMU measured in the same run; never pass/fail on timing.
#   startup: process start -> first guest instruction (first.elf exits at its
#            first instruction): janus vs qemu-system-x86_64 (KVM if QEMU's
#            KVM gets through SeaBIOS in time on this host, and TCG)
#   memory:  janus's resident memory beyond the guest RAM the guest touched
#   ring 3:  a 64-bit ring-3 compute loop, janus KVM vs QEMU
set -u
BUILD=${BUILD:-build}
J=$BUILD/janus
G=$BUILD/tests/guest/x86
RUNS=${RUNS:-20}
QRUNS=${QRUNS:-5}
QEMU_KVM_TIMEOUT=${QEMU_KVM_TIMEOUT:-30}
EXIT_DEV="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
QEMU=$(command -v qemu-system-x86_64 || true)

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    echo "bench: /dev/kvm is not usable here; the KVM benchmarks need it"
    exit 0
fi

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'; }
now_ns() { date +%s%N; }

# wall_ms CMD...: wall-clock milliseconds of one run (output discarded);
# prints "timeout" if the command was killed by timeout(1)
wall_ms() {
    local t0 t1 rc
    t0=$(now_ns)
    "$@" </dev/null >/dev/null 2>&1
    rc=$?
    t1=$(now_ns)
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo timeout; return; fi
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b - a) / 1e6}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0) printf "%.1fx", b / a; else print "n/a"}'; }

echo "janus bench on $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
[ -d /sys/module/kvm_pvm ] && echo "note: /dev/kvm is PVM here (ring-0/real-mode guest code is emulated by the host kernel)"

echo
echo "== startup: process start to the guest's first instruction (first.elf), median of $RUNS"
ws=() ; ss=(); cs=()
for ((i = 0; i < RUNS; i++)); do
    ws+=("$(wall_ms "$J" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV)")
    line=$("$J" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV -stats 2>&1 </dev/null | grep startup)
    ss+=("$(echo "$line" | awk '{print $2}')")
    cs+=("$(echo "$line" | sed 's/.*(\([0-9.]*\) ms process CPU).*/\1/')")
done
jw=$(printf '%s\n' "${ws[@]}" | median)
js=$(printf '%s\n' "${ss[@]}" | median)
jc=$(printf '%s\n' "${cs[@]}" | median)
printf '  janus -accel kvm       %9.2f ms main() to first KVM_RUN, %.2f ms CPU by then; %.2f ms wall for the whole process\n' "$js" "$jc" "$jw"
echo "                         (goal <= 5 ms; Firecracker's specification: <= 8 CPU ms)"
if [ -n "$QEMU" ]; then
    q=$(wall_ms timeout "$QEMU_KVM_TIMEOUT" "$QEMU" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV)
    if [ "$q" = timeout ]; then
        echo "  qemu -accel kvm        did not reach the guest within ${QEMU_KVM_TIMEOUT} s (SeaBIOS runs in ring 0/real mode)"
    else
        qk=("$q")
        for ((i = 1; i < QRUNS; i++)); do
            qk+=("$(wall_ms timeout "$QEMU_KVM_TIMEOUT" "$QEMU" -M pc -accel kvm -nographic -kernel "$G/first.elf" $EXIT_DEV)")
        done
        qkm=$(printf '%s\n' "${qk[@]}" | median)
        printf '  qemu -accel kvm        %9.2f ms wall (median of %d, SeaBIOS included)   qemu/janus %s\n' "$qkm" "$QRUNS" "$(ratio "$jw" "$qkm")"
    fi
    qt=()
    for ((i = 0; i < QRUNS; i++)); do
        qt+=("$(wall_ms timeout 120 "$QEMU" -M pc -accel tcg -nographic -kernel "$G/first.elf" $EXIT_DEV)")
    done
    qtm=$(printf '%s\n' "${qt[@]}" | median)
    printf '  qemu -accel tcg        %9.2f ms wall (median of %d, SeaBIOS included)   qemu/janus %s\n' "$qtm" "$QRUNS" "$(ratio "$jw" "$qtm")"
fi

echo
echo "== memory: resident set at exit, hello.elf with -m 128M"
"$J" -M pc -accel kvm -nographic -kernel "$G/hello.elf" $EXIT_DEV -stats </dev/null 2>&1 >/dev/null |
    grep 'resident' | sed 's/^ *resident memory */  janus -accel kvm       /'
echo "                         (goal <= 5 MiB beyond guest RAM touched; Firecracker: <= 5 MiB)"
if [ -n "$QEMU" ]; then
    # QEMU's peak RSS for the same guest, sampled from /proc while it runs
    "$QEMU" -M pc -accel tcg -nographic -kernel "$G/hello.elf" $EXIT_DEV </dev/null >/dev/null 2>&1 &
    qpid=$!
    peak=0
    for ((t = 0; t < 6000; t++)); do
        r=$(awk '/VmRSS/ {print $2}' /proc/$qpid/status 2>/dev/null) || break
        [ -z "$r" ] && break
        [ "$r" -gt "$peak" ] && peak=$r
        sleep 0.02
    done
    kill $qpid 2>/dev/null; wait $qpid 2>/dev/null
    printf '  qemu -accel tcg        %9.2f MiB resident at its peak (sampled; guest RAM included)\n' "$(awk -v k="$peak" 'BEGIN {print k / 1024}')"
fi

N=${RING3_N:-300000000}
echo
echo "== ring 3: 64-bit user-mode loop (ring3loop.elf, n=$N)"
echo "  (total wall time; 'compute' subtracts the same engine's first.elf time measured above)"
jr=$(wall_ms "$J" -M pc -accel kvm -nographic -kernel "$G/ring3loop.elf" -append "n=$N" $EXIT_DEV)
jrc=$(awk -v a="$jr" -v b="$jw" 'BEGIN {print a - b}')
printf '  janus -accel kvm       %9.1f ms   compute %.1f ms\n' "$jr" "$jrc"
if [ -n "$QEMU" ]; then
    if [ "${q:-}" != timeout ]; then
        qr=$(wall_ms timeout 300 "$QEMU" -M pc -accel kvm -nographic -kernel "$G/ring3loop.elf" -append "n=$N" $EXIT_DEV)
        qrc=$(awk -v a="$qr" -v b="$qkm" 'BEGIN {print a - b}')
        printf '  qemu -accel kvm        %9s ms   compute %.1f ms   qemu/janus total %s, compute %s\n' "$qr" "$qrc" "$(ratio "$jr" "$qr")" "$(ratio "$jrc" "$qrc")"
    fi
    qr=$(wall_ms timeout 300 "$QEMU" -M pc -accel tcg -nographic -kernel "$G/ring3loop.elf" -append "n=$N" $EXIT_DEV)
    qrc=$(awk -v a="$qr" -v b="$qtm" 'BEGIN {print a - b}')
    printf '  qemu -accel tcg        %9s ms   compute %.1f ms   emulation/virtualization (compute) %s\n' "$qr" "$qrc" "$(ratio "$jrc" "$qrc")"
fi
