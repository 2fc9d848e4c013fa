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

boot attack-address-width-domu 0 "$g/innocent.elf peer=2" "$g/attack.elf test=address-width innocent=1"
address_width_ok 2 1
finish

boot attack-address-width-d1 0 "$g/attack.elf test=address-width" "$g/innocent.elf"
address_width_ok 1 2
finish
