#!/bin/sh
# abi/check: compile every public header alone, as C99, C11 and C++, for
# -m32 and -m64, with warnings as errors; then abi/check/facts.c, every
# number and layout shared/xen-pv-abi.md states. Prints one TAP line per
# header and configuration (and per facts.c build and run); exits non-zero
# if any fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
inc="$top/abi/include"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0; fail=0
for h in "$inc"/pv86/*.h; do
    name=$(basename "$h")
    printf '#include <pv86/%s>\nint pv86_abi_check_%s;\n' "$name" "$(echo "$name" | tr -c 'a-z0-9\n' _)" > "$tmp/t.c"
    cp "$tmp/t.c" "$tmp/t.cc"
    for cfg in "gcc -std=c99" "gcc -std=c11" "g++ -std=c++11"; do
        for m in -m32 -m64; do
            n=$((n + 1))
            src="$tmp/t.c"; case $cfg in g++*) src="$tmp/t.cc";; esac
            if $cfg $m -Wall -Wextra -Werror -I"$inc" -fsyntax-only "$src" 2> "$tmp/err"; then
                echo "ok $n - $name ($cfg $m)"
            else
                echo "not ok $n - $name ($cfg $m)"; sed 's/^/# /' "$tmp/err"; fail=$((fail + 1))
            fi
        done
    done
done
# shared/xen-pv-abi.md's numbers and layouts (facts.c: static assertions,
# then the few values checked when it runs), for -m32 and -m64.
for m in -m32 -m64; do
    n=$((n + 1))
    if gcc -std=c11 $m -Wall -Wextra -Werror -I"$inc" "$top/abi/check/facts.c" -o "$tmp/facts" 2> "$tmp/err"; then
        echo "ok $n - facts.c: shared/xen-pv-abi.md's numbers and layouts hold ($m)"
    else
        echo "not ok $n - facts.c: shared/xen-pv-abi.md's numbers and layouts ($m)"; sed 's/^/# /' "$tmp/err"; fail=$((fail + 1))
        continue
    fi
    n=$((n + 1))
    if "$tmp/facts" > "$tmp/out" 2>&1; then
        echo "ok $n - facts.c: shared/xen-pv-abi.md's values hold ($m, $(grep -c '^ok ' "$tmp/out") checked)"
    else
        echo "not ok $n - facts.c: shared/xen-pv-abi.md's values ($m)"; grep -v '^ok ' "$tmp/out" | sed 's/^/# /'; fail=$((fail + 1))
    fi
done
echo "1..$n"
[ "$fail" -eq 0 ]
