# Sourced by tests/census/run.sh: census-report's bt columns on made-up bt
# logs (tools/census-report --from-logs), so the comparison and the labels
# are tested whether or not the hypervisor has bt. The fake bt logs are the
# native kernel's census lines, as a domain prints them ("(d1) "), with
# the hypervisor's counters of a made-up run: on the default CPU SGDT and
# LGDT in callouts (te's "emulated in ring 1" names, as bt prints them
# through te_print_stats), CLI and STI inline, INT-n trapped in ring 3, and
# SMSW's kernel answer changed (a leak the comparison must catch); on -cpu
# max the same counters with bt's own line names, no change, and bt's
# callouts by x86dec class (desc-check and seg-read: LAR, LSL, VERR, VERW,
# PUSH-sreg and MOV-sreg in callouts).
# Uses $build, $top and check.
fk=$build/census-fake-bt
rm -rf "$fk"
mkdir -p "$fk"
cp "$build"/census/*-*.log "$fk"/ 2>/dev/null
rm -f "$fk"/bt-*.log
for cpu in default max; do
    sed -n 's/^\(census[ :]\)/(d1) \1/p' "$build/census/native-$cpu.log" > "$fk/bt-$cpu.log"
done
sed -i 's/^(d1) census kernel SMSW (reads): .*/(d1) census kernel SMSW (reads): CR0'"'"'s low word 0x11/' "$fk/bt-default.log"
cat >> "$fk/bt-default.log" <<'EOT'
(pv86) d1 te emulated in ring 1, the guest kernel: 5, sgdt 2, lgdt 3
(pv86) d1 bt inline in ring 1, the guest kernel: 9, cli 4, sti 5
(pv86) d1 te emulated in ring 3: 7, int 7
EOT
cat >> "$fk/bt-max.log" <<'EOT'
(pv86) d1 bt emulated in ring 1, the guest kernel: 5, sgdt 2, lgdt 3
(pv86) d1 bt inline in ring 1, the guest kernel: 9, cli 4, sti 5
(pv86) d1 bt emulated in ring 3: 7, int 7, sgdt 0
(pv86) d1 bt callouts by kind: emulated 11, exit 3, lookup miss 2, pending check 0, desc-check 4, seg-read 2, pushf 0
EOT
"$top/tools/census-report" --from-logs "$fk" "$build" > "$fk/report.md" 2> "$fk/report.err"
check "census-report --from-logs with (fake) bt logs: status 0" test $? = 0
fmatrix=$(sed -n '/^| instruction | kind/,/^$/p' "$fk/report.md" | sed '/^$/d')
fheader=$(printf '%s\n' "$fmatrix" | head -n 1)
check "fake bt: the header has bt kernel and bt user beside te's, with and without UMIP" \
    test "$fheader" = "| instruction | kind | native | pv user | te kernel | te user | bt kernel | bt user | hw kernel | hw user | native +UMIP | pv user +UMIP | te kernel +UMIP | te user +UMIP | bt kernel +UMIP | bt user +UMIP | hw kernel +UMIP | hw user +UMIP |"
check "fake bt: 33 rows of 18 cells, and the privileged separator as wide" \
    test "$(printf '%s\n' "$fmatrix" | awk -F'|' 'NR > 2 && NF == 20 { n++ } END { print n }')" = 34
fcell() { printf '%s\n' "$fmatrix" | awk -F' \\| ' -v r="$1" -v c="$2" '{ sub(/ \|$/, "") } $1 == "| " r { print $c }'; }
# columns: 7 bt kernel, 8 bt user, 15 bt kernel +UMIP, 16 bt user +UMIP
check "fake bt: SGDT and LGDT callout, CLI and STI inline, both CPU models" \
    eval 'for c in 7 15; do [ "$(fcell SGDT $c)" = callout ] && [ "$(fcell LGDT $c)" = callout ] &&
          [ "$(fcell CLI $c)" = inline ] && [ "$(fcell STI $c)" = inline ] || exit 1; done'
check "fake bt: a kernel answer unlike native is a leak (SMSW, default CPU), not on -cpu max" \
    eval '[ "$(fcell SMSW 7)" = "**leaks host state**" ] && [ "$(fcell SMSW 15)" = equivalent ]'
check "fake bt: the rest of the kernel rows equivalent (the values as native, nothing counted)" \
    eval 'for r in SIDT SLDT STR PUSHF POPF MOV-to-CR3 IN OUT HLT; do [ "$(fcell $r 7)" = equivalent ] && [ "$(fcell $r 15)" = equivalent ] || exit 1; done'
check "fake bt: callouts by class (desc-check, seg-read) on -cpu max only; a class counted 0 is not one (PUSHF)" \
    eval 'for r in LAR LSL VERR VERW PUSH-sreg MOV-sreg; do [ "$(fcell $r 15)" = callout ] && [ "$(fcell $r 7)" = equivalent ] || exit 1; done &&
          [ "$(fcell PUSHF 15)" = equivalent ] && [ "$(fcell JMP-far 15)" = equivalent ]'
check "fake bt: INT-n trapped in ring 3, the other user rows equivalent" \
    eval '[ "$(fcell INT-n 8)" = trapped ] && [ "$(fcell INT-n 16)" = trapped ] && [ "$(fcell SGDT 16)" = equivalent ] && [ "$(fcell CLI 8)" = equivalent ]'
check "fake bt: the leak listed among the differences, as bt kernel" \
    grep -q '^| SMSW | bt kernel | CR0.s low word 0x[0-9a-f]* | CR0.s low word 0x11 |$' "$fk/report.md"
check "fake bt: te's columns unchanged by bt's counters (te's own log)" \
    test "$(fcell CLI 5)" = trapped -a "$(fcell SGDT 5)" = "**leaks host state**"
check "fake bt: without bt logs no bt column (--from-logs)" \
    sh -c "rm -f '$fk'/bt-*.log; '$top/tools/census-report' --from-logs '$fk' '$build' 2>/dev/null | grep -q '^| instruction | kind | native | pv user | te kernel | te user | hw kernel | hw user |'"
