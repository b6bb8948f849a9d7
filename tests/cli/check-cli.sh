#!/bin/sh
# check-cli.sh - bad input of every kind gets one clear line and a non-zero
# exit (never a signal, a hang or a core dump); informational options exit 0.
# Output: TAP.
set -u
BUILD=${BUILD:-build}
JANUS=${JANUS:-$BUILD/janus}
HELLO=$BUILD/tests/guest/x86/hello.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ENVV=""   # extra environment for the next run (VAR=value)

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

run() { timeout -k 5 20 env $ENVV "$JANUS" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; }

# Janus says whether its KVM engine can run here (built in, /dev/kvm usable).
kvm_line=$("$JANUS" -accel help 2>/dev/null | awk '$1 == "kvm" {$1 = ""; sub(/^ +/, ""); print}')
kvm_built=1
case $kvm_line in *"built without KVM"*) kvm_built=0 ;; esac
kvm_ok=0
case $kvm_line in "hardware virtualization"*) kvm_ok=1 ;; esac

# expect_error DESC PATTERN ARGS... : exit 1..123, exactly one stderr line
# matching PATTERN (grep -E, case-insensitive), nothing on stdout.
expect_error() {
    desc=$1 pat=$2
    shift 2
    run "$@"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ge 1 ] && [ "$rc" -lt 124 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] &&
        grep -qiE -e "$pat" "$tmp/err"; then
        ok "$desc: $(cat "$tmp/err")"
    else
        notok "$desc (rc=$rc, $lines stderr lines, wanted /$pat/)"
        head -5 "$tmp/err" | sed 's/^/#   stderr: /'
        head -5 "$tmp/out" | sed 's/^/#   stdout: /'
    fi
}

# expect_info DESC PATTERN ARGS... : exit 0, stdout matches, stderr empty
expect_info() {
    desc=$1 pat=$2
    shift 2
    run "$@"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qiE -e "$pat" "$tmp/out" && [ ! -s "$tmp/err" ]; then
        ok "$desc"
    else
        notok "$desc (rc=$rc)"
        head -5 "$tmp/err" | sed 's/^/#   stderr: /'
    fi
}

K="-M pc -nographic"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$tmp/passwd"
: >"$tmp/empty"
printf 'abc' >"$tmp/tiny"
mkdir "$tmp/dir"
head -c 300 "$HELLO" >"$tmp/truncated.elf"
cp "$HELLO" "$tmp/corrupt.elf"
# point e_phoff far past the end of the file
printf '\377\377\377\177' | dd of="$tmp/corrupt.elf" bs=1 seek=28 conv=notrunc 2>/dev/null
head -c 1000 /dev/urandom >"$tmp/random"

# The acceptance list of issue 2, then more of the same kind.
ENVV="JANUS_KVM_DEVICE=$tmp/no-such-kvm"
expect_error "-accel kvm without /dev/kvm" "does not exist|built without KVM" -accel kvm $K -kernel "$HELLO"
expect_error "janus -accel kvm (nothing else) without /dev/kvm" "does not exist|built without KVM" -accel kvm
expect_error "-accel auto without /dev/kvm" "does not exist|built without KVM" $K -kernel "$HELLO"
ENVV=""
expect_error "missing kernel" "/nonexistent.*no such file" $K -kernel /nonexistent
expect_error "a text file as kernel" "not a kernel" $K -kernel "$tmp/passwd"
expect_error "-m 0" "at least 1 MiB" -m 0 $K -kernel "$HELLO"
expect_error "-m 99999999G" "too large" -m 99999999G $K -kernel "$HELLO"
expect_error "unknown option" "-bogus: invalid option" -bogus
expect_error "empty kernel" "empty|too small|not a kernel|truncated" $K -kernel "$tmp/empty"
expect_error "3-byte kernel" "too small|not a kernel|truncated" $K -kernel "$tmp/tiny"
expect_error "directory as kernel" "directory" $K -kernel "$tmp/dir"
expect_error "truncated ELF" "truncat|past the end|beyond|corrupt" $K -kernel "$tmp/truncated.elf"
expect_error "corrupt ELF program headers" "program header|corrupt|past the end" $K -kernel "$tmp/corrupt.elf"
expect_error "random bytes as kernel" "not a kernel" $K -kernel "$tmp/random"
expect_error "missing -initrd module" "no-such-initrd" $K -kernel "$HELLO" -initrd "$tmp/no-such-initrd"
expect_error "-m garbage" "not a size" -m lots
expect_error "-m negative" "not a size" -m -5
expect_error "-smp 0" "positive" -smp 0
expect_error "-smp 100000" "positive|at most" -smp 100000
expect_error "-M bogus" "unknown machine" -M bogus -kernel "$HELLO"
expect_error "-accel bogus" "unknown accelerator" -accel bogus
expect_error "-accel interp (not built yet)" "interp.*not implemented" -accel interp $K -kernel "$HELLO"
expect_error "option missing its argument" "-kernel: requires an argument" -kernel
expect_error "-serial bogus backend" "unknown backend|serial" $K -serial bogus:thing -kernel "$HELLO"
expect_error "-serial file in a missing directory" "no-such-dir" $K -serial file:$tmp/no-such-dir/out -kernel "$HELLO"
expect_error "-device unknown" "unknown device" $K -device no-such-device -kernel "$HELLO"
expect_error "-device isa-debug-exit bad number" "iobase" $K -device isa-debug-exit,iobase=zz -kernel "$HELLO"
expect_error "-d unknown category" "unknown log category" -d nonsense
expect_error "plain argument (disk image)" "disk" disk.img
expect_error "-drive (no disk controller yet)" "disk controller" -drive file=x.img
expect_error "nothing to boot" "nothing to boot" $K
expect_error "-bios of a bad size" "multiple of 64 KiB" $K -bios "$tmp/passwd"
expect_error "-cpu unknown" "unknown CPU model" -cpu pentium9

