# tools/run-qemu's exit status, with a fake QEMU that prints FAKE_OUT and
# exits FAKE_STATUS (sourced by tests/tools/run.sh: uses check, $top, $build).
fake=$build/fake-qemu
printf '#!/bin/sh\nprintf "%%b" "$FAKE_OUT"\nexit "$FAKE_STATUS"\n' > "$fake"
chmod +x "$fake"
# rq_status WANT OUT STATUS [--native]: run-qemu passes OUT through and exits WANT.
rq_status() {
    local want=$1 fake_out=$2 fake_status=$3 got out
    shift 3
    if [ "${1:-}" = --native ]; then
        set -- --native "$build/pvguest-native.elf"
    else
        set -- "$build/hypervisor.elf" "$build/guests/hello.elf"
    fi
    out=$(QEMU=$fake FAKE_OUT=$fake_out FAKE_STATUS=$fake_status "$top/tools/run-qemu" "$@" 2>/dev/null)
    got=$?
    [ "$got" = "$want" ] || { echo "exit status $got, expected $want"; return 1; }
    [ "$out" = "$(printf '%b' "$fake_out")" ] || { echo "output not passed through: $out"; return 1; }
}
check "run-qemu: 0 when QEMU stops on poweroff after the hypervisor's last word" \
    rq_status 0 '(pv86) d1: shutdown\r\n(pv86) all domains powered off\r\n' 0
check "run-qemu: 11 when QEMU stops with status 0 but the hypervisor said nothing (triple fault)" \
    rq_status 11 '(pv86) pv86 hypervisor\r\n(d1) hello\r\n' 0
check "run-qemu: 11 when the hypervisor's word is not the last line" \
    rq_status 11 '(pv86) all domains powered off\r\n(d1) after\r\n' 0
check "run-qemu: 11 on an empty serial output with status 0" rq_status 11 '' 0
check "run-qemu: QEMU's other statuses pass through (3: a domain crashed)" \
    rq_status 3 '(pv86) a domain did not power off: exit status 3\n' 3
check "run-qemu --native: 0 after the kernel's \"powering off\"" \
    rq_status 0 'init: exited with status 0: powering off\r\n' 0 --native
check "run-qemu --native: 11 when the kernel stopped without it (triple fault)" \
    rq_status 11 'pvguest (native flavour): 16 MiB\r\n' 0 --native
check "run-qemu --native: 3 passes through (the kernel failed)" \
    rq_status 3 'init: exited with status 1: stopping, failed\n' 3 --native
