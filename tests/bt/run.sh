#!/bin/bash
# bt boot tests: pvguest's native selftest under vmmode=bt, alone, beside
# the pv innocent domain and through `make run MODE=bt` (tests/bt/
# selftest.sh); the hostile kernel for the binary translator
# (tests/mbkern/bthostile.c) under vmmode=bt beside the pv innocent domain
# (tests/bt/hostile.sh); self-modifying code and adaptive translation
# (tests/bt/smc.sh). Prints one TAP line per case.
#
#   tests/bt/run.sh [BUILD_DIR [selftest|hostile|smc]]   (default: build, all)
#
# While the hypervisor refuses vmmode=bt it says so in one failing TAP
# line: never a silent skip.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
parts=${2:-selftest hostile smc}
logs=$build/bt-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"
. "$top/tests/mbkern/btcases.sh"

g=$build/guests
expect=$top/tests/mbkern/expect
SUM=0x89195e08        # the innocent domain's checksum with its default seed

innocent_ok() {   # innocent_ok [DOMAIN]   (default 2)
    innocent_held "${1:-2}" "after max_ms without a signal"
}

# Is there a bt mode? (one kernel alone: run-qemu's 14 is "not loaded")
"$top/tools/run-qemu" --mode "${BT_MODE:-bt}" --timeout "$BOOT_TIMEOUT" "$build/hypervisor.elf" \
    "$build/mbkern/smc.elf" < /dev/null > "$logs/probe.log" 2>&1
if [ $? = 14 ]; then
    echo "not ok 1 - bt: bt not available (run-qemu --mode bt: not loaded)"
    grep -E '^\(pv86\) (vmmode=|d1: cannot)' "$logs/probe.log" | sed 's/^/# /'
    echo "1..1"
    exit 1
fi

for part in $parts; do
    . "$top/tests/bt/$part.sh"
done

echo "1..$n"
[ "$failed" -eq 0 ]
