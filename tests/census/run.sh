#!/bin/bash
# Census tests: tools/census-report (six QEMU boots: native, pv and te,
# with and without UMIP) must finish, and its matrix must be exactly
# tests/census/expect/matrix.md. On top of that exact comparison, the
# checks below name what the census exists to show, so a failure says which
# of them broke. Prints TAP; exits non-zero if any failed.
#
#   tests/census/run.sh [BUILD_DIR]      (default: build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
. "$top/tests/tap.sh"
out=$build/census/report.md
mkdir -p "$build/census"

"$top/tools/census-report" "$build" > "$out" 2> "$out.err"
check "census-report finishes every run (status 0)" test $? = 0
matrix=$(sed -n '/^| instruction | kind/,/^$/p' "$out" | sed '/^$/d')
check "the matrix is exactly tests/census/expect/matrix.md" \
    diff -u "$top/tests/census/expect/matrix.md" <(printf '%s\n' "$matrix")

# column: 3 native, 4 pv user, 5 te kernel, 6 te user, 7-10 the same +UMIP
cell() { printf '%s\n' "$matrix" | awk -F' \\| ' -v r="$1" -v c="$2" '$1 == "| " r { print $c }'; }
not_equivalent=1
for i in POPF PUSHF SGDT SIDT SMSW STR PUSH-sreg; do
    case $(cell "$i" 5) in *leaks*|*different*) ;; *) not_equivalent=0 ;; esac
done
check "te kernel without UMIP: POPF, PUSHF, SGDT, SIDT, SMSW, STR, PUSH not equivalent" \
    test $not_equivalent = 1
trapped=1
for i in SGDT SIDT SLDT SMSW STR; do
    [ "$(cell "$i" 9)" = trapped ] || trapped=0
done
check "te kernel with UMIP: SGDT, SIDT, SLDT, SMSW, STR trapped" test $trapped = 1
col_all() {  # column value: all 33 instruction rows have it
    printf '%s\n' "$matrix" | awk -F' \\| ' -v c="$1" -v v="$2" \
        'NR > 2 && $1 !~ /privileged/ { rows++; if ($c != v) bad = 1 }
         END { exit bad || rows != 33 }'
}
check "native: every row equivalent, with and without UMIP" eval 'col_all 3 equivalent && col_all 7 equivalent'
check "pv user context: every row matches native, with and without UMIP" eval 'col_all 4 equivalent && col_all 8 equivalent'
check "the static counts: pv kernel has 0 unlisted sensitive instructions" \
    grep -q '^- pv kernel (build/pvguest.elf): .*; 0 not allowed$' "$out"
check "docs/census.md shows this matrix, every line of it" \
    test "$(grep -cxF -f "$top/tests/census/expect/matrix.md" "$top/docs/census.md")" = \
         "$(wc -l < "$top/tests/census/expect/matrix.md")"
echo "1..$n"
[ "$failed" -eq 0 ]
