# Sourced by tests/guests/run.sh: the xenstore domain in a run (issue 17,
# docs/xenstore.md "How the domain starts"). tests/guests/xenbus starts up
# as a Xen PV guest does over the store ring the builder gave it; d1 (the
# privileged client) tells d2 to power off through control/shutdown; the
# xenstore domain (role=xenstore) is built last, d3, and stopped by the
# hypervisor when no guest is left. Every domain ends with no reference left.
xsd=$build/xenstore.elf

xenbus_common() {   # XS: the xenstore domain's number
    line "\(pv86\) d$XS: pv86-xenstore guest, 16 MiB, entry 0x400000, hypercall page 0x[0-9a-f]+, 9 page-table frames"
    line "\(d$XS\) xenstore: ready, 3 nodes, [0-9]+ KiB of store, self-check passed"
    line "\(d$XS\) xenstore: serving as d$XS"
    line "\(pv86\) d$XS: no guest left: the xenstore domain is stopped"
    line "\(pv86\) d$XS: shutdown \(poweroff\)"
    line "\(pv86\) d$XS: memory released: [0-9]+ frames, no reference left"
    no_line 'crashed|not ok|did not unmap|still referenced|grant maps of'
    integrity_ok
    line '\(pv86\) all domains powered off'
}

# 14. ctl (d1) and a client (d2, name=guest2); the xenstore domain is d3.
boot xenbus 0 "$g/xenbus.elf role=ctl peer=2" "$g/xenbus.elf peer=1 name=guest2" "$xsd role=xenstore"
XS=3 xenbus_common
line "\(pv86\) d1: xenstore d3: store page granted \(ref 1\), port 1"
line "\(pv86\) d2: xenstore d3: store page granted \(ref 1\), port 2"
line "\(d3\) xenstore: introduced d1 \(d1\), privileged"
line "\(d3\) xenstore: introduced d2 \(guest2\)"
line "\(d1\) ok 1 - ctl: d2 is ready \(data/ready = 1\)"
line "\(d1\) ok 2 - ctl: WRITE /local/domain/2/control/shutdown = poweroff: OK"
line "\(d1\) 1\.\.2"
[ "$(grep '^(d2) [on]' "$log" | grep -v '^(d2) ok [0-9]* - \(grant table\|READ\|WRITE\|GET_DOMAIN_PATH\|WATCH\|the watch\|control\)' | wc -l)" = 0 ] ||
    problems+=("d2 printed unexpected TAP lines")
line "\(d2\) ok 1 - grant table: setup_table 1 frame: 0, status 0"
line "\(d2\) ok 2 - READ domid: 2"
line "\(d2\) ok 3 - READ name: guest2"
line "\(d2\) ok 4 - WRITE data/probe: OK"
line "\(d2\) ok 5 - READ data/probe: hello xenbus"
line "\(d2\) ok 6 - READ /local/domain/1/name: EACCES"
line "\(d2\) ok 7 - GET_DOMAIN_PATH 2: /local/domain/2"
line "\(d2\) ok 8 - WATCH control/shutdown: OK"
line "\(d2\) ok 9 - the watch fires at once: control/shutdown"
line "\(d2\) ok 10 - WRITE data/ready: OK"
line "\(d2\) ok 11 - control/shutdown fired: poweroff"
line "\(d2\) 1\.\.11"
line "\(d3\) xenstore: released d1"
line "\(d3\) xenstore: released d2"
line "\(pv86\) d1: shutdown \(poweroff\)"
line "\(pv86\) d2: shutdown \(poweroff\)"
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
finish

# 15. Alone, as `make run GUEST=xenbus.elf` boots it: its home is there.
boot xenbus-alone 0 "$g/xenbus.elf" "$xsd role=xenstore"
XS=2 xenbus_common
line "\(d2\) xenstore: introduced d1 \(d1\), privileged"
line "\(d1\) ok 3 - READ name: d1"
line "\(d1\) ok 6 - GET_DOMAIN_PATH 1: /local/domain/1"
line "\(d1\) ok 8 - the watch fires at once: control/shutdown"
line "\(d1\) 1\.\.8"
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
finish

# 16. noxenstore on the hypervisor's command line: the module is left out.
HV_ARGS=noxenstore boot xenbus-noxenstore 0 "$g/hello.elf" "$xsd role=xenstore"
line "\(pv86\) noxenstore: module 1 \(role=xenstore\) not started"
no_line '^\(d2\)|^\(pv86\) d2|store page granted'
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
integrity_ok
line '\(pv86\) all domains powered off'
finish

# 17. A domain that breaks its ring (impossible indices) is ignored alone;
#     one that revokes its store grant first is not introduced, alone.
boot xenbus-hostile-ring 0 "$g/xenbus.elf hostile=ring" "$g/xenbus.elf" "$xsd role=xenstore"
XS=3 xenbus_common
line "\(d3\) xenstore: d1: ring broken \(request ring indices corrupt\): ignored until released"
line "\(d1\) ok 1 - hostile: req_prod 5000 ahead of req_cons: the ring's error is 2"
line "\(d1\) 1\.\.1"
line "\(d2\) ok 3 - READ name: d2"
line "\(d2\) 1\.\.8"
line "\(d3\) xenstore: released d1"
line "\(d3\) xenstore: released d2"
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
finish
boot xenbus-hostile-revoke 0 "$g/xenbus.elf hostile=revoke" "$g/xenbus.elf" "$xsd role=xenstore"
XS=3 xenbus_common
line "\(d1\) ok 1 - hostile: entry 1 had flags 0x1 \(permit access\): revoked"
line "\(d3\) xenstore: d1: introduce failed"
no_line "xenstore: introduced d1"
line "\(d3\) xenstore: introduced d2 \(d2\)"
line "\(d2\) 1\.\.8"
line "\(d3\) xenstore: removed the home of d1"
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
finish
