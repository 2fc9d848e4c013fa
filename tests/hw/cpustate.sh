# shellcheck shell=bash disable=SC2154
# Sourced by tests/hw/run.sh: an hw guest's debug registers
# (tests/mbkern/hwdebug.c). QEMU's TCG arms a breakpoint only when a mov to
# DR7 runs and its VMRUN and #VMEXIT load DR7 without disarming: an
# instruction breakpoint a guest armed itself at one of the hypervisor's
# addresses (its exit handler) fired in the hypervisor without end, so the
# machine hung. DR7 and DR5 writes now exit; the guest (d1, then d2)
# keeps its breakpoint armed over 200 exits and the machine runs on, the
# innocent intact. DR7 and its DR5 alias read as on bare QEMU. Then a
# guest state VMRUN refuses, INVLPGA, HLT with interrupts off, REP INSB
# past the end of RAM.
hwdebug=$build/mbkern/hwdebug.elf
exit_handler=$(printf "%#x" "0x$(nm "$build/hypervisor.elf" | awk '$3 == "svm_exit_handler" { print $1 }')")

QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-dr-host 0 \
    "$hwdebug test=dr-host addr=$exit_handler" "$g/innocent.elf max_ms=300"
tap_passes 1
line "\\(d1\\) # dr-host: breakpoint at $exit_handler armed over 200 exits"
line '\(pv86\) d1 hw exits: [0-9]+ total, .*dr7_write [1-9][0-9]*.*'
no_line '#DB in the hypervisor'
innocent_ok
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-dr-host-domU 0 \
    "$g/innocent.elf max_ms=300" "$hwdebug test=dr-host addr=$exit_handler"
tap_passes 2
no_line '#DB in the hypervisor'
innocent_ok 1
finish

QEMU_EXTRA="$SVM" NATIVE=1 boot hw-dr7-native 1 "$hwdebug test=dr7"
native_tap_passes
dr7_native=$log
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-dr7 0 "$hwdebug test=dr7"
same_as_native "$dr7_native" 1
tap_passes 1
line '\(pv86\) d1 hw exits: [0-9]+ total, .*dr5_write 2, dr7_write 3.*'
finish

# A guest state QEMU's mov to CR0 takes and its VMRUN refuses (NW without
# CD): VMEXIT_INVALID crashes that domain alone. (QEMU's refused VMRUN
# writes the host's state into the VMCB, so the line shows the
# hypervisor's EIP and CR0, not the guest's.)
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-cr0-nw 3 "$hwdebug test=cr0-nw" "$g/innocent.elf max_ms=300"
line "\\(d1\\) crashed: hw: VMRUN refused the guest's state \\(VMEXIT_INVALID\\) at eip 0x[0-9a-f]+, cr0 0x[0-9a-f]+ cr4 0x[0-9a-f]+ efer 0x[0-9a-f]+"
no_line 'the machine ran on with CR0.NW set'
innocent_ok
finish

# INVLPGA, the SVM instruction the intercepts missed: QEMU checks the
# VMCB's EFER.SVME (set: VMRUN needs it), so it ran where bare QEMU gives
# #UD. Now #UD, as the other SVM instructions.
QEMU_EXTRA="$SVM" NATIVE=1 boot hw-invlpga-native 1 "$hwdebug test=invlpga"
native_tap_passes
invlpga_native=$log
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-invlpga 0 "$hwdebug test=invlpga" "$g/innocent.elf max_ms=300"
same_as_native "$invlpga_native" 1
tap_passes 1
line '\(pv86\) d1 hw exits: [0-9]+ total, .*invlpga 1.*'
innocent_ok
finish

# HLT with IF clear: nothing can wake the vCPU (pv86 injects no NMI): it
# stays halted for ever, as on bare QEMU, so only the timeout ends the run
# (status 124, bare QEMU's under a timeout); the pv innocent beside it
# finishes first, its checksum intact.
hlt_forever() {   # hlt_forever NAME HW_DOMAIN INNOCENT_DOMAIN MODULES...
    local hd=$2 id=$3 name=$1
    shift 3
    QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw BOOT_TIMEOUT=12 boot "$name" 124 "$@"
    line "\\(d$hd\\) # cli-hlt: halting with interrupts off"
    line "\\(pv86\\) d$hd: hlt with interrupts off at eip 0x[0-9a-f]+: halted for ever, as the CPU \\(nothing can wake it\\)"
    no_line 'woke from hlt with interrupts off'
    no_line "d$hd: shutdown"
    line "\\(d$id\\) innocent: checksum $SUM after max_ms without a signal"
    line "\\(pv86\\) d$id: shutdown \\(poweroff\\)"
    finish
}
hlt_forever hw-cli-hlt 1 2 "$hwdebug test=cli-hlt" "$g/innocent.elf max_ms=300"
hlt_forever hw-cli-hlt-domU 2 1 "$g/innocent.elf max_ms=300" "$hwdebug test=cli-hlt"

# REP INSB from the last bytes of RAM past its end, and with DF set from
# address 3 down through the 4 GiB wrap: the hypervisor writes only the
# guest's RAM and crashes the domain at the first byte outside it.
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-ins-end 3 "$hwdebug test=ins-end" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: hw: string I/O at eip 0x[0-9a-f]+ on linear 0x8000000, which is not in its memory'
no_line 'rep insb ran past RAM'
innocent_ok
finish
QEMU_EXTRA="$SVM" HV_ARGS=vmmode=hw boot hw-ins-wrap 3 "$g/innocent.elf max_ms=300" "$hwdebug test=ins-wrap"
line '\(d2\) crashed: hw: string I/O at eip 0x[0-9a-f]+ on linear 0xffffffff, which is not in its memory'
no_line 'rep insb ran past RAM'
innocent_ok 1
finish
