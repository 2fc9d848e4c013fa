#!/bin/bash
# make iso's image booted as users boot Xen: `qemu-system-i386 -cdrom
# build/pv86.iso` (tools/run-qemu --cdrom), GRUB's menu on the serial line.
# The menu's default must be the pv selftest after 5 s (its grub.cfg); each
# entry is booted, chosen by the SMBIOS system SKU "pv86:ID" (tools/mkiso):
# the selftest (beside the xenstore domain, as make run boots it) with the
# same output as tests/kernel's selftest-pv, the demo (with the xenstore
# domain, as make demo boots it) with make demo's checks, the split block
# driver with its checksums. Virtual time (QEMU_EXTRA=$VTIME), as the
# kernel tests, so nothing depends on the host's speed; GRUB's own
# countdown is not waited for (under -icount it spins for minutes).
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

# 3. The split block driver: the modules of tests/guests/blk.sh's blk case
#    (backend d1, frontend d2, the xenstore domain d3), picked by its SKU.
QEMU_EXTRA="$VTIME -smbios type=1,sku=pv86:blk" iso_boot iso-blk 0
line 'pv86: booting blk'
line "\(d1\) blkback: toolstack: wrote /local/domain/2/device/vbd/51712 \(n2 r1\) and /local/domain/1/backend/vbd/2/51712 \(n1 r2\)"
line "\(d2\) ok 1 - front: connected through xenstore to /local/domain/1/backend/vbd/2/51712 \(d1\): ring-ref 8, event-channel 3, 16384 sectors"
line "\(d2\) blkfront: wrote 8 MiB in 187 requests, checksum 0xad335c00"
line "\(d2\) blkfront: read 8 MiB in 187 requests, checksum 0xad335c00"
line "\(d2\) ok 3 - front: checksums equal \(0xad335c00\), 0 pages differ, 0 bad statuses"
line "\(d2\) blkfront: 23\.38 requests per MiB"
line "\(d2\) blkfront: 512\.00 grant operations \(grant \+ revoke\) per MiB"
line "\(d1\) blkback: 256\.00 grant copies per MiB"
tap_passes 1
tap_passes 2
line '\(d3\) xenstore: released d1'
line '\(d3\) xenstore: released d2'
for d in 1 2 3; do
    line "\\(pv86\\) d$d: shutdown \\(poweroff\\)"
    line "\\(pv86\\) d$d: memory released: [0-9]+ frames, no reference left"
done
no_line 'crashed|not ok'
integrity_ok
line '\(pv86\) all domains powered off'
finish

echo "1..$n"
[ "$failed" = 0 ]
