# Sourced by tests/guests/run.sh: the hypervisor's entries Xen leaves in a
# released slot-3 L2 (issue 14 review; tests/guests/attack/slot3stale.c),
# as a domU beside the innocent domain (d1) and as d1 beside it (d2): the
# stale entries never become a table of the guest's, junk written over them
# is replaced by the hypervisor's own when the page is again some L3's slot
# 3, and nothing is left referenced.

slot3stale_ok() {   # slot3stale_ok ATTACKER_DOMAIN INNOCENT_DOMAIN
    local a=$1 i=$2
    tap_passes "$a"
    line "\(d$a\) 1\.\.11"
    line "\(d$a\) slot3-stale: the hypervisor's entries left in a released slot-3 L2"
    beside_innocent_ok "$a" "$i"
}

beside_innocent_both attack-slot3stale slot3-stale slot3stale_ok

# The hypervisor's budget of warning lines is each domain's own: a domU that
# spends its 16 (d2, 20 refused pins) silences no other domain's (d3's three
# lines from test=slot3), beside the innocent (d1). Virtual time: d2 runs
# its pins before d3 starts.
QEMU_EXTRA="$VTIME" boot attack-warn-budget 0 "$g/innocent.elf peer=2" \
    "$g/attack.elf test=slot3-flood innocent=1" "$g/attack.elf test=slot3 innocent=9"
tap_passes 2
tap_passes 3
line "\(d2\) slot3-flood: 20 L3s sharing our slot-3 L2"
warned=$(grep -c "^(pv86) d2: PAE L3 3rd slot is shared" "$log")
[ "$warned" = 16 ] || problems+=("$warned warning lines of d2, want 16")
line "^\(pv86\) d2: PAE L3 3rd slot is shared \(further warnings not shown\)$"
warned=$(grep -c "^(pv86) d3: PAE L3 3rd slot is shared$" "$log")
[ "$warned" = 3 ] || problems+=("$warned lines '(pv86) d3: PAE L3 3rd slot is shared', want 3")
line "\(d1\) innocent: checksum $SUM after the attacker's signal"
no_line 'innocent: (memory|x87.*registers) changed'
no_line 'crashed'
line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
line "\(pv86\) d3: memory released: [0-9]+ frames, no reference left"
integrity_ok
line '\(pv86\) all domains powered off'
finish
