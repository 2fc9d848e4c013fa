#!/bin/bash
# Boot tests: boot the hypervisor with a guest under QEMU (TCG), then check
# the exit status, the guest's exact output and the hypervisor's lines.
# Prints one TAP line per case; exits non-zero if any failed.
#
#   tests/boot/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
expect=$top/tests/boot/expect
logs=$build/boot-logs
mkdir -p "$logs"
. "$top/tests/boot/lib.sh"

pvguest=$build/abitest.elf    # the ABI test guest (tests/guests/abitest)

# 1. The ABI test guest: greeting, its self-test, poweroff, status 0.
boot selftest 0 "$pvguest"
guest_output_is selftest.txt
tap_passes 1
integrity_ok
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) all domains powered off'
line '\(pv86\) d1 hypercalls: [0-9]+ total, .*, mmu_update 26, .*, multicall 4, .*, mmuext_op 18, .*'
# 4096 pages of memory, its shared_info, its switcher L1 and its entry stack.
line '\(pv86\) d1: 4099 frames back in the free pool \([0-9]+ free\)'
line '\(pv86\) d1 calls batched in multicalls: 8 total, update_va_mapping 6, xen_version 1, sched_op 1'
line '\(pv86\) d1 page-table updates: 521 mmu_update entries, 14 mmuext ops; 6 event upcalls'
line '\(pv86\) d1: memory released: 4097 frames, no reference left'
finish

# 1b. Batching: a 512-entry page-table update is one hypercall.
boot batch 0 "$pvguest test=batch"
tap_passes 1
line '\(pv86\) d1 hypercalls: [0-9]+ total(, .*)?, mmu_update 1, (.*, )?mmuext_op 2(, .*)?'
line '\(pv86\) d1 page-table updates: 512 mmu_update entries, 2 mmuext ops; 0 event upcalls'
line '\(pv86\) d1: memory released: 4097 frames, no reference left'
finish

# 2. The hypervisor's area: every access above HYPERVISOR_VIRT_START outside
#    what is readable faults, and nothing there changes. The extra argument
#    has a comma, which QEMU's module list needs escaped.
boot hvarea 0 "$pvguest test=hvarea extra=a,b"
guest_output_is hvarea.txt
tap_passes 1
integrity_ok
line '\(pv86\) d1: memory released: 4097 frames, no reference left'
finish

# 3. Crashes: one clear line, status 3, the hypervisor intact.
boot crash-pf 3 "$pvguest test=crash-pf"
line '\(d1\) crashed: unhandled #PF page fault at eip 0x4[0-9a-f]{5}, cr2 0xc00000, error 0x0 \(no handler\)'
line '\(pv86\) a domain did not power off: exit status 3'
integrity_ok
no_line 'PANIC'
finish

boot crash-stack 3 "$pvguest test=crash-stack"
line '\(d1\) crashed: cannot deliver #PF page fault: kernel stack 0xe021:0xc01000 not writable'
integrity_ok
no_line 'PANIC'
finish

boot crash-shutdown 3 "$pvguest test=crash-shutdown"
line '\(d1\) crashed: the guest asked to crash \(SCHEDOP_shutdown, SHUTDOWN_crash\)'
integrity_ok
finish

boot crash-iret0 3 "$pvguest test=crash-iret0"
line '\(d1\) crashed: iret to ring 0 \(cs 0xe008\)'
integrity_ok
no_line 'PANIC'
finish

# 4. Not a PV guest: refused with the reason, nothing runs.
head -c 4096 /dev/zero > "$logs/zeros.bin"
boot not-a-guest 13 "$logs/zeros.bin"
line '\(pv86\) d1: cannot load the guest image: not an ELF image'
line '\(pv86\) no domain to run: exit status 13'
no_line 'crashed'
finish

# 4b. How a domain stops (any code, remote_shutdown), a FEATURES refusal.
. "$top/tests/boot/shutdown.sh"

# 4c. The xenstore domain's skeleton (xenstore/domain, docs/xenstore.md).
. "$top/tests/boot/xenstore.sh"

# 4d. The toolstack from the serial line and from d1 (docs/toolstack.md).
. "$top/tests/boot/toolstack.sh"

# The hypervisor's own image is a multiboot kernel without Xen notes: it
# runs as a te guest (trap-and-emulate), finds its memory in the loader's
# memory map (mm_init panics without one), loads its GDT (te takes 64 KiB)
# and is stopped at the next exit: te's exit reloads every segment register
# from the new GDT, which has no descriptor for the CS still in use (a CPU
# keeps the old one cached until a far jump): a te limitation.
boot hv-as-te-guest 3 "$build/hypervisor.elf"
line '\(pv86\) d1: multiboot kernel under trap-and-emulate \(te\), 128 MiB, entry 0x10000c; CR4.UMIP .*'
line '\(d1\) \(pv86\) memory: 128 MiB direct-mapped, [0-9]+ frames free, .*'
line '\(d1\) crashed: return to guest refused by the CPU \(#GP general protection, error 0x8\): cs 0x9 .*'
no_line 'the boot loader gave no memory map'
finish

