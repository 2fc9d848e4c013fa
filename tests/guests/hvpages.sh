# Guest tests of pv86 issue 13, findings 1-3 and 5 (event channels): the
# pages the hypervisor writes after a domain starts, the console ring's
# event channel closed, and huge or wrapping timer values. Sourced by
# tests/guests/run.sh inside its role loop ($role; hostile sets A and I).
# Every boot runs under virtual time (-icount shift=0): the waits in them
# (ring drains, 30 ms of ticks, timer deadlines) do not depend on the host.

released_ok() {     # every domain in "$@": no reference left at teardown
    for d in "$@"; do
        line "\(pv86\) d$d: memory released: [0-9]+ frames, no reference left"
    done
    no_line 'still referenced|still has [0-9]+ references'
}

# 7. Each page the hypervisor keeps writing (shared_info, the xenstore page,
#    a domU's console ring), read-only everywhere and zeroed, offered as an
#    L1, an L2, an L2's entry, a GDT frame, an LDT and a descriptor: all
#    refused with Xen's -EINVAL but the descriptor, which Xen writes into any
#    frame it could map writable; start_info, ours after the build, may become an L1.
QEMU_EXTRA="-icount shift=0" hostile hvpages 0 "$g/attack.elf test=hvpages" "$g/innocent.elf"
tap_passes $A
if [ "$role" = domU ]; then
    line "\(d$A\) 1\.\.21"
    pages='shared_info|the xenstore page|the console ring'
else
    line "\(d$A\) 1\.\.14"
    pages='shared_info|the xenstore page'
fi
for what in 'pinned as an L1:-22' 'pinned as an L2:-22' 'named by an L2 entry \(as an L1\):-22' \
            'a GDT frame \(set_gdt\):-22' 'an LDT \(SET_LDT\):-22' \
            'a descriptor written \(update_descriptor\):0'; do
    rc=${what##*:}; what=${what%:*}
    n_lines=$(grep -Ec "^\(d$A\) ok [0-9]+ - ($pages) $what: $rc \(want $rc\)$" "$log")
    [ "$n_lines" = "$(echo "$pages" | tr '|' '\n' | grep -c .)" ] ||
        problems+=("'$what': $n_lines refusals, one per page expected")
done
line "\(d$A\) ok [0-9]+ - start_info \(written only at build\) may become an L1 \(0, 0\); nothing wrote it in 30 ms \(0 bytes changed\)"
released_ok 1 2
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

# 8. A domU closes its console ring's port and binds a new one that gets
#    the same number: over 50 drains of the ring it never goes pending.
if [ "$role" = domU ]; then
    QEMU_EXTRA="-icount shift=0" hostile console-close 0 "$g/attack.elf test=console-close" "$g/innocent.elf"
    tap_passes $A
    line "\(d$A\) 1\.\.5"
    line "\(d$A\) console-close: line 49"
    line "\(d$A\) ok 3 - a new port \(bind_ipi\) gets the same number: [0-9]+"
    line "\(d$A\) ok 4 - over 50 drains of the ring it went pending 0 times \(want 0\); all printed"
    released_ok 1 2
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish
fi

# 8b. A domU's ring indices claiming more than the ring holds (2049, 2^31,
#     2^32-1 bytes): the ring is left alone (as xenconsoled does), said once.
if [ "$role" = domU ]; then
    QEMU_EXTRA="-icount shift=0" hostile console-indices 0 "$g/attack.elf test=console-indices" \
        "$g/innocent.elf"
    tap_passes $A
    line "\(d$A\) 1\.\.2"
    line "\(pv86\) d$A: console ring indices out of range \(cons [0-9]+, prod [0-9]+\): ring ignored until they are"
    [ "$(grep -c 'console ring indices out of range' "$log")" = 1 ] ||
        problems+=("the out-of-range indices were not reported exactly once")
    released_ok 1 2
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish
fi

# 9. Huge and wrapping timer values (periodic 2^64-1, single-shot far ahead
#    and in the past, set_timer_op beyond 2^50 ns, poll timeouts near 2^64),
#    with the latency neighbour as d3 under virtual time: no timer keeps the
#    CPU, its longest gap stays within two 10 ms slices.
if [ "$role" = d1 ]; then
    A=1 I=2
    set -- "$g/attack.elf test=timers innocent=2 neighbour=3" "$g/innocent.elf peer=1"
else
    A=2 I=1
    set -- "$g/innocent.elf peer=2" "$g/attack.elf test=timers innocent=1 neighbour=3"
fi
QEMU_EXTRA="-icount shift=0" boot "timers-$role" 0 "$@" "$g/neighbour.elf peer=$A max_ms=5000"
tap_passes $A
line "\(d$A\) 1\.\.24"
line "\(d$A\) ok [0-9]+ - periodic timer of 2\^64-1 ns: -22 \(want -EINVAL\)"
line "\(d$A\) ok [0-9]+ - set_timer_op\(0xffffffffffffffff\): fired after 1[0-5][0-9] ms \(want 100 ms and a slice or two\)"
line "\(d$A\) ok [0-9]+ - poll with timeout 0xffffffffffffffff: returned 0 at once \([0-9]+ us\)"
gap_within 20000 3
released_ok 1 2 3
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish
