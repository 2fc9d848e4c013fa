# shellcheck shell=bash disable=SC2154
# The mbkern cases (sourced by tests/mbkern/run.sh and hw.sh; the caller
# sets build). Each case is one boot:
#   RUNNER NAME STATUS "KERNEL.elf ARGS" ["MODULE ARGS"...]
# NAME's serial output is tests/mbkern/expect/NAME; STATUS is bare QEMU's
# exit status (isa-debug-exit: (failed checks << 1) | 1, so 1 is a pass).

mods=$build/mbkern/mods

# mbkern_modules: the modules of mboot-modules, each L bytes with byte i
# (S + 7 * i + (i >> 8)) & 0xff, as tests/mbkern/mboot.c checks them.
mbkern_modules() {
    mkdir -p "$mods"
    local s l
    for s in 1 2 3; do
        case $s in 1) l=5000 ;; 2) l=8192 ;; 3) l=3 ;; esac
        # (written aside, then renamed: a run beside this one never reads half a module)
        perl -e "print map { chr(($s + \$_ * 7 + (\$_ >> 8)) & 0xff) } 0 .. $l - 1" > "$mods/mod$s.bin.$$" &&
            mv "$mods/mod$s.bin.$$" "$mods/mod$s.bin"
    done
}

# The test kernels: the same status and report lines wherever they run.
mbkern_cases() {
    local run=$1 k=$build/mbkern
    $run lapic 1 "$k/lapic.elf"
    $run gdt64k 1 "$k/gdt64k.elf"
    $run pse 1 "$k/pse.elf"
    $run ptkeep 1 "$k/ptkeep.elf"
    $run fwcfg 1 "$k/fwcfg.elf"
    $run pci 1 "$k/pci.elf"
    $run intnp 1 "$k/intnp.elf"
    $run cr8 1 "$k/cr8.elf"
    $run mboot 1 "$k/mboot.elf mods=0 alpha beta=two"
    $run mboot-modules 1 "$k/mboot.elf mods=3 alpha beta=two" \
        "$mods/mod1.bin len=5000 seed=1" "$mods/mod2.bin len=8192 seed=2" "$mods/mod3.bin len=3 seed=3"
}

# The hostile kernel's attacks, as bare QEMU ends them (under hw each
# must instead crash that domain alone: a different test).
mbkern_hostile_cases() {
    local run=$1 k=$build/mbkern t
    for t in outside vmrun vmmcall clgi stgi hole; do
        $run "hostile-$t" 1 "$k/hostile.elf test=$t"
    done
    $run hostile-triple 0 "$k/hostile.elf test=triple"      # shutdown; -no-reboot: status 0
}
