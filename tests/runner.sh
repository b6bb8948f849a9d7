#!/bin/sh
# runner.sh - run every test program, each speaking TAP, and end with
# "N passed, N failed, N skipped".  Logs go to <build>/tests/logs/.
#   tests/runner.sh [FILTER]   (FILTER: substring of the test program names to run)
# BUILDS lists the build directories to test (default: $BUILD, default
# build); each gets the whole suite, e.g. BUILDS="build build/asan" runs it
# again against the ASan+UBSan build.  JANUS_TEST_SEED reproduces a
# randomized test; each prints its seed.
set -u
BUILD=${BUILD:-build}
BUILDS=${BUILDS:-$BUILD}
filter=${1:-}
export CMOCKA_MESSAGE_OUTPUT=TAP
# Leaks at exit after an error are not bugs; UBSan findings are.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 skipped=0
failures=""
start=$(date +%s)
for b in $BUILDS; do
tag=""
[ "$b" != "$BUILD" ] && tag=" [$(basename "$b")]"
logs=$b/tests/logs
mkdir -p "$logs"
# Programs: unit tests first, then the script tiers in order.
progs=""
for t in "$b"/tests/unit/test-*; do
    case $t in *.o|*.d) continue ;; esac
    [ -x "$t" ] && progs="$progs $t"
done
progs="$progs tests/cli/check-cli.sh tests/guest/x86/check.sh"
# the fuzz smoke builds its own sanitizer binary: once is enough
[ "$b" = "$BUILD" ] && progs="$progs tests/fuzz/check-fuzz.sh"
for p in $progs; do
    name=$(basename "$p")
    case $name in *"$filter"*) ;; *) continue ;; esac
    log=$logs/$name.log
    t0=$(date +%s)
    BUILD=$b JANUS=$b/janus timeout -k 10 900 "$p" >"$log" 2>&1
    rc=$?
    t1=$(date +%s)
    # a SKIP directive counts as skipped whether the line says ok or not ok
    # (cmocka writes "not ok N # SKIP")
    skip=$(grep -cE '^(not )?ok .*# [Ss][Kk][Ii][Pp]' "$log")
    ok=$(grep -vE '# [Ss][Kk][Ii][Pp]' "$log" | grep -c '^ok')
    nok=$(grep -vE '# [Ss][Kk][Ii][Pp]' "$log" | grep -c '^not ok')
    plan=$(grep -c '^1\.\.[0-9]' "$log")
    extra=""
    if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
        nok=1
        extra=" (exited with status $rc without a failing test line)"
    elif [ "$plan" -eq 0 ] && [ "$ok" -eq 0 ] && [ "$skip" -eq 0 ]; then
        nok=1
        extra=" (printed no TAP results)"
    fi
    passed=$((passed + ok)); failed=$((failed + nok)); skipped=$((skipped + skip))
    if [ "$nok" -gt 0 ]; then
        printf 'FAIL %-28s %3d passed, %d failed, %d skipped, %ss%s  [log: %s]\n' "$name$tag" "$ok" "$nok" "$skip" $((t1 - t0)) "$extra" "$log"
        grep '^not ok' "$log" | grep -vE '# [Ss][Kk][Ii][Pp]' | sed 's/^/       /'
        failures="$failures $name$tag"
    else
        printf 'PASS %-28s %3d passed, %d skipped, %ss\n' "$name$tag" "$ok" "$skip" $((t1 - t0))
    fi
    grep -E '^(not )?ok .*# [Ss][Kk][Ii][Pp]' "$log" | sed 's/^/       /'
    grep -h '^# .*seed' "$log" | sed 's/^/       /'
done
done
end=$(date +%s)
echo "----"
[ -n "$failures" ] && echo "failed programs:$failures (logs in <build>/tests/logs)"
echo "$passed passed, $failed failed, $skipped skipped ($((end - start))s)"
[ "$failed" -eq 0 ]
