# Sourced by tests/guests/run.sh inside its role loop ($role): the xenstore
# protocol turned against the xenstore domain and the innocent (issue 17;
# tests/guests/attack/xenstore.c, docs/xenstore.md "Limits and abuse").
# The attacker is d1 (privileged in the store, as dom0) or a domU; the
# innocent (xs=1) makes xenstore round trips at every wake-up all along;
# the latency neighbour is d3, the xenstore domain d4 (built last). Every
# case answered as xenstored answers it for that role, the flooder gets
# its replies, its ring is ignored after a 5000-byte header, the innocent
# is served throughout with its checksum intact, the neighbour never kept
# off the CPU much longer than a slice, nothing left referenced.
xsd=$build/xenstore.elf
XSATK_CASES=50
if [ "$role" = d1 ]; then
    A=1 I=2
    QEMU_EXTRA=$VTIME boot "attack-xenstore-d1" 0 "$g/attack.elf test=xenstore innocent=2 neighbour=3" \
        "$g/innocent.elf xs=1 max_ms=60000 peer=1" "$g/neighbour.elf max_ms=60000 peer=1" "$xsd role=xenstore"
    line "\(d4\) xenstore: introduced d1 \(d1\), privileged"
    line "\(d1\) attack: xenstore against the store and the innocent \(we are d1, privileged\)"
else
    A=2 I=1
    QEMU_EXTRA=$VTIME boot "attack-xenstore-domU" 0 "$g/innocent.elf xs=1 max_ms=60000 peer=2" \
        "$g/attack.elf test=xenstore innocent=1 neighbour=3" "$g/neighbour.elf max_ms=60000 peer=2" "$xsd role=xenstore"
    line "\(d4\) xenstore: introduced d2 \(d2\)"
    line "\(d2\) attack: xenstore against the store and the innocent \(we are d2, unprivileged\)"
fi
NB=3
tap_passes $A
line "\(d$A\) 1\.\.$XSATK_CASES"
gap_within 20000 $NB
line "\(pv86\) d$NB: shutdown \(poweroff\)"
line "\(d4\) xenstore: d$A: ring broken \(message longer than 4096 bytes\): ignored until released"
# the innocent served all along: every round trip answered, none slow
line "\(d$I\) innocent: xenstore: [1-9][0-9]* round trips, every answer right, longest [0-9]+ us"
longest=$(sed -nE "s/^\(d$I\) innocent: xenstore: .* longest ([0-9]+) us$/\1/p" "$log")
[ -n "$longest" ] && [ "$longest" -le 50000 ] ||
    problems+=("the innocent's longest xenstore round trip: ${longest:-none} us, over 50000")
innocent_ok "after the attacker's signal"
line "\(d4\) xenstore: released d$A"
line "\(d4\) xenstore: released d$I"
line "\(pv86\) d4: no guest left: the xenstore domain is stopped"
no_line 'crashed|did not unmap|still referenced|still has [0-9]+ references|grant maps of'
for d in $A $I $NB 4; do
    line "\(pv86\) d$d: memory released: [0-9]+ frames, no reference left"
done
line '\(pv86\) all domains powered off'
finish
