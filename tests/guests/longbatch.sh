# Sourced by tests/guests/run.sh (its helpers and variables): the longest
# batches, issue 13 finding 4 (docs/continuations.md).
# 5b. The longest batches (finding 4 of issue 13), the attacker a domU (d2)
#     beside the innocent (d1) and the latency neighbour (d3), under virtual
#     time: each completes with its exact results, the neighbour is never
#     kept off the CPU much longer than one 10 ms slice (without
#     continuations: the batch's whole length, 100+ ms), nothing is leaked.
long_batch() {   # long_batch CASE [ATTACKER_ARGS] [NEIGHBOUR_MAX_MS]
    QEMU_EXTRA="-icount shift=0" boot "$1" 0 "$g/innocent.elf peer=2 max_ms=30000" \
        "$g/attack.elf test=$1 innocent=1 neighbour=3 mem=64 ${2:-}" \
        "$g/neighbour.elf peer=2 max_ms=${3:-30000}"
    case $1 in long-teardown|long-dying) ;; *) tap_passes 2 ;; esac
    gap_within 20000 3
    line "\(d1\) innocent: checksum $SUM after the attacker's signal"
    no_line 'innocent: (memory|x87.*registers) changed'
    line '\(pv86\) d2: memory released: 16385 frames, no reference left'
    integrity_ok
    line '\(pv86\) all domains powered off'
}
long_batch long-mmuext
line '\(d2\) 1\.\.3'
finish
long_batch long-multicall
line '\(d2\) 1\.\.2'
finish
long_batch long-mmu
line '\(d2\) 1\.\.4'
finish
long_batch long-l3
line '\(d2\) 1\.\.4'
finish
# SET_LDT of 8192 descriptors, alternating between two such LDTs: each op
# checks 16 descriptor frames, so the batch's check comes after every op,
# not after every eighth (which held the CPU about 5 ms each time: the
# attacker's 10-tick slice lasted 50 ms).
long_batch long-ldt ops=512
line '\(d2\) 1\.\.2'
finish
long_batch long-teardown
line '\(d2\) attack: powering off in the middle of the pin'
line '\(pv86\) d2: [0-9]+ page tables left partly validated or released by a preempted hypercall: released'
finish
# The teardown of a domain holding 4 full L2s (a million entries to
# release) runs in pieces too; the neighbour, not signalled, measures on
# past it (its line comes after the release).
long_batch long-dying l2s=4 3000
line '\(d2\) attack: 4 L2s over 512 full L1s pinned; powering off'
released=$(grep -n 'd2: memory released' "$log" | cut -d: -f1)
measured=$(grep -n 'neighbour: longest gap' "$log" | cut -d: -f1)
[ -n "$released" ] && [ -n "$measured" ] && [ "$released" -lt "$measured" ] ||
    problems+=("the neighbour stopped measuring before d2's teardown ended")
finish

