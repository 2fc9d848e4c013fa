/*
 * xs_client.h: a PV guest's xenstore client over the store ring the domain
 * builder gives it (start_info.store_mfn, store_evtchn), as Linux's and
 * MiniOS's xenbus: one request at a time, watch events queued as they
 * arrive between replies. Its own copy of the wire format (Xen's
 * io/xs_wire.h), as a guest carries one. Every wait is bounded
 * (XS_TIMEOUT_NS): a store that never answers gives an error and a line
 * "xs: error: ...", never a hang; a reply that is not to the request
 * (its req_id) is an error too. The ring's byte transfer is xs_ring.h's.
 * Used by tests/guests/xenbus, tests/guests/blk and tests/guests/innocent
 * (linked into those three only).
 */
#ifndef XS_CLIENT_H
#define XS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

enum { XS_DIRECTORY = 1, XS_READ = 2, XS_GET_PERMS = 3, XS_WATCH = 4, XS_TRANSACTION_START = 6,
       XS_TRANSACTION_END = 7, XS_GET_DOMAIN_PATH = 10, XS_WRITE = 11, XS_MKDIR = 12,
       XS_RM = 13, XS_SET_PERMS = 14, XS_WATCH_EVENT = 15, XS_ERROR = 16 };
struct xsd_sockmsg { uint32_t type, req_id, tx_id, len; };
#define XENSTORE_RING_SIZE 1024
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];
    char rsp[XENSTORE_RING_SIZE];
    uint32_t req_cons, req_prod;
    uint32_t rsp_cons, rsp_prod;
    uint32_t server_features, connection, error;
};

#define XS_TIMEOUT_NS 10000000000ull     /* 10 s for any one reply or event */
/* A guest's own bounds, set before its first request: the wait for any
 * one reply or event (XS_TIMEOUT_NS unless set), and one poll of the store
 * port while a request waits on the ring (10 ms unless set). */
extern uint64_t xs_timeout_ns;
extern uint64_t xs_poll_ns;

extern volatile struct xenstore_domain_interface *xs_intf;
extern uint32_t xs_port;

/* From start_info: 0, or -1 when the domain has no store (store_evtchn 0). */
int xs_init(void);
/* One SCHEDOP_poll of the store port (at most 10 ms), its pending bit cleared. */
void xs_wait(void);

/* A request (a then b as its payload) in transaction tx (0: none): the
 * reply's type (XS_ERROR: reply holds the error's name), its payload
 * NUL-terminated in reply (size bytes, *len its length, longer payloads
 * cut); -1 when the store does not answer within xs_timeout_ns. */
int xs_request(uint32_t tx, uint32_t type, const void *a, uint32_t alen, const void *b,
               uint32_t blen, char *reply, uint32_t size, uint32_t *len);
/* "ENOENT" -> XEN_ENOENT ...; XEN_EIO for a name it does not know */
int xs_errno(const char *name);

/* The calls, each 0 (xs_read: the value's length) or -XEN_E*; -XEN_ETIME
 * when the store did not answer (the line said). */
int xs_read(uint32_t tx, const char *path, char *buf, uint32_t size);
int xs_write(uint32_t tx, const char *path, const char *value);
int xs_mkdir(uint32_t tx, const char *path);
int xs_rm(uint32_t tx, const char *path);
/* perms: entries like "n2", "r1", each NUL-terminated, len bytes in all */
int xs_set_perms(uint32_t tx, const char *path, const char *perms, uint32_t len);
/* the node's permissions as "n2 r1" (entries joined by spaces) in buf */
int xs_get_perms(uint32_t tx, const char *path, char *buf, uint32_t size);
int xs_watch(const char *path, const char *token);
int xs_tx_start(uint32_t *tx);
int xs_tx_end(uint32_t tx, int commit);        /* -XEN_EAGAIN: a conflict, retry */

/* The next watch event, queued or arriving before deadline_ns: 1 with its
 * path and token (cut to size), 0 when none came in time. */
int xs_next_event(char *path, uint32_t psize, char *token, uint32_t tsize, uint64_t deadline_ns);
extern unsigned xs_events_dropped;             /* beyond the queue's 16 */

#endif
