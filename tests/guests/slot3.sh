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
    beside_innocent_ok "$a" "$i"
}

beside_innocent_both attack-slot3 slot3 slot3_ok
