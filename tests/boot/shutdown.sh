# Sourced by tests/boot/run.sh: how a domain stops, as in Xen (issue 14),
# and a guest image refused for a FEATURES requirement. The xenpv guest
# (tests/guests/xenpv/loader.c) makes the calls its command line asks for;
# it runs as d1 beside the innocent domain as d2, and as the domU d2 beside
# the innocent as d1, in virtual time (the innocent stops after 300 ms).
xenpv=$build/guests/xenpv.elf
innocent=$build/guests/innocent.elf

# shutdown_case ROLE NAME STATUS "XENPV ARGS": X (xenpv) and O (the other).
shutdown_case() {
    local role=$1 case=$2 st=$3 args=$4
    if [ "$role" = d1 ]; then
        X=1 O=2
        QEMU_EXTRA="$VTIME" boot "$case-d1" "$st" "$xenpv $args" "$innocent peer=1 max_ms=300"
    else
        X=2 O=1
        QEMU_EXTRA="$VTIME" boot "$case-domU" "$st" "$innocent peer=2 max_ms=300" "$xenpv $args"
    fi
}

for role in d1 domU; do
    # Any reason: the domain stops with code (u8)reason; the line names it.
    reasons=("5 soft_reset" "255 code 255" "4294967295 code 255" "4 watchdog")
    [ "$role" = d1 ] && reasons+=("2 suspend")
    for r in "${reasons[@]}"; do
        set -- $r
        shutdown_case "$role" "shutdown-$1" 15 "shutdown=$1"
        line "\(d$X\) xenpv: shutdown, reason $1"
        line "\(pv86\) d$X: shutdown \(${r#* }\)"
        line "\(pv86\) d$O: shutdown \(poweroff\)"
        line '\(pv86\) a domain did not power off: exit status 15'
        no_line 'shutdown returned'
        no_line 'crashed'
        integrity_ok
        finish
    done
done
shutdown_case d1 shutdown-256 0 "shutdown=256"
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) all domains powered off'
finish
# SCHEDOP_shutdown_code: the first code set is what a shutdown reports.
shutdown_case domU shutdown-code 15 "code=255 shutdown=0"
line '\(d2\) xenpv: shutdown_code 255: 0'
line '\(pv86\) d2: shutdown \(code 255\)'
finish

# SCHEDOP_remote_shutdown: d1 is the privileged domain (Xen's dummy XSM lets
# only the control domain); it stops any domain with any code.
shutdown_case d1 remote-reboot 5 "remote=2 reason=1"
line '\(d1\) xenpv: remote_shutdown of d2 answered 0'
line '\(pv86\) d2: shutdown \(reboot\) by d1 \(SCHEDOP_remote_shutdown\)'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) a domain did not power off: exit status 5'
integrity_ok
finish
shutdown_case d1 remote-255 15 "remote=2 reason=4294967295"
line '\(d1\) xenpv: remote_shutdown of d2 answered 0'
line '\(pv86\) d2: shutdown \(code 255\) by d1 \(SCHEDOP_remote_shutdown\)'
line '\(pv86\) d1: shutdown \(poweroff\)'
finish
shutdown_case d1 remote-crash 3 "remote=2 reason=3"
line '\(d2\) crashed: d1 shut it down with SHUTDOWN_crash \(SCHEDOP_remote_shutdown\)'
line '\(d1\) xenpv: remote_shutdown of d2 answered 0'
finish
shutdown_case d1 remote-self 0 "remote=1 reason=0"
line '\(d1\) xenpv: remote_shutdown of d1, reason 0'
line '\(pv86\) d1: shutdown \(poweroff\) by d1 \(SCHEDOP_remote_shutdown\)'
no_line 'remote_shutdown of d1 answered'
line '\(pv86\) d2: shutdown \(poweroff\)'
finish
shutdown_case d1 remote-self-crash 3 "remote=1 reason=3"
line '\(d1\) crashed: d1 shut it down with SHUTDOWN_crash \(SCHEDOP_remote_shutdown\)'
no_line 'remote_shutdown of d1 answered'
line '\(pv86\) d2: shutdown \(poweroff\)'
finish
shutdown_case d1 remote-nobody 0 "remote=7 reason=0"
line '\(d1\) xenpv: remote_shutdown of d7 answered -3'
finish
# A domU is not privileged: -EPERM for any domain there is, itself too;
# -ESRCH for one there is not. Nothing stops.
for t in "1 -1" "2 -1" "7 -3" "32752 -3"; do
    set -- $t
    shutdown_case domU "remote-$1" 0 "remote=$1 reason=0"
    line "\(d2\) xenpv: remote_shutdown of d$1 answered $2"
    line '\(pv86\) d1: shutdown \(poweroff\)'
    line '\(pv86\) d2: shutdown \(poweroff\)'
    line '\(pv86\) all domains powered off'
    finish
done

# A required feature pv86 cannot provide: refused, with its name, status 13.
# The copies differ from xenpv.elf only in its FEATURES note (same length).
feat='!writable_page_tables|pae_pgdir_above_4gb'
LC_ALL=C sed "s/$feat/!supervisor_mode_kernel|pae_pgdir_above_4/" "$xenpv" > "$logs/xenpv-smk.elf"
LC_ALL=C sed "s/$feat/!gnttab_map_avail_bits|pae_pgdir_above_4g/" "$xenpv" > "$logs/xenpv-gnttab.elf"
boot feature-refused 13 "$logs/xenpv-smk.elf"
line '\(pv86\) d1: cannot load the guest image: it requires feature supervisor_mode_kernel, which pv86 does not offer'
line '\(pv86\) no domain to run: exit status 13'
no_line 'crashed'
finish
boot feature-unknown 13 "$logs/xenpv-gnttab.elf"
line "\(pv86\) d1: cannot load the guest image: it requires feature gnttab_map_avail_bits, which Xen's loader does not know"
finish
# Beside a domain that runs and powers off: still 13, never 0.
QEMU_EXTRA="$VTIME" boot feature-refused-beside 13 "$logs/xenpv-smk.elf" "$innocent peer=2 max_ms=300"
line '\(pv86\) d1: cannot load the guest image: it requires feature supervisor_mode_kernel, which pv86 does not offer'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) a guest image was refused: exit status 13'
integrity_ok
finish
