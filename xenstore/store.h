/*
 * pv86's xenstore: the tree, permissions, transactions, watches and the
 * per-connection output queues. Pure C on fixed-size pools (no malloc):
 * compiled freestanding -m32 into the xenstore domain and for the host's
 * unit tests. docs/xenstore.md describes the protocol subset and limits.
 *
 * A connection is one domain talking to the store (through its ring, see
 * ring.h) or the store's own local client (XS_DOMID_LOCAL, privileged: the
 * domain builder and the toolstack act through it). Requests go in with
 * xs_request(); replies and watch events come out of the connection's
 * output queue (xs_out_peek / xs_out_consume), whole messages in order.
 */
#ifndef XENSTORE_STORE_H
#define XENSTORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* ---- limits (docs/xenstore.md) ---- */
#define XS_MAX_NODES      1024          /* nodes in the tree, "/" included */
#define XS_ARENA_BYTES    (64 * 1024)   /* names, values and permissions */
#define XS_MAX_CONN       16            /* connections (domains) at once */
#define XS_MAX_WATCHES    64            /* watches, all connections */
#define XS_WATCH_STR_MAX  512           /* a watch's path + token bytes */
#define XS_MAX_TRANS      4             /* open transactions, all connections */
#define XS_TRANS_LOG      2048          /* bytes of changed paths per transaction */
#define XS_MAX_PERMS      8             /* permission entries of a node */
#define XS_OUTQ_BYTES     8192          /* a connection's queued output */
#define XS_OUTQ_MSGS      64            /* messages queued per connection */
/* per unprivileged domain (privileged connections have none) */
#define XS_QUOTA_NODES    128           /* nodes owned -> ENOSPC */
#define XS_QUOTA_BYTES    (16 * 1024)   /* arena bytes owned -> ENOSPC */
#define XS_QUOTA_VALUE    2048          /* one node's value -> ENOSPC */
#define XS_QUOTA_PERMS    5             /* entries in SET_PERMS -> ENOSPC */
#define XS_QUOTA_WATCHES  16            /* watches -> E2BIG */
#define XS_QUOTA_TRANS    2             /* open transactions -> ENOSPC */
#define XS_QUOTA_EVENTS   32            /* queued watch events; more are dropped */

/* A reply never exceeds this; a request is taken only if it fits the queue. */
#define XS_REPLY_RESERVE  (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/* The store's own privileged client (Xen's dom0 tools); never a real domain in pv86. */
#define XS_DOMID_LOCAL    0
#define XS_DOMID_MAX      0x7fef        /* DOMID_FIRST_RESERVED - 1 */

/* Permission bits (a node's entries: "n" none, "r", "w", "b" both). */
#define XS_PERM_NONE  0
#define XS_PERM_READ  1
#define XS_PERM_WRITE 2
#define XS_PERM_OWNER 4                 /* owner or privileged: SET_PERMS */

struct xs_perm { uint16_t domid; uint8_t perm; uint8_t pad; };

struct xs_node {
    uint16_t parent, child, sibling;    /* indices; XS_NIL none */
    uint16_t name_len;
    uint16_t val_len;
    uint8_t nperms;
    uint8_t used;
    uint32_t off;                       /* blob: perms, name, value */
};
#define XS_NIL 0xffff

/* The tree alone: copied whole for a transaction. */
struct xs_tree {
    uint32_t arena_used, arena_garbage;
    uint16_t nodes_used;
    struct xs_node node[XS_MAX_NODES];
    uint8_t arena[XS_ARENA_BYTES];
};

struct xs_watch {
    bool used;
    uint8_t conn;                       /* connection slot */
    uint16_t path_len, token_len;
    uint16_t prefix_len;                /* relative watch: bytes cut off in events */
    char str[XS_WATCH_STR_MAX + 2];     /* path \0 token \0 */
};

struct xs_trans {
    bool used;
    uint8_t conn;
    uint32_t id;
    uint32_t start_gen;
    uint32_t log_used;                  /* entries: kind byte, path, \0 */
    char log[XS_TRANS_LOG];
    struct xs_tree tree;
};

struct xs_conn {
    bool used;
    bool priv;
    bool ignored;                       /* broke the protocol: no more requests */
    uint16_t domid;
    uint32_t next_tx;
    uint32_t mfn, port;                 /* as INTRODUCE gave them */
    /* output: a byte FIFO of whole messages, ends recorded to count events */
    uint32_t out_head, out_tail;        /* free-running byte counters */
    uint32_t msg_end[XS_OUTQ_MSGS];
    uint8_t msg_event[XS_OUTQ_MSGS];
    uint32_t msg_head, msg_tail;
    uint32_t events_queued, events_dropped;
    uint8_t out[XS_OUTQ_BYTES];
};

/* The builder's hooks for INTRODUCE/RELEASE (map/unmap the ring; may be NULL). */
struct xs_hooks {
    void *ctx;
    /* 0 to accept; an XSE_* refuses the INTRODUCE */
    int (*introduce)(void *ctx, uint16_t domid, uint32_t mfn, uint32_t port);
    void (*release)(void *ctx, uint16_t domid);
};

struct xs_store {
    uint32_t generation;                /* bumped by every committed change */
    struct xs_hooks hooks;
    struct xs_conn conn[XS_MAX_CONN];
    struct xs_watch watch[XS_MAX_WATCHES];
    struct xs_trans trans[XS_MAX_TRANS];
    struct xs_tree tree;
    /* working space */
    char path[XENSTORE_ABS_PATH_MAX + 32];
    char path2[XENSTORE_ABS_PATH_MAX + 32];
    char reply[XENSTORE_PAYLOAD_MAX + 1];
    uint8_t scratch[XS_ARENA_BYTES];    /* arena compaction */
};

/* ---- set-up and connections ---- */
/* "/" owned by XS_DOMID_LOCAL with "n0"; the local connection is created. */
void xs_init(struct xs_store *st, const struct xs_hooks *hooks);
/* Add a connection directly (the builder's own domains). XSE_EEXIST, XSE_ENOSPC. */
int xs_conn_add(struct xs_store *st, uint16_t domid, bool priv);
/* Drop a connection: its watches, transactions and queue (no event fired). */
void xs_conn_remove(struct xs_store *st, uint16_t domid);
/* Ignore a connection from now on (a corrupt ring): watches, transactions
 * and queued output dropped; it stays introduced until RELEASE. */
void xs_conn_ignore(struct xs_store *st, uint16_t domid);
struct xs_conn *xs_conn_find(struct xs_store *st, uint16_t domid);

/*
 * One request from domid: hdr (type, req_id, tx_id, len) and len bytes.
 * Exactly one reply (or XS_ERROR) is queued on domid's connection, plus
 * any watch events. Returns XSE_ENOENT if domid has no connection, XSE_EBUSY
 * if its queue lacks XS_REPLY_RESERVE (nothing done), XS_OK otherwise.
 * XSE_EIO if it is ignored. len > XENSTORE_PAYLOAD_MAX gets EINVAL here;
 * ring.c ignores such a domain, as xenstored.
 */
int xs_request(struct xs_store *st, uint16_t domid, const struct xsd_sockmsg *hdr,
               const void *payload);
bool xs_can_take_request(const struct xs_conn *c);

/* Output: bytes queued, a pointer to up to *n contiguous ones, consume n. */
uint32_t xs_out_pending(const struct xs_conn *c);
const uint8_t *xs_out_peek(const struct xs_conn *c, uint32_t *n);
void xs_out_consume(struct xs_conn *c, uint32_t n);

/* Fire @introduceDomain / @releaseDomain (INTRODUCE/RELEASE do it themselves). */
void xs_fire_special(struct xs_store *st, const char *name);

/* Builder helper: /local/domain/N with name and domid (readable by N, owned by
 * the local client) and control/, data/, device/ writable by N. */
int xs_make_domain_home(struct xs_store *st, uint16_t domid, const char *name);

/* Introspection for tests and the toolstack. */
uint32_t xs_node_count(const struct xs_store *st);
uint32_t xs_owned_nodes(const struct xs_store *st, uint16_t domid);
uint32_t xs_watch_count(const struct xs_store *st, uint16_t domid);

#endif /* XENSTORE_STORE_H */
