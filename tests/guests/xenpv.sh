# Sourced by tests/guests/run.sh: xenpv (tests/guests/xenpv), a guest built
# as a Xen PV guest is built that relies on what Xen PV kernels rely on
# (issue 14). It runs as d1 and as a domU beside the innocent domain, in
# virtual time ($VTIME: its clock test spans 30 s of it), and every TAP line
# must pass with the exact plan.
XENPV_PLAN=50       # skeleton 1, loader 18, ptwr 14, time 17
for role in $ROLES; do
    QEMU_EXTRA="${QEMU_EXTRA:-} $VTIME" hostile xenpv 0 "$g/xenpv.elf" "$g/innocent.elf max_ms=120000"
    tap_passes $A
    line "\(d$A\) xenpv: a guest that relies on what Xen PV kernels rely on"
    line "\(d$A\) 1\.\.$XENPV_PLAN"
    # time.c: 30 s of virtual time read from vcpu_info alone, 32-bit deltas.
    line "\(d$A\) ok [0-9]+ - time: single-shot for \+14 s: woken once \(1 timer upcalls\), [0-9]+ us after the deadline \(want 0 to 1 tick \+ 100 us\)"
    line "\(d$A\) ok [0-9]+ - time: wallclock and system time both moved 30 s"
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish
done
