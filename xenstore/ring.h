/*
 * One domain's xenstore ring (struct xenstore_domain_interface, shared with
 * an untrusted domain): requests in, replies and watch events out.
 * Every index read from the page is checked; a domain whose indices are
 * impossible (prod - cons > ring size) or that announces a payload over
 * XENSTORE_PAYLOAD_MAX is marked broken and ignored from then on (its
 * page's error field says why), as xenstored ignores such a connection.
 */
#ifndef XENSTORE_RING_H
#define XENSTORE_RING_H

#include "store.h"

/* Barriers for both builds (x86: loads/stores in order; full fence for mb). */
#define xs_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xs_rmb() __asm__ __volatile__("" ::: "memory")
#define xs_wmb() __asm__ __volatile__("" ::: "memory")

struct xs_ring {
    uint16_t domid;
    bool broken;
    const char *why;                    /* set when broken */
    uint32_t in_used;                   /* bytes of the message being assembled */
    uint32_t requests;                  /* messages handed to the store */
    uint8_t in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
};

/* Start serving domid's page: features announced, connection state reset. */
void xs_ring_init(struct xs_ring *r, uint16_t domid, struct xenstore_domain_interface *intf);

/*
 * Move what can move: queued output into rsp (as space allows), requests out
 * of req (whole messages to the store, partial ones kept across calls and
 * wrap-around). Stops taking requests while the output queue lacks room for
 * a reply. Bounded work per call. Returns true if the domain should be
 * notified (its event channel; the caller sends).
 */
bool xs_ring_process(struct xs_store *st, struct xs_ring *r,
                     volatile struct xenstore_domain_interface *intf);

#endif /* XENSTORE_RING_H */
