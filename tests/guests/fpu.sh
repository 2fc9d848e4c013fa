# Sourced by tests/guests/run.sh: the FPU belongs to its vCPU (issue 13,
# finding 7). The attacker (attack test=fpu: Xen's fpu_taskswitch interface,
# then an x87/MMX spy that also overwrites every register) runs beside the
# innocent domain, which keeps a secret in its x87 registers; as a domU and
# as d1, with fxsave (QEMU's default CPU) and with fnsave (FXSR removed).

fpu_attack_ok() {   # fpu_attack_ok ATTACKER_DOMAIN INNOCENT_DOMAIN FXSR(yes|no)
    local a=$1 i=$2 sse=' and SSE' nosse=''
    [ "$3" = yes ] || { sse=''; nosse=' \(no SSE\)'; }
    tap_passes "$a"
    line "\(d$a\) 1\.\.14"
    line "\(d$a\) attack: the FPU belongs to its vCPU \(the CPU has FXSR: $3\)"
    line "\(d$a\) attack: fpu spy: [0-9]+ rounds, secrets seen: 0 in x87 registers, 0 in MMX registers, 0 in SSE registers$nosse, 0 times the secret control word"
    # The innocent woke up often enough beside the spy to have been exposed.
    line "\(d$i\) innocent: x87$sse registers intact after ([1-9][0-9]+) checks"
    line "\(d$i\) innocent: checksum $SUM after the attacker's signal"
    no_line 'innocent: (memory|x87.*registers) changed'
    line '\(pv86\) all domains powered off'
    integrity_ok
}

boot attack-fpu-domu 0 "$g/innocent.elf peer=2" "$g/attack.elf test=fpu innocent=1"
fpu_attack_ok 2 1 yes
finish

boot attack-fpu-d1 0 "$g/attack.elf test=fpu" "$g/innocent.elf"
fpu_attack_ok 1 2 yes
finish

QEMU_EXTRA="-cpu qemu32,-fxsr" boot attack-fpu-fnsave 0 "$g/innocent.elf peer=2" \
    "$g/attack.elf test=fpu innocent=1"
fpu_attack_ok 2 1 no
finish
