#!/bin/sh
# demo.sh - what `make demo` runs after building: boot the hello guest under
# the best engine this host has and show the engine's exit statistics.
# (Later issues make this boot a Debian kernel.)
set -u
BUILD=${BUILD:-build}
J=$BUILD/janus
IMG=$BUILD/tests/guest/x86/hello.elf
want=$(. tests/guest/x86/hello.meta && echo "$STATUS")
set -- -M pc -accel auto -nographic -kernel "$IMG" -append "demo from make demo" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -stats
echo "==> $J $*"
"$J" "$@"
rc=$?
if [ "$rc" -eq "$want" ]; then
    echo "==> the guest exited through isa-debug-exit with its chosen status $rc"
    exit 0
fi
echo "==> janus exited with status $rc (the guest's own status would be $want)"
exit 1
