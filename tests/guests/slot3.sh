# Sourced by tests/guests/run.sh: Xen's PAE rule for the L2 behind L3 slot 3
# (issue 14; tests/guests/attack/slot3.c), as a domU beside the innocent
# domain (d1) and as d1 beside it (d2). A slot-3 L2 shared by two L3s is
# refused at pin time and as a base pointer with -EINVAL, and the hypervisor
# says so in Xen's words, once for each of the three tries; an L3 with a
# slot-3 L2 of its own is accepted; nothing is left referenced.

slot3_ok() {   # slot3_ok ATTACKER_DOMAIN INNOCENT_DOMAIN
    local a=$1 i=$2
    tap_passes "$a"
    line "\(d$a\) 1\.\.17"
    line "\(d$a\) slot3: the L2 behind L3 slot 3 belongs to one L3"
    local shared
    shared=$(grep -c "^(pv86) d$a: PAE L3 3rd slot is shared$" "$log")
    [ "$shared" = 3 ] || problems+=("$shared lines '(pv86) d$a: PAE L3 3rd slot is shared', want 3")
    no_line "PAE L3 3rd slot is shared.*further"
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

boot attack-slot3-domu 0 "$g/innocent.elf peer=2" "$g/attack.elf test=slot3 innocent=1"
slot3_ok 2 1
finish

boot attack-slot3-d1 0 "$g/attack.elf test=slot3" "$g/innocent.elf"
slot3_ok 1 2
finish
