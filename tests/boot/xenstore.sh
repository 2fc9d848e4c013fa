# Sourced by tests/boot/run.sh: the xenstore domain's skeleton
# (xenstore/domain) boots as d1 and as a domU, sets up its store, checks it
# through its local client and powers off ("selftest").
xs=$build/xenstore.elf
boot xenstore-d1 0 "$xs selftest"
line '\(d1\) xenstore: ready, 3 nodes, [0-9]+ KiB of store, self-check passed'
line '\(pv86\) d1: shutdown \(poweroff\)'
line '\(pv86\) d1: memory released: [0-9]+ frames, no reference left'
integrity_ok
finish
boot xenstore-domU 0 "$build/guests/hello.elf" "$xs selftest"
line '\(d2\) xenstore: ready, 3 nodes, [0-9]+ KiB of store, self-check passed'
line '\(pv86\) d2: shutdown \(poweroff\)'
line '\(pv86\) all domains powered off'
integrity_ok
finish
