# Sourced by tests/guests/run.sh: attack test=iopl (issue 14), as a domU (d2)
# beside the innocent domain (d1), in virtual time. The widest virtual IOPL
# against the real hardware: nothing reaches it (a write to the exit port
# would end the machine, one to the PIC masks would stop the timer, one to
# the UART would print its Zs), string I/O and I/O bitmaps fault exactly.
QEMU_EXTRA="-icount shift=0" boot attack-iopl 0 "$g/innocent.elf peer=2" \
    "$g/attack.elf test=iopl innocent=1"
tap_passes 2
line '\(d2\) attack: the widest virtual IOPL against the hardware'
line '\(d2\) 1\.\.30'
no_line 'ZZZZ'
line "\(d1\) innocent: checksum $SUM after the attacker's signal"
no_line 'innocent: (memory|x87.*registers) changed'
integrity_ok
line '\(pv86\) all domains powered off'
finish
