#!/bin/bash
# Tool tests: the built PV guest carries the Xen notes (as readelf -n shows
# them) and tools/guest-info reads them as the hypervisor does.
#   tests/tools/run.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
guest=$build/pvguest.elf
. "$top/tests/tap.sh"

# "Xen" notes as readelf prints them: one "size|data" line per note.
xen_notes() {
    readelf -n "$1" | awk '
        $1 == "Xen" { size = $2; want = 1; next }
        want && /description data:/ { sub(/.*description data: */, ""); sub(/ +$/, ""); print size "|" $0; want = 0 }'
}
hc=$(nm "$guest" | awk '$3 == "hypercall_page" { print $1 }')
entry=$(nm "$guest" | awk '$3 == "_start" { print $1 }')
le_bytes() {   # 0040a000 -> "00 a0 40 00"
    echo "$1" | sed -E 's/(..)(..)(..)(..)/\4 \3 \2 \1/'
}

has_note() {   # has_note SIZE "hex bytes"
    xen_notes "$guest" | grep -Fxq "$1|$2" || {
        echo "no Xen note of size $1 with data $2; readelf -n shows:"
        xen_notes "$guest"
        return 1
    }
}
check "readelf -n: 10 Xen notes" test "$(xen_notes "$guest" | wc -l)" -eq 10
check "readelf -n: HYPERCALL_PAGE note holds hypercall_page ($hc)" \
    has_note 0x00000004 "$(le_bytes "$hc")"
check "readelf -n: PAE_MODE note \"yes\"" has_note 0x00000004 "79 65 73 00"
check "readelf -n: XEN_VERSION note \"xen-3.0\"" has_note 0x00000008 "78 65 6e 2d 33 2e 30 00"
check "readelf -n: LOADER note \"generic\"" has_note 0x00000008 "67 65 6e 65 72 69 63 00"
check "readelf -l: the notes are a PT_NOTE segment" \
    sh -c "readelf -lW '$guest' | grep -q '^  NOTE '"

expected_info() {
    cat <<EOT
$guest: a Xen PV guest pv86 can load
  notes from      PT_NOTE
  GUEST_OS        pvguest
  XEN_VERSION     xen-3.0
  LOADER          generic
  PAE_MODE        yes
  VIRT_BASE       0
  PADDR_OFFSET    0
  ENTRY           0x${entry#00}
  HYPERCALL_PAGE  0x${hc#00}
  FEATURES        required 0, wanted 0x10
EOT
}
check "guest-info reads the pvguest notes" \
    sh -c "'$build/guest-info' '$guest' | head -11 | diff -u - /dev/fd/3 3<<EOT
$(expected_info)
EOT"
check "guest-info refuses an image with a segment in the hypervisor area (exit 1)" \
    sh -c "'$build/guest-info' '$build/hypervisor.elf'; test \$? -eq 1"
check "guest-info explains the refusal" \
    sh -c "'$build/guest-info' '$build/hypervisor.elf' | grep -Fxq '$build/hypervisor.elf: refused: PT_LOAD segment reaches the hypervisor area'"
check "guest-info on a missing file: exit 2" \
    sh -c "'$build/guest-info' /nonexistent 2>/dev/null; test \$? -eq 2"

# tools/sensitive-scan on a sample with every class of instruction.
scan=$top/tools/sensitive-scan
sample=$build/sensitive-sample.o
gcc -m32 -c "$top/tests/tools/sensitive-sample.S" -o "$sample"
printf 'forced-cpuid behind the prefix\n' > "$build/sample-allow.txt"
sample_out=$("$scan" --allow "$build/sample-allow.txt" --strict "$sample")
sample_status=$?
check "sensitive-scan: sample counted exactly (5 privileged, 13 sensitive, 3 timing; 20 not allowed)" \
    sh -c "printf '%s\n' \"\$1\" | grep -Fxq 'summary: 21 sensitive instruction(s): 5 privileged, 13 sensitive, 3 timing; 20 not allowed'" _ "$sample_out"
check "sensitive-scan --strict exits 1 when something is not allowed" test "$sample_status" -eq 1
for want in 'cli' 'hlt' 'mov    %cr3,%eax' 'sgdtl  (%eax)' 'pushf' 'push   %cs' 'pop    %ds' \
            'mov    %eax,%ss' 'mov    %fs,%eax' 'lcall  $0x10,$0x0' 'lret' 'int    $0x80' 'rdtsc'; do
    check "sensitive-scan lists: $want" sh -c "printf '%s\n' \"\$1\" | grep -F -- \"\$2\" | grep -vq 'allowed:'" _ "$sample_out" "$want"
done
check "sensitive-scan: cpuid behind the forced-emulation prefix is allowed, a bare one is not" \
    sh -c "printf '%s\n' \"\$1\" | grep -c 'cpuid.*allowed: behind the prefix' | grep -qx 1 && printf '%s\n' \"\$1\" | grep -c 'cpuid.*NOT ALLOWED' | grep -qx 1" _ "$sample_out"
check "sensitive-scan: %fs: overrides, plain pushes, moves and iret are not reported" \
    sh -c "! printf '%s\n' \"\$1\" | grep -E 'mov    %fs:0x4|push   %eax|mov    %eax,%ebx|iret'" _ "$sample_out"

# The pv kernel: nothing sensitive outside the allow-list; each allowed one
# is itemised: DS and ES loaded with FLAT_RING3_DS once, rdtsc for PV time,
# and the forced-emulation cpuid (does the CPU have FXSR? kernel/fpu.c).
pv_out=$("$scan" --allow "$top/tools/sensitive-allow-pv.txt" --strict "$guest")
check "check-sensitive: the pv kernel has no sensitive instruction outside the allow-list" \
    test $? -eq 0
check "check-sensitive: its allowed ones are itemised (4)" \
    sh -c "printf '%s\n' \"\$1\" | grep -q '^summary: 4 sensitive instruction(s): 0 privileged, 2 sensitive, 2 timing; 0 not allowed$'" _ "$pv_out"

# The native kernel: the same kernel with the real instructions, counted.
native_out=$("$scan" --census "$build/pvguest-native.elf")
check "sensitive-scan --census: the native kernel has privileged instructions" \
    sh -c "printf '%s\n' \"\$1\" | grep -Eq '^census: [1-9][0-9]* sensitive instruction\(s\): [1-9][0-9]* privileged, '" _ "$native_out"
for want in cli sti hlt lgdtl lidtl ltr invlpg out in 'mov    %eax,%cr3' 'mov    %cr2,%eax'; do
    check "sensitive-scan --census: the native kernel uses $want" \
        sh -c "printf '%s\n' \"\$1\" | grep -Eq \"privileged  \$2( |\\\$)\"" _ "$native_out" "$want"
done
check "make check-sensitive: passes, with the native census" \
    sh -c "make -s -C '$top' BUILD='$build' check-sensitive | grep -q '^census: '"

# docs/abi.md is what tools/abi-doc makes of the headers (make docs).
check "docs/abi.md matches the headers (make docs regenerates it)" \
    sh -c "'$top/tools/abi-doc' | diff -q - '$top/docs/abi.md'"
# Its table "What pv86 implements" is the code's: every hypercall_table entry
# and every sub-op the handlers switch on, no more (abi/implements.md).
check "docs/abi.md's \"What pv86 implements\" matches hypercall_table and the handlers" \
    "$top/tools/abi-implements-check" "$top"

# The hypervisor never uses the FPU but to switch it (built -mno-80387
# -mno-mmx -mno-sse -mgeneral-regs-only): every function with an x87, MMX or
# SSE instruction is one of arch/x86/fpu.c's.
check "the hypervisor's x87/MMX/SSE instructions are all in arch/x86/fpu.c" \
    sh -c "users=\$('$top/tools/fpu-users' '$build/hypervisor.elf' | cut -d' ' -f1 | sort -u); \
           mine=\$(nm '$build/hypervisor/arch/x86/fpu.c.o' | awk '\$2 ~ /^[tT]\$/ {print \$3}'); \
           test -n \"\$users\" && for f in \$users; do printf '%s\\n' \"\$mine\" | grep -qx \"\$f\" || exit 1; done"
. "$top/tests/tools/run-qemu-status.sh"
# The mbinfo kernel (tests/tools/mbinfo): a multiboot kernel that prints its
# information block and exits as its command line says.
mkdir -p "$build/tools"
gcc -std=c11 -m32 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -fno-builtin \
    -mno-sse -mno-mmx -mno-80387 -O2 -Wall -Wextra -Werror -nostdlib -static -no-pie \
    -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
    -T "$top/tests/tools/mbinfo/linker.ld" -o "$build/tools/mbinfo.elf" "$top/tests/tools/mbinfo/mbinfo.c"
. "$top/tests/tools/run-qemu-mode.sh"
. "$top/tests/tools/hv-modes.sh"

echo "1..$n"
[ "$failed" -eq 0 ]
