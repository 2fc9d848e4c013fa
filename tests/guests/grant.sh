# Sourced by tests/guests/run.sh: grant tables v1 between two PV domains
# (tests/guests/grant, docs/grant-tables.md). d1 grants, d2 maps, writes,
# copies both ways and is refused what Xen refuses, with the exact GNTST_
# codes; then the teardown cases: the granter powers off while its page
# is mapped (the frame lives on, intact, until the mapper unmaps it, or
# until the mapper's own teardown drops the map).

# The free frames when the last domain is gone (the last "(N free)").
free_at_end() {
    grep -Eo '\([0-9]+ free\)' "$log" | tail -1 | tr -dc 0-9
}

grant_common() {    # the lines every grant boot has, d1 (a) and d2 (b)
    tap_passes 1
    tap_passes 2
    line "\(d1\) ok 4 - a: page P holds what d2 wrote through its map \(0xb0 x 256\) and copied in \(0x5b x 256 at 3840\)"
    line "\(d2\) ok 2 - b: map d1's ref 8 writable: status 0, handle 0"
    line "\(d2\) ok 3 - b: map of ref 10, not granted: -1 \(GNTST_general_error\)"
    line "\(d2\) ok 4 - b: map of ref 600, beyond the table: -3 \(GNTST_bad_gntref\)"
    line "\(d2\) ok 5 - b: map of read-only ref 9 writable: -1 \(GNTST_general_error\)"
    line "\(d2\) ok 6 - b: map of read-only ref 9 read-only: 0, handle 1, reads 0x99 x 4096"
    line "\(d2\) ok 7 - b: a write through the read-only map faults \(vector 14\)"
    line "\(d2\) ok 9 - b: copy of 256 bytes of our frame into ref 8 at 3840: 0, seen through the map"
    line "\(d2\) ok 10 - b: copy of ref 9 \(4096 bytes\) into our frame: 0, 0x99 x 4096"
    line "\(d2\) ok 11 - b: copy at offset 4000 of 97 bytes: -10 \(GNTST_bad_copy_arg\)"
    line "\(d2\) ok 13 - b: set_version 2: -38, version 1"
    line "\(d2\) ok 14 - b: setup_table 5 frames: 0, status -1"
    line "\(d2\) ok 15 - b: query_size: 0, 1 of 4 frames"
    line "\(d2\) ok 16 - b: in a multicall, map \(status 0, handle 2\) and copy \(status 0\): results 0 0"
    line "\(d2\) ok 17 - b: one call of 512 copies: 0, 512 of status 0"
    line "\(d2\) ok 20 - b: unmap handle 1 again: -4 \(GNTST_bad_handle\)"
    line "\(d2\) ok 21 - b: unmap handle 77, never given: -4 \(GNTST_bad_handle\)"
    no_line 'crashed|still referenced|still has [0-9]+ references'
    line "\(pv86\) d1: shutdown \(poweroff\)"
    line "\(pv86\) d2: shutdown \(poweroff\)"
    line "\(pv86\) d2: memory released: [0-9]+ frames, no reference left"
    integrity_ok
    line '\(pv86\) all domains powered off'
}

# 11. Map, write, read back, copy, unmap; both powered off, nothing left.
boot grant 0 "$g/grant.elf role=a peer=2" "$g/grant.elf role=b peer=1"
grant_common
line "\(d1\) 1\.\.6"
line "\(d2\) 1\.\.23"
line "\(d1\) ok 5 - a: after d2 unmapped, entries 8 and 9 have flags 0x1 and 0x5 again"
line "\(d1\) ok 6 - a: entry 8 revoked \(cmpxchg to 0\)"
line "\(d2\) ok 23 - b: the unmapped address faults \(vector 14\)"
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left"
grant_free=$(free_at_end)
finish

# 12. The granter powers off while d2 maps its page: kept, then freed at the unmap.
boot grant-granter-dies 0 "$g/grant.elf role=a peer=2 hold=1" "$g/grant.elf role=b peer=1 hold=1"
grant_common
line "\(d1\) ok 5 - a: entry 8 still mapped: flags 0x19 \(permit, reading, writing\)"
line "\(d1\) ok 6 - a: revoking it while mapped fails \(cmpxchg saw 0x19\)"
line "\(pv86\) d1: memory released: [0-9]+ frames, no reference left but other domains' grant maps of 1 \(freed when they unmap\)"
line "\(pv86\) d1: [0-9]+ frames back in the free pool \([0-9]+ free\), 1 kept for other domains' grant maps"
line "\(d2\) ok 22 - b: after d1 is gone, page P is still its contents"
line "\(pv86\) d1: granted frame 0x[0-9a-f]+ freed: its last mapping is gone"
line "\(d2\) ok 23 - b: unmap handle 0 after d1 is gone: 0"
[ "$(free_at_end)" = "$grant_free" ] || problems+=("$(free_at_end) frames free at the end, $grant_free when nothing outlived its domain")
finish

# 13. ... and the mapper never unmaps: its teardown drops the map, the frame goes.
boot grant-both-die 0 "$g/grant.elf role=a peer=2 hold=1" "$g/grant.elf role=b peer=1 hold=2"
grant_common
line "\(d2\) 1\.\.22"
line "\(pv86\) d2: 1 grant maps of other domains' frames dropped"
line "\(pv86\) d2: 1 granted frames of dead domains freed: their last mappings are gone \([0-9]+ free\)"
[ "$(free_at_end)" = "$grant_free" ] || problems+=("$(free_at_end) frames free at the end, $grant_free when nothing outlived its domain")
finish
