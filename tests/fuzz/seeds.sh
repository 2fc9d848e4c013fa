#!/bin/sh
# Seed inputs for the host fuzzers (make fuzz-host): a few well-formed cases
# per harness, so libFuzzer starts from the interesting shapes.
#   tests/fuzz/seeds.sh FUZZ_DIR
set -eu
d=$1
seed() {   # seed HARNESS NAME OCTAL-ESCAPED-BYTES
    mkdir -p "$d/corpus-$1"
    printf "$3" > "$d/corpus-$1/seed-$2"
}
# te's decoder: cli, in/out, lgdt with SIB and disp32, mov to cr3, a
# prefixed iret, int n, mov to ss.
seed decode cli '\372'
seed decode out-imm '\146\347\200'
seed decode lgdt-sib '\017\001\224\210\170\126\064\022'
seed decode mov-cr3 '\017\042\330'
seed decode iret-seg '\056\317'
seed decode int '\315\200'
seed decode mov-ss '\216\320'
# Descriptors (lo, hi little-endian): flat ring-1 code, 4 GiB data, an
# expand-down data segment, a call gate to the flat ring-1 CS.
seed descriptor code '\377\377\000\000\000\272\317\000'
seed descriptor data '\377\377\000\000\000\222\317\000'
seed descriptor down '\000\000\000\000\000\226\317\000'
seed descriptor gate '\000\020\031\340\000\354\100\000'
# A trap table: #PF and int 0x80 on the flat ring-1 CS, then the end.
seed traps table '\016\000\031\340\000\020\100\000\200\003\031\340\000\040\100\000\000\000\000\000\000\000\000\000'
# Writable page tables: rounds of 40 bytes (instruction, register seeds,
# flags, offset, frames): two movs, a locked cmpxchg8b, mov then lock btr.
seed ptwr movs '\211\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\041\000\000\000\000\000\020\000\000\000\000\000\000\000\000\000\000\000\005\006\211\103\004\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\020\000\000\000\000\000\000\000\000\000\000\000\005\006'
seed ptwr cmpxchg8b '\360\017\307\016\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\043\000\000\000\043\000\000\000\000\000\030\000\000\000\000\000\007\007'
seed ptwr btr '\211\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\043\000\000\000\000\000\040\000\000\000\000\000\000\000\000\000\000\000\010\006\360\017\272\063\005\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\040\000\000\000\000\000\000\000\000\000\000\000\005\006'
# Page tables, preemptible (8 bytes a step: op, frame, index, high, frame
# named, flags, type, preemption): L3s 2 and 3 over one slot-3 L2 (frame
# 4), pinned one after the other; then the same with every check stopping.
seed pagetable_preempt shared-slot3 '\0\0\0\0\0\2\3\0\4\1\0\0\0\3\3\0\4\1\0\0\1\2\0\0\0\0\2\0\1\3\0\0\0\0\2\0'
seed pagetable_preempt shared-slot3-stopping '\377\377\377\377\0\2\3\0\4\1\0\0\0\3\3\0\4\1\0\0\0\4\1\0\5\1\0\0\1\2\0\0\0\0\2\377\7\0\0\0\0\0\0\0\1\3\0\0\0\0\2\377\7\0\0\0\0\0\0\0\1\2\0\0\0\0\2\0'
