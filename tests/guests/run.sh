#!/bin/bash
# Guest tests: the hello guest, the attack suite and a short fuzz run.
# Every hostile run boots the innocent domain beside the attacker, once with
# the attacker as d1 and once as a domU (ROLES); the innocent's memory
# checksum (0x89195e08 for seed 1) must come out unchanged.
# Prints one TAP line per case; exits non-zero if any failed.
#
#   [ROLES="d1 domU"] tests/guests/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
expect=$top/tests/guests/expect
logs=$build/guest-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"

g=$build/guests
SUM=0x89195e08

# The hostile cases run in both roles (ROLES, default "d1 domU"):
#   d1:   the attacker is d1 (console_io), the innocent d2;
#   domU: the innocent is d1 and the attacker d2, a domU that prints
#         through its console ring.
# hostile NAME STATUS "ATTACKER.elf ARGS" "INNOCENT.elf ARGS" boots one case
# in role $role as NAME-$role, with each side told the other's domain
# (innocent=, peer=); the checks then name the attacker d$A, the innocent d$I.
# With NEIGHBOUR=1 the latency neighbour runs too, as d3 (NB=3), signalled by
# the attacker at its end (neighbour=3, peer=$A), and the boot runs in
# virtual time ($VTIME) so that its gap is: check it with gap_within.
ROLES=${ROLES:-d1 domU}
hostile() {
    # (not "local name": boot sets the global name finish prints)
    local case=$1 st=$2 attacker=$3 innocent=$4 extra=() qemu_extra=${QEMU_EXTRA:-}
    if [ -n "${NEIGHBOUR:-}" ]; then
        attacker="$attacker neighbour=3"
        qemu_extra="$qemu_extra $VTIME"
        NB=3
    fi
    if [ "$role" = d1 ]; then
        A=1 I=2
        [ -n "${NEIGHBOUR:-}" ] && extra=("$g/neighbour.elf max_ms=60000 peer=1")
        QEMU_EXTRA=$qemu_extra boot "$case-d1" "$st" "$attacker innocent=2" "$innocent peer=1" "${extra[@]}"
    else
        A=2 I=1
        [ -n "${NEIGHBOUR:-}" ] && extra=("$g/neighbour.elf max_ms=60000 peer=2")
        QEMU_EXTRA=$qemu_extra boot "$case-domU" "$st" "$innocent peer=2" "$attacker innocent=1" "${extra[@]}"
    fi
}

innocent_ok() {   # innocent_ok "after the attacker's signal" | "after max_ms ..."
    innocent_held "$I" "$1"
}

# beside_innocent_ok ATTACKER_DOMAIN INNOCENT_DOMAIN: an attack run beside
# the innocent ended cleanly: the innocent's checksum held, nobody crashed,
# both powered off, the attacker left no reference, the switcher is intact.
beside_innocent_ok() {
    local a=$1 i=$2
    line "\(d$i\) innocent: 256 pages, checksum $SUM, waiting on port [0-9]+ \(0\)"
    line "\(d$i\) innocent: checksum $SUM after the attacker's signal"
    no_line 'innocent: (memory|x87.*registers) changed'
    no_line 'crashed'
    line "\(pv86\) d$a: shutdown \(poweroff\)"
    line "\(pv86\) d$i: shutdown \(poweroff\)"
    line "\(pv86\) d$a: memory released: [0-9]+ frames, no reference left"
    integrity_ok
    line '\(pv86\) all domains powered off'
}

# beside_innocent_both NAME TEST CHECK: attack.elf test=TEST as a domU beside
# the innocent (d1; boot NAME-domu), then as d1 beside it (d2; NAME-d1),
# each checked by CHECK ATTACKER_DOMAIN INNOCENT_DOMAIN.
beside_innocent_both() {
    local case=$1 test=$2 check=$3
    boot "$case-domu" 0 "$g/innocent.elf peer=2" "$g/attack.elf test=$test innocent=1"
    "$check" 2 1
    finish
    boot "$case-d1" 0 "$g/attack.elf test=$test" "$g/innocent.elf"
    "$check" 1 2
    finish
}

# 1. hello: its whole output, status 0.
boot hello 0 "$g/hello.elf greeting=hi"
guest_output_is hello.txt
line '\(pv86\) d1: shutdown \(poweroff\)'
finish

