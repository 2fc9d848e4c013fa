# Guest tests of SYSENTER games (issue 14, tests/guests/attack/sysenter.c):
# sourced by tests/guests/run.sh inside its role loop ($role; hostile sets
# A and I). Each ends as on Xen for this domain, and nothing else notices.
# Virtual time: the vm86 case must not meet a tick in vm86 (that crashes
# the domain as "entered virtual-8086 mode" instead, by design).

QEMU_EXTRA="$VTIME" hostile attack-sysenter 0 "$g/attack.elf test=sysenter" "$g/innocent.elf"
tap_passes $A
line "\(d$A\) 1\.\.8"
line "\(d$A\) attack: frame eip 0x0 cs 0x10003 eflags 0x2 esp 0x0 ss 0xe033, callback esp top-20"
line "\(d$A\) attack: frame eip 0x0 cs 0x3 eflags 0x302 esp 0x0 ss 0xe033, callback esp top-20"
line "\(d$A\) attack: frame eip 0x0 cs 0x3 eflags 0x4202 esp 0x0 ss 0xe033, callback esp top-20"
no_line 'crashed'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

QEMU_EXTRA="$VTIME" hostile attack-sysenter-vm86 0 "$g/attack.elf test=sysenter-vm86" "$g/innocent.elf"
tap_passes $A
line "\(d$A\) 1\.\.3"
no_line 'crashed'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

QEMU_EXTRA="$VTIME" hostile attack-sysenter-nogp 3 "$g/attack.elf test=sysenter-nogp" "$g/innocent.elf max_ms=300"
line "\(d$A\) crashed: SYSENTER with no sysenter callback and no #GP handler"
no_line 'did not crash the domain'
innocent_ok "after max_ms without a signal"
finish
