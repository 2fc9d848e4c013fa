# Sourced by tests/kernel/run.sh: pvguest keeps each process's FPU registers
# (issue 13, finding 7). user/fpu: two processes keep secrets in their x87
# registers (read as MMX too) across 300 yields each; pv, native, te, and
# each beside a PV domU that spies on the FPU and scrambles it (attack
# test=fpu, tests/guests/attack/fpu.c).

fpu_kernel_ok() {   # fpu_kernel_ok PREFIX (the "(dN) " of a domain, or "")
    local k
    for k in 2 3; do
        line "$1fpu: process $k: 300 rounds, 0 with its registers changed \(\), the other's values seen 0 times"
    done
    line "$1fpu: 2 processes, 300 rounds each: every register intact, neither saw the other's"
    line "$1init: exited with status 0: powering off"
}

fpu_spy_ok() {      # beside the PV spy in d2
    tap_passes 2
    line '\(d2\) 1\.\.14'
    line '\(d2\) attack: fpu spy: [0-9]+ rounds, secrets seen: 0 in x87 registers, 0 in MMX registers, 0 in SSE registers, 0 times the secret control word'
    line '\(pv86\) all domains powered off'
    integrity_ok
}

g=$build/guests

boot fpu-pv 0 "$pv run=fpu"
fpu_kernel_ok '\(d1\) '
line '\(pv86\) d1 hypercalls: [0-9]+ total, .*fpu_taskswitch [1-9][0-9]*, .*'
finish

NATIVE=1 boot fpu-native 0 "$native run=fpu"
fpu_kernel_ok ''
finish

# te: the native kernel's own mov to %cr0 and clts drive #NM through its IDT.
boot fpu-te 0 "$native run=fpu"
fpu_kernel_ok '\(d1\) '
line '\(pv86\) d1 te emulated in ring 1, the guest kernel: .*clts [1-9][0-9]*(, .*)?'
finish

boot fpu-pv-beside-spy 0 "$pv run=fpu" "$g/attack.elf test=fpu innocent=1"
fpu_kernel_ok '\(d1\) '
fpu_spy_ok
finish

boot fpu-te-beside-spy 0 "$native run=fpu" "$g/attack.elf test=fpu innocent=1"
fpu_kernel_ok '\(d1\) '
fpu_spy_ok
finish
