#!/bin/bash
# check.sh - run the x86 guest tests under Janus (KVM) and QEMU (TCG oracle).
#
# usage: tests/guest/x86/check.sh [--qemu-only|--janus-only] [NAME...]
#
# NAME is a tests/guest/x86/NAME.meta file (default: all of them).  Each
# test runs its image with
#   -M pc -accel kvm -nographic -kernel IMG \
#       -device isa-debug-exit,iobase=0xf4,iosize=0x04 $ARGS
# under $JANUS, and (if qemu-system-x86_64 is installed) with -accel tcg
# under QEMU (-drive format=raw,file=IMG,snapshot=on instead of -kernel
# when QEMU_BOOT=drive), and compares stdout and the exit status with
# NAME.expected and STATUS.  The SeaBIOS/iPXE banner that QEMU prints on
# the serial console before the guest starts (everything up to and
# including "Booting from ...") is removed from QEMU's output first.
#
# .meta files are shell fragments:
#   IMAGE=hello.elf           image in $BUILD/tests/guest/x86/
#   STATUS=85                 expected exit status
#   ARGS='-append "exit=5"'   extra emulator arguments (shell words)
#   INPUT='hello\n'           stdin bytes, printf format (default: none)
#   INPUT_WAIT='marker'       send INPUT only once stdout contains marker
#                             (default: INPUT is on stdin from the start)
#   QEMU_BOOT=kernel|drive|bios how QEMU loads the image (default kernel);
#                             bios: both QEMU and Janus get -bios IMG
#   EXPECTED=other.expected   expected output (default NAME.expected)
#   JANUS_EXPECTED=f.expected Janus's own expected output where the
#                             machines legitimately differ (firmware tables)
#   QEMU_SKIP='reason'        do not run this test under QEMU
#   JANUS_SKIP='reason'       do not run this test under Janus
#   PVM_SKIP='reason'         do not run it under Janus when the host's KVM
#                             is PVM (/sys/module/kvm_pvm exists)
#
# Environment: BUILD (default build), JANUS (default $BUILD/janus),
# QEMU (default qemu-system-x86_64), GUEST_TIMEOUT (seconds, default 20).
# Output is TAP; actual outputs are kept in $BUILD/tests/guest/x86/results/.
# Exit status 0 when no test failed, 1 otherwise.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root" || exit 2

BUILD=${BUILD:-build}
JANUS=${JANUS:-$BUILD/janus}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${GUEST_TIMEOUT:-20}
imgdir=$BUILD/tests/guest/x86
resdir=$imgdir/results
testdir=tests/guest/x86

run_janus=1
run_qemu=1
names=()
for a in "$@"; do
    case $a in
    --qemu-only) run_janus=0 ;;
    --janus-only) run_qemu=0 ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "check.sh: unknown option $a" >&2; exit 2 ;;
    *) names+=("${a%.meta}") ;;
    esac
done
if [ "$run_janus$run_qemu" = 00 ]; then
    echo "check.sh: --qemu-only and --janus-only exclude each other" >&2
    exit 2
fi
if [ ${#names[@]} -eq 0 ]; then
    for m in "$testdir"/*.meta; do
        [ -e "$m" ] || continue
        n=${m##*/}
        names+=("${n%.meta}")
    done
fi
for n in "${names[@]}"; do
    if [ ! -f "$testdir/$n.meta" ]; then
        echo "check.sh: no such test: $testdir/$n.meta" >&2
        exit 2
    fi
done

# Why a whole emulator cannot run (empty: it can).
# Janus itself says whether its KVM engine can run here, and why not.
janus_skip=
if [ $run_janus = 1 ] && [ -x "$JANUS" ]; then
    kvm_line=$("$JANUS" -accel help 2>/dev/null | awk '$1 == "kvm" {$1 = ""; sub(/^ +/, ""); print}')
    case $kvm_line in
    "hardware virtualization"*) ;;
    "") janus_skip="$JANUS -accel help does not list kvm" ;;
    *) janus_skip="kvm engine unavailable: $kvm_line" ;;
    esac
fi
pvm_host=
[ -d /sys/module/kvm_pvm ] && pvm_host=1
qemu_skip=
if [ $run_qemu = 1 ] && ! command -v "$QEMU" >/dev/null 2>&1; then
    qemu_skip="$QEMU not installed"
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$resdir"

echo "1..$(( ${#names[@]} * (run_janus + run_qemu) ))"
num=0
failures=0

# Print a file as TAP comment lines, at most $2 lines.
comment() {
    sed -n "1,${2}p" "$1" | sed 's/^/# /'
}