# 5. Several domains at once. The PV part of `make demo` as `make demo
#    XENSTORE=0` boots it: the self-test as the initial domain, and two
#    domUs playing ping-pong over an interdomain event channel (100 round
#    trips, one every millisecond). With no xenstore to meet through, ping
#    is told pong's port (2: a domU's first free port without a store
#    port); make demo itself meets through xenstore (tests/hw/demo.sh).
SCENARIO=("$pvguest" "$pvguest test=pong peer=3 count=100 name=pong"
          "$pvguest test=ping peer=2 port=2 count=100 interval=1 name=ping")
boot three-domains 0 "${SCENARIO[@]}"
guest_output_is selftest.txt 1
tap_passes 1
tap_passes 2
tap_passes 3
line '\(d2\) ok 2 - pong: answered 100 pings'
line '\(d3\) ok 2 - ping: 100 round trips, 100 replies'
for d in 1 2 3; do
    line "\\(pv86\\) d$d: memory released: 4097 frames, no reference left"
    line "\\(pv86\\) d$d: 4099 frames back in the free pool \\([0-9]+ free\\)"
done
# System time is monotonic across domains: a pong received after it was sent.
for k in 1 2 3 4 5; do
    sent=$(sed -n "s/^(d3) # round $k sent at \([0-9]*\) us$/\1/p" "$log")
    got=$(sed -n "s/^(d2) # round $k received at \([0-9]*\) us$/\1/p" "$log")
    if [ -z "$sent" ] || [ -z "$got" ] || [ "$got" -lt "$sent" ]; then
        problems+=("round $k: sent at ${sent:-?} us (d3), received at ${got:-?} us (d2)")
    fi
done
integrity_ok
finish

# 6. One domain crashes in the middle; the other two finish, complete.
boot crash-mid-run 3 "$pvguest test=pong peer=2 count=100 name=pong" \
    "$pvguest test=ping peer=1 port=1 count=100 interval=1 name=ping" \
    "$pvguest test=crash-late ms=20 name=crasher"
tap_passes 1
tap_passes 2
line '\(d1\) ok 2 - pong: answered 100 pings'
line '\(d2\) ok 2 - ping: 100 round trips, 100 replies'
line '\(d3\) crashed: unhandled #PF page fault at eip 0x4[0-9a-f]{5}, cr2 0xc00000, error 0x0 \(no handler\)'
line '\(pv86\) d3: 4099 frames back in the free pool \([0-9]+ free\)'
crash_at=$(grep -n '^(d3) crashed' "$log" | cut -d: -f1)
done_at=$(grep -n '^(d2) ok 2 - ping' "$log" | cut -d: -f1)
if [ -z "$crash_at" ] || [ -z "$done_at" ] || [ "$crash_at" -gt "$done_at" ]; then
    problems+=("the crash (line ${crash_at:-?}) did not happen while ping-pong ran (done at line ${done_at:-?})")
fi
line '\(pv86\) a domain did not power off: exit status 3'
integrity_ok
finish

# 7. Timers, with instruction counting so the run is deterministic: two
#    domains check their VIRQ_TIMER deadlines while a third burns the CPU.
QEMU_EXTRA=$VTIME boot timers 0 "$pvguest test=timer name=t1" \
    "$pvguest test=timer name=t2" "$pvguest test=spin ms=150 name=spinner"
tap_passes 1
tap_passes 2
tap_passes 3
line '\(d1\) ok 5 - set_timer_op \+15 ms: VIRQ_TIMER at the deadline, late by at most 12 ms'
line '\(d2\) ok 9 - five periodic events: none early, each at most 12 ms late'
finish

# 7b. The latency neighbour (in virtual time, VTIME): alone it is never
#     kept off the CPU for 1 ms; beside a domain that burns the CPU it waits
#     one 10 ms slice at a time, so its longest gap is about one slice.
QEMU_EXTRA=$VTIME boot neighbour-alone 0 "$build/guests/neighbour.elf max_ms=300"
gap_within 1000 1
line '\(pv86\) all domains powered off'
finish
QEMU_EXTRA=$VTIME boot neighbour-spin 0 "$build/guests/neighbour.elf max_ms=300" \
    "$pvguest test=spin ms=400"
gap_within 20000 1 5000
tap_passes 2
line '\(pv86\) all domains powered off'
finish

# 7c. A blocked vCPU with only a periodic timer is not woken by it (Xen
#     stops the periodic timer while its vCPU is descheduled): the blocked
#     domain sees no timer event until its peer's event, 200 ms later. As
#     the initial domain and as a domU; in virtual time.
QEMU_EXTRA=$VTIME boot periodic-blocked-d1 0 "$pvguest test=periodic-blocked peer=2 name=blocked" \
    "$pvguest test=ping peer=1 port=1 count=1 delay=200 name=sender"
