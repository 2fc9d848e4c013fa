# Sourced by tests/guests/run.sh: the hypervisor's entries Xen leaves in a
# released slot-3 L2 (issue 14 review; tests/guests/attack/slot3stale.c),
# as a domU beside the innocent domain (d1) and as d1 beside it (d2): the
# stale entries never become a table of the guest's, junk written over them
# is replaced by the hypervisor's own when the page is again some L3's slot
# 3, and nothing is left referenced.

slot3stale_ok() {   # slot3stale_ok ATTACKER_DOMAIN INNOCENT_DOMAIN
    local a=$1 i=$2
    tap_passes "$a"
    line "\(d$a\) 1\.\.10"
    line "\(d$a\) slot3-stale: the hypervisor's entries left in a released slot-3 L2"
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

boot attack-slot3stale-domu 0 "$g/innocent.elf peer=2" "$g/attack.elf test=slot3-stale innocent=1"
slot3stale_ok 2 1
finish

boot attack-slot3stale-d1 0 "$g/attack.elf test=slot3-stale" "$g/innocent.elf"
slot3stale_ok 1 2
finish
