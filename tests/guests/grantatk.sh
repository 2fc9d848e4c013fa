# Sourced by tests/guests/run.sh inside its role loop ($role; hostile sets
# A and I): grant tables v1 (issue 17) turned against the hypervisor and
# the innocent (tests/guests/attack/grant.c), beside the latency neighbour:
# every abuse refused with Xen's status, nothing left referenced, the
# innocent's checksum intact, the neighbour never kept off the CPU much
# longer than a slice by a multicall of 16384 grant copies.
NEIGHBOUR=1 hostile attack-grant 0 "$g/attack.elf test=grant" "$g/innocent.elf"
tap_passes $A
line "\(d$A\) 1\.\.40"
gap_within 20000 $NB
line "\(pv86\) d$NB: shutdown \(poweroff\)"
no_line 'still referenced|still has [0-9]+ references'
# the handle case 39 strands (its PTE replaced by mmu_update) goes at teardown
line "\(pv86\) d$A: 1 grant maps of other domains' frames dropped"
line "\(pv86\) d$A: memory released: [0-9]+ frames, no reference left"
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish
