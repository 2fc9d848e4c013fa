# tools/run-qemu --mode: its statuses (a fake QEMU: FAKE_OUT, FAKE_STATUS;
# it logs its arguments to FAKE_ARGS), then real boots of the mbinfo kernel
# (tests/tools/mbinfo) under --mode te beside the same kernel on bare QEMU.
# Sourced by tests/tools/run.sh (uses check, $top, $build).
mfake=$build/fake-qemu-mode
printf '#!/bin/sh\nprintf "%%s\\n" "$@" > "$FAKE_ARGS"\nprintf "%%b" "$FAKE_OUT"\nexit "$FAKE_STATUS"\n' > "$mfake"
chmod +x "$mfake"
fake_args=$build/fake-qemu-mode.args
# rqm_status WANT OUT STATUS [RUN-QEMU ARGS...]: --mode te by default.
rqm_status() {
    local want=$1 fake_out=$2 fake_status=$3 got out
    shift 3
    [ $# -gt 0 ] || set -- --mode te "$build/hypervisor.elf" "$build/tools/mbinfo.elf"
    out=$(QEMU=$mfake FAKE_ARGS=$fake_args FAKE_OUT=$fake_out FAKE_STATUS=$fake_status \
          "$top/tools/run-qemu" "$@" 2>/dev/null)
    got=$?
    [ "$got" = "$want" ] || { echo "exit status $got, expected $want"; return 1; }
    [ "$out" = "$(printf '%b' "$fake_out")" ] || { echo "output not passed through: $out"; return 1; }
}
W='(pv86) switcher integrity: ok (1234abcd)\r\n'
check "run-qemu --mode: 0 when the guest powered off (the hypervisor's last word)" \
    rqm_status 0 "$W(pv86) all domains powered off\r\n" 0
check "run-qemu --mode: 1 when the guest wrote 0 to the exit port" \
    rqm_status 1 "$W(pv86) d1 wrote 0 to the exit port: exit status 1\r\n" 1
check "run-qemu --mode: 3 when the guest wrote 1" \
    rqm_status 3 "$W(pv86) d1 wrote 1 to the exit port: exit status 3\r\n" 3
check "run-qemu --mode: 255 when the guest wrote 0x7f" \
    rqm_status 255 "$W(pv86) d1 wrote 127 to the exit port: exit status 255\r\n" 255
check "run-qemu --mode: 255 when the guest wrote 0xffffffff (the low 8 bits of (V<<1)|1)" \
    rqm_status 255 "(pv86) d1 wrote 4294967295 to the exit port: exit status 255\n" 255
check "run-qemu --mode: 4 when the guest crashed (the hypervisor's 3 without the exit-port line)" \
    rqm_status 4 '(d1) crashed: te: x\n(pv86) a domain did not power off: exit status 3\n' 3
check "run-qemu --mode: 4 when the exit-port line is not the last" \
    rqm_status 4 '(pv86) d1 wrote 1 to the exit port: exit status 3\n(pv86) a domain did not power off: exit status 3\n' 3
check "run-qemu --mode: a guest's own output cannot pass for the exit-port line (4)" \
    rqm_status 4 '(d1) (pv86) d1 wrote 1 to the exit port: exit status 3\n' 3
check "run-qemu --mode: a line whose V does not give QEMU's status is not believed (18)" \
    rqm_status 18 '(pv86) d1 wrote 1 to the exit port: exit status 255\n' 255
check "run-qemu --mode: 6 for a reboot (the hypervisor's 5)" \
    rqm_status 6 '(pv86) a domain did not power off: exit status 5\n' 5
check "run-qemu --mode: 8 for a hypervisor panic (7)" rqm_status 8 '(pv86) panic at x.c:1\n' 7
check "run-qemu --mode: 10 when te's watchdog stopped the guest (9)" \
    rqm_status 10 '(pv86) a te domain was stopped by its watchdog (not equivalent): exit status 9\n' 9
check "run-qemu --mode: 12 on QEMU's 0 without the power-off line (a reset, a triple fault)" \
    rqm_status 12 '(pv86) pv86 hypervisor\n(d1) hello\n' 0
check "run-qemu --mode: 12 on an empty output with status 0" rqm_status 12 '' 0
check "run-qemu --mode: 14 when the kernel or the mode was not loaded (13)" \
    rqm_status 14 '(pv86) vmmode=zz: the modes for multiboot kernels are te, hw and bt\n' 13
check "run-qemu --mode: 16 for another shutdown code (15)" \
    rqm_status 16 '(pv86) a domain did not power off: exit status 15\n' 15
check "run-qemu --mode: 126 when QEMU could not start (its 1 without the exit-port line)" \
    rqm_status 126 'qemu: bad option\n' 1
check "run-qemu --mode: 124 when the timeout expired" rqm_status 124 '(d1) spinning\n' 124
check "run-qemu --mode: 18 for a status nothing explains (a signal: 137)" \
    rqm_status 18 '(d1) spinning\n' 137
check "run-qemu --mode: 18 for an even QEMU status nothing explains (2)" rqm_status 18 '' 2
rqm_usage() {   # rqm_usage ARGS...: status 2, QEMU never started
    rm -f "$fake_args"
    QEMU=$mfake FAKE_ARGS=$fake_args FAKE_OUT= FAKE_STATUS=0 "$top/tools/run-qemu" "$@" 2>/dev/null
    local got=$?
    [ "$got" = 2 ] || { echo "exit status $got, expected 2"; return 1; }
    [ ! -e "$fake_args" ] || { echo "QEMU was started"; return 1; }
}
check "run-qemu --mode xx: usage error 2" rqm_usage --mode xx "$build/hypervisor.elf" "$build/tools/mbinfo.elf"
check "run-qemu --mode without a kernel: usage error 2" rqm_usage --mode te "$build/hypervisor.elf"
check "run-qemu --mode with a missing module: usage error 2" \
    rqm_usage --mode te "$build/hypervisor.elf" "$build/tools/mbinfo.elf" /nonexistent
check "run-qemu --mode with --native: usage error 2" \
    rqm_usage --native --mode te "$build/tools/mbinfo.elf"
check "run-qemu --mode (no argument): usage error 2" rqm_usage --mode
# What QEMU is given.
rqm_args() {   # rqm_args WANT-LINE... -- RUN-QEMU ARGS...: each WANT-LINE among QEMU's arguments
    local wants=()
    while [ "$1" != -- ]; do wants+=("$1"); shift; done
    shift
    QEMU=$mfake FAKE_ARGS=$fake_args FAKE_OUT=${RQM_OUT:-'(pv86) all domains powered off\n'} FAKE_STATUS=0 \
        "$top/tools/run-qemu" "$@" > /dev/null 2>&1 || { echo "status $?"; return 1; }
    for w in "${wants[@]}"; do
        case $w in
        '!'*) ! grep -Fxq -- "${w#!}" "$fake_args" || { echo "QEMU got ${w#!}"; cat "$fake_args"; return 1; } ;;
        *) grep -Fxq -- "$w" "$fake_args" || { echo "QEMU did not get $w:"; cat "$fake_args"; return 1; } ;;
        esac
    done
}
k=$build/tools/mbinfo.elf
check "run-qemu --mode te: the hypervisor gets \"vmmode=te onevm\", the kernel and modules are -initrd" \
    rqm_args "vmmode=te onevm" "$k a=1,$k b,,c" '!max' -- --mode te "$build/hypervisor.elf" "$k a=1" "$k b,c"
check "run-qemu --mode hw --append X: \"X vmmode=hw onevm\" and -cpu max" \
    rqm_args "test-x vmmode=hw onevm" -cpu max -- --mode hw --append test-x "$build/hypervisor.elf" "$k"
check "run-qemu --mode hw: no -cpu max when QEMU_EXTRA has a -cpu" \
    env QEMU_EXTRA="-cpu qemu32" bash -c "$(declare -f rqm_args); mfake='$mfake' fake_args='$fake_args' top='$top'; \
        rqm_args qemu32 '!max' -- --mode hw '$build/hypervisor.elf' '$k'"
check "run-qemu --mode bt: the hypervisor gets \"vmmode=bt onevm\"" \
    rqm_args "vmmode=bt onevm" -- --mode bt "$build/hypervisor.elf" "$k"
check "run-qemu (no --mode): no vmmode, no onevm" \
    rqm_args "" '!vmmode=te onevm' -- "$build/hypervisor.elf" "$k"
check "run-qemu --native with modules: -kernel, -append and -initrd" \
    env RQM_OUT='init: exited with status 0: powering off\n' bash -c "$(declare -f rqm_args); mfake='$mfake' fake_args='$fake_args' top='$top'; \
        rqm_args -kernel '$k' x=1 -initrd '$k m' -- --native '$k x=1' '$k m'"

# ---- real boots: the mbinfo kernel under --mode te and on bare QEMU.
mods_dir=$build/tools
printf 'hello module\n' > "$mods_dir/mod-text.txt"
head -c 20000 /dev/zero | tr '\0' 'x' > "$mods_dir/mod-x.bin"
head -c $((20 * 1024 * 1024)) /dev/zero > "$mods_dir/mod-20m.bin"
rq_logs=$build/tools/logs
mkdir -p "$rq_logs"
# rq_boot NAME WANT RUN-QEMU-ARGS...: the status, the log in $rq_logs/NAME.log.
rq_boot() {
    local name=$1 want=$2 got
    shift 2
    "$top/tools/run-qemu" --timeout 60 "$@" < /dev/null > "$rq_logs/$name.log" 2>&1
    got=$?
    tr -d '\r' < "$rq_logs/$name.log" > "$rq_logs/$name.tmp" && mv "$rq_logs/$name.tmp" "$rq_logs/$name.log"
    [ "$got" = "$want" ] || { echo "exit status $got, expected $want:"; tail -n 5 "$rq_logs/$name.log"; return 1; }
}
has() {   # has NAME LINE...: each line (fixed strings) in the log
    local name=$1
    shift
    for l in "$@"; do
        grep -Fxq -- "$l" "$rq_logs/$name.log" || { echo "no line: $l"; tail -n 8 "$rq_logs/$name.log"; return 1; }
    done
}
last_is() { [ "$(tail -n 1 "$rq_logs/$1.log")" = "$2" ] || { echo "last line: $(tail -n 1 "$rq_logs/$1.log")"; return 1; }; }
hv=$build/hypervisor.elf
for v in 0 1 0x7f; do
    s=$(( (v * 2 + 1) & 255 ))
    check "run-qemu --mode te: the kernel writes $v to the exit port: status $s" \
        sh -c "$(declare -f rq_boot last_is); top='$top' rq_logs='$rq_logs'; \
               rq_boot te-exit-$v $s --mode te '$hv' '$k exit=$v' && \
               last_is te-exit-$v '(pv86) d1 wrote $((v)) to the exit port: exit status $s'"
    check "run-qemu --native: the same kernel on bare QEMU gives the same status $s" \
        sh -c "$(declare -f rq_boot); top='$top' rq_logs='$rq_logs'; rq_boot native-exit-$v $s --native '$k exit=$v'"
done
check "run-qemu --mode te: a double-word write of 0x7f gives 255 too" \
    rq_boot te-exit-w4 255 --mode te "$hv" "$k exit=0x7f width=4"
check "run-qemu --mode te: a crash gives 4, with the crash line" \
    sh -c "$(declare -f rq_boot has); top='$top' rq_logs='$rq_logs'; rq_boot te-crash 4 --mode te '$hv' '$k crash' && \
           grep -q '^(d1) crashed: te: ' '$rq_logs/te-crash.log'"
check "run-qemu --mode te: an ACPI power-off gives 0" rq_boot te-poweroff 0 --mode te "$hv" "$k poweroff"
check "run-qemu --mode bt: the kernel writes 1 to the exit port: status 3, as on bare QEMU" \
    sh -c "$(declare -f rq_boot last_is); top='$top' rq_logs='$rq_logs'; \
           rq_boot bt-exit-1 3 --mode bt '$hv' '$k exit=1' && \
           last_is bt-exit-1 '(pv86) d1 wrote 1 to the exit port: exit status 3'"
check "run-qemu (plain): an unknown vmmode is refused (13), the hypervisor's line says why" \
    sh -c "$(declare -f rq_boot has); top='$top' rq_logs='$rq_logs'; rq_boot vmmode-zz 13 --append vmmode=zz '$hv' '$k' && \
           has vmmode-zz '(pv86) vmmode=zz: the modes for multiboot kernels are te, hw and bt'"
# Without onevm nothing changes: the same kernel as a te domain of a plain run.
check "run-qemu (plain): the kernel's exit-port 1 is a crashed domain (3)" \
    rq_boot plain-exit-1 3 "$hv" "$k exit=1"
check "run-qemu (plain): the kernel's exit-port 0 is a power-off (0)" \
    rq_boot plain-exit-0 0 "$hv" "$k exit=0"
# The information block: the memory map, the modules (page-aligned above
# the kernel, their strings and bytes), the command line, the loader.
mb_expect() {
    cat <<EOT
(d1) mbinfo: magic 0x2badb002, flags 0x24d
(d1) mbinfo: cmdline '$k exit=0x7f mem=32'
(d1) mbinfo: loader 'pv86'
(d1) mbinfo: mem_lower 640 KiB, mem_upper 31744 KiB
(d1) mbinfo: mmap 0x0 + 0xa0000 type 1
(d1) mbinfo: mmap 0xa0000 + 0x60000 type 2
(d1) mbinfo: mmap 0x100000 + 0x1f00000 type 1
(d1) mbinfo: 3 module(s)
EOT
}
mods=("$mods_dir/mod-text.txt one two" "$mods_dir/mod-x.bin" "$mods_dir/mod-text.txt")
check "run-qemu --mode te: the information block (memory map, modules, command line, loader) is exact" \
    sh -c "$(declare -f rq_boot); top='$top' rq_logs='$rq_logs'; \
           rq_boot te-mbi 255 --mode te '$hv' '$k exit=0x7f mem=32' '${mods[0]}' '${mods[1]}' '${mods[2]}' && \
           grep '^(d1) mbinfo: ' '$rq_logs/te-mbi.log' | grep -v ' module [0-9]*:' | grep -v 'mbinfo: exit' | diff -u /dev/fd/3 - 3<<EOT
$(mb_expect)
EOT"
check "run-qemu --mode te: the kernel sees the modules and the command line as on bare QEMU" \
    bash -c "$(declare -f rq_boot); top='$top' rq_logs='$rq_logs'; \
           rq_boot native-mbi 255 --native '$k exit=0x7f mem=32' '${mods[0]}' '${mods[1]}' '${mods[2]}' && \
           diff -u <(grep -E 'mbinfo: (cmdline|module)' '$rq_logs/native-mbi.log') \
                   <(grep -E '^\(d1\) mbinfo: (cmdline|module)' '$rq_logs/te-mbi.log' | sed 's/^(d1) //') && \
           test \$(grep -c 'page-aligned, above the kernel, string' '$rq_logs/te-mbi.log') = 3"
check "run-qemu --mode te: a kernel and modules past its memory are refused with a line (14)" \
    sh -c "$(declare -f rq_boot has); top='$top' rq_logs='$rq_logs'; \
           rq_boot te-toobig 14 --mode te '$hv' '$k mem=16' '$mods_dir/mod-20m.bin' && \
           grep -q \"^(pv86) d1: cannot load the multiboot kernel: the kernel and its modules do not fit the guest's memory (\" '$rq_logs/te-toobig.log'"
check "run-qemu --mode te: pvguest's native flavour, a program failing: it writes 1 (status 3)" \
    rq_boot te-native-fail 3 --mode te "$hv" "$build/pvguest-native.elf run=hello:7"
