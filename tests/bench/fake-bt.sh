# Sourced by tests/bench/run.sh: tools/bench-report's bt tables and target
# on made-up bt logs, so the report's bt side is tested whether or not the
# hypervisor has bt. Each fake bt log is native's quick log with every
# cycles_per_op multiplied by a factor and bt figures added as the bench
# program prints them, four a line after each bench line (the same for
# every bench; forkwait's differ, and only it has a chaining hit rate).
# Uses $out (the quick run's directory), $build, $top and check.

fake_bt() {   # fake_bt FACTOR > LOG
    awk -v f="$1" '
    /^# bench:/ { print; next }
    /^bench [a-z_]+ / {
        for (i = 1; i <= NF; i++)
            if ($i ~ /^cycles_per_op=/) { split($i, kv, "="); $i = sprintf("cycles_per_op=%.2f", kv[2] * f) }
        fw = $2 == "forkwait"
        print
        printf "(d1) bench %s bt_blocks_per_op=%s bt_insns_per_op=2.000 bt_cache_bytes_per_op=%s", $2, fw ? "0.125" : "0.000", fw ? "96.500" : "0.000"
        printf " bt_callouts_per_op=%s\n(d1) bench %s bt_traps_per_op=%s bt_chain_hits_per_op=4.000", fw ? "41.250" : "3.000", $2, fw ? "12.750" : "1.000"
        printf " bt_chain_misses_per_op=1.000 bt_xlate_insns_per_op=%s\n(d1) bench %s bt_invalidations_per_op=0.000", fw ? "310.000" : "0.000", $2
        printf " bt_flushes_per_op=0.000 bt_adaptive_per_op=0.000%s\n", fw ? " bt_chain_hit_rate=0.800" : ""
        next
    }'
}
fake=$build/bench-fake-bt
rm -rf "$fake"
mkdir -p "$fake"
fake_bt 2 < "$out/logs/native.log" > "$fake/bt2.log"
fake_bt 12 < "$out/logs/native.log" > "$fake/bt12.log"
"$top/tools/bench-report" "$fake/r2" native="$out/logs/native.log" pv="$out/logs/pv.log" \
    bt="$fake/bt2.log" hw="$out/logs/hw.log" > /dev/null 2>&1
check "bench-report with a (fake) bt log: exit status 0" test $? -eq 0
"$top/tools/bench-report" "$fake/r12" native="$out/logs/native.log" pv="$out/logs/pv.log" \
    bt="$fake/bt12.log" > /dev/null 2>&1
check "bench-report with native, pv and a (fake) bt log, no hw: exit status 0" test $? -eq 0
fmd=$fake/r2/latest.md
btrows=$(sed -n '/^## bt: translation statistics per operation/,/^## /p' "$fmd")
check "fake bt: the translation statistics table's header" \
    sh -c "printf '%s\n' \"\$1\" | grep -qxF '| bench | blocks translated | guest instructions translated | cache bytes | callouts | traps | chaining hit rate | translation (instructions) | invalidations | cache flushes | adaptive retranslations |'" _ "$btrows"
check "fake bt: the translation statistics table has a row per bench" \
    test "$(printf '%s\n' "$btrows" | grep -cE '^\| [a-z_]+( \| ([0-9.]+|-)){10} \|$')" -eq 16
check "fake bt: forkwait's row is the log's figures, its hit rate the log's" \
    sh -c "printf '%s\n' \"\$1\" | grep -qxF '| forkwait | 0.125 | 2.000 | 96.500 | 41.250 | 12.750 | 0.800 | 310.000 | 0.000 | 0.000 | 0.000 |'" _ "$btrows"
check "fake bt: no hit rate where the log has none (-)" \
    sh -c "printf '%s\n' \"\$1\" | grep -qxF '| syscall | 0.000 | 2.000 | 0.000 | 3.000 | 1.000 | - | 0.000 | 0.000 | 0.000 | 0.000 |'" _ "$btrows"
check "fake bt: the main table has bt, bt/native (2.00 on syscall) and bt callouts/op" \
    sh -c "grep -q '^| bench | native | pv | pv/native | bt | bt/native | hw | hw/native | pv hypercalls/op | pv entries/op | hw exits/op | bt callouts/op |\$' '$fmd' &&
           grep -Eq '^\| syscall( \| [0-9.]+){3} \| [0-9.]+ \| 2\.00 \|( [0-9.]+ \|){5} 3\.000 \|\$' '$fmd'"
check "fake bt: the forkwait target met at ratio 2.00" \
    grep -qE '^\| bt forkwait: ratio <= 3\.0 \(VMware BT 2006: 6\.2\), translation statistics reported \| met \| ratio 2\.00, 41\.250 callouts and 12\.750 traps per fork\+wait \|$' "$fmd"
check "fake bt: the forkwait target missed at ratio 12.00 (a number, not a string, compared)" \
    grep -qE '^\| bt forkwait: .* \| \*\*missed\*\* \| ratio 12\.00, ' "$fake/r12/latest.md"
check "fake bt: the bt/native ratios in the chart's data (latest.svg drawn)" \
    sh -c "grep -q '<svg' '$fake/r2/latest.svg' && grep -q 'bt' '$fake/r2/latest.svg'"
