#!/bin/bash
# Benchmark pipeline: make bench-quick's path (tools/bench-run quick) in both
# modes, then checks of the report's shape. The numbers are not asserted:
# a quick run measures too little to mean anything.
#
#   tests/bench/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
out=$build/bench-quick
. "$top/tests/tap.sh"

rm -rf "$out"
"$top/tools/bench-run" "$out" quick "$build" > "$build/bench-quick.out" 2>&1
status=$?
check "bench-run quick: exit status 0" test "$status" -eq 0
benches="syscall in irqflags call_ret pgfault divzero ptemod null_call null_io fork_exit fork_exec ctxsw ctxsw_fpu mmap forkwait cpu"
for mode in native pv; do
    check "the $mode log has all 16 bench lines" \
        sh -c "test \$(grep -c '^\(([a-z0-9]*) \)\?bench [a-z_]* ops=[0-9]* rounds=3 cycles_per_op=[0-9.]*' '$out/logs/$mode.log') -eq 16"
done
json=$out/latest.json
check "latest.json: qemu, revision and results" \
    sh -c "grep -q '^  \"qemu\": \"QEMU emulator version ' '$json' && grep -q '^  \"revision\": \"' '$json' && grep -q '^  \"results\": \[' '$json'"
# 16 benches: native reports ops and instructions_per_op, pv those and
# six counters per operation.
check "latest.json: 160 records, each {bench, mode, metric, value}" \
    sh -c "test \$(grep -cE '^    \{\"bench\": \"[a-z_]+\", \"mode\": \"(native|pv)\", \"metric\": \"[a-z_]+\", \"value\": [0-9.]+\},?$' '$json') -eq 160"
for b in $benches; do
    check "latest.md: a row for $b with a pv/native ratio" \
        grep -Eq "^\| $b \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$" "$out/latest.md"
done
check "latest.md: the six targets, each met or missed" \
    sh -c "test \$(grep -cE '^\| [a-z_]+: .* \| (met|\*\*missed\*\*) \| ' '$out/latest.md') -eq 6"
check "latest.svg: an SVG drawn by gnuplot" \
    sh -c "grep -q '<svg' '$out/latest.svg' && grep -q 'GNUPLOT' '$out/latest.svg' && grep -q '</svg>' '$out/latest.svg'"
check "bench-report refuses a log without bench lines (exit 1)" \
    sh -c "echo nothing > '$build/empty.log'; '$top/tools/bench-report' '$build/bench-bad' native='$build/empty.log'; test \$? -eq 1"

echo "1..$n"
[ "$failed" -eq 0 ]
