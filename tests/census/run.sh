#!/bin/bash
# Census tests: tools/census-report (nine QEMU boots: native, pv and te,
# with and without UMIP; hw on -cpu max and -cpu max,-umip, and native on
# the latter) must finish, and its matrix must be exactly
# tests/census/expect/matrix.md, its table of what hw intercepts exactly
# tests/census/expect/hw-exits.md. On top of that exact comparison, the
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
hwx=$(sed -n '/^| instruction | context | exits |/,/^$/p' "$out" | sed '/^$/d')
check "what hw intercepts is exactly tests/census/expect/hw-exits.md" \
    diff -u "$top/tests/census/expect/hw-exits.md" <(printf '%s\n' "$hwx")

# column: 3 native, 4 pv user, 5 te kernel, 6 te user, 7 hw kernel, 8 hw user
# (hw on -cpu max,-umip), 9-14 the same +UMIP (-cpu max)
cell() { printf '%s\n' "$matrix" | awk -F' \\| ' -v r="$1" -v c="$2" '{ sub(/ \|$/, "") } $1 == "| " r { print $c }'; }
not_equivalent=1
for i in POPF PUSHF SGDT SIDT SMSW STR PUSH-sreg; do
    case $(cell "$i" 5) in *leaks*|*different*) ;; *) not_equivalent=0 ;; esac
done
check "te kernel without UMIP: POPF, PUSHF, SGDT, SIDT, SMSW, STR, PUSH not equivalent" \
    test $not_equivalent = 1
trapped=1
for i in SGDT SIDT SLDT SMSW STR; do
    [ "$(cell "$i" 11)" = trapped ] || trapped=0
done
check "te kernel with UMIP: SGDT, SIDT, SLDT, SMSW, STR trapped" test $trapped = 1
col_all() {  # column value-regex: all 33 instruction rows have it
    printf '%s\n' "$matrix" | awk -F' \\| ' -v c="$1" -v v="^($2)$" \
        '{ sub(/ \|$/, "") } NR > 2 && $1 !~ /privileged/ { rows++; if ($c !~ v) bad = 1 }
         END { exit bad || rows != 33 }'
}
check "native: every row equivalent, with and without UMIP" eval 'col_all 3 equivalent && col_all 9 equivalent'
check "pv user context: every row matches native, with and without UMIP" eval 'col_all 4 equivalent && col_all 10 equivalent'
check "hw: every row equivalent (direct or intercepted), kernel and user, on both CPU models" \
    eval 'for c in 7 8 13 14; do col_all $c "direct|intercepted" || exit 1; done'
check "hw user context: every row ran directly (ring 3 faults go to the guest kernel)" \
    eval 'col_all 8 direct && col_all 14 direct'
intercepted=$(printf '%s\n' "$matrix" | awk -F' \\| ' '{ sub(/ \|$/, "") } $7 == "intercepted" && $13 == "intercepted" { sub(/^\| /, "", $1); printf "%s ", $1 }')
check "hw kernel context: HLT, IN, OUT, WRMSR, RDMSR intercepted, on both CPU models; nothing else" \
    test "$intercepted" = "HLT IN OUT WRMSR RDMSR "
check "hw kernel context: the sensitive rows all ran directly (SGDT, SIDT, SMSW, STR, PUSHF, POPF: no exit, and native's answer)" \
    eval 'for i in SGDT SIDT SMSW STR PUSHF POPF; do [ "$(cell $i 7)" = direct ] && [ "$(cell $i 13)" = direct ] || exit 1; done'
check "exit figures only where the hypervisor CPUID range says pv86 hw" \
    eval '! grep -q "census exits" "$build"/census/native-*.log "$build"/census/pv-*.log "$build"/census/te-*.log &&
          test "$(grep -c "census exits" "$build/census/hw-max.log")" = 66 &&
          test "$(grep -c "census exits" "$build/census/hw-noumip.log")" = 66'
check "the static counts: pv kernel has 0 unlisted sensitive instructions" \
    grep -q '^- pv kernel (build/pvguest.elf): .*; 0 not allowed$' "$out"
check "docs/census.md shows this matrix, every line of it" \
    test "$(grep -cxF -f "$top/tests/census/expect/matrix.md" "$top/docs/census.md")" = \
         "$(wc -l < "$top/tests/census/expect/matrix.md")"
echo "1..$n"
[ "$failed" -eq 0 ]
