# Sourced by tests/guests/run.sh: the split block driver (tests/guests/blk,
# docs/blkif.md). d1 is the backend (an 8 MiB RAM disk in its own frames,
# mem=24) and plays xl's part (it writes both ends' device nodes), d2 the
# frontend, d3 the xenstore domain: the two negotiate through xenstore
# (XenbusState, ring-ref, event-channel), then 8 MiB are written, read back
# and checksummed through the blkif ring; then the backend crashes after
# 100 requests and the frontend reports it (its peer's end of the event
# channel is gone, its state Closed, the backend's nodes removed), with
# every grant ended and no reference left in any domain.
xsd=$build/xenstore.elf
BLK_BACK="$g/blk.elf role=back peer=2 mem=24"
BLK_FRONT="$g/blk.elf role=front"

blk_common() {
    line "\(pv86\) d1: xenstore d3: store page granted \(ref 1\), port 1"
    line "\(pv86\) d2: xenstore d3: store page granted \(ref 1\), port 2"
    line "\(d3\) xenstore: introduced d1 \(d1\), privileged"
    line "\(d3\) xenstore: introduced d2 \(d2\)"
    line "\(d1\) blkback: toolstack: wrote /local/domain/2/device/vbd/51712 \(n2 r1\) and /local/domain/1/backend/vbd/2/51712 \(n1 r2\)"
    line "\(d1\) ok 1 - back: backend/vbd/2/51712: connected through xenstore \(state 4\)"
    line "\(d1\) ok 2 - back: bound d2's port 3 as 2, mapped its ring \(ref 8\): status 0"
    line "\(d1\) blkback: serving 16384 sectors \(8 MiB\) to d2 on port 2"
    line "\(d2\) ok 1 - front: connected through xenstore to /local/domain/1/backend/vbd/2/51712 \(d1\): ring-ref 8, event-channel 3, 16384 sectors"
    line "\(d2\) ok 2 - front: WRITE /local/domain/1/backend/vbd/2/51712/state: -13 \(EACCES: the backend's node\)"
    line "\(d3\) xenstore: released d1"
    line "\(d3\) xenstore: released d2"
    line "\(pv86\) d3: no guest left: the xenstore domain is stopped"
    for d in 1 2 3; do
        line "\(pv86\) d$d: memory released: [0-9]+ frames, no reference left"
    done
    no_line 'still referenced|still has [0-9]+ references|xs: error|did not unmap'
    integrity_ok
}

# 14. 8 MiB through the ring.
boot blk 0 "$BLK_BACK" "$BLK_FRONT" "$xsd role=xenstore"
blk_common
tap_passes 1
tap_passes 2
line "\(d1\) 1\.\.5"
line "\(d2\) 1\.\.6"
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
line "\(d1\) ok 4 - back: served without error"
line "\(d1\) ok 5 - back: backend/vbd/2/51712/state = 6 \(Closed\): 0"
line "\(d2\) ok 6 - front: device/vbd/51712/state in xenstore: 5 \(Closing\), then 6 \(Closed\)"
no_line 'crashed'
for d in 1 2 3; do
    line "\(pv86\) d$d: shutdown \(poweroff\)"
done
line '\(pv86\) all domains powered off'
finish

# 14b. The same with the backend mapping each data grant (path=map).
boot blk-map 0 "$BLK_BACK path=map" "$BLK_FRONT" "$xsd role=xenstore"
blk_common
tap_passes 1
tap_passes 2
line "\(d2\) ok 3 - front: checksums equal \(0xad335c00\), 0 pages differ, 0 bad statuses"
line "\(d2\) ok 4 - front: every data grant ended \(4096 revocations, 0 failed\)"
line "\(d1\) blkback: 374 requests \(187 reads, 187 writes, 0 errors, 0 unsupported\), 4096 segments"
line "\(d1\) blkback: grant map path: 4096 maps and 4096 unmaps for 16 MiB"
line "\(d1\) blkback: 512\.00 grant maps \+ unmaps per MiB"
line "\(d2\) blkfront: 23\.38 requests per MiB"
line "\(d2\) blkfront: 512\.00 grant operations \(grant \+ revoke\) per MiB"
line "\(d2\) ok 6 - front: device/vbd/51712/state in xenstore: 5 \(Closing\), then 6 \(Closed\)"
no_line 'crashed'
line '\(pv86\) all domains powered off'
finish

