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
#  - hvmap 0xf5800000: the kernel maps pv86's area and uses it: that
#    domain crashed alone with one line before any access completed (te's
#    rule, where bt's shadow keeps nothing);
#  - hvmap of bt's region or the switcher, hvread, hvwrite: the kernel
#    reads, writes and runs pv86's pages there whether its tables map them
#    or not. bt's documented difference from bare QEMU (docs/bt.md,
#    "Differences from bare QEMU"): reads see bt's pages, not a #PF; a
#    write to the vpage lands there; a write to the lookup table, the cache
#    or the switcher, or running code there, crashes the domain alone. Each
#    case's report lines are pinned in tests/bt/expect/NAME, with its crash
#    line or its own end through the exit port;
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

# bt_region_case NAME "KERNEL ARGS" CRASH_RE [ROLE]: bt's pinned outcome
# for pv86's area (tests/bt/expect/NAME): the hostile domain's report lines
# exactly those, then its one crash line matching CRASH_RE, or (CRASH_RE
# empty) its own end through the exit port with no crash.
bt_region_case() {
    local nm=$1 k=$2 crash=$3 role=${4:-d1}
    bt_boot "$nm" 3 "$role" "$k"
    if ! diff -u "$top/tests/bt/expect/$nm" <(dom_report_lines "$hd" < "$log") > "$log.diff"; then
        problems+=("d$hd's report lines differ from tests/bt/expect/$nm:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
    if [ -n "$crash" ]; then
        bt_crash_line
        line "\\(d$hd\\) crashed: $crash\$"
    else
        line "\\(pv86\\) d$hd: wrote [0-9]+ to the exit port \\(isa-debug-exit\\)"
        no_line 'crashed'
    fi
    innocent_ok "$id"
    finish
}
tc_write='bt: translated code at 0x[0-9a-f]+ \(guest eip 0x[0-9a-f]+\) writes'
tc_region="in the translation cache's region \\(#PF error 0x3\\)"
hv_area='inside the hypervisor.s area \(from 0xf5800000\)'

for t in $BTHOSTILE_SAME; do
    bt_same_case "$t"
done
bt_same_case far domU
bt_same_case tcfill domU
bt_hvmap_case 0xf5800000
for role in d1 domU; do
    bt_region_case bthostile-hvmap-ff000000 "$bthostile test=hvmap addr=0xff000000" \
        "bt: the guest kernel runs code at 0xff000100, which it maps $hv_area" "$role"
done
bt_region_case bthostile-hvmap-ff200000 "$bthostile test=hvmap addr=0xff200000" \
    "$tc_write 0xff200080, $tc_region"
bt_region_case bthostile-hvmap-ffe00000 "$bthostile test=hvmap addr=0xffe00000" \
    "bt: the guest maps 0xffe00080, $hv_area"
bt_region_case bthostile-hvread-ff000000 "$bthostile test=hvread addr=0xff000000" ""
bt_region_case bthostile-hvread-ff002000 "$bthostile test=hvread addr=0xff002000" \
    "$tc_write 0xff002008, $tc_region"
bt_region_case bthostile-hvread-ff200000 "$bthostile test=hvread addr=0xff200000" \
    "$tc_write 0xff200008, $tc_region"
bt_region_case bthostile-hvwrite-ff000000 "$bthostile test=hvwrite addr=0xff000000" ""
