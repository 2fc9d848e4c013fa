# Guest test of the CPU's DR6 after the hypervisor's own #DB (review of
# issue 14, tests/guests/attack/dr6stale.c): sourced by tests/guests/run.sh
# inside its role loop ($role; hostile sets A and I). SYSENTER with TF
# leaves no DR6.BS behind for the next #DB.

QEMU_EXTRA="$VTIME" hostile attack-dr6-stale 0 "$g/attack.elf test=dr6-stale" "$g/innocent.elf"
tap_passes $A
line "\(d$A\) 1\.\.4"
no_line 'crashed'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

# A single step over a direct L1 write the hypervisor emulates: DR6.BS.
QEMU_EXTRA="$VTIME" hostile attack-dr6-ptwr 0 "$g/attack.elf test=dr6-ptwr" "$g/innocent.elf"
tap_passes $A
line "\(d$A\) 1\.\.4"
no_line 'crashed'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish
