# Sourced by tests/boot/run.sh: the toolstack (docs/toolstack.md), driven
# from the serial line as a user drives it: CTRL-a three times, commands,
# CTRL-a three times back. Each key goes in only once the line it answers
# is in the log (a FIFO on QEMU's stdin), so the run depends on no timing.
# d1 is pvguest running echo (it reads the console: input really switches),
# d2 the innocent domain, which waits 60 s for a signal that never comes.
pv=$build/pvguest.elf
innocent=$build/guests/innocent.elf
CTRLA3=$'\001\001\001'

# wait_for REGEX: until a line of the log matches (or the run ends / 60 s).
wait_for() {
    local i
    for ((i = 0; i < 600; i++)); do
        grep -Eq -- "$1" "$log" 2>/dev/null && return 0
        kill -0 "$qpid" 2>/dev/null || return 1
        sleep 0.1
    done
    problems+=("waited 60 s for: $1")
    return 1
}

# boot_keys NAME STATUS FEEDER MODULE...: boot with FEEDER (a function)
# writing to the serial line.
boot_keys() {
    name=$1 want_status=$2 feeder=$3
    shift 3
    log=$logs/$name.log
    problems=()
    local fifo=$logs/$name.fifo
    rm -f "$fifo" "$log"
    mkfifo "$fifo"
    "$top/tools/run-qemu" --timeout "$BOOT_TIMEOUT" --append "${HV_ARGS:-}" \
        "$build/hypervisor.elf" "$@" < "$fifo" > "$log" 2>&1 &
    qpid=$!
    exec 5> "$fifo"
    "$feeder"
    exec 5>&-                               # QEMU's stdin ends: no more keys
    wait "$qpid"
    status=$?
    rm -f "$fifo"
    tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
    [ "$status" = "$want_status" ] || problems+=("exit status $status, expected $want_status")
}

type_keys() { printf '%s' "$1" >&5; }

feed_list_destroy() {
    wait_for '^\(d1\) echo: type lines' || return
    type_keys $'one\n'
    wait_for '^\(d1\) echo: one' || return
    type_keys "$CTRLA3"
    wait_for 'Serial input to pv86' || return
    type_keys $'list\n'
    wait_for '^\(pv86\) innocent +2 ' || return
    type_keys $'h\n'
    wait_for '^\(pv86\)   runq, r ' || return
    type_keys $'g\n'
    wait_for '^\(pv86\) grant-table for d2 ' || return
    type_keys $'lst 2\n'
    wait_for "unknown command 'lst'" || return
    type_keys $'evtchn 2\n'
    wait_for 'Event channel information for domain 2' || return
    type_keys $'destroy 1\n'
    wait_for 'Cannot destroy privileged domain 1' || return
    type_keys $'destroy 9\n'
    wait_for "Domain '9' does not exist" || return
    type_keys $'destroy 2\n'
    wait_for '^\(pv86\) d2: memory released: .*no reference left' || return
    type_keys $'list\nrunq\n'
    wait_for '^\(pv86\) CPU\[00\]' || return
    type_keys "$CTRLA3"
    wait_for 'Serial input to d1' || return
    type_keys $'quit\n'
}

BOOT_TIMEOUT=120 boot_keys toolstack-destroy 0 feed_list_destroy "$pv run=echo name=echo" \
    "$innocent peer=1 max_ms=60000 name=innocent"
line '\(pv86\) \*\*\* Serial input to pv86 \(type .CTRL-a. three times to switch input\)'
line '\(pv86\) \*\*\* Serial input to d1 \(type .CTRL-a. three times to switch input\)'
line '\(pv86\) toolstack> list'
line $'\\(pv86\\) Name                                        ID   Mem VCPUs\tState\tTime\\(s\\)'
line '\(pv86\) echo                                         1    16     1     [r-]b----  +[0-9]+\.[0-9]'
line '\(pv86\) innocent                                     2    16     1     [r-][b-]----  +[0-9]+\.[0-9]'
line '\(pv86\) +[0-9]+ \[[01]/[01]/[01]\]: s=[0-9] n=0 x=[01].*'
line "\(pv86\) 'h' pressed -> showing the toolstack's commands"
line "\(pv86\) 'g' pressed -> dumping grant-table usage"
line '\(pv86\) grant-table for d1 \(v1\): .*'
line "\(pv86\) toolstack: unknown command 'lst' \(h: help\)"
line '\(pv86\) CPU\[00\] running: (idle|d1); run queue \([01]\):( d1)?'
line '\(pv86\) Cannot destroy privileged domain 1\.'
line "\(pv86\) Error: Domain '9' does not exist\."
line '\(pv86\) d2: destroyed by the toolstack'
line '\(pv86\) d2: memory released: [0-9]+ frames, no reference left'
line '\(d1\) echo: one'
line '\(d1\) echo: 1 lines'
no_line '^\(d1\) echo: (list|destroy)'
no_line 'crashed'
line '\(pv86\) all domains powered off'
integrity_ok
finish

# From d1: xlctl (tests/guests/xlctl) gives the same commands through
# console_io(PV86_CONSOLEIO_toolstack); the innocent domain is d2.
xlctl=$build/guests/xlctl.elf
boot toolstack-d1 0 "$xlctl wait_ms=50 c1=list c2=evtchn_2 c3=grant_2 c4=destroy_1 c5=destroy_9 c6=bogus c7=destroy_2 end_ms=200" \
    "$innocent peer=1 max_ms=60000 name=innocent"
line "\(d1\) xlctl: 'list': 0"
line '\(pv86\) d1 toolstack> list'
line '\(pv86\) innocent                                     2    16     1     [r-][b-]----  +[0-9]+\.[0-9]'
line "\(d1\) xlctl: 'evtchn 2': 0"
line '\(pv86\) Event channel information for domain 2: polling vCPUs \{[0 ]?\}; port \[p/m/s\]'
line "\(d1\) xlctl: 'grant 2': 0"
line '\(pv86\) grant-table for d2 \(v1\): [0-9]+ frames \(4 max\), [0-9]+ entries granted, 0 mapped or copied by others now, 0 maps of others. grants held'
line "\(d1\) xlctl: 'destroy 1': -1"
line '\(pv86\) Cannot destroy privileged domain 1\.'
line "\(d1\) xlctl: 'destroy 9': -3"
line "\(d1\) xlctl: 'bogus': -22"
line "\(pv86\) toolstack: unknown command 'bogus' \(h: help\)"
line "\(d1\) xlctl: 'destroy 2': 0"
line '\(pv86\) d2: destroyed by the toolstack'
line '\(pv86\) d2: memory released: [0-9]+ frames, no reference left'
line '\(pv86\) all domains powered off'
no_line 'crashed'
integrity_ok
finish

# A domU gets -EPERM (console_io is the initial domain's only), and nothing
# happens: the innocent d1 runs to its end.
boot toolstack-domU 0 "$innocent peer=2 max_ms=300" "$xlctl c1=list c2=destroy_1"
line "\(d2\) xlctl: 'list': -1"
line "\(d2\) xlctl: 'destroy 1': -1"
no_line 'toolstack>'
no_line 'destroyed by the toolstack'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) all domains powered off'
integrity_ok
finish

# shutdown N: these boots have no xenstore domain (toolstack_request_shutdown:
# -ENOSYS), so the
# domain is destroyed when the timeout (5 s) passes; one that stops by
# itself first is left alone. d2 waits 60 s; d3 stops after 1 s.
boot toolstack-shutdown 0 "$xlctl wait_ms=50 c1=shutdown_2 c2=shutdown_3 c3=shutdown_9 end_ms=5600" \
    "$innocent peer=1 max_ms=60000 name=slow" "$innocent peer=1 max_ms=1000 name=quick"
line "\(d1\) xlctl: 'shutdown 2': 0"
line '\(pv86\) d2: no xenstore path to ask it to shut down \(-38\): destroyed in 5000 ms if it has not shut down'
line "\(d1\) xlctl: 'shutdown 9': -3"
line '\(pv86\) d2: still running 5000 ms after shutdown: destroying it'
line '\(pv86\) d2: destroyed by the toolstack'
line '\(pv86\) d2: memory released: [0-9]+ frames, no reference left'
line '\(pv86\) d3: shutdown \(poweroff\)'
no_line 'd3: (still running|destroyed)'
line '\(pv86\) all domains powered off'
integrity_ok
finish

# shutdown N with the xenstore domain (issue 17): d2 is tests/guests/xenbus,
# a guest that knows only the Xen PV start-up convention (grant table, then
# xenbus: READ name, WATCH control/shutdown); the toolstack has the xenstore
# domain (d3) write control/shutdown = poweroff, d2's watch fires and it
# powers off by itself, well before the timeout.
xenbus=$build/guests/xenbus.elf
xsd=$build/xenstore.elf

# xenbus_shutdown_checks WHO: the lines of a clean shutdown of d2 asked by
# WHO ("toolstack" from the serial line, "d1 toolstack" from xlctl).
xenbus_shutdown_checks() {
    line "\(pv86\) $1> shutdown 2"
    line '\(pv86\) d2: xenstore d3: store page granted \(ref 1\), port [0-9]+'
    line '\(d3\) xenstore: introduced d2 \(xenbus\)'
    line '\(d2\) ok 1 - grant table: setup_table 1 frame: 0, status 0'
    line '\(d2\) ok 3 - READ name: xenbus'
    line '\(d2\) ok 8 - WATCH control/shutdown: OK'
    line '\(pv86\) d2: control/shutdown = poweroff written; destroyed in 5000 ms if it has not shut down'
    line '\(d3\) xenstore: d2: control/shutdown = poweroff'
    line '\(d2\) ok 11 - control/shutdown fired: poweroff'
    line '\(d2\) 1\.\.11'
    no_line '^\(d2\) not ok'
    line '\(pv86\) d2: shutdown \(poweroff\)'
    no_line 'd2: (still running|destroyed)'
    line '\(d3\) xenstore: released d2'
    line '\(pv86\) d3: no guest left: the xenstore domain is stopped'
    line '\(pv86\) d3: shutdown \(poweroff\)'
    for d in 1 2 3; do
        line "\\(pv86\\) d$d: memory released: [0-9]+ frames, no reference left"
    done
    no_line 'crashed|did not unmap|still referenced'
    line '\(pv86\) all domains powered off'
    integrity_ok
}

feed_xenbus_shutdown() {
    wait_for '^\(d1\) echo: type lines' || return
    wait_for '^\(d2\) ok 10 - WRITE data/ready' || return     # d2 waits on its watch
    type_keys "$CTRLA3"
    wait_for 'Serial input to pv86' || return
    type_keys $'shutdown 2\n'
    wait_for '^\(pv86\) d2: memory released: ' || return
    type_keys "$CTRLA3"
    wait_for 'Serial input to d1' || return
    type_keys $'quit\n'
}

BOOT_TIMEOUT=120 boot_keys toolstack-xenbus-shutdown 0 feed_xenbus_shutdown \
    "$pv run=echo name=echo" "$xenbus peer=1 max_ms=60000 name=xenbus" "$xsd role=xenstore"
xenbus_shutdown_checks toolstack
line '\(d1\) echo: 0 lines'
finish

# The same from d1: xlctl gives "shutdown 2" (console_io); d1 then waits
# 300 ms, long enough for d2's poweroff, far less than the timeout.
boot toolstack-d1-xenbus-shutdown 0 "$xlctl wait_ms=50 c1=shutdown_2 end_ms=300" \
    "$xenbus peer=1 max_ms=60000 name=xenbus" "$xsd role=xenstore"
line "\(d1\) xlctl: 'shutdown 2': 0"
xenbus_shutdown_checks 'd1 toolstack'
finish

# A guest that sees the request and ignores it (xenbus ignore=1) is
# destroyed when the timeout passes, and the xenstore domain releases it.
boot toolstack-xenbus-ignored 0 "$xlctl wait_ms=50 c1=shutdown_2 end_ms=5600" \
    "$xenbus peer=1 max_ms=60000 ignore=1 name=xenbus" "$xsd role=xenstore"
line "\(d1\) xlctl: 'shutdown 2': 0"
line '\(pv86\) d2: control/shutdown = poweroff written; destroyed in 5000 ms if it has not shut down'
line '\(d3\) xenstore: d2: control/shutdown = poweroff'
line '\(d2\) xenbus: control/shutdown = poweroff: ignored \(ignore=1\)'
line '\(pv86\) d2: still running 5000 ms after shutdown: destroying it'
line '\(pv86\) d2: destroyed by the toolstack'
no_line '\(pv86\) d2: shutdown \(poweroff\)|^\(d2\) 1\.\.'
line '\(d3\) xenstore: released d2'
for d in 1 2 3; do
    line "\\(pv86\\) d$d: memory released: [0-9]+ frames, no reference left"
done
line '\(pv86\) d3: shutdown \(poweroff\)'
no_line 'crashed|did not unmap|still referenced'
line '\(pv86\) all domains powered off'
integrity_ok
finish
