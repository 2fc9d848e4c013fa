#!/bin/bash
# mbkern under bt: every mbkern kernel that runs under hw (tests/mbkern/
# cases.sh), and smc and bthostile's attacks (tests/mbkern/btcases.sh),
# under `tools/run-qemu --mode bt`, each with bare QEMU's exit status and
# report lines (tests/mbkern/run.sh --mode bt, mbkern_vm in hw.sh).
#
#   tests/mbkern/bt.sh [BUILD_DIR]      (default: build)
#
# While the hypervisor refuses vmmode=bt (run-qemu's status 14, "not
# loaded") it says so in one failing TAP line: never a silent skip.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
probe=$build/mbkern-bt-probe.log
mkdir -p "$build"
"$top/tools/run-qemu" --mode bt --timeout "${HW_TIMEOUT:-60}" "$build/hypervisor.elf" \
    "$build/mbkern/smc.elf" < /dev/null > "$probe" 2>&1
if [ $? = 14 ]; then
    echo "not ok 1 - mbkern bt: bt not available (run-qemu --mode bt: not loaded)"
    grep -E '^\(pv86\) (vmmode=|d1: cannot)' "$probe" | sed 's/^/# /'
    echo "1..1"
    exit 1
fi
# The CPU bare QEMU runs them on (run.sh: -cpu max), where the kernels
# find the CR8 alias and UMIP; unless QEMU_EXTRA names another.
case " ${QEMU_EXTRA:-} " in
*" -cpu "*) ;;
*) export QEMU_EXTRA="${QEMU_EXTRA:+$QEMU_EXTRA }-cpu max" ;;
esac
exec "$top/tests/mbkern/run.sh" --mode bt "$build"
