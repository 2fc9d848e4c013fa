/*
 * blkdom.h: the split block driver's two test domains (docs/blkif.md), one
 * image: role=back (a RAM disk served over the ring) and role=front (writes,
 * reads back and checksums mib= MiB through it). Both on abi/ only.
 */
#ifndef BLKDOM_H
#define BLKDOM_H

#include "guest.h"
#include "blkback.h"
#include "blkfront.h"
#include "handshake.h"

#define BLK_RING_REF   8          /* the frontend's grant of the ring page */
#define BLK_DATA_REF0  16         /* then one entry per data page */
#define BLK_GT_VA      0x00300000u
#define BLK_RING_VA    0x00200000u   /* backend: where it maps the ring */
#define BLK_DEVPATH_FE "device/vbd/51712"
#define BLK_DEVPATH_BE "backend/vbd/2/51712"

/* The rendezvous until xenstore is wired in (blk.c): fixed domids, the
 * frontend's unbound port found by the backend among ports 1-7, the ring
 * at grant ref BLK_RING_REF. Each returns 0 or < 0 with a line said. */
int rendezvous_front(uint32_t peer, uint32_t ring_ref, uint32_t *port);
int rendezvous_back(uint32_t peer, uint32_t *ring_ref, uint32_t *port);

uint32_t port_status(uint32_t port);     /* EVTCHNSTAT_* of our port */
void clear_pending(uint32_t port);
void print_per_mib(const char *who, const char *what, unsigned count, unsigned mib);

int blk_front(uint32_t peer, unsigned mib, int bench, int corrupt);
int blk_back(uint32_t peer, unsigned crash_after, int use_map);
uint64_t blk_tsc(void);

#endif
