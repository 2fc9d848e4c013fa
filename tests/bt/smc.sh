# shellcheck shell=bash disable=SC2154
# Sourced by tests/bt/run.sh: self-modifying code and adaptive translation
# (docs/bt.md, hypervisor/bt/smc.c, adapt.c) on tests/mbkern/smc.c under
# `tools/run-qemu --mode bt`, in virtual time (the costs are rdtsc, i.e.
# instructions under -icount): bare QEMU's status and report lines, and
# the domain-end report naming the hot sites -- the two stores of
# hot_loop into their own page (50000 each), the store into hot_get's page
# from outside (20000), smc_loop's store into the add it runs next (1000)
# -- each retranslated after exactly 8 traps, every later execution a
# callout that would have trapped, and a positive saving.
smc_elf=$build/mbkern/smc.elf

# The guest address of symbol SYM + OFF in smc.elf, as the report prints it.
smc_addr() {   # smc_addr SYM OFF
    local a
    a=$(nm "$smc_elf" | awk -v s="$1" '$3 == s { print $1 }')
    printf '0x%x' $((16#${a:-0} + $2))
}
# The store to hot_in (case_hot's loop, compiled C: found in the code).
hot_in=$(nm "$smc_elf" | awk '$3 == "hot_in" { print $1 }' | sed 's/^0*//')
hot_in_store=$(objdump -d "$smc_elf" |
    sed -nE "s/^ *([0-9a-f]+):.*mov +%e[a-z]+,0x${hot_in}\$/0x\\1/p" | head -1)

name=bt-smc-adaptive
log=$logs/$name.log
problems=()
QEMU_EXTRA="$VTIME" "$top/tools/run-qemu" --mode bt --timeout "$BOOT_TIMEOUT" \
    "$build/hypervisor.elf" "$smc_elf" < /dev/null > "$log" 2>&1
status=$?
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
[ "$status" = 1 ] || problems+=("exit status $status, bare QEMU's is 1")
tap_only() { sed -E 's/^\(d[0-9]+\) //' | grep -E '^((not )?ok [0-9]+ - |1\.\.[0-9]+$)'; }
if ! diff -u <(tap_only < "$expect/smc") <(tap_only < "$log") > "$log.diff"; then
    problems+=("report lines differ from tests/mbkern/expect/smc:")
    while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
fi
[ -n "$hot_in_store" ] || problems+=("no store to hot_in (0x$hot_in) found in smc.elf's code")
line '\(pv86\) d1 bt self-modifying code: [1-9][0-9]* frames protected, [1-9][0-9]* stores trapped, [1-9][0-9]* frames. translations dropped; [1-9][0-9]* stores emulated by callouts; [0-9]+ hypervisor stores over translated bytes'
line '\(pv86\) d1 bt adaptive: [1-9][0-9]* sites retranslated as callouts \(at 8 traps\), 0 kept \(no callout for them\); [1-9][0-9]* traps counted at [1-9][0-9]* sites, 0 sites evicted, 0 traps uncounted'
line '\(pv86\) d1 bt adaptive: a trap cost [1-9][0-9]*, a callout [1-9][0-9]* \(rdtsc, [1-9][0-9]* and [1-9][0-9]* measured\): saved [1-9][0-9]*'
site() {   # site EIP CALLOUTS: retranslated after 8 traps, every callout would have trapped
    line "\(pv86\) d1 bt adaptive: at eip $1: 8 traps before, $2 callouts after \($2 would have trapped\)"
}
site "$(smc_addr hot_loop 4)" 49992          # incl hot_count
site "$(smc_addr hot_loop 10)" 49992         # addl %ecx, hot_sum
site "${hot_in_store:-none}" 19992           # hot_in = i
site "$(smc_addr smc_loop 6)" 992            # movl %ecx, 2f+1
no_line 'crashed|watchdog'
integrity_ok
finish