for role in $ROLES; do
    # 2. The attack suite: every attempt refused the documented way; the
    #    latency neighbour is never kept off the CPU much longer than a slice.
    NEIGHBOUR=1 hostile attack 0 "$g/attack.elf" "$g/innocent.elf"
    tap_passes $A
    line "\(d$A\) 1\.\.117"
    gap_within 20000 $NB
    line "\(pv86\) d$NB: shutdown \(poweroff\)"
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish

    # 3. A kernel stack that cannot take a bounce frame: that domain crashes
    #    alone, the innocent one finishes.
    hostile attack-bad-stack 3 "$g/attack.elf test=bad-stack" "$g/innocent.elf max_ms=300"
    #    A domU's console ring raises events: whichever of its upcall (ring 3
    #    runs with events enabled) and the #GP comes first finds no stack.
    what='#GP general protection'
    [ "$role" = domU ] && what='(#GP general protection|an event upcall)'
    line "\(d$A\) crashed: cannot deliver $what: kernel stack 0xe021:0xc00000 not writable"
    no_line 'did not crash the domain'
    innocent_ok "after max_ms without a signal"
    finish

    # 4. iret to ring 0: the same.
    hostile attack-iret0 3 "$g/attack.elf test=iret0" "$g/innocent.elf max_ms=300"
    line "\(d$A\) crashed: iret to ring 0 \(cs 0xe008\)"
    no_line 'did not crash the domain'
    innocent_ok "after max_ms without a signal"
    finish

    # 5. A short fuzz run (make fuzz N=... ROLE=... for long ones).
    NEIGHBOUR=1 hostile fuzz-3000 0 "$g/fuzz.elf seed=1 n=3000" "$g/innocent.elf"
    line "\(d$A\) fuzz: 3000 calls over 64 hypercall numbers, [0-9]+ returned >= 0, [0-9]+ distinct error codes:( -[0-9]+)+"
    line "\(d$A\) fuzz: the hypervisor still answers: xen_version 0x30000"
    gap_within 20000 $NB
    line "\(pv86\) d$NB: shutdown \(poweroff\)"
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish

    # 7-9. Hypervisor-written pages, the closed console port, timers.
    . "$top/tests/guests/hvpages.sh"

    # 10. Writable page tables against the hypervisor and the innocent (issue 14).
    . "$top/tests/guests/ptwr.sh"
    # 9b. Debug registers: breakpoints on the hypervisor and the innocent.
    . "$top/tests/guests/debugreg.sh"
    # 10. SYSENTER from every ring, with TF, NT, from vm86, with nowhere to go.
    . "$top/tests/guests/sysenter.sh"
    # 10b. The CPU's DR6 after the hypervisor's own #DB (SYSENTER with TF).
    . "$top/tests/guests/dr6stale.sh"
    # 10c. Grant tables against the hypervisor and the innocent (issue 17).
    . "$top/tests/guests/grantatk.sh"
    # 10d. The xenstore protocol against the xenstore domain and the innocent (issue 17).
    . "$top/tests/guests/xsatk.sh"
done

# 6. vm86, ring 2 and pages shared between domains (issue 13).
. "$top/tests/guests/arch.sh"

# 6b. The longest batches and teardowns, beside the latency neighbour.
. "$top/tests/guests/longbatch.sh"

# 7. The one command docs/writing-a-pv-guest.md gives a newcomer.
name=run-guest
log=$logs/run-guest.log
problems=()
make -s -C "$top" BUILD="$build" run-guest SRC=tests/guests/hello/hello.c GUEST_ARGS="greeting=hi" \
    < /dev/null > "$log" 2>&1 || problems+=("make run-guest failed")
guest_output_is hello.txt
finish

# 7. Machine addresses at their full width (finding 9 of issue 13).
. "$top/tests/guests/address_width.sh"
. "$top/tests/guests/fpu.sh"

# 7b. The L2 behind L3 slot 3 belongs to one L3 (issue 14).
. "$top/tests/guests/slot3.sh"
. "$top/tests/guests/slot3stale.sh"
. "$top/tests/guests/walkcache.sh"

# 8. A guest built as Xen PV guests are, relying on what they rely on (issue 14).
. "$top/tests/guests/xenpv.sh"
. "$top/tests/guests/iopl.sh"

# 9. Grant tables v1 between two domains (issue 17).
. "$top/tests/guests/grant.sh"
. "$top/tests/guests/grantrace.sh"

# 10. The split block driver between two domains (issue 17).
. "$top/tests/guests/blk.sh"

# 10. The xenstore domain: introduce, a xenbus start-up, control/shutdown (issue 17).
. "$top/tests/guests/xenbus.sh"

echo "1..$n"
[ "$failed" -eq 0 ]
