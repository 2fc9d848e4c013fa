#!/bin/bash
# make iso's image booted as users boot Xen: `qemu-system-i386 -cdrom
# build/pv86.iso` (tools/run-qemu --cdrom), GRUB's menu on the serial line.
# The menu's default must be the pv selftest after 5 s (its grub.cfg); each
# entry is booted, chosen by the SMBIOS system SKU "pv86:ID" (tools/mkiso):
# the selftest (beside the xenstore domain, as make run boots it) with the
# same output as tests/kernel's selftest-pv, the demo (with the xenstore
# domain, as make demo boots it) with make demo's checks. Virtual time
# (QEMU_EXTRA=$VTIME), as the kernel tests, so nothing depends on the
# host's speed; GRUB's own countdown is not waited for (under -icount it
# spins for minutes).
#
#   tests/iso/run.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
expect=$top/tests/kernel/expect
logs=$build/iso-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"
iso=$build/pv86.iso

iso_boot() {   # iso_boot NAME STATUS: boot the image (QEMU_EXTRA as the caller sets it)
    name=$1 want_status=$2
    log=$logs/$name.log
    problems=()
    [ -f "$iso" ] || problems+=("no image $iso (make iso)")
    "$top/tools/run-qemu" --cdrom "$iso" --timeout "$BOOT_TIMEOUT" < /dev/null > "$log" 2>&1
    status=$?
    tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' > "$log.tmp" && mv "$log.tmp" "$log"
    [ "$status" = "$want_status" ] || problems+=("exit status $status, expected $want_status")
}

# 1. The menu, and its default entry: the pv selftest.
cfg=${iso%.iso}.root/boot/grub/grub.cfg
QEMU_EXTRA="$VTIME -smbios type=1,sku=pv86:selftest" iso_boot iso-selftest 0
grep -qx 'set default=selftest' "$cfg" || problems+=("$cfg: the default is not selftest")
grep -qx 'set timeout=5' "$cfg" || problems+=("$cfg: the timeout is not 5 s")
line 'pv86: booting selftest'
grep "^(d1) " "$log" | sed 's/^(d1) //' | grep -v '^pvguest (' > "$log.out"
diff -u "$expect/selftest.txt" "$log.out" > "$log.diff" ||
    problems+=("d1's output differs from tests/kernel/expect/selftest.txt (diff: $log.diff)")
line '\(d1\) pvguest \(pv flavour\): 16 MiB, [0-9]+ pages free, command line "run=selftest"'
line '\(d2\) xenstore: introduced d1 \(d1\), privileged'
line '\(pv86\) d2: no guest left: the xenstore domain is stopped'
for d in 1 2; do
    line "\\(pv86\\) d$d: memory released: [0-9]+ frames, no reference left"
done
integrity_ok
line '\(pv86\) all domains powered off'
finish

# 2. The demo entry, picked by the machine's SMBIOS SKU (on -cpu max: SVM):
#    make demo's scenario, with make demo's checks (tests/hw/demo-lines.sh).
. "$top/tests/hw/demo-lines.sh"
QEMU_EXTRA="$VTIME -cpu max -smbios type=1,sku=pv86:demo" iso_boot iso-demo 0
line 'pv86: booting demo'
demo_lines
finish

echo "1..$n"
[ "$failed" = 0 ]
