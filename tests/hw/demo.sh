# shellcheck shell=bash disable=SC2154
# Sourced by tests/hw/run.sh: `make demo` itself, the modes side by side:
# three PV domains (d1 the ABI self-test, d2/d3 the event ping-pong meeting
# through xenstore), pvguest's native flavour unmodified as the hw domain
# d4, and the xenstore domain d5, in one hypervisor. The checks of its
# output are tests/hw/demo-lines.sh's, shared with tests/iso/run.sh.
. "$top/tests/hw/demo-lines.sh"
name=demo
log=$logs/$name.log
problems=()
# A demo that stops making progress (a ping that finds no port leaves pong
# waiting for ever) ends at the timeout: status 124.
make -C "$top" --no-print-directory -s demo BUILD="$build" DEMO_TIMEOUT="$((BOOT_TIMEOUT * 3))" \
    < /dev/null > "$log" 2>&1
status=$?
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
[ "$status" = 0 ] || problems+=("make demo: exit status $status, expected 0")
demo_lines
finish
