# shellcheck shell=bash disable=SC2154
# The mbkern kernels under one of pv86's unmodified-kernel modes (sourced by
# tests/mbkern/run.sh; `tests/mbkern/run.sh --mode hw [BUILD_DIR]` runs
# them all; make test does, after the bare-QEMU runs).
#
# mbkern_hw_case NAME STATUS "KERNEL.elf ARGS" ["MODULE ARGS"...] boots
#   tools/run-qemu --mode $vm_mode --timeout $HW_TIMEOUT BUILD/hypervisor.elf \
#       "KERNEL.elf ARGS" "MODULE ARGS"...
# ($vm_mode: hw unless set; --append "$MBKERN_HW_APPEND" when that is set)
# and checks that its status is STATUS, bare QEMU's, and that its report
# lines, the TAP lines "ok N - ..." / "not ok N - ..." and the plan
# "1..N", with any "(dN) " prefix removed, are exactly those of
# tests/mbkern/expect/NAME. Comments ("# ...") may differ: they say what
# the machine has (PCI devices, the memory map, fw_cfg's ID).
#
# mbkern_hw runs every test kernel that way (mbkern_cases in cases.sh,
# mbkern_bt_cases in btcases.sh);
# mbkern_vm MODE the same in another mode (te, bt), once run-qemu has it.
HW_TIMEOUT=${HW_TIMEOUT:-60}

report_lines() {   # report_lines < OUTPUT
    sed -E 's/^\(d[0-9]+\) //' | grep -E '^((not )?ok [0-9]+ - |1\.\.[0-9]+$)'
}

mbkern_hw_case() {
    local name=$1 want=$2 status mode=${vm_mode:-hw}
    shift 2
    log=$hwlogs/$name.log
    problems=()
    local append=()
    [ -n "${MBKERN_HW_APPEND:-}" ] && append=(--append "$MBKERN_HW_APPEND")
    "$top/tools/run-qemu" --mode "$mode" --timeout "$HW_TIMEOUT" "${append[@]}" \
        "$build/hypervisor.elf" "$@" < /dev/null > "$log" 2>&1
    status=$?
    tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
    [ "$status" = "$want" ] || problems+=("exit status $status, bare QEMU's is $want")
    if ! diff -u <(report_lines < "$expect/$name") <(report_lines < "$log") > "$log.diff"; then
        problems+=("report lines differ from tests/mbkern/expect/$name:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
    finish "$mode: $name"
}

mbkern_vm() {   # mbkern_vm MODE
    vm_mode=$1
    hwlogs=$build/mbkern-$vm_mode-logs
    mkdir -p "$hwlogs"
    mbkern_modules
    mbkern_cases mbkern_hw_case
    mbkern_bt_cases mbkern_hw_case        # smc, bthostile (tests/mbkern/btcases.sh)
}

mbkern_hw() { mbkern_vm hw; }