# 15. The backend crashes after 100 requests: the frontend notices (its
#     port is no longer bound), reports it and ends every grant, writes its
#     state Closed (6) and reads it back, and sees the backend's nodes go
#     with its domain (the xenstore domain removes a released domain's
#     home); it exits non-zero (a crash by the runtime's convention), never
#     hangs.
boot blk-backend-crash 3 "$BLK_BACK crash_after=100" "$BLK_FRONT" "$xsd role=xenstore"
blk_common
line "\(d1\) blkback: crash_after=100: crashing with 100 requests served"
line "\(d1\) crashed: the guest asked to crash \(SCHEDOP_shutdown, SHUTDOWN_crash\)"
line "\(pv86\) d1: 1 grant maps of other domains' frames dropped"
line "\(d2\) blkfront: error: the backend is gone \(port 3 no longer bound\) after 100 responses, 4 requests in flight"
line "\(d2\) blkfront: transfer failed after 100 responses"
line "\(d2\) ok 3 - front: every data grant ended \(1144 revocations, 0 failed\)"
line "\(d2\) ok 4 - front: the ring's grant ended once the backend let go \(flags were 0x1\)"
line "\(d2\) ok 5 - front: device/vbd/51712/state in xenstore: 6 \(Closed\)"
line "\(d2\) ok 6 - front: READ /local/domain/1/backend/vbd/2/51712/state: -13 \(EACCES: the backend's home was removed with its domain\)"
line "\(d2\) blkfront: error reported: exit status 1"
line "\(d2\) 1\.\.6"
line "\(d2\) # 6 passed, 0 failed"
no_line 'blkfront: wrote'
no_line '^\(d1\) ok 3'
line '\(pv86\) a domain did not power off: exit status 3'
finish

# 16. The frontend publishes req_prod 100 on a 32-entry ring: the backend
#     stops serving it with an error (no request carried out, no response
#     written), unmaps the ring and goes; the frontend sees its port unbound.
boot blk-corrupt-ring 3 "$BLK_BACK" "$BLK_FRONT corrupt=1" "$xsd role=xenstore"
blk_common
line "\(d1\) blkback: the ring's indices are corrupt: no longer served"
line "\(d1\) blkback: 0 requests \(0 reads, 0 writes, 0 errors, 0 unsupported\), 0 segments"
line "\(d1\) ok 3 - back: ring unmapped: 0"
line "\(d1\) not ok 4 - back: served without error"
line "\(d1\) ok 5 - back: backend/vbd/2/51712/state = 6 \(Closed\): 0"
line "\(d1\) # 4 passed, 1 failed"
line "\(d2\) ok 3 - front: req_prod 100 on a 32-entry ring: the backend stopped serving us \(port no longer bound\)"
line "\(d2\) ok 4 - front: the ring's grant ended \(the backend unmapped it\)"
line "\(d2\) ok 5 - front: device/vbd/51712/state in xenstore: 6 \(Closed\)"
line "\(d2\) # 5 passed, 0 failed"
line '\(pv86\) a domain did not power off: exit status 3'
finish

# 17. A backend whose frontend never comes (no d3: the xenstore domain is
#     d2): every wait is bounded, so the toolstack's gives up after 10 s with
#     its line, and the run ends (no hang).
boot blk-no-frontend 3 "$g/blk.elf role=back peer=3 mem=24" "$xsd role=xenstore"
line "\(d2\) xenstore: introduced d1 \(d1\), privileged"
line "\(d1\) blkback: toolstack: error: d3 was never introduced to the store"
no_line 'blkback: toolstack: wrote'
line "\(d2\) xenstore: released d1"
line "\(pv86\) d2: no guest left: the xenstore domain is stopped"
for d in 1 2; do
    line "\(pv86\) d$d: memory released: [0-9]+ frames, no reference left"
done
integrity_ok
line '\(pv86\) a domain did not power off: exit status 3'
finish
