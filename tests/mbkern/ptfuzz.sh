#!/bin/bash
# ptfuzz: the differential test of shadows kept across CR3 writes
# (tests/mbkern/ptfuzz.c: random page-table changes, every observation
# made right after a CR3 write, hashed). For each seed, bare QEMU's
# observation lines and te's and bt's (tools/run-qemu --mode te|bt) must
# be the same, line for line, and each run must end with its report.
#
#   tests/mbkern/ptfuzz.sh [BUILD_DIR] [SEEDS] [N]
#
# make test runs seeds 1-4 with 300 iterations; `make ptfuzz` runs
# PTFUZZ_SEEDS (default 1-32) with PTFUZZ_N (default 1000).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
seeds=${2:-1 2 3 4}
iters=${3:-300}
k=$build/mbkern/ptfuzz.elf
logs=$build/ptfuzz
mkdir -p "$logs"
n=0
failed=0
observations() {   # the observation lines and the report of a run's log
    sed 's/^(d1) //' "$1" | grep -E '^(# obs |ok |not ok |1\.\.)'
}
for seed in $seeds; do
    timeout 120 "${QEMU:-qemu-system-i386}" -M pc -cpu max -m 128 -display none \
        -serial stdio -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -icount shift=0,sleep=off -kernel "$k" -append "seed=$seed n=$iters" \
        < /dev/null > "$logs/bare-$seed.log" 2>&1
    bare_status=$?
    observations "$logs/bare-$seed.log" > "$logs/bare-$seed.obs"
    for mode in te bt; do
        n=$((n + 1))
        "$top/tools/run-qemu" --mode "$mode" --timeout 120 "$build/hypervisor.elf" \
            "$k seed=$seed n=$iters" < /dev/null > "$logs/$mode-$seed.log" 2>&1
        status=$?
        observations "$logs/$mode-$seed.log" > "$logs/$mode-$seed.obs"
        lines=$(grep -c '^# obs ' "$logs/bare-$seed.obs")
        if [ "$bare_status" = 1 ] && [ "$status" = 1 ] && [ "$lines" -gt "$iters" ] &&
            cmp -s "$logs/bare-$seed.obs" "$logs/$mode-$seed.obs"; then
            echo "ok $n - ptfuzz seed $seed under $mode: $lines observations as bare QEMU's"
        else
            failed=$((failed + 1))
            echo "not ok $n - ptfuzz seed $seed under $mode (statuses: bare $bare_status, $mode $status; $lines observations)"
            diff "$logs/bare-$seed.obs" "$logs/$mode-$seed.obs" | head -5 | sed 's/^/# /'
            echo "# logs: $logs/bare-$seed.log $logs/$mode-$seed.log"
        fi
    done
done
echo "1..$n"
[ "$failed" = 0 ]
