# Sourced by tests/guests/run.sh inside its role loop ($role; hostile sets
# A and I): writable page tables (issue 14) turned against the hypervisor
# and the innocent domain (tests/guests/attack/ptwr.c): every direct write
# that would map a frame not ours, or our page tables writable, is the
# CPU's #PF with the entry unchanged.
hostile attack-ptwr 0 "$g/attack.elf test=ptwr" "$g/innocent.elf"
tap_passes $A
line "\(d$A\) 1\.\.11"
line "\(d$A\) ok [0-9]+ - frames not ours around our memory: ([0-9]+) of \1 direct writes refused with #PF 3"
line "\(pv86\) d$A: memory released: [0-9]+ frames, no reference left"
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish
