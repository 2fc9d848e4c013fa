# Sourced by tests/guests/run.sh: machine addresses with bits 36..51 set
# (issue 13, finding 9; tests/guests/attack/address_width.c), as a domU
# beside the innocent domain (d1) and as d1 beside it (d2). Every case is
# refused with Xen's code, the attacker and the innocent power off (status
# 0), nothing is left referenced and the switcher is intact. A hypervisor
# that kept 32 bits of a frame number died at the running L3's slot 3.

address_width_ok() {   # address_width_ok ATTACKER_DOMAIN INNOCENT_DOMAIN
    local a=$1 i=$2
    tap_passes "$a"
    line "\(d$a\) 1\.\.28"
    beside_innocent_ok "$a" "$i"
}

beside_innocent_both attack-address-width address-width address_width_ok
