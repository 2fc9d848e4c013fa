# shellcheck shell=bash disable=SC2154
# The checks of make demo's output, on $log: sourced by tests/hw/demo.sh
# (make demo itself) and tests/iso/run.sh (the ISO's demo entry), which
# boot the same scenario (the Makefile's DEMO_SCENARIO): d1 the ABI
# self-test, d2/d3 the event ping-pong meeting through xenstore, d4
# pvguest's native flavour unmodified as the hw domain, d5 the xenstore
# domain. Needs tests/boot/lib.sh's helpers.
demo_lines() {
    # d1's ABI self-test sees the xenstore domain (one domain and one port
    # more) and still prints exactly what it prints without it (tests/boot).
    if ! diff -u "$top/tests/boot/expect/selftest.txt" <(grep '^(d1) ' "$log") > "$log.diff"; then
        problems+=("d1's output differs from tests/boot/expect/selftest.txt (diff: $log.diff)")
    fi
    tap_passes 1
    tap_passes 2
    tap_passes 3
    # Every PV domain is connected to the store and introduced, with its
    # home (/local/domain/N, its name): d1 privileged, as Xen's dom0.
    for d in 1 2 3; do
        line "\\(pv86\\) d$d: xenstore d5: store page granted \\(ref 1\\), port [0-9]+"
    done
    line '\(d5\) xenstore: introduced d1 \(d1\), privileged'
    line '\(d5\) xenstore: introduced d2 \(pong\)'
    line '\(d5\) xenstore: introduced d3 \(ping\)'
    # The hw domain is no PV guest: no store page, no home (docs/xen-deviations.md).
    no_line '^\(pv86\) d4: xenstore'
    no_line 'xenstore: introduced d4'
    count_lines '^\(d5\) xenstore: introduced d[0-9]+ ' 3
    # pong published the port it allocated in its home, ping read it there
    # (the number is not assumed: whatever pong got, ping bound that).
    line '\(d2\) ok 1 - pong: port for domain 3 allocated'
    line '\(d2\) ok 2 - pong: port [0-9]+ published in xenstore: /local/domain/2/data/port, readable by d3'
    line '\(d2\) ok 3 - pong: answered 100 pings'
    line '\(d3\) ok 1 - ping: read /local/domain/2/data/port = [0-9]+ from xenstore \([0-9]+ looks\)'
    line '\(d3\) ok 2 - ping: bound to domain 2 port [0-9]+'
    line '\(d3\) ok 3 - ping: 100 round trips, 100 replies'
    local listen read bound
    listen=$(sed -n 's/^(d2) # pong: listening on port \([0-9]*\)$/\1/p' "$log")
    read=$(sed -n 's|^(d3) ok 1 - ping: read /local/domain/2/data/port = \([0-9]*\) .*|\1|p' "$log")
    bound=$(sed -n 's/^(d3) ok 2 - ping: bound to domain 2 port \([0-9]*\)$/\1/p' "$log")
    if [ -z "$listen" ] || [ "$read" != "$listen" ] || [ "$bound" != "$listen" ]; then
        problems+=("pong listens on port ${listen:-?}, ping read ${read:-?} and bound ${bound:-?}")
    fi
    line '\(pv86\) d4 \(hw\): multiboot kernel under AMD SVM with nested paging \(hw\), 32 MiB, entry 0x[0-9a-f]+, ASID 4'
    line '\(d4\) # hello from pid 2: hello 0 from an unmodified kernel'
    line '\(d4\) init: exited with status 0: powering off'
    line '\(pv86\) d4 hw exits: [0-9]+ total(, [a-z_]+ [0-9]+)+'
    for d in 1 2 3 4; do
        line "\\(pv86\\) d$d: shutdown \\(poweroff\\)"
    done
    # Each client released by the store, then the store stopped when no
    # guest is left; every domain's memory back, no reference left anywhere.
    for d in 1 2 3; do
        line "\\(d5\\) xenstore: released d$d"
    done
    count_lines '^\(d5\) xenstore: released d[0-9]+$' 3
    line '\(pv86\) d5: no guest left: the xenstore domain is stopped'
    line '\(pv86\) d5: shutdown \(poweroff\)'
    for d in 1 2 3 4 5; do
        line "\\(pv86\\) d$d: memory released: [0-9]+ frames, no reference left"
    done
    count_lines '^\(pv86\) d[0-9]+: memory released: ' 5
    no_line 'did not unmap|grant maps|crashed'
    integrity_ok
    line '\(pv86\) all domains powered off'
}

# Exactly N lines match the extended regular expression.
count_lines() {   # count_lines REGEX N
    local got
    got=$(grep -Ec -- "$1" "$log")
    [ "$got" = "$2" ] || problems+=("$got lines matching $1, expected $2")
}
