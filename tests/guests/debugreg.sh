# Guest tests of issue 14's debug registers: the attacker's breakpoints
# on the hypervisor's area (refused), on the linear addresses the
# hypervisor's own code, stack and data have in its address space (accepted:
# they are the guest's too, and never fire in the hypervisor), on the
# innocent's code and data, on words the hypervisor writes in the attacker's
# own pages, and single steps into a yielding hypercall and a bounce.
# Sourced by tests/guests/run.sh inside its role loop ($role).
# The addresses come from the images (decimal: the guest's cmdline_num).
dr_sym() { printf '%d' "0x$(nm "$1" | awk -v s="$2" '$3 == s { print $1 }')"; }
dr_args="hvtrap=$(dr_sym "$build/hypervisor.elf" hv_trap_entry)"
dr_args="$dr_args hvstack=$(dr_sym "$build/hypervisor.elf" hv_stack_top)"
dr_args="$dr_args hvcur=$(dr_sym "$build/hypervisor.elf" current_domain)"
dr_args="$dr_args innfn=$(dr_sym "$g/innocent.elf" system_time_ns)"
dr_args="$dr_args innhc=$(dr_sym "$g/innocent.elf" hypercall_page)"
hostile attack-debugreg 0 "$g/attack.elf test=debugreg $dr_args" "$g/innocent.elf max_ms=20000"
tap_passes $A
if [ "$role" = domU ]; then
    line "\(d$A\) 1\.\.10"
else
    line "\(d$A\) 1\.\.9"
fi
line "\(d$A\) attack: breakpoints and single steps against the hypervisor and the innocent"
no_line '#DB in the hypervisor'
innocent_ok "after the attacker's signal"
line '\(pv86\) all domains powered off'
finish
