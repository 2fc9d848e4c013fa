#!/bin/bash
# Kernel tests: pvguest, the mini kernel, in both flavours under QEMU (TCG):
# pv on the pv86 hypervisor, native alone. The same user programs must give
# the same output in both (the greeting, which names the flavour, aside).
# Prints one TAP line per case; exits non-zero if any failed.
#
#   tests/kernel/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
expect=$top/tests/kernel/expect
logs=$build/kernel-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"

pv=$build/pvguest.elf
native=$build/pvguest-native.elf

# The kernel's output without the hypervisor's "(dN) " prefix (pv, domain
# N) and without the greeting line must be exactly this file.
kernel_output_is() {
    local file=$expect/$1 dom=${2:-}
    if [ -n "$dom" ]; then
        grep "^(d$dom) " "$log" | sed "s/^(d$dom) //"
    else
        cat "$log"
    fi | grep -v '^pvguest (' > "$log.out"
    if ! diff -u "$file" "$log.out" > "$log.diff"; then
        problems+=("output differs from tests/kernel/expect/$1:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
}

# 1. selftest, pv flavour: every TAP line ok, exactly the expected output;
#    the domain's memory all comes back. Virtual time (VTIME): its sleep and
#    preemption checks measure time, which must not depend on the host.
QEMU_EXTRA=$VTIME boot selftest-pv 0 "$pv run=selftest"
kernel_output_is selftest.txt 1
line '\(d1\) pvguest \(pv flavour\): 16 MiB, [0-9]+ pages free, command line "run=selftest"'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) d1: memory released: 4097 frames, no reference left'
finish
pv_tap=$log.out

# 2. selftest, native flavour: the same output, hence the same test names.
QEMU_EXTRA=$VTIME NATIVE=1 boot selftest-native 0 "$native run=selftest"
kernel_output_is selftest.txt
line 'pvguest \(native flavour\): 16 MiB, [0-9]+ pages free, command line "run=selftest"'
if ! diff -q <(grep -E '^(not )?ok ' "$pv_tap") <(grep -E '^(not )?ok ' "$log.out") > /dev/null; then
    problems+=("the TAP lines of the two flavours differ")
fi
finish

# 3. A failing program: init reports it and the machine stops with status 3
#    (pv: the domain shuts down as crashed; native: isa-debug-exit).
boot failure-pv 3 "$pv run=hello:3"
line '\(d1\) init: hello exited with status 3'
line '\(d1\) init: exited with status 1: stopping, failed'
line '\(d1\) crashed: the guest asked to crash \(SCHEDOP_shutdown, SHUTDOWN_crash\)'
finish
NATIVE=1 boot failure-native 3 "$native run=hello:3,nothing"
line 'init: hello exited with status 3'
line 'init: nothing: cannot run it \(error -2\)'
line 'init: nothing exited with status 127'
line 'init: exited with status 2: stopping, failed'
finish

# 4. Console input: echo reads lines typed on the serial line.
for flavour in pv native; do
    if [ $flavour = pv ]; then
        INPUT=$'one\ntwo words\nquit\n' boot echo-pv 0 "$pv run=echo"
        kernel_output_is echo.txt 1
    else
        INPUT=$'one\ntwo words\nquit\n' NATIVE=1 boot echo-native 0 "$native run=echo"
        kernel_output_is echo.txt
    fi
    finish
done

