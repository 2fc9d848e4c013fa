# Helpers of the QEMU boot tests (sourced by tests/boot/run.sh and
# tests/kernel/run.sh): boot a machine, check its log, print one TAP line.
# The caller sets top, build, expect and logs.
n=0
failed=0
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
# Virtual time, for a boot whose output depends on time (QEMU_EXTRA=$VTIME):
# system time counts instructions, and an idle CPU jumps to the next timer
# deadline instead of waiting for the host's clock, so nothing depends on
# the host's speed or load.
VTIME="-icount shift=0,sleep=off"

# boot NAME STATUS MODULE... ; then checks on $log; then finish.
# HV_ARGS, when set, is the hypervisor's command line.
boot() {
    name=$1 want_status=$2
    shift 2
    log=$logs/$name.log
    problems=()
    # INPUT, when set, is typed on the serial line (QEMU's stdin).
    # NATIVE=1 boots the kernel given alone (run-qemu --native).
    if [ -n "${NATIVE:-}" ]; then
        set -- --native "$@"
    else
        set -- --append "${HV_ARGS:-}" "$build/hypervisor.elf" "$@"
    fi
    local t0=$SECONDS
    printf '%s' "${INPUT:-}" | "$top/tools/run-qemu" --timeout "$BOOT_TIMEOUT" "$@" \
        > "$log" 2>&1
    status=${PIPESTATUS[1]}
    echo "$((SECONDS - t0))" > "$log.seconds"    # how long it took (for tuning timeouts)
    tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
    if [ "$status" != "$want_status" ]; then
        problems+=("exit status $status, expected $want_status")
    fi
}

# The guest's lines, "(dN) ...", must be exactly this file.
guest_output_is() {
    local file=$expect/$1 dom=${2:-1}
    if ! diff -u "$file" <(grep "^(d$dom) " "$log") > "$log.diff"; then
        problems+=("d$dom output differs from ${file#$top/}:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
}

# Some whole line matches this extended regular expression.
line() {
    grep -Eqx -- "$1" "$log" || problems+=("no line matching: $1")
}

# No line matches.
no_line() {
    if grep -Eq -- "$1" "$log"; then
        problems+=("unexpected line: $(grep -E -m1 -- "$1" "$log")")
    fi
}

# TAP from domain N is consistent: a plan, as many "ok" as planned, no "not ok".
tap_passes() {
    local dom=${1:-1} plan oks
    plan=$(sed -n "s/^(d$dom) 1\.\.\([0-9]*\)$/\1/p" "$log")
    oks=$(grep -c "^(d$dom) ok [0-9]* - " "$log")
    [ -n "$plan" ] || problems+=("d$dom printed no TAP plan")
    [ "$oks" = "$plan" ] || problems+=("d$dom: $oks ok lines, plan says ${plan:-none}")
    no_line "^\(d$dom\) not ok"
}

finish() {
    n=$((n + 1))
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok $n - boot: $name"
    else
        failed=$((failed + 1))
        echo "not ok $n - boot: $name"
        for p in "${problems[@]}"; do echo "# $p"; done
        echo "# log: $log"
    fi
}

integrity_ok() {
    line '\(pv86\) switcher integrity: ok \([0-9a-f]{8}\)'
}

# An unmodified kernel under a mode (hw, bt) against its native run
# (tests/hw, tests/bt): the guest's lines of domain DOM without their "(dN) " prefix must be
# exactly the lines of the native log REF.
same_as_native() {   # same_as_native REF DOM
    if ! diff -u "$1" <(grep "^(d$2) " "$log" | sed "s/^(d$2) //") > "$log.diff"; then
        problems+=("d$2's output differs from the native run's (${1#$top/}):")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
}

# A native log's TAP: a plan, as many "ok" as planned, no "not ok".
native_tap_passes() {
    local plan oks
    plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log")
    oks=$(grep -c '^ok [0-9]* - ' "$log")
    [ -n "$plan" ] || problems+=("printed no TAP plan")
    [ "$oks" = "$plan" ] || problems+=("$oks ok lines, plan says ${plan:-none}")
    no_line '^not ok'
}

# The innocent domain (tests/guests/innocent) as domain DOM ran to its end
# with its checksum $SUM intact (ENDING: how its last line says it ended),
# powered off, and the switcher is unchanged.
innocent_held() {   # innocent_held DOM ENDING
    line "\(d$1\) innocent: 256 pages, checksum $SUM, waiting on port [0-9]+ \((0|-3)\)"
    line "\(d$1\) innocent: checksum $SUM $2"
    line "\(pv86\) d$1: shutdown \(poweroff\)"
    no_line 'innocent: (memory|x87.*registers) changed'
    integrity_ok
}


# The latency neighbour (tests/guests/neighbour) printed its one line and its
# longest gap is at most MAX_US (and at least MIN_US, default 0): the longest
# time it was kept off the CPU. DOM is its domain number (default: whichever
# domain printed the line; there must be exactly one). Meaningful only under
# QEMU_EXTRA="-icount shift=0" (virtual time).
#   gap_within MAX_US [DOM] [MIN_US]
gap_within() {
    local max=$1 dom=${2:-[0-9]+} min=${3:-0} lines gap
    lines=$(grep -E "^\(d$dom\) neighbour: longest gap [0-9]+ us over [0-9]+ ms$" "$log")
    if [ "$(printf '%s' "$lines" | grep -c .)" != 1 ]; then
        problems+=("expected one neighbour line from d$dom, found $(printf '%s' "$lines" | grep -c .)")
        return
    fi
    gap=$(printf '%s\n' "$lines" | sed -E 's/.* longest gap ([0-9]+) us .*/\1/')
    if [ "$gap" -gt "$max" ] || [ "$gap" -lt "$min" ]; then
        problems+=("neighbour's longest gap $gap us, outside [$min, $max] us")
    fi
}
