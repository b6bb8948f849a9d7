#!/bin/sh
# deps.sh MODE - make sure the Debian packages Janus needs for MODE are present.
#   build: compile build/janus     check: + run the test suite     demo: + boot a guest
# As root, missing packages are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails.  On a host without dpkg it
# only warns (configure still reports what is missing).
set -u
mode=${1:-build}

build_pkgs="gcc make pkg-config libc6-dev linux-libc-dev libsdl2-dev zlib1g-dev libcapstone-dev libfdt-dev"
check_pkgs="$build_pkgs nasm binutils libcmocka-dev qemu-system-x86 diffutils clang libclang-rt-14-dev"
demo_pkgs="$build_pkgs nasm binutils"

case $mode in
build) want=$build_pkgs ;;
check) want=$check_pkgs ;;
demo) want=$demo_pkgs ;;
*) echo "deps.sh: unknown mode '$mode' (build, check, demo)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system; make sure these (Debian names) are installed: $want" >&2
    exit 0
fi

missing=""
for p in $want; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case $st in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "janus: missing Debian packages; run as root: apt-get install -y$missing" >&2
    exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends $missing; then
    apt-get update -q && apt-get install -y -q --no-install-recommends $missing || {
        echo "janus: apt-get could not install:$missing" >&2
        exit 1
    }
fi
