#!/bin/bash
# The decoder (hypervisor/arch/x86/x86dec.c) against libzydis and objdump,
# on the host (tests/decoder/difftest.c, docs/decoder.md): every built
# kernel's instructions at objdump's boundaries, then a bounded sample of
# random byte sequences. `make decoder-fuzz` runs a million of those.
#   tests/decoder/run.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
difftest=$build/decoder/difftest
. "$top/tests/tap.sh"

# the summary line of a run that found no disagreement
agrees() {   # agrees ARGS...
    local out
    out=$("$difftest" "$@" 2>&1)
    local status=$?
    printf '%s\n' "$out" | grep -v '^DIFF' | tail -n 12
    printf '%s\n' "$out" | grep '^DIFF' | head -n 20
    [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q ', 0 disagreements$'
}

check "difftest is built ($difftest)" test -x "$difftest"
for elf in "$build"/hypervisor.elf "$build"/pvguest.elf "$build"/pvguest-native.elf \
           "$build"/abitest.elf "$build"/tetest.elf "$build"/hwtest.elf \
           "$build"/mbkern/*.elf "$build"/guests/*.elf "$build"/user/*.elf; do
    check "x86dec agrees with objdump and zydis on ${elf#"$build"/}" agrees --elf "$elf"
done
check "x86dec agrees with zydis on 50000 random sequences (seed 1)" \
    agrees --random 50000 --seed 1

echo "1..$n"
[ "$failed" -eq 0 ]
