#!/bin/bash
# Benchmark pipeline: make bench-quick's path (tools/bench-run quick) in every
# mode (native, pv, hw, and bt once the hypervisor has it: tools/hv-modes),
# then checks of the report's shape. The numbers are not asserted:
# a quick run measures too little to mean anything. bench-report's bt
# tables are also checked on a log made from native's with bt figures
# added (tests/bench/fake-bt.sh), so they are tested before bt runs.
#
#   tests/bench/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
out=$build/bench-quick
. "$top/tests/tap.sh"

rm -rf "$out"
# bt is benchmarked exactly when the hypervisor has it; then it must work.
bt=0
"$top/tools/hv-modes" --has bt "$build/hypervisor.elf" && bt=1
modes="native pv hw"
[ "$bt" = 1 ] && modes="native pv bt hw"
"$top/tools/bench-run" "$out" quick "$build" > "$build/bench-quick.out" 2>&1
status=$?
check "bench-run quick: exit status 0" test "$status" -eq 0
benches="syscall in irqflags call_ret pgfault divzero ptemod null_call null_io fork_exit fork_exec ctxsw ctxsw_fpu mmap forkwait cpu"
for mode in $modes; do
    check "the $mode log has all 16 bench lines" \
        sh -c "test \$(grep -c '^\(([a-z0-9]*) \)\?bench [a-z_]* ops=[0-9]* rounds=3 cycles_per_op=[0-9.]*' '$out/logs/$mode.log') -eq 16"
done
# hw: the exits per operation on every line, from the hypervisor CPUID
# range; native and pv: none (bare QEMU has no pv86 signature there, pv
# reads its counters by hypercall).
check "the hw log: exits per operation on all 16 bench lines" \
    sh -c "test \$(grep -c ' cycles_per_op=[0-9.]* exits_per_op=[0-9.]*' '$out/logs/hw.log') -eq 16"
check "the native and pv logs: no exit figures" \
    sh -c "! grep -q 'exits_per_op' '$out/logs/native.log' '$out/logs/pv.log'"
check "the native, pv and hw logs: no bt figures" \
    sh -c "! grep -q 'bt_[a-z_]*_per_op' '$out/logs/native.log' '$out/logs/pv.log' '$out/logs/hw.log'"
if [ "$bt" = 1 ]; then
    check "the bt log: the translation statistics of all 16 benchmarks, 11 counters each (3 lines a benchmark)" \
        sh -c "test \$(grep -c '^\(([a-z0-9]*) \)\?bench [a-z_]* bt_blocks_per_op=[0-9.]* bt_insns_per_op=[0-9.]* bt_cache_bytes_per_op=[0-9.]* bt_callouts_per_op=[0-9.]*\$' '$out/logs/bt.log') -eq 16 &&
               test \$(grep -c '^\(([a-z0-9]*) \)\?bench [a-z_]* bt_traps_per_op=[0-9.]* bt_chain_hits_per_op=[0-9.]* bt_chain_misses_per_op=[0-9.]* bt_xlate_insns_per_op=[0-9.]*\$' '$out/logs/bt.log') -eq 16 &&
               test \$(grep -c '^\(([a-z0-9]*) \)\?bench [a-z_]* bt_invalidations_per_op=[0-9.]* bt_flushes_per_op=[0-9.]* bt_adaptive_per_op=[0-9.]*\( bt_chain_hit_rate=[0-9.]*\)\?\$' '$out/logs/bt.log') -eq 16"
    check "latest.json: 176 bt translation statistics records (16 benchmarks, 11 counters)" \
        sh -c "test \$(grep -cE '^    \{\"bench\": \"[a-z_]+\", \"mode\": \"bt\", \"metric\": \"bt_[a-z_]+_per_op\", \"value\": [0-9.]+\},?$' '$out/latest.json') -eq 176"
fi
json=$out/latest.json
check "latest.json: qemu, revision and results" \
    sh -c "grep -q '^  \"qemu\": \"QEMU emulator version ' '$json' && grep -q '^  \"revision\": \"' '$json' && grep -q '^  \"results\": \[' '$json'"
# 16 benches: native reports ops and instructions_per_op, pv those and
# six counters per operation, hw those two, exits_per_op and one
# exit_CODE_per_op per exit code that occurred.
check "latest.json: 160 native and pv records, each {bench, mode, metric, value}" \
    sh -c "test \$(grep -cE '^    \{\"bench\": \"[a-z_]+\", \"mode\": \"(native|pv)\", \"metric\": \"[a-z_]+\", \"value\": [0-9.]+\},?$' '$json') -eq 160"
check "latest.json: 48 hw records of ops, instructions and exits per operation" \
    sh -c "test \$(grep -cE '^    \{\"bench\": \"[a-z_]+\", \"mode\": \"hw\", \"metric\": \"(ops|instructions_per_op|exits_per_op)\", \"value\": [0-9.]+\},?$' '$json') -eq 48"
check "latest.json: every record well-formed (hw exits by code too)" \
    sh -c "test \$(grep -c '^    {' '$json') -eq \$(grep -cE '^    \{\"bench\": \"[a-z_]+\", \"mode\": \"(native|pv|bt|hw)\", \"metric\": \"(ops|instructions_per_op|[a-z_]+_per_op|exit_[0-9a-f]+_per_op|bt_chain_hit_rate)\", \"value\": [0-9.]+\},?$' '$json')"
# native; pv, pv/native; [bt, bt/native;] hw, hw/native; pv hypercalls and
# entries; hw exits; [bt callouts]: 8 numbers, 11 with bt
cells=8
[ "$bt" = 1 ] && cells=11
for b in $benches; do
    check "latest.md: a row for $b with the ratios of every mode to native ($cells figures)" \
        grep -Eq "^\| $b( \| [0-9.]+){$cells} \|$" "$out/latest.md"
done
check "latest.md: the hw exits table, a row per bench" \
    sh -c "test \$(sed -n '/^## hw: VM exits per operation, by exit reason/,/^## /p' '$out/latest.md' | grep -cE '^\| [a-z_]+ \| [0-9.]+ \|') -eq 16"
targets=7
[ "$bt" = 1 ] && targets=8
check "latest.md: the $targets targets, each met or missed" \
    sh -c "test \$(grep -cE '^\| [a-z_ ]+: .* \| (met|\*\*missed\*\*) \| ' '$out/latest.md') -eq $targets"
if [ "$bt" = 1 ]; then
    check "latest.md: the bt translation statistics table, a row per bench" \
        sh -c "test \$(sed -n '/^## bt: translation statistics per operation/,/^## /p' '$out/latest.md' | grep -cE '^\| [a-z_]+( \| ([0-9.]+|-)){10} \|$') -eq 16"
fi
. "$top/tests/bench/fake-bt.sh"
check "latest.svg: an SVG drawn by gnuplot" \
    sh -c "grep -q '<svg' '$out/latest.svg' && grep -q 'GNUPLOT' '$out/latest.svg' && grep -q '</svg>' '$out/latest.svg'"
check "bench-report refuses a log without bench lines (exit 1)" \
    sh -c "echo nothing > '$build/empty.log'; '$top/tools/bench-report' '$build/bench-bad' native='$build/empty.log'; test \$? -eq 1"

echo "1..$n"
[ "$failed" -eq 0 ]
