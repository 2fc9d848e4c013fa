# Sourced by tests/guests/run.sh: xenpv (tests/guests/xenpv), a guest built
# as a Xen PV guest is built that relies on what Xen PV kernels rely on
# (issue 14). It runs as d1 and as a domU beside the innocent domain, in
# virtual time ($VTIME: its clock test spans 30 s of it), and every TAP line
# must pass with the exact plan.
XENPV_PLAN=28
for role in $ROLES; do
    QEMU_EXTRA="${QEMU_EXTRA:-} $VTIME" hostile xenpv 0 "$g/xenpv.elf" "$g/innocent.elf max_ms=120000"
    tap_passes $A
    line "\(d$A\) xenpv: a guest that relies on what Xen PV kernels rely on"
    line "\(d$A\) 1\.\.$XENPV_PLAN"
    innocent_ok "after the attacker's signal"
    line '\(pv86\) all domains powered off'
    finish
done
