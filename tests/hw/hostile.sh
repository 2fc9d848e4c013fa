# shellcheck shell=bash disable=SC2154
# Sourced by tests/hw/run.sh: the hostile multiboot kernel
# (tests/mbkern/hostile.c, test=NAME) under hw, beside the pv innocent
# domain. A wild write, MMIO to an unmapped hole and a triple fault crash
# the hw domain alone with its line; VMRUN, VMMCALL, CLGI and STGI give the
# guest #UD, as bare QEMU does (its EFER.SVME reads 0), and it carries on;
# an interrupt storm (the LAPIC timer at initial count 1, then 2000
# self-IPIs) ends as the kernel ends it, in virtual time. In every case the
# innocent's checksum is intact and the switcher unchanged.
hostile=$build/mbkern/hostile.elf

hostile_case() {   # hostile_case TEST STATUS [ROLE]  (ROLE domU: the hostile is d2)
    local t=$1 want=$2 role=${3:-d1} hd=1 id=2 extra=
    [ "$t" = storm ] && extra=$VTIME
    if [ "$role" = domU ]; then
        hd=2 id=1
        QEMU_EXTRA="$extra $SVM" HV_ARGS=vmmode=hw boot "hostile-$t-domU" "$want" \
            "$g/innocent.elf max_ms=300" "$hostile test=$t"
    else
        QEMU_EXTRA="$extra $SVM" HV_ARGS=vmmode=hw boot "hostile-$t" "$want" \
            "$hostile test=$t" "$g/innocent.elf max_ms=300"
    fi
    case $t in
    outside) line "\\(d$hd\\) crashed: hw: guest-physical 0xc0000000 is outside its memory and every device \\(eip 0x[0-9a-f]+\\)" ;;
    hole)    line "\\(d$hd\\) crashed: hw: guest-physical 0xfeb00000 is outside its memory and every device \\(eip 0x[0-9a-f]+\\)" ;;
    triple)  line "\\(d$hd\\) crashed: hw: triple fault \\(shutdown\\) at eip 0x[0-9a-f]+" ;;
    vmrun|vmmcall|clgi|stgi)
             line "\\(d$hd\\) ok 1 - hostile: $t with EFER.SVME clear: #UD"
             line "\\(pv86\\) d$hd hw exits: [0-9]+ total, .*\\b$t 1\\b.*"
             line "\\(pv86\\) d$hd: wrote 0 to the exit port \\(isa-debug-exit\\)" ;;
    storm)   line "\\(d$hd\\) ok 1 - hostile: 2000 self-IPIs sent one after another, each taken"
             line "\\(d$hd\\) ok 2 - hostile: the timer stopped after 2000 interrupts at initial count 1"
             line "\\(pv86\\) d$hd: wrote 0 to the exit port \\(isa-debug-exit\\)" ;;
    esac
    case $t in   # the crash came at the attack: nothing after it ran
    outside) no_line "hostile: a write at 0xc0000000 does not read back" ;;
    hole)    no_line "hostile: a write to the hole at 0xfeb00000" ;;
    triple)  no_line "the machine survived a triple fault" ;;
    esac
    innocent_ok "$id"
    finish
}

for t in outside hole triple vmrun vmmcall clgi stgi storm; do
    case $t in outside|hole|triple) st=3 ;; *) st=0 ;; esac
    hostile_case "$t" "$st"
done
hostile_case outside 3 domU
hostile_case triple 3 domU
hostile_case storm 0 domU