tap_passes 1
tap_passes 2
line '\(d1\) ok 1 - periodic-blocked: port 1 for domain 2, timer on 2'
line '\(d1\) ok 3 - periodic-blocked: 0 timer events while blocked over 100 ms with a 10 ms periodic timer'
line '\(d2\) ok 2 - ping: 1 round trips, 1 replies'
finish
QEMU_EXTRA=$VTIME boot periodic-blocked-domU 0 "$pvguest test=ping peer=2 port=2 count=1 delay=200 name=sender" \
    "$pvguest test=periodic-blocked peer=1 name=blocked"
tap_passes 1
tap_passes 2
line '\(d2\) ok 1 - periodic-blocked: port 2 for domain 1, timer on 3'
line '\(d2\) ok 3 - periodic-blocked: 0 timer events while blocked over 100 ms with a 10 ms periodic timer'
line '\(d1\) ok 2 - ping: 1 round trips, 1 replies'
finish

# 8. The virtual IF is a memory write: 100000 disable/enable pairs with
#    nothing pending cost no hypercall (the same count as with none).
boot irqflags-0 0 "$pvguest test=irqflags count=0"
base_line=$(grep '^(pv86) d1 hypercalls:' "$log")
finish
boot irqflags-100000 0 "$pvguest test=irqflags count=100000"
line "$(printf '%s' "$base_line" | sed 's/[().+*]/\\&/g')"
line '\(pv86\) d1 hypercalls: 8 total, update_va_mapping 1, console_io 5, sched_op 1, callback_op 1'
finish

# 8b. System calls: int $0x80 from ring 3 goes through the direct trap gate
#     and back with a native iret: 10000 getpid calls, no hypervisor entry.
boot syscalls-0 0 "$pvguest test=syscalls count=0"
base_line=$(grep '^(pv86) d1 hypercalls:' "$log")
finish
boot syscalls-10000 0 "$pvguest test=syscalls count=10000"
line '\(d1\) ok 1 - 10000 getpid system calls, each returned 1'
line '\(pv86\) d1 entries into the hypervisor: 12 hypercalls, 0 exceptions or int n, [0-9]+ device interrupts'
line "$(printf '%s' "$base_line" | sed 's/[().+*]/\\&/g')"
line '\(pv86\) d1 hypercalls: 12 total, set_trap_table 1, stack_switch 1, update_va_mapping 3, console_io 5, iret 1, sched_op 1'
finish

# 9. Serial input reaches the initial domain: VIRQ_CONSOLE, then console_io.
INPUT=$'hello pv86\n' boot console-input 0 "$pvguest test=echo"
tap_passes 1
line '\(d1\) ok 3 - echo: read "hello pv86" with console_io'
finish

# 10. A fault inside the hypervisor: panic with file:line and registers, status 7.
HV_ARGS=test-panic boot hypervisor-panic 7 "$pvguest"
line '\(pv86\) PANIC at hypervisor/arch/x86/traps\.c:[0-9]+: #PF page fault'
line '\(pv86\) eax [0-9a-f]{8} ebx [0-9a-f]{8} ecx [0-9a-f]{8} edx [0-9a-f]{8}'
line '\(pv86\) eip [0-9a-f]{8} cs e008 eflags [0-9a-f]{8} vector 14 error 00000000'
line '\(pv86\) ds e010 es e010 fs e010 gs e010 cr2 f0000000 cr3 [0-9a-f]{8}'
no_line '^\(d1\)'
finish

# 10a. #DB in the hypervisor itself (a data breakpoint, an instruction
#      breakpoint, a single step: the option test-hv-debug arms them in its
#      own code): each noted and survived, as Xen survives one; the guest runs.
HV_ARGS=test-hv-debug boot hypervisor-debug 0 "$build/guests/hello.elf"
line '\(pv86\) test-hv-debug: a data breakpoint, an instruction breakpoint and a single step in the hypervisor'
line '\(pv86\) #DB in the hypervisor at eip 0x[0-9a-f]+ \(dr6 0xffff0ff1\): ignored'
line '\(pv86\) #DB in the hypervisor at eip 0x[0-9a-f]+ \(dr6 0xffff0ff2\): ignored'
line '\(pv86\) #DB in the hypervisor at eip 0x[0-9a-f]+ \(dr6 0xffff4ff0\): ignored'
line '\(pv86\) test-hv-debug: 3 #DB in the hypervisor, word 5, DR7 0x400, TF 0: running on'
line '\(d1\) hello from a PV guest'
line '\(pv86\) all domains powered off'
integrity_ok
finish

# 10b. A machine death without the hypervisor's word (a triple fault: with
#      -no-reboot QEMU stops as if powered off) ends with status 11, never 0.
HV_ARGS=test-triple-fault boot triple-fault 11 "$pvguest"
line '\(pv86\) test-triple-fault: an empty IDT, then int3'
line 'run-qemu: the machine stopped without the word "\(pv86\) all domains powered off" \(a reset or triple fault\): exit status 11'
no_line '^\(d1\)'
no_line 'all domains powered off$'
finish

echo "1..$n"
[ "$failed" -eq 0 ]
