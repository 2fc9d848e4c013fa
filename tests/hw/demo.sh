# shellcheck shell=bash disable=SC2154
# Sourced by tests/hw/run.sh: `make demo` itself, the modes side by side:
# three PV domains (d1 the ABI self-test, d2/d3 the event ping-pong) and
# pvguest's native flavour unmodified as the hw domain d4, in one hypervisor.
name=demo
log=$logs/$name.log
problems=()
make -C "$top" --no-print-directory -s demo BUILD="$build" < /dev/null > "$log" 2>&1
status=$?
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
[ "$status" = 0 ] || problems+=("make demo: exit status $status, expected 0")
tap_passes 1
line '\(d2\) ok 2 - pong: answered 100 pings'
line '\(d3\) ok 2 - ping: 100 round trips, 100 replies'
line '\(pv86\) d4 \(hw\): multiboot kernel under AMD SVM with nested paging \(hw\), 32 MiB, entry 0x[0-9a-f]+, ASID 4'
line '\(d4\) # hello from pid 2: hello 0 from an unmodified kernel'
line '\(d4\) init: exited with status 0: powering off'
hw_exits_line 4
for d in 1 2 3 4; do
    line "\\(pv86\\) d$d: shutdown \\(poweroff\\)"
    line "\\(pv86\\) d$d: memory released: [0-9]+ frames, no reference left"
done
integrity_ok
line '\(pv86\) all domains powered off'
finish