# 5. In the pv flavour a system call enters the hypervisor zero times: for
#    0 and for 10000 getpid calls the hypervisor counts the same hypercalls,
#    page-table updates and exceptions (a system call that was not a direct
#    trap gate would be an exception entry). Device interrupts are the 1 kHz
#    timer and grow with time, so they are not compared. Under -icount.
QEMU_EXTRA="-icount shift=0" boot sysloop-0 0 "$pv run=sysloop:0"
base_line=$(grep '^(pv86) d1 hypercalls:' "$log")
base_updates=$(grep '^(pv86) d1 page-table updates:' "$log")
base_entries=$(sed -n 's/^(pv86) d1 entries into the hypervisor: \(.*\), [0-9]* device interrupts$/\1/p' "$log")
[ -n "$base_line" ] && [ -n "$base_entries" ] || problems+=("no hypervisor counters in the log")
# The one exception is the boot's forced-emulation CPUID (does the CPU have
# FXSR? kernel/fpu.c); system calls add none.
line '\(pv86\) d1 entries into the hypervisor: [0-9]+ hypercalls, 1 exceptions or int n, [0-9]+ device interrupts'
finish
QEMU_EXTRA="-icount shift=0" boot sysloop-10000 0 "$pv run=sysloop:10000"
line '\(d1\) # sysloop: 10000 getpid calls, 0 wrong'
line "$(printf '%s' "$base_line" | sed 's/[().+*]/\\&/g')"
line "$(printf '%s' "$base_updates" | sed 's/[().+*]/\\&/g')"
line "\\(pv86\\) d1 entries into the hypervisor: $base_entries, [0-9]+ device interrupts"
finish

# 6. The kernel as a domU (console ring, not console_io) beside another one.
QEMU_EXTRA=$VTIME boot two-kernels 0 "$pv run=hello:0" "$pv run=selftest name=second"
line '\(d1\) # hello from pid 2: hello 0'
kernel_output_is selftest.txt 2
line '\(pv86\) d2: memory released: 4097 frames, no reference left'
finish

# 7. te: the native flavour, unmodified, under trap-and-emulate. Everything
#    up to the preemption test passes with exactly the native output (fork,
#    copy-on-write, demand paging, mmap and faults: the shadow paging); then
#    the timer never comes back to the spinning child (IRET at CPL 1 cannot
#    set IF), the watchdog says so and the machine exits 9, not equivalent.
#    Statuses 0, 3 and a timeout all fail this case.
boot te-selftest 9 "$native run=selftest"
grep '^(d1) ' "$log" | sed 's/^(d1) //' | grep -v '^pvguest (' > "$log.out"
if ! diff -u <(grep -n -m 63 -E '^(not )?ok ' "$expect/selftest.txt") \
             <(grep -n -E '^(not )?ok ' "$log.out") > "$log.diff"; then
    problems+=("te: the TAP lines are not the native flavour's first 63 exactly:")
    while IFS= read -r l; do problems+=("  $l"); done < <(head -20 "$log.diff")
fi
line '\(pv86\) d1: multiboot kernel under trap-and-emulate \(te\), 128 MiB, entry 0x[0-9a-f]+; CR4.UMIP .*'
line '\(d1\) ok 63 - sleep\(50\) wakes within a second'
line '\(pv86\) d1: te watchdog: IRQ 0 has waited 2000 ms and the guest.s interrupt flag stays clear'
line '\(pv86\) d1: te watchdog: IF was cleared by .* at eip 0x[0-9a-f]+; the guest now runs in ring 3 at eip 0x[0-9a-f]+'
line '\(pv86\) d1: shutdown \(watchdog\)'
line '\(pv86\) d1 te emulated in ring 1, the guest kernel: [0-9]+, cli [0-9]+, sti [0-9]+, hlt [0-9]+, mov-from-cr [0-9]+, mov-to-cr [0-9]+, lgdt 1, lidt 1, ltr 1, invlpg [0-9]+, in [0-9]+, out [0-9]+, iret [0-9]+, lret 1, mov-to-ss 1$'
line '\(pv86\) d1: memory released: [0-9]+ frames, no reference left'
line '\(pv86\) a te domain was stopped by its watchdog \(not equivalent\): exit status 9'
no_line 'not ok'
finish

# 8. te: a program that never needs the timer in user mode runs to the end,
#    and the machine powers off (status 0).
boot te-hello 0 "$native run=hello:0"
line '\(d1\) # hello from pid 2: hello 0'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) all domains powered off'
finish

. "$top/tests/kernel/fpu.sh"

echo "1..$n"
[ "$failed" -eq 0 ]
