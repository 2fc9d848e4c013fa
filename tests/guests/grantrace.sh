# Sourced by tests/guests/run.sh: the granter (d3) powers off while the
# attacker (d2) maps, reads, copies and unmaps its grant in a loop, beside
# the innocent (d1) (tests/guests/attack/grant.c, test=grant-race and
# grant-granter): every op okay until GNTST_bad_domain, the mapped page
# never anything but the granter's bytes, nothing left referenced, the
# innocent's checksum intact.
boot grant-race 0 "$g/innocent.elf peer=2" "$g/attack.elf test=grant-race innocent=1 peer=3" \
    "$g/attack.elf test=grant-granter innocent=1 peer=2"
tap_passes 2
line "\(d2\) 1\.\.3"
line "\(d3\) attack: granter: ref 8 granted to d2; powering off in 30 ms"
line "\(d2\) attack: [1-9][0-9]* maps, [0-9]+ unmaps, [1-9][0-9]* copies; (not )?mapped at the end"
line "\(pv86\) d3: shutdown \(poweroff\)"
line "\(pv86\) d2: shutdown \(poweroff\)"
no_line 'crashed|still referenced|still has [0-9]+ references'
line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
line "\(d1\) innocent: checksum $SUM after the attacker's signal"
integrity_ok
line '\(pv86\) all domains powered off'
finish
