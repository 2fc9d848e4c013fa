#!/bin/bash
# Census tests: tools/census-report (nine QEMU boots: native, pv and te,
# with and without UMIP; hw on -cpu max and -cpu max,-umip, and native on
# the latter; eleven with bt's two, default CPU and -cpu max, when the
# hypervisor has bt) must finish, and its matrix must be exactly
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

# Columns by their header: native, pv user, te kernel, te user, [bt kernel,
# bt user,] hw kernel, hw user (hw on -cpu max,-umip), then the same +UMIP
# (-cpu max).
header=$(printf '%s\n' "$matrix" | head -n 1)
col() { printf '%s\n' "$header" | awk -F' \\| ' -v h="$1" '{ sub(/ \|$/, ""); for (i = 1; i <= NF; i++) if ($i == h) print i }'; }
cell() { printf '%s\n' "$matrix" | awk -F' \\| ' -v r="$1" -v c="$(col "$2")" '{ sub(/ \|$/, "") } $1 == "| " r { print $c }'; }
not_equivalent=1
for i in POPF PUSHF SGDT SIDT SMSW STR PUSH-sreg; do
    case $(cell "$i" "te kernel") in *leaks*|*different*) ;; *) not_equivalent=0 ;; esac
done
check "te kernel without UMIP: POPF, PUSHF, SGDT, SIDT, SMSW, STR, PUSH not equivalent" \
    test $not_equivalent = 1
trapped=1
for i in SGDT SIDT SLDT SMSW STR; do
    [ "$(cell "$i" "te kernel +UMIP")" = trapped ] || trapped=0
done
check "te kernel with UMIP: SGDT, SIDT, SLDT, SMSW, STR trapped" test $trapped = 1
col_all() {  # column-header value-regex: all 33 instruction rows have it
    local c
    c=$(col "$1")
    [ -n "$c" ] || { echo "no column \"$1\""; return 1; }
    printf '%s\n' "$matrix" | awk -F' \\| ' -v c="$c" -v v="^($2)$" \
        '{ sub(/ \|$/, "") } NR > 2 && $1 !~ /privileged/ { rows++; if ($c !~ v) bad = 1 }
         END { exit bad || rows != 33 }'
}
check "native: every row equivalent, with and without UMIP" eval 'col_all native equivalent && col_all "native +UMIP" equivalent'
check "pv user context: every row matches native, with and without UMIP" eval 'col_all "pv user" equivalent && col_all "pv user +UMIP" equivalent'
check "hw: every row equivalent (direct or intercepted), kernel and user, on both CPU models" \
    eval 'for c in "hw kernel" "hw user" "hw kernel +UMIP" "hw user +UMIP"; do col_all "$c" "direct|intercepted" || exit 1; done'
check "hw user context: every row ran directly (ring 3 faults go to the guest kernel)" \
    eval 'col_all "hw user" direct && col_all "hw user +UMIP" direct'
intercepted=$(printf '%s\n' "$matrix" | awk -F' \\| ' -v a="$(col "hw kernel")" -v b="$(col "hw kernel +UMIP")" \
    '{ sub(/ \|$/, "") } $a == "intercepted" && $b == "intercepted" { sub(/^\| /, "", $1); printf "%s ", $1 }')
check "hw kernel context: HLT, IN, OUT, WRMSR, RDMSR intercepted, on both CPU models; nothing else" \
    test "$intercepted" = "HLT IN OUT WRMSR RDMSR "
check "hw kernel context: the sensitive rows all ran directly (SGDT, SIDT, SMSW, STR, PUSHF, POPF: no exit, and native's answer)" \
    eval 'for i in SGDT SIDT SMSW STR PUSHF POPF; do [ "$(cell $i "hw kernel")" = direct ] && [ "$(cell $i "hw kernel +UMIP")" = direct ] || exit 1; done'
# bt: in the census exactly when the hypervisor has it, and then equivalent.
if "$top/tools/hv-modes" --has bt "$build/hypervisor.elf"; then
    check "bt is built: the matrix has its four columns" \
        eval 'for c in "bt kernel" "bt user" "bt kernel +UMIP" "bt user +UMIP"; do test -n "$(col "$c")" || exit 1; done'
    check "bt: every row equivalent (translated inline, in a callout, or trapped in ring 3), kernel and user, on both CPU models" \
        eval 'for c in "bt kernel" "bt user" "bt kernel +UMIP" "bt user +UMIP"; do col_all "$c" "equivalent|callout|inline|trapped" || exit 1; done'
else
    check "bt is not built: the matrix has no bt column" test -z "$(col "bt kernel")"
fi
check "exit figures only where the hypervisor CPUID range says pv86 hw" \
    eval '! grep -qs "census exits" "$build"/census/native-*.log "$build"/census/pv-*.log "$build"/census/te-*.log "$build"/census/bt-*.log &&
          test "$(grep -c "census exits" "$build/census/hw-max.log")" = 66 &&
          test "$(grep -c "census exits" "$build/census/hw-noumip.log")" = 66'
check "the static counts: pv kernel has 0 unlisted sensitive instructions" \
    grep -q '^- pv kernel (build/pvguest.elf): .*; 0 not allowed$' "$out"
check "docs/census.md shows this matrix, every line of it" \
    test "$(grep -cxF -f "$top/tests/census/expect/matrix.md" "$top/docs/census.md")" = \
         "$(wc -l < "$top/tests/census/expect/matrix.md")"
. "$top/tests/census/fake-bt.sh"
echo "1..$n"
[ "$failed" -eq 0 ]