# run EMU -> sets $got_status; writes $out and $err
run() {
    local emu=$1 cmd status pid
    local -a extra
    eval "extra=($ARGS)"
    if [ "$QEMU_BOOT" = bios ]; then
        # firmware image: both machines start it at the reset vector
        if [ "$emu" = janus ]; then
            cmd=("$JANUS" -M pc -accel kvm -nographic -bios "$img")
        else
            cmd=("$QEMU" -M pc -accel tcg -nographic -bios "$img" -net none)
        fi
    elif [ "$emu" = janus ]; then
        cmd=("$JANUS" -M pc -accel kvm -nographic -kernel "$img")
    elif [ "$QEMU_BOOT" = drive ]; then
        cmd=("$QEMU" -M pc -accel tcg -nographic
             -drive "format=raw,file=$img,snapshot=on")
    else
        cmd=("$QEMU" -M pc -accel tcg -nographic -kernel "$img")
    fi
    cmd+=(-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${extra[@]}")
    cmd_desc=$(printf '%q ' "${cmd[@]}")
    if [ -n "$INPUT" ]; then
        cmd_desc="$cmd_desc, stdin: printf '$INPUT'"
        [ -z "$INPUT_WAIT" ] || cmd_desc="$cmd_desc after \"$INPUT_WAIT\""
    fi

    if [ -z "$INPUT" ]; then
        timeout -k 5 "$TIMEOUT" "${cmd[@]}" </dev/null >"$out" 2>"$err"
        status=$?
    elif [ -z "$INPUT_WAIT" ]; then
        printf "$INPUT" >"$tmp/input"
        timeout -k 5 "$TIMEOUT" "${cmd[@]}" <"$tmp/input" >"$out" 2>"$err"
        status=$?
    else
        # stdin is a FIFO kept open (no EOF) until the marker shows up
        rm -f "$tmp/fifo"
        mkfifo "$tmp/fifo"
        timeout -k 5 "$TIMEOUT" "${cmd[@]}" <"$tmp/fifo" >"$out" 2>"$err" &
        pid=$!
        exec 7>"$tmp/fifo"
        while kill -0 "$pid" 2>/dev/null &&
              ! grep -qF -- "$INPUT_WAIT" "$out" 2>/dev/null; do
            sleep 0.05
        done
        ( printf "$INPUT" >&7 ) 2>/dev/null
        exec 7>&-
        wait "$pid"
        status=$?
    fi
    got_status=$status
}

# Remove what QEMU's firmware prints on the serial line before the guest
# runs (SeaBIOS's serial console is on under -nographic): terminal escapes,
# the SeaBIOS and iPXE banners, up to "Booting from ROM.." (-kernel) or
# "Booting from Hard Disk.." (-drive).  SeaBIOS holds the last character
# back ("lazy" output) and may or may not flush it, and the following CR
# and LF, before the guest starts, so an optional ".", "\r" and "\n" after
# that are removed too (guest output must not start with those).  A guest
# that resets the machine gets a banner at every boot (each starts with the
# ESC c terminal reset); all of them are removed.  perl is Essential in Debian.
strip_qemu() {
    perl -0777 -pe 's/^.*?Booting from [^.]*\.\.\.?\r?\n?//s; s/\ec.*?Booting from [^.]*\.\.\.?\r?\n?//gs' "$1"
}

report() {  # emu desc
    local emu=$1 desc=$2 ok=1 actual=$out
    if [ "$emu" = qemu ]; then
        strip_qemu "$out" >"$out.stripped"
        actual=$out.stripped
    fi
    cp "$actual" "$resdir/$name.$emu.out"
    cp "$err" "$resdir/$name.$emu.err"
    [ "$got_status" = "$STATUS" ] || ok=0
    cmp -s "$expected" "$actual" || ok=0
    num=$((num + 1))
    if [ $ok = 1 ]; then
        echo "ok $num - $desc"
        return
    fi
    failures=$((failures + 1))
    echo "not ok $num - $desc"
    if [ "$got_status" = 124 ] || [ "$got_status" = 137 ]; then
        echo "# timed out after ${TIMEOUT}s (exit status $got_status)"
    elif [ "$got_status" != "$STATUS" ]; then
        echo "# exit status: expected $STATUS, got $got_status"
    fi
    if ! cmp -s "$expected" "$actual"; then
        echo "# output differs (--- expected, +++ actual):"
        diff -u --label expected --label actual "$expected" "$actual" \
            >"$tmp/diff"
        comment "$tmp/diff" 80
    fi
    if [ -s "$err" ]; then
        echo "# stderr:"
        comment "$err" 20
    fi
    echo "# command: ${cmd_desc}"
}

for name in "${names[@]}"; do
    IMAGE= STATUS= ARGS= INPUT= INPUT_WAIT= QEMU_BOOT=kernel EXPECTED= JANUS_EXPECTED=
    QEMU_SKIP= JANUS_SKIP= PVM_SKIP=
    . "$testdir/$name.meta"
    img=$imgdir/$IMAGE
    expected=$testdir/${EXPECTED:-$name.expected}
    out=$tmp/$name.out
    err=$tmp/$name.err

    for emu in janus qemu; do
        expected=$testdir/${EXPECTED:-$name.expected}
        if [ $emu = janus ] && [ -n "$JANUS_EXPECTED" ]; then
            expected=$testdir/$JANUS_EXPECTED
        fi
        if [ $emu = janus ]; then
            [ $run_janus = 1 ] || continue
            desc="$name (janus)"
            skip=${janus_skip:-$JANUS_SKIP}
            if [ -z "$skip" ] && [ -n "$pvm_host" ] && [ -n "$PVM_SKIP" ]; then
                skip="PVM host: $PVM_SKIP"
            fi
        else
            [ $run_qemu = 1 ] || continue
            desc="$name (qemu oracle)"
            skip=${qemu_skip:-$QEMU_SKIP}
        fi
        if [ -n "$skip" ]; then
            num=$((num + 1))
            echo "ok $num - $desc # SKIP $skip"
            continue
        fi
        missing=
        [ -f "$img" ] || missing="image $img not built"
        [ -f "$expected" ] || missing="expected output $expected missing"
        if [ $emu = janus ] && [ -z "$missing" ] && [ ! -x "$JANUS" ]; then
            missing="$JANUS not built (or use --qemu-only)"
        fi
        if [ -n "$missing" ]; then
            num=$((num + 1))
            failures=$((failures + 1))
            echo "not ok $num - $desc"
            echo "# $missing"
            continue
        fi
        run $emu
        report $emu "$desc"
    done
done

[ $failures = 0 ]
