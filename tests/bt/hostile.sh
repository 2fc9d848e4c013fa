# shellcheck shell=bash disable=SC2154
# Sourced by tests/bt/run.sh: the bt hostile kernel (tests/mbkern/
# bthostile.c, test=NAME) under vmmode=bt beside the pv innocent domain
# (docs/bt-tests.md lists the cases and what each must give):
#  - jumps into instructions, overlapping instructions, stores just ahead
#    of EIP, the guest's own int3, far transfers to crafted selectors (bt's
#    and the hypervisor's reserved ones among them), jumps to unmapped
#    addresses (pv86's area among them), 3 MiB of code through a 2 MiB
#    cache, a ret to 8192 addresses: bare QEMU's report lines exactly, and
#    the kernel ends through the exit port as there;
#  - hvmap: the kernel maps pv86's area (0xf5800000 and up) and uses it:
#    that domain crashed alone with one line (when it turns paging on, or
#    at the first access), before any access completed;
#  - hvread, hvwrite: it reads and writes bt's own region, unmapped in its
#    tables (hvwrite: all ones over the vpage, then cli, sti and timer
#    interrupts): bare QEMU's #PF, or that domain crashed alone -- never
#    bt's bytes;
# and in every case the innocent's checksum intact, the switcher unchanged.
bthostile=$build/mbkern/bthostile.elf
bt_mode=${BT_MODE:-bt}   # BT_MODE=te tries the suite itself on te (which fails far: ring 1)

dom_report_lines() {   # dom_report_lines DOM < LOG: DOM's TAP lines, unprefixed
    grep "^(d$1) " | sed -E 's/^\(d[0-9]+\) //' | grep -E '^((not )?ok [0-9]+ - |1\.\.[0-9]+$)'
}
expect_report_lines() {   # expect_report_lines NAME
    grep -E '^((not )?ok [0-9]+ - |1\.\.[0-9]+$)' "$expect/$1"
}

# bt_boot NAME STATUS ROLE "KERNEL ARGS": ROLE d1 (the hostile d1, the
# innocent d2) or domU (the innocent d1, the hostile d2); sets hd and id.
bt_boot() {
    local nm=$1 want=$2 role=$3 k=$4
    if [ "$role" = domU ]; then
        hd=2 id=1
        HV_ARGS=vmmode=$bt_mode boot "$nm-domU" "$want" "$g/innocent.elf max_ms=300" "$k"
    else
        hd=1 id=2
        HV_ARGS=vmmode=$bt_mode boot "$nm" "$want" "$k" "$g/innocent.elf max_ms=300"
    fi
}

same_as_bare() {   # same_as_bare EXPECT_NAME: d$hd's report lines are bare QEMU's
    if ! diff -u <(expect_report_lines "$1") <(dom_report_lines "$hd" < "$log") > "$log.diff"; then
        problems+=("d$hd's report lines differ from tests/mbkern/expect/$1:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
}

bt_same_case() {   # bt_same_case TEST [ROLE]
    bt_boot "bthostile-$1" 0 "${2:-d1}" "$bthostile test=$1"
    same_as_bare "bthostile-$1"
    line "\\(pv86\\) d$hd: wrote 0 to the exit port \\(isa-debug-exit\\)"
    no_line 'crashed'
    innocent_ok "$id"
    finish
}

bt_crash_line() {   # exactly one crash line, the hostile domain's
    line "\\(d$hd\\) crashed: .+"
    local c
    c=$(grep -c 'crashed: ' "$log")
    [ "$c" = 1 ] || problems+=("$c crash lines, expected one")
}

bt_hvmap_case() {   # bt_hvmap_case ADDR [ROLE]
    local a=$1
    bt_boot "bthostile-hvmap-${a#0x}" 3 "${2:-d1}" "$bthostile test=hvmap addr=$a"
    bt_crash_line                                    # at the mapping (CR3, CR0) or its first use
    no_line "\\(d$hd\\) (not )?ok [0-9]+ - "          # not one access completed
    innocent_ok "$id"
    finish
}

bt_hvread_case() {   # bt_hvread_case TEST ADDR: bare QEMU's #PF, or crashed alone
    local a=$2 nm=bthostile-$1-${2#0x}
    bt_boot "$nm" 0 d1 "$bthostile test=$1 addr=$a"
    if grep -Eq "^\\(d$hd\\) crashed: " "$log"; then
        [ "$status" = 3 ] && problems=("${problems[@]:1}")   # not "exit status 3, expected 0": the other outcome
        bt_crash_line
        no_line "\\(d$hd\\) (not )?ok [0-9]+ - "
    else
        same_as_bare "$nm"
        line "\\(pv86\\) d$hd: wrote 0 to the exit port \\(isa-debug-exit\\)"
        no_line 'crashed'
    fi
    innocent_ok "$id"
    finish
}

for t in $BTHOSTILE_SAME; do
    bt_same_case "$t"
done
bt_same_case far domU
bt_same_case tcfill domU
for a in $BTHOSTILE_HVMAP; do
    bt_hvmap_case "$a"
done
bt_hvmap_case 0xff000000 domU
for a in $BTHOSTILE_HVREAD; do
    bt_hvread_case hvread "$a"
done
for a in $BTHOSTILE_HVWRITE; do
    bt_hvread_case hvwrite "$a"
done
