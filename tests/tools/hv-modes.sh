# Sourced by tests/tools/run.sh: tools/hv-modes names the modes a
# hypervisor image has by their tables (te_mode_ops, bt_mode_ops,
# hw_mode_ops), which is what the census and the benchmarks run. Checked
# on made-up images with each set of symbols, and on the built hypervisor
# (whose te and hw tables must be there).
hvm=$build/tools/hv-modes
mkdir -p "$hvm"
hv_modes_image() {   # hv_modes_image NAME SYMBOL...: an object defining them
    local name=$1 src=
    shift
    for s in "$@"; do src="$src const int $s = 1;"; done
    echo "$src" | gcc -m32 -x c -c - -o "$hvm/$name.o"
}
hv_modes_image te_hw te_mode_ops hw_mode_ops
hv_modes_image all hw_mode_ops bt_mode_ops te_mode_ops
hv_modes_image none bt_mode_ops_not te_mode_opsx
check "hv-modes: te and hw from their tables" test "$("$top/tools/hv-modes" "$hvm/te_hw.o")" = "te hw"
check "hv-modes: te bt hw, in that order, whatever the symbol order" \
    test "$("$top/tools/hv-modes" "$hvm/all.o")" = "te bt hw"
check "hv-modes: names that only look like a table are none" \
    test -z "$("$top/tools/hv-modes" "$hvm/none.o")"
check "hv-modes --has: 0 for a mode it has, 1 for one it has not, 2 for no image" \
    sh -c "'$top/tools/hv-modes' --has bt '$hvm/all.o' && { '$top/tools/hv-modes' --has bt '$hvm/te_hw.o'; test \$? = 1; } &&
           { '$top/tools/hv-modes' --has bt '$hvm/missing.o' 2>/dev/null; test \$? = 2; }"
check "hv-modes: the built hypervisor has te and hw" \
    sh -c "m=\$('$top/tools/hv-modes' '$build/hypervisor.elf') && printf '%s\n' \$m | grep -qx te && printf '%s\n' \$m | grep -qx hw"