# Permission to /dev/kvm, as an unprivileged user (only possible as root).
if [ "$kvm_built" = 0 ]; then
    skip "/dev/kvm without permission" "this janus was built without KVM"
elif [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && [ -e /dev/kvm ]; then
    cp "$JANUS" "$tmp/janus" && chmod 755 "$tmp" "$tmp/janus" && cp "$HELLO" "$tmp/hello.elf" && chmod 644 "$tmp/hello.elf"
    if [ "$(stat -c %a /dev/kvm)" != 666 ]; then
        J=$JANUS
        JANUS="setpriv --reuid=65534 --regid=65534 --clear-groups $tmp/janus"
        run() { timeout -k 5 20 $JANUS "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; }
        expect_error "/dev/kvm without permission" "no permission" -accel kvm $K -kernel "$tmp/hello.elf"
        JANUS=$J
        run() { timeout -k 5 20 env $ENVV "$JANUS" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; }

# Janus says whether its KVM engine can run here (built in, /dev/kvm usable).
kvm_line=$("$JANUS" -accel help 2>/dev/null | awk '$1 == "kvm" {$1 = ""; sub(/^ +/, ""); print}')
kvm_built=1
case $kvm_line in *"built without KVM"*) kvm_built=0 ;; esac
kvm_ok=0
case $kvm_line in "hardware virtualization"*) kvm_ok=1 ;; esac
    else
        skip "/dev/kvm without permission" "/dev/kvm is world-writable here"
    fi
else
    skip "/dev/kvm without permission" "needs root, setpriv and /dev/kvm"
fi

