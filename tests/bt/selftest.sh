# shellcheck shell=bash disable=SC2154
# Sourced by tests/bt/run.sh: pvguest's native flavour, unmodified, under
# bt (vmmode=bt): its selftest passes with exactly the output it has on
# bare QEMU (the timer-preemption test te fails included), alone and as a
# domU beside the pv innocent domain; `make run MODE=bt` ends with status
# 0 and every test ok.
native=$build/pvguest-native.elf

# The runtime's counters (bt/bt.c; tools read this line: keep it stable).
bt_stats_line() {   # bt_stats_line DOM
    line "\(pv86\) d$1 bt: [1-9][0-9]* blocks translated, [1-9][0-9]* bytes of cache, [1-9][0-9]* callouts, [0-9]+ traps from translated code, chained [0-9]+ of [0-9]+ exits, lookups [0-9]+ hit [1-9][0-9]* missed, [0-9]+ flushes, translation [1-9][0-9]* instructions"
}

# 1. pvguest's native selftest under bt, in virtual time: every test
#    passes, the timer-preemption one included (te cannot pass it), and the
#    guest's output is the bare machine's line for line.
QEMU_EXTRA="$VTIME" NATIVE=1 boot selftest-native 0 "$native run=selftest"
native_log=$log
native_tap_passes
finish
QEMU_EXTRA="$VTIME" HV_ARGS=vmmode=bt boot selftest-bt 0 "$native run=selftest"
same_as_native "$native_log" 1
line '\(pv86\) d1: multiboot kernel under binary translation \(bt\), 128 MiB, entry 0x[0-9a-f]+, 2048 KiB translation cache'
line '\(d1\) ok 64 - the parent wakes while its child spins \(the timer preempts it\)'
bt_stats_line 1
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) d1: memory released: [0-9]+ frames, no reference left'
no_line 'crashed|watchdog'
integrity_ok
finish

# 2. The same kernel as a domU beside the pv innocent domain (d1): both
#    finish, the innocent's memory and checksum intact.
QEMU_EXTRA="$VTIME" HV_ARGS=vmmode=bt boot selftest-bt-domU 0 \
    "$g/innocent.elf max_ms=300" "$native run=selftest"
same_as_native "$native_log" 2
bt_stats_line 2
line '\(pv86\) d2: shutdown \(poweroff\)'
no_line 'crashed|watchdog'
innocent_held 1 "after max_ms without a signal"
finish

# 3. make run MODE=bt: the native flavour's selftest as the one virtual
#    machine (run-qemu --mode bt, in real time): status 0, every test ok.
name=make-run-bt
log=$logs/$name.log
problems=()
timeout --foreground -k 5 120 make -s -C "$top" --no-print-directory run MODE=bt \
    BUILD="$build" < /dev/null > "$log" 2>&1
status=$?
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
[ "$status" = 0 ] || problems+=("exit status $status, expected 0")
tap_passes 1
line '\(pv86\) all domains powered off'
finish

