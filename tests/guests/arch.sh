# Guest tests of issue 13's CPU-mode and shared-page attacks (sourced by
# tests/guests/run.sh, which defines g, SUM and the boot helpers). Each
# attack runs as d1 and as a domU beside the innocent domain.

innocent_in() {   # innocent_in DOM PEER "after ..."
    line "\(d$1\) innocent: 256 pages, checksum $SUM, waiting on port [0-9]+ \((0|-3)\)"
    line "\(d$1\) innocent: checksum $SUM $3"
    line "\(pv86\) d$1: shutdown \(poweroff\)"
    no_line 'innocent: (memory|x87.*registers) changed'
    no_line 'PANIC'
    integrity_ok
}

# A native iret with EFLAGS.VM (QEMU's TCG enters vm86 at any CPL): the
# attacker crashes alone, the hypervisor and the innocent run on. The vm86
# code at 0300:0010 is a hlt (#GP).
for t in vm86-r1 vm86-r3; do
    boot "attack-$t" 3 "$g/attack.elf test=$t" "$g/innocent.elf max_ms=300"
    line '\(d1\) crashed: entered virtual-8086 mode \(cs 0x300, eip 0x10\)'
    no_line 'did not crash the domain'
    innocent_in 2 1 "after max_ms without a signal"
    finish
    boot "attack-$t-domU" 3 "$g/innocent.elf peer=2 max_ms=300" "$g/attack.elf test=$t innocent=1"
    line '\(d2\) crashed: entered virtual-8086 mode \(cs 0x300, eip 0x10\)'
    no_line 'did not crash the domain'
    innocent_in 1 2 "after max_ms without a signal"
    finish
done

# vm86 with interrupts off (IOPL 3, cli, a loop): only the NMI watchdog
# gets the CPU back, within half a second; the attacker is crashed alone.
boot attack-vm86-cli-spin 3 "$g/attack.elf test=vm86-cli-spin" "$g/innocent.elf max_ms=300"
line '\(d1\) crashed: entered virtual-8086 mode \(cs 0x300, eip 0x1[01]\)'
innocent_in 2 1 "after max_ms without a signal"
finish
boot attack-vm86-cli-spin-domU 3 "$g/innocent.elf peer=2 max_ms=300" "$g/attack.elf test=vm86-cli-spin innocent=1"
line '\(d2\) crashed: entered virtual-8086 mode \(cs 0x300, eip 0x1[01]\)'
innocent_in 1 2 "after max_ms without a signal"
finish

# The same from an unmodified kernel under te (its ring 0 is ring 1).
boot te-vm86 3 "$g/te-vm86.elf" "$g/innocent.elf max_ms=300"
line '\(pv86\) d1: multiboot kernel under trap-and-emulate \(te\), .*'
line '\(d1\) crashed: entered virtual-8086 mode \(cs 0x300, eip 0x10\)'
innocent_in 2 1 "after max_ms without a signal"
finish
boot te-vm86-domU 3 "$g/innocent.elf peer=2 max_ms=300" "$g/te-vm86.elf"
line '\(d2\) crashed: entered virtual-8086 mode \(cs 0x300, eip 0x10\)'
innocent_in 1 2 "after max_ms without a signal"
finish

# vm86 with IOPL 3 reaches the direct int $0x80 gate: QEMU delivers it to
# the guest kernel's own handler (a CPU would raise #GP into the
# hypervisor), which sees the real-mode CS and ends its domain itself.
# Virtual time: a tick that came before the int (host time, under load)
# would crash it as "entered virtual-8086 mode" instead.
QEMU_EXTRA="$VTIME" boot attack-vm86-int80-domU 3 "$g/innocent.elf peer=2 max_ms=300" "$g/attack.elf test=vm86-int80 innocent=1"
line '\(d2\) unexpected trap 128 \(error 0x0\) at eip 0x12, cr2 0x0'
line '\(d2\) crashed: the guest asked to crash \(SCHEDOP_shutdown, SHUTDOWN_crash\)'
innocent_in 1 2 "after max_ms without a signal"
finish

# The iret hypercall with EFLAGS.VM: as Xen's, the kernel's #GP handler
# gets the fault the first vm86 instruction would raise, with the vm86
# image (cs 0x303, ss:esp 0x404:0x800); our runtime then ends the domain.
QEMU_EXTRA="$VTIME" boot attack-vm86-iret-domU 3 "$g/innocent.elf peer=2 max_ms=300" "$g/attack.elf test=vm86-iret innocent=1"
line '\(d2\) unexpected trap 13 \(error 0x0\) at eip 0x10, cr2 0x0'
line '\(d2\) attack: the #GP frame: cs 0x303, ss:esp 0x404:0x800'
line '\(d2\) crashed: the guest asked to crash \(SCHEDOP_shutdown, SHUTDOWN_crash\)'
innocent_in 1 2 "after max_ms without a signal"
finish

# Ring 2: an iret hypercall there is accepted and traps from it are bounced
# onto the kernel stack, as Xen does.
boot attack-ring2-domU 0 "$g/innocent.elf peer=2" "$g/attack.elf test=ring2 innocent=1"
tap_passes 2
line '\(d2\) 1\.\.8'
innocent_in 1 2 "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish

# Two domains try to talk through every page the hypervisor maps in both
# (the switcher region, the M2P): only each one's own entry stack is
# writable, and the receiver sees none of the sender's words.
boot covert-channel 0 "$g/attack.elf test=covert-send innocent=3" \
    "$g/attack.elf test=covert-recv innocent=0" "$g/innocent.elf peer=1"
tap_passes 1
tap_passes 2
line '\(d1\) ok 1 - of [0-9]+ hypervisor-mapped pages only our entry stack is writable \(1: 0xffe15000\)'
line '\(d2\) ok 1 - [0-9]+ hypervisor-mapped pages read 30 times while another domain wrote them: 0 of its words seen'
innocent_in 3 1 "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish
