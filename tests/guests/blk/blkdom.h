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
#include "xs_client.h"

#define BLK_RING_REF   8          /* the frontend's grant of the ring page (published as ring-ref) */
#define BLK_DATA_REF0  16         /* then one entry per data page */
#define BLK_GT_VA      0x00300000u
#define BLK_RING_VA    0x00200000u   /* backend: where it maps the ring */
#define BLK_VDEV       "51712"       /* xvda, as xl names it */
#define BLK_DEVPATH_FE "device/vbd/51712"
#define BLK_HS_TIMEOUT_NS 10000000000ull   /* no handshake event for 10 s: give up */

/* The xenbus of blk/xenbus.h over the store ring (tests/guests/lib/xs_client.c). */
extern const struct xenbus blk_xenbus;
/* Run a handshake: step on every watch event until it connects or fails;
 * no event for BLK_HS_TIMEOUT_NS is a failure too (*why set). */
int blk_hs_run(int (*step)(void *h), void *h, int first, const char **why);
/* the toolstack's part (toolstack.c), played by the backend d1: the
 * frontend's and the backend's nodes, as xl writes them. 0 or < 0, said. */
int blk_toolstack_add(uint32_t self, uint32_t fe);
/* d<self>'s own domain id, read from its "domid" key; 0 when unreadable */
uint32_t blk_own_domid(void);

uint32_t port_status(uint32_t port);     /* EVTCHNSTAT_* of our port */
void clear_pending(uint32_t port);
void print_per_mib(const char *who, const char *what, unsigned count, unsigned mib);

int blk_front(unsigned mib, int bench, int corrupt);
int blk_back(uint32_t peer, unsigned crash_after, int use_map);
uint64_t blk_tsc(void);

#endif
