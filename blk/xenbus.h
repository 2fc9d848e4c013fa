/*
 * xenbus.h: the smallest xenbus client the block driver's handshake needs:
 * read, write and watch of store keys. blk/handshake.c is written against
 * it only: the test domains bind it to their store ring
 * (tests/guests/blk/blk.c over tests/guests/lib/xs_client.c), the unit
 * tests to a fake store (docs/blkif.md, "Negotiation").
 */
#ifndef PV86_BLK_XENBUS_H
#define PV86_BLK_XENBUS_H

#include <stddef.h>

struct xenbus {
    /* The value of path, NUL-terminated, in buf (size bytes): its length,
     * or < 0 (-XEN_ENOENT when there is no such key, -XEN_E2BIG when it
     * does not fit). */
    int (*read)(void *ctx, const char *path, char *buf, size_t size);
    /* Set path to value: 0 or < 0. */
    int (*write)(void *ctx, const char *path, const char *value);
    /* Ask for a watch event (token) whenever path changes: 0 or < 0. The
     * caller calls the handshake's step function on each event. */
    int (*watch)(void *ctx, const char *path, const char *token);
    void *ctx;
};

#endif