# Acceptance: -serial file:PATH gets exactly what stdio would; -stats counts exits.
if [ "$kvm_ok" = 1 ]; then
    X="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
    timeout 20 "$JANUS" $K -accel kvm -kernel "$HELLO" $X </dev/null >"$tmp/stdio.txt" 2>"$tmp/err"
    rc1=$?
    timeout 20 "$JANUS" $K -accel kvm -kernel "$HELLO" $X -serial file:$tmp/out.txt </dev/null >"$tmp/out" 2>>"$tmp/err"
    rc2=$?
    if [ "$rc1" = 85 ] && [ "$rc2" = 85 ] && [ -s "$tmp/out.txt" ] && [ ! -s "$tmp/out" ] &&
        cmp -s "$tmp/stdio.txt" "$tmp/out.txt" && cmp -s "$tmp/out.txt" tests/guest/x86/hello.expected; then
        ok "-serial file:PATH holds the guest's output, stdout stays empty, status 85"
    else
        notok "-serial file:PATH (rc $rc1/$rc2)"
        head -3 "$tmp/err" | sed 's/^/#   /'
    fi
    timeout 20 "$JANUS" $K -accel kvm -kernel "$HELLO" $X -stats </dev/null >"$tmp/out" 2>"$tmp/err"
    chars=$(wc -c <"$tmp/out")
    io=$(awk '$1 == "I/O" && $2 == "port" {print $3}' "$tmp/err")
    total=$(awk '$1 == "VM" && $2 == "exits" {print $3}' "$tmp/err")
    # every byte printed is at least one port write exit (plus LSR polls)
    if [ -n "$io" ] && [ "$io" -ge "$chars" ] && [ "$total" -ge "$io" ] &&
        grep -q 'busiest I/O ports: 0x3f' "$tmp/err" && grep -q 'startup' "$tmp/err"; then
        ok "-stats: $io I/O port exits for $chars bytes printed, $total exits in all"
    else
        notok "-stats counters (io=$io chars=$chars total=$total)"
        sed 's/^/#   /' "$tmp/err" | head -20
    fi
    timeout 20 "$JANUS" $K -accel kvm -smp 4 -kernel "$HELLO" $X </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 85 ] && cmp -s "$tmp/out" tests/guest/x86/hello.expected; then
        ok "-smp 4 creates four vCPUs and the boot CPU runs the guest"
    else
        notok "-smp 4 (rc=$rc)"
        head -3 "$tmp/err" | sed 's/^/#   /'
    fi
    # The interrupt path: uartirq halts with IF=1 and is woken by IRQ4 via the 8259.
    printf 'hello janus\n' >"$tmp/line"
    timeout 20 "$JANUS" $K -accel kvm -kernel "$BUILD/tests/guest/x86/uartirq.elf" $X -stats \
        <"$tmp/line" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    hlt=$(awk '$1 == "HLT" {print $2}' "$tmp/err")
    inj=$(awk '$1 == "interrupts" && $2 == "injected" {print $3}' "$tmp/err")
    if [ "$rc" = 35 ] && [ "${hlt:-0}" -ge 1 ] && [ "${inj:-0}" -ge 1 ] && grep -q 'HELLO JANUS' "$tmp/out"; then
        ok "-stats: uartirq woke from $hlt HLT exits through $inj injected interrupts"
    else
        notok "uartirq interrupt path (rc=$rc hlt=$hlt injected=$inj)"
        sed 's/^/#   /' "$tmp/out" "$tmp/err" | head -20
    fi
    # A signal stops vCPUs that are busy in guest ring 3 (kick out of KVM_RUN).
    "$JANUS" $K -accel kvm -kernel "$BUILD/tests/guest/x86/ring3loop.elf" -append "n=100000000000" $X \
        </dev/null >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 0.5
    kill -TERM $pid
    t0=$(date +%s%N)
    wait $pid
    rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    if [ "$rc" = 143 ] && grep -q 'terminating on signal 15' "$tmp/err" && [ "$ms" -lt 2000 ]; then
        ok "SIGTERM while the guest computes in ring 3: exit 143 after $ms ms"
    else
        notok "SIGTERM during ring-3 compute (rc=$rc after $ms ms)"
        sed 's/^/#   /' "$tmp/err" | head -5
    fi
    # -debugcon file:PATH gets what the guest writes to port 0xe9, COM1 stays clean
    timeout 20 "$JANUS" $K -accel kvm -bios "$BUILD/tests/guest/x86/bios.bin" $X \
        -debugcon "file:$tmp/debugcon.txt" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 43 ] && [ "$(cat "$tmp/debugcon.txt")" = "firmware: hello on port 0xe9" ] &&
        cmp -s "$tmp/out" tests/guest/x86/bios.expected; then
        ok "-debugcon file:PATH holds the port 0xe9 output"
    else
        notok "-debugcon file:PATH (rc=$rc)"
        sed 's/^/#   /' "$tmp/err" "$tmp/debugcon.txt" 2>/dev/null | head -5
    fi
    # A host reader that stops reading must not hang janus: the guest floods
    # COM1 into a FIFO nobody reads; SIGTERM must still end janus.
    mkfifo "$tmp/fifo"
    "$JANUS" $K -accel kvm -kernel "$BUILD/tests/guest/x86/flood.bin" </dev/null >"$tmp/fifo" 2>"$tmp/err" &
    pid=$!
    exec 8<"$tmp/fifo"
    sleep 1
    kill -TERM $pid
    t0=$(date +%s%N)
    # wait up to 5 s, then give up (and kill it hard)
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL $pid 2>/dev/null
    wait $pid
    rc=$?
    exec 8<&-
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    if [ "$rc" = 143 ] && [ "$ms" -lt 2000 ]; then
        ok "output to a reader that stopped reading: SIGTERM still exits (143) in $ms ms"
    else
        notok "janus hung on blocked output (rc=$rc after $ms ms)"
        sed 's/^/#   /' "$tmp/err" | head -5
    fi
else
    for t in "-debugcon file:PATH" "blocked output" "uartirq interrupt path" "SIGTERM during ring-3 compute" "-serial file:PATH" \
        "-stats counters" "-smp 4"; do
        skip "$t" "kvm engine unavailable: $kvm_line"
    done
fi

expect_info "-help" "usage: janus" -help
expect_info "-version" "janus [0-9]" -version
expect_info "-M help" "pc " -M help
expect_info "-accel help" "kvm" -accel help
expect_info "-device help" "isa-debug-exit" -device help
expect_info "-d help" "guest_errors" -d help

echo "1..$n"
[ "$fails" -eq 0 ]
