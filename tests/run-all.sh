#!/bin/bash
# Run every test suite and end with one line: "N passed, N failed".
# Each suite prints TAP ("ok N - ..." / "not ok N - ..."); cmocka suites are
# asked for TAP too. The exit status is non-zero if anything failed or a
# suite did not run to its end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
passed=0
failed=0
broken=0

run_suite() {   # run_suite NAME COMMAND...
    local name=$1 out status p f
    shift
    echo "# --- $name"
    out=$("$@" 2>&1)
    status=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | grep -c '^ok ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok ')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "# $name exited with status $status without a failing test: counted as a failure"
        broken=$((broken + 1))
    fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "# $name ran no test: counted as a failure"
        broken=$((broken + 1))
    fi
}

run_suite "ABI headers compile alone" "$top/abi/check/check.sh"
for t in "$build"/unit/test_*; do
    run_suite "unit: $(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
run_suite "tools" "$top/tests/tools/run.sh" "$build"
run_suite "decoder: x86dec against zydis and objdump" "$top/tests/decoder/run.sh" "$build"
run_suite "boot (QEMU)" "$top/tests/boot/run.sh" "$build"
run_suite "iso: make iso's GRUB image booted from QEMU's CD drive" "$top/tests/iso/run.sh" "$build"
run_suite "kernel (QEMU: pv, native and te)" "$top/tests/kernel/run.sh" "$build"
run_suite "te: tetest, the SDM under te (QEMU, beside a pv domain)" "$top/tests/te/run.sh" "$build"
run_suite "mbkern: multiboot test kernels on bare QEMU" "$top/tests/mbkern/run.sh" "$build"
run_suite "mbkern under hw: the same kernels, the same statuses as bare QEMU" "$top/tests/mbkern/run.sh" --mode hw "$build"
run_suite "mbkern under te: the kernels te can run, bare QEMU's statuses" "$top/tests/mbkern/run.sh" --mode te "$build"
run_suite "hw: unmodified kernels under SVM with nested paging (QEMU -cpu max)" "$top/tests/hw/run.sh" "$build"
run_suite "bt: pvguest's native selftest under binary translation" "$top/tests/bt/run.sh" "$build" selftest
run_suite "bt: self-modifying code and adaptive translation (smc under bt)" "$top/tests/bt/run.sh" "$build" smc
run_suite "bt: the hostile kernel beside the pv innocent (bthostile under bt)" "$top/tests/bt/run.sh" "$build" hostile
run_suite "mbkern under bt: the kernels that run under hw, bare QEMU's statuses" "$top/tests/mbkern/bt.sh" "$build"
run_suite "ptfuzz: page tables changed between CR3 writes, te and bt against bare QEMU" "$top/tests/mbkern/ptfuzz.sh" "$build"
run_suite "census (QEMU: native, pv, te, hw; with and without UMIP)" "$top/tests/census/run.sh" "$build"
run_suite "hostile guests (attack, fuzz, hello)" "$top/tests/guests/run.sh" "$build"
run_suite "bench pipeline (make bench-quick)" "$top/tests/bench/run.sh" "$build"

failed=$((failed + broken))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
