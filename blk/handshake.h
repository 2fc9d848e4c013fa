/*
 * handshake.h: the XenbusState handshake of Xen's blkfront/blkback
 * (docs/blkif.md), as two state machines over a xenbus (xenbus.h):
 *
 *   backend  writes state InitWait (2) and watches <frontend>/state;
 *   frontend seeing InitWait writes ring-ref, event-channel, protocol,
 *            state Initialised (3);
 *   backend  seeing Initialised reads them (untrusted: decimal, in range,
 *            protocol x86_32-abi), connects the ring through its callback,
 *            writes sectors, info, sector-size, state Connected (4);
 *   frontend seeing Connected reads those and writes state Connected.
 * A peer in Closing (5) or Closed (6), a store error or a bad value ends
 * the handshake: BLKHS_FAILED, with the reason in why.
 * Each step function is called once at start and then on every watch
 * event; it reads what it needs and never loops.
 */
#ifndef PV86_BLK_HANDSHAKE_H
#define PV86_BLK_HANDSHAKE_H

#include <stdint.h>
#include "xenbus.h"

enum xenbus_state {
    XenbusStateUnknown = 0,
    XenbusStateInitialising = 1,
    XenbusStateInitWait = 2,
    XenbusStateInitialised = 3,
    XenbusStateConnected = 4,
    XenbusStateClosing = 5,
    XenbusStateClosed = 6,
    XenbusStateReconfiguring = 7,
    XenbusStateReconfigured = 8,
};

enum { BLKHS_WAITING = 0, BLKHS_CONNECTED = 1, BLKHS_FAILED = -1 };

#define BLKHS_PATH 64

struct blkfront_hs {
    const struct xenbus *xb;
    char path[BLKHS_PATH];          /* device/vbd/<id> (our own) */
    char backend[BLKHS_PATH];       /* read from <path>/backend */
    uint32_t ring_ref, evtchn;      /* what we publish */
    int state;                      /* our XenbusState */
    uint64_t sectors;               /* the backend's, once connected */
    uint32_t info, sector_size;
    const char *why;                /* for a failure */
};

struct blkback_hs {
    const struct xenbus *xb;
    char path[BLKHS_PATH];          /* backend/vbd/<domid>/<id> (our own) */
    char frontend[BLKHS_PATH];      /* read from <path>/frontend */
    int state;
    uint64_t sectors;
    uint32_t info, sector_size;
    uint32_t ring_ref, evtchn;      /* the frontend's, once read */
    /* connect the ring: map ring_ref, bind evtchn; 0 or < 0 */
    int (*connect)(void *ctx, uint32_t ring_ref, uint32_t evtchn);
    void *ctx;
    const char *why;
};

int blkfront_hs_start(struct blkfront_hs *h, const struct xenbus *xb, const char *path,
                      uint32_t ring_ref, uint32_t evtchn);
int blkfront_hs_step(struct blkfront_hs *h);

int blkback_hs_start(struct blkback_hs *h, const struct xenbus *xb, const char *path,
                     uint64_t sectors, uint32_t info,
                     int (*connect)(void *ctx, uint32_t ring_ref, uint32_t evtchn), void *ctx);
int blkback_hs_step(struct blkback_hs *h);

/* helpers, exported for the tests: a decimal of at most 20 digits that fits
 * max, all of s; 0 or -1 */
int blkhs_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
