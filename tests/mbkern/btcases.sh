# shellcheck shell=bash disable=SC2154
# The kernels written for the bt mode (docs/bt-tests.md): tests/mbkern/smc.c
# and tests/mbkern/bthostile.c (one attack per boot, test=NAME). Sourced by
# tests/mbkern/run.sh, tests/mbkern/bt.sh and tests/bt/run.sh; each case is
#   RUNNER NAME STATUS "KERNEL.elf ARGS"
# with its bare-QEMU output in tests/mbkern/expect/NAME.

# The attacks whose status and report lines under bt are bare QEMU's.
BTHOSTILE_SAME="midinsn overlap ahead int3 far unmapped tcfill rets segload calloutwr hotmmio"
# Attacks whose bt output is known to differ from bare QEMU's (docs/bt.md,
# "Known differences"): their bare-QEMU output only, so that the difference
# is measured the day it is fixed. segvpage: ES/FS loads of bt's vpage
# selector succeed under bt; fpip: fnstenv gives the cache's address and
# BT_CS_SEL as the x87 instruction pointer.
BTHOSTILE_BARE="segvpage fpip"
# hvread addr=A: A unmapped in the kernel's tables, read and written (bare
# QEMU: #PF); A in bt's own region (vpage, lookup table, cache), which the
# shadow tables of a bt domain map. Under bt: bare QEMU's output, or the
# domain crashed alone -- never a read of bt's pages.
BTHOSTILE_HVREAD="0xff000000 0xff002000 0xff200000"
# hvwrite addr=A: all ones to each word of A's first 128 bytes (bare QEMU:
# #PF each), then cli, sti, timer interrupts; at bt's vpage. Under bt as
# hvread.
BTHOSTILE_HVWRITE="0xff000000"
# hvmap addr=A: the kernel maps A's 2 MiB to its own memory and uses it
# (bare QEMU: it works). Under bt, as under te: the domain crashed alone.
BTHOSTILE_HVMAP="0xf5800000 0xff000000 0xff200000 0xffe00000"

# smc and the attacks bt must run as bare QEMU does.
mbkern_bt_cases() {
    local run=$1 k=$build/mbkern t
    $run smc 1 "$k/smc.elf"
    $run smc-nonpae 1 "$k/smc.elf nonpae"
    for t in $BTHOSTILE_SAME; do
        $run "bthostile-$t" 1 "$k/bthostile.elf test=$t"
    done
}

# The attacks bt is known to answer differently, on bare QEMU.
mbkern_bt_bare_cases() {
    local run=$1 k=$build/mbkern t
    for t in $BTHOSTILE_BARE; do
        $run "bthostile-$t" 1 "$k/bthostile.elf test=$t"
    done
}

# The hypervisor-area attacks on bare QEMU (under bt: tests/bt/hostile.sh).
mbkern_bt_hv_cases() {
    local run=$1 k=$build/mbkern a
    for a in $BTHOSTILE_HVREAD; do
        $run "bthostile-hvread-${a#0x}" 1 "$k/bthostile.elf test=hvread addr=$a"
    done
    for a in $BTHOSTILE_HVWRITE; do
        $run "bthostile-hvwrite-${a#0x}" 1 "$k/bthostile.elf test=hvwrite addr=$a"
    done
    for a in $BTHOSTILE_HVMAP; do
        $run "bthostile-hvmap-${a#0x}" 1 "$k/bthostile.elf test=hvmap addr=$a"
    done
}
