# Sourced by tests/guests/run.sh: the split block driver (tests/guests/blk,
# docs/blkif.md). d1 is the backend (an 8 MiB RAM disk in its own frames,
# mem=24), d2 the frontend: 8 MiB written, read back and checksummed through
# the blkif ring; then the backend crashes after 100 requests and the
# frontend reports it (its peer's end of the event channel is gone), with
# every grant ended and no reference left in either domain.

blk_common() {
    line "\(d1\) ok 1 - back: no xenbus \(no frontend path\): the fixed rendezvous"
    line "\(d2\) ok 1 - front: no xenbus \(no backend path\): the fixed rendezvous"
    line "\(d1\) ok 2 - back: bound d2's port, mapped its ring \(ref 8\): status 0"
    line "\(d1\) blkback: serving 16384 sectors \(8 MiB\) to d2 on port 1"
    line "\(d2\) ok 2 - front: ring \(ref 8\) and port 2 bound by d1"
    line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
    line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
    no_line 'still referenced|still has [0-9]+ references'
    integrity_ok
}

# 14. 8 MiB through the ring.
boot blk 0 "$g/blk.elf role=back peer=2 mem=24" "$g/blk.elf role=front peer=1"
blk_common
tap_passes 1
tap_passes 2
line "\(d1\) 1\.\.4"
line "\(d2\) 1\.\.5"
line "\(d2\) blkfront: wrote 8 MiB in 187 requests, checksum 0xad335c00"
line "\(d2\) blkfront: read 8 MiB in 187 requests, checksum 0xad335c00"
line "\(d2\) blkfront: 16777216 bytes moved in [0-9]+ TSC ticks"
line "\(d2\) ok 3 - front: checksums equal \(0xad335c00\), 0 pages differ, 0 bad statuses"
line "\(d2\) blkfront: 374 requests, 4096 grants, 4096 revocations for 16 MiB moved"
line "\(d2\) blkfront: 23\.38 requests per MiB"
line "\(d2\) blkfront: 512\.00 grant operations \(grant \+ revoke\) per MiB"
line "\(d2\) ok 4 - front: every data grant ended \(4096 revocations, 0 failed\)"
line "\(d2\) ok 5 - front: the ring's grant ended once the backend let go \(flags were 0x1\)"
line "\(d1\) blkback: the frontend closed its event channel"
line "\(d1\) blkback: 374 requests \(187 reads, 187 writes, 0 errors, 0 unsupported\), 4096 segments"
line "\(d1\) blkback: 4096 grant copies in 4096 hypercalls for 16 MiB"
line "\(d1\) blkback: 256\.00 grant copies per MiB"
line "\(d1\) ok 3 - back: ring unmapped: 0"
no_line 'crashed'
line "\(pv86\) d1: shutdown \(poweroff\)"
line "\(pv86\) d2: shutdown \(poweroff\)"
line '\(pv86\) all domains powered off'
finish

# 14b. The same with the backend mapping each data grant (path=map).
boot blk-map 0 "$g/blk.elf role=back peer=2 mem=24 path=map" "$g/blk.elf role=front peer=1"
blk_common
tap_passes 1
tap_passes 2
line "\(d2\) ok 3 - front: checksums equal \(0xad335c00\), 0 pages differ, 0 bad statuses"
line "\(d2\) ok 4 - front: every data grant ended \(4096 revocations, 0 failed\)"
line "\(d1\) blkback: 374 requests \(187 reads, 187 writes, 0 errors, 0 unsupported\), 4096 segments"
line "\(d1\) blkback: grant map path: 4096 maps and 4096 unmaps for 16 MiB"
line "\(d1\) blkback: 512\.00 grant maps \+ unmaps per MiB"
no_line 'crashed'
line '\(pv86\) all domains powered off'
finish

# 15. The backend crashes after 100 requests: the frontend notices (its
#     port is no longer bound), reports it and ends every grant; it exits
#     non-zero (a crash by the runtime's convention), never hangs.
boot blk-backend-crash 3 "$g/blk.elf role=back peer=2 mem=24 crash_after=100" "$g/blk.elf role=front peer=1"
blk_common
line "\(d1\) blkback: crash_after=100: crashing with 100 requests served"
line "\(d1\) crashed: the guest asked to crash \(SCHEDOP_shutdown, SHUTDOWN_crash\)"
line "\(pv86\) d1: 1 grant maps of other domains' frames dropped"
line "\(d2\) blkfront: error: the backend is gone \(port 2 no longer bound\) after 100 responses, 4 requests in flight"
line "\(d2\) blkfront: transfer failed after 100 responses"
line "\(d2\) ok 3 - front: every data grant ended \(1144 revocations, 0 failed\)"
line "\(d2\) ok 4 - front: the ring's grant ended once the backend let go \(flags were 0x1\)"
line "\(d2\) blkfront: error reported: exit status 1"
line "\(d2\) 1\.\.4"
line "\(d2\) # 4 passed, 0 failed"
no_line 'blkfront: wrote'
line '\(pv86\) a domain did not power off: exit status 3'
finish

# 16. The frontend publishes req_prod 100 on a 32-entry ring: the backend
#     stops serving it with an error (no request carried out, no response
#     written), unmaps the ring and goes; the frontend sees its port unbound.
boot blk-corrupt-ring 3 "$g/blk.elf role=back peer=2 mem=24" "$g/blk.elf role=front peer=1 corrupt=1"
blk_common
line "\(d1\) blkback: the ring's indices are corrupt: no longer served"
line "\(d1\) blkback: 0 requests \(0 reads, 0 writes, 0 errors, 0 unsupported\), 0 segments"
line "\(d1\) ok 3 - back: ring unmapped: 0"
line "\(d1\) not ok 4 - back: served without error"
line "\(d2\) ok 3 - front: req_prod 100 on a 32-entry ring: the backend stopped serving us \(port no longer bound\)"
line "\(d2\) ok 4 - front: the ring's grant ended \(the backend unmapped it\)"
line "\(d2\) # 4 passed, 0 failed"
line '\(pv86\) a domain did not power off: exit status 3'
finish
