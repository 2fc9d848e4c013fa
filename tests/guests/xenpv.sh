# Sourced by tests/guests/run.sh: xenpv (tests/guests/xenpv), a guest built
# as a Xen PV guest is built that relies on what Xen PV kernels rely on
# (issue 14). It runs as d1 and as a domU beside the innocent domain, in
# virtual time ($VTIME: its clock test spans 30 s of it), and every TAP line
# must pass with the exact plan.
XENPV_PLAN=232      # skeleton 1, loader 18, ptwr 14, fastcall 27, frame 1, debugreg 24, iopl 79, batch 51, time 17
for role in $ROLES; do
    # batch.c reads this from the serial line as d1 (console_io).
    INPUT=$'pv86\n' QEMU_EXTRA="${QEMU_EXTRA:-} $VTIME" hostile xenpv 0 "$g/xenpv.elf" "$g/innocent.elf max_ms=120000"
    tap_passes $A
    line "\(d$A\) xenpv: a guest that relies on what Xen PV kernels rely on"
    line "\(d$A\) 1\.\.$XENPV_PLAN"
    # time.c: 30 s of virtual time read from vcpu_info alone, 32-bit deltas.
    line "\(d$A\) ok [0-9]+ - time: single-shot for \+14 s: woken once \(1 timer upcalls\), [0-9]+ us after the deadline \(want 0 to 1 tick \+ 100 us\)"
    line "\(d$A\) ok [0-9]+ - time: wallclock and system time both moved 30 s"
    # batch.c: the multicall ended by iret and the selectors, exactly.
    line "\(d$A\) ok [0-9]+ - multicall ended by iret: returns the restored EAX 0x1234abcd \(got 0x1234abcd\)"
    line "\(d$A\) ok [0-9]+ - the entries after the iret did not run: results still 0xdead \(got 0xdead 0xdead\)"
    for sel in 0xe01b 0xe02b 0xe008 0xe018; do
        line "\(d$A\) ok [0-9]+ - set_trap_table entry with cs $sel: 0, as Xen"
    done
    line "\(d$A\) ok [0-9]+ - callback_op NMI callback with cs 0xe02b: 0, as Xen"
    no_line '#DB in the hypervisor'       # debugreg: the guest's breakpoints stay the guest's
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish
done
