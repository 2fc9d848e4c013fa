#!/bin/bash
# hw boot tests: unmodified multiboot kernels under AMD SVM with nested
# paging (vmmode=hw, QEMU -cpu max): pvguest's native flavour runs its
# selftest with exactly the output it has on bare QEMU; hwtest
# (tests/hw/hwtest.c) checks the CPU an hw guest sees; hostile hw kernels
# crash alone beside the pv innocent domain; without SVM the mode refuses.
# Prints one TAP line per case.
#
#   tests/hw/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
logs=$build/hw-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"

native=$build/pvguest-native.elf
hwtest=$build/hwtest.elf
g=$build/guests
SUM=0x89195e08        # the innocent domain's checksum with its default seed
SVM="-cpu max"

innocent_ok() {   # innocent_ok [DOMAIN]   (default 2)
    innocent_held "${1:-2}" "after max_ms without a signal"
}

hw_exits_line() {   # hw_exits_line DOM
    line "\(pv86\) d$1 hw exits: [0-9]+ total(, [a-z_]+ [0-9]+)+"
}

# 1. pvguest's native selftest under hw, in virtual time: every test passes,
#    the timer-preemption one included (te cannot pass it), and the guest's
#    output is the bare machine's line for line.
QEMU_EXTRA="$VTIME $SVM" NATIVE=1 boot selftest-native 0 "$native run=selftest"
native_log=$log
native_tap_passes
finish
QEMU_EXTRA="$VTIME $SVM" HV_ARGS=vmmode=hw boot selftest-hw 0 "$native run=selftest"
same_as_native "$native_log" 1
line '\(pv86\) d1: multiboot kernel under AMD SVM with nested paging \(hw\), 128 MiB, entry 0x[0-9a-f]+, ASID 1'
line '\(d1\) ok 64 - the parent wakes while its child spins \(the timer preempts it\)'
hw_exits_line 1
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) d1: memory released: [0-9]+ frames, no reference left'
no_line 'crashed'
integrity_ok
finish

# 2. The same kernel as a domU beside the pv innocent domain (d1): both
#    finish, the innocent's memory and checksum intact.
QEMU_EXTRA="$VTIME $SVM" HV_ARGS=vmmode=hw boot selftest-hw-domU 0 \
    "$g/innocent.elf max_ms=300" "$native run=selftest"
same_as_native "$native_log" 2
hw_exits_line 2
line '\(pv86\) d2: shutdown \(poweroff\)'
innocent_ok 1
finish

# 2b. Two hw domains (ASIDs 1 and 2) and the pv innocent in one machine
#     (512 MiB: two 128 MiB guests): all three finish.
MEM=512 QEMU_EXTRA="$VTIME $SVM" HV_ARGS=vmmode=hw boot two-hw 0 \
    "$native run=selftest" "$hwtest" "$g/innocent.elf max_ms=300"
same_as_native "$native_log" 1
tap_passes 2
line '\(pv86\) d2: multiboot kernel under AMD SVM with nested paging \(hw\), 128 MiB, entry 0x[0-9a-f]+, ASID 2'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) d2: shutdown \(poweroff\)'
innocent_ok 3
finish

# 3. hwtest: the SVM instructions raise #UD, CPUID hides SVM and XSAVE,
#    the MSRs, HLT, the interrupt shadow, string I/O, the LAPIC; beside
#    the innocent (d2).
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hwtest 0 "$hwtest" "$g/innocent.elf max_ms=300"
tap_passes 1
line '\(pv86\) d1: wrote 0 to the exit port \(isa-debug-exit\)'
line '\(pv86\) d1 hw exits: [0-9]+ total, .*vmrun 1, vmmcall 1, vmload 1, vmsave 1, stgi 1, clgi 1, skinit 1.*'
innocent_ok
finish

# 4. As bare QEMU has them: hwtest's portable part (the MSRs, string I/O,
#    the LAPIC's registers, timer and self-IPI through MMIO, with paging off
#    and through 4 MiB pages) gives the same lines on bare QEMU -cpu max
#    (status 1: isa-debug-exit's 0) and under hw.
QEMU_EXTRA="$SVM" NATIVE=1 boot hwtest-portable-native 1 "$hwtest portable"
native_tap_passes
portable_native=$log
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hwtest-portable-hw 0 "$hwtest portable"
same_as_native "$portable_native" 1
tap_passes 1
line '\(pv86\) d1 hw exits: [0-9]+ total, .*npf [0-9]+'
line '\(pv86\) d1 hw: [0-9]+ interrupts injected, 0 events re-injected, [0-9]+ interrupt windows, [1-9][0-9]* MMIO accesses; nested tables 66 frames'
finish

# 5. Hostile hw kernels crash alone, each with its line, the innocent
#    beside them (as d2, and as d1 with the attacker a domU) intact.
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-wild 3 "$hwtest wild" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: hw: guest-physical 0xf0000000 is outside its memory and every device \(eip 0x[0-9a-f]+\)'
hw_exits_line 1
innocent_ok
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-wild-domU 3 "$g/innocent.elf max_ms=300" "$hwtest wild"
line '\(d2\) crashed: hw: guest-physical 0xf0000000 is outside its memory and every device \(eip 0x[0-9a-f]+\)'
innocent_ok 1
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-triple 3 "$hwtest triple" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: hw: triple fault \(shutdown\) at eip 0x[0-9a-f]+'
innocent_ok
finish

QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-mmio-movs 3 "$hwtest mmio-movs" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: hw: MMIO at guest-physical 0xfee00030 by an instruction pv86 does not emulate \(eip 0x[0-9a-f]+: a5 [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}\)'
innocent_ok
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-reset 5 "$hwtest reset" "$g/innocent.elf max_ms=300"
line '\(pv86\) d1: reset through port 0xcf9'
line '\(pv86\) d1: shutdown \(reboot\)'
innocent_ok
finish

# 5a. A guest spinning with IF clear cannot hold the CPU: V_INTR_MASKING
#     and the INTR intercept give the tick to the host, and the innocent
#     beside it finishes while it still spins (virtual time).
QEMU_EXTRA="$VTIME $SVM" HV_ARGS=vmmode=hw boot hw-spin-cli 0 "$hwtest spin" "$g/innocent.elf max_ms=300"
line '\(d1\) hwtest: spin done'
innocent_ok
if ! grep -n -e '^(d2) innocent: checksum .* after max_ms' -e '^(d1) hwtest: spin done' "$log" |
        head -1 | grep -q innocent; then
    problems+=("the innocent did not finish before the spinning hw guest")
fi
finish

# 5b. RAM reaching the device holes is refused (the LAPIC page must exit).
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-mem-too-big 13 "$native run=selftest mem=3585"
line '\(pv86\) d1: mem=3585: the hw mode keeps RAM below the PC.s device holes, at most 3584 MiB'
finish

# 6. Without SVM (QEMU's default CPU) the hw mode refuses, clearly: 13.
HV_ARGS=vmmode=hw boot hw-no-svm 13 "$native run=selftest"
line '\(pv86\) d1: cannot run the hw mode: the CPU has no SVM \(QEMU: -cpu max\)'
line '\(pv86\) no domain to run: exit status 13'
finish

# 7. The hostile multiboot kernel (tests/mbkern/hostile.c), every attack.
. "$top/tests/hw/hostile.sh"

# 7b. Debug registers and CPU state of a hostile guest (tests/mbkern/hwdebug.c).
. "$top/tests/hw/cpustate.sh"

# 8. make demo: the hw domain beside three PV domains.
. "$top/tests/hw/demo.sh"

echo "1..$n"
[ "$failed" -eq 0 ]
