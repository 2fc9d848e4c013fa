/*
 * xenbus.h: the smallest xenbus client the block driver's handshake needs:
 * read, write and watch of store keys. blk/handshake.c is written against
 * it only; blk/xenbus_stub.c answers -ENOSYS to everything until the
 * xenstore domain's ring is bound here (docs/blkif.md, "The rendezvous").
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

/* The stub: -XEN_ENOSYS for every operation. */
extern const struct xenbus xenbus_stub;

#endif
