#!/bin/bash
# Guest tests: the hello guest, the attack suite and a short fuzz run.
# Every hostile run boots the innocent domain beside the attacker; its
# memory checksum (0x89195e08 for seed 1) must come out unchanged.
# Prints one TAP line per case; exits non-zero if any failed.
#
#   tests/guests/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
expect=$top/tests/guests/expect
logs=$build/guest-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"

g=$build/guests
SUM=0x89195e08

innocent_ok() {   # innocent_ok "after the attacker's signal" | "after max_ms ..."
    line "\(d2\) innocent: 256 pages, checksum $SUM, waiting on port [0-9]+ \((0|-3)\)"
    line "\(d2\) innocent: checksum $SUM $1"
    line '\(pv86\) d2: shutdown \(poweroff\)'
    no_line 'innocent: (memory|x87.*registers) changed'
    integrity_ok
}

# 1. hello: its whole output, status 0.
boot hello 0 "$g/hello.elf greeting=hi"
guest_output_is hello.txt
line '\(pv86\) d1: shutdown \(poweroff\)'
finish

# 2. The attack suite: every attempt refused the documented way.
boot attack 0 "$g/attack.elf" "$g/innocent.elf"
tap_passes 1
line '\(d1\) 1\.\.88'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

# 3. A kernel stack that cannot take a bounce frame: that domain crashes
#    alone, the innocent one finishes.
boot attack-bad-stack 3 "$g/attack.elf test=bad-stack" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: cannot deliver #GP general protection: kernel stack 0xe021:0xc00000 not writable'
no_line 'did not crash the domain'
innocent_ok "after max_ms without a signal"
finish

# 4. iret to ring 0: the same.
boot attack-iret0 3 "$g/attack.elf test=iret0" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: iret to ring 0 \(cs 0xe008\)'
no_line 'did not crash the domain'
innocent_ok "after max_ms without a signal"
finish

# 5. A short fuzz run (make fuzz N=... for long ones).
boot fuzz-3000 0 "$g/fuzz.elf seed=1 n=3000" "$g/innocent.elf"
line '\(d1\) fuzz: 3000 calls over 64 hypercall numbers, [0-9]+ returned >= 0, [0-9]+ distinct error codes:( -[0-9]+)+'
line '\(d1\) fuzz: the hypervisor still answers: xen_version 0x30000'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

# 6. The one command docs/writing-a-pv-guest.md gives a newcomer.
name=run-guest
log=$logs/run-guest.log
problems=()
make -s -C "$top" BUILD="$build" run-guest SRC=tests/guests/hello/hello.c GUEST_ARGS="greeting=hi" \
    < /dev/null > "$log" 2>&1 || problems+=("make run-guest failed")
guest_output_is hello.txt
finish

. "$top/tests/guests/fpu.sh"

echo "1..$n"
[ "$failed" -eq 0 ]
