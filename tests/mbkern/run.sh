#!/bin/bash
# mbkern: the project's multiboot test kernels (tests/mbkern/*.c), written
# the way bare-QEMU test suites are. Each boots alone on bare QEMU
#   qemu-system-i386 -M pc -cpu max -m 128 -display none -serial stdio \
#       -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
# and must end with its exact status and exactly the serial output in
# tests/mbkern/expect/NAME. Prints one TAP line per boot.
#
#   tests/mbkern/run.sh [--mode bare|hw|te|bt] [BUILD_DIR]  (default: bare, build)
#
# --mode hw runs the same kernels under pv86's hw mode (mbkern_hw in
# tests/mbkern/hw.sh) and asserts bare QEMU's status and report lines;
# te and bt the same through run-qemu --mode te / bt (te: the cases
# tests/mbkern/te.sh lists, the others need what te lacks).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
mode=bare
if [ "${1:-}" = --mode ]; then
    mode=$2
    shift 2
fi
build=${1:-$top/build}
expect=$top/tests/mbkern/expect
logs=${MBKERN_LOGS:-$build/mbkern-logs}
mkdir -p "$logs"
n=0
failed=0
TIMEOUT=${MBKERN_TIMEOUT:-30}
# shellcheck disable=SC2054
QEMU_BARE=("${QEMU:-qemu-system-i386}" -M pc -cpu max -m 128 -display none -serial stdio
           -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
# Virtual time (instructions), as in tests/boot/lib.sh.
# shellcheck disable=SC2054
VTIME=(-icount shift=0,sleep=off)

. "$top/tests/mbkern/cases.sh"
. "$top/tests/mbkern/hw.sh"
. "$top/tests/mbkern/btcases.sh"
. "$top/tests/mbkern/te.sh"

finish() {   # finish DESCRIPTION: one TAP line from $problems
    n=$((n + 1))
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok $n - mbkern $1"
    else
        failed=$((failed + 1))
        echo "not ok $n - mbkern $1"
        for p in "${problems[@]}"; do echo "# $p"; done
        echo "# log: $log"
    fi
}

# bare NAME STATUS "KERNEL.elf ARGS" ["MODULE ARGS"...]: one boot on bare
# QEMU (EXTRA: more QEMU options; T: the timeout, default $TIMEOUT),
# serial output to $logs/NAME.log, QEMU's own messages to NAME.err.
bare() {
    local name=$1 want=$2 kernel args=
    shift 2
    kernel=${1%% *}
    case $1 in *" "*) args=${1#* } ;; esac
    shift
    local initrd=() m list=
    for m in "$@"; do list=${list:+$list,}${m//,/,,}; done
    [ -n "$list" ] && initrd=(-initrd "$list")
    log=$logs/$name.log
    problems=()
    # shellcheck disable=SC2086
    timeout --foreground -k 1 "${T:-$TIMEOUT}" "${QEMU_BARE[@]}" ${EXTRA:-} \
        -kernel "$kernel" -append "$args" "${initrd[@]}" < /dev/null > "$log" 2> "$log.err"
    status=$?
    tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
    case " $want " in
    *" $status "*) ;;
    *) problems+=("exit status $status, expected $want") ;;
    esac
    if ! diff -u "$expect/${OUT:-$name}" "$log" > "$log.diff"; then
        problems+=("serial output differs from tests/mbkern/expect/${OUT:-$name}:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
    finish "$name (bare QEMU)"
}

if [ "$mode" != bare ]; then
    case $mode in hw|te|bt) ;; *) echo "run.sh: unknown mode $mode" >&2; exit 2 ;; esac
    # a mode's own list (mbkern_te in te.sh), else every case
    if declare -F "mbkern_$mode" > /dev/null; then "mbkern_$mode"; else mbkern_vm "$mode"; fi
    echo "1..$n"
    [ "$failed" -eq 0 ]
    exit
fi

mbkern_modules
mbkern_cases bare
mbkern_hostile_cases bare
mbkern_bt_cases bare
mbkern_bt_hv_cases bare
mbkern_bt_bare_cases bare

# lapic again in virtual time: the same output (no check depends on time).
EXTRA="${VTIME[*]}" OUT=lapic bare lapic-icount 1 "$build/mbkern/lapic.elf"

# storm: the LAPIC timer at initial count 1 re-arms QEMU 7.2's timer in
# the past forever (apic_timer reloads from next_time, 2 ns on), so bare
# QEMU never runs its guest again: the timeout ends it (124, or 137 when
# QEMU does not even answer SIGTERM). In virtual time the clock stands
# still while the timer list runs, and the kernel finishes its count.
T=3 OUT=hostile-storm-stuck bare hostile-storm "124 137" "$build/mbkern/hostile.elf test=storm"
EXTRA="${VTIME[*]}" bare hostile-storm-icount 1 "$build/mbkern/hostile.elf test=storm"

echo "1..$n"
[ "$failed" -eq 0 ]
