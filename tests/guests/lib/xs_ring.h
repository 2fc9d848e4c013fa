/*
 * xs_ring.h: the byte transfer over a xenstore ring page (Xen's
 * io/xs_wire.h struct xenstore_domain_interface), header-only so that
 * guests with different runtimes share it: tests/guests/lib/xs_client.c
 * (the guests' lib) and tests/guests/abitest/xs.c (the ABI test guest,
 * its own runtime). It needs nothing but <stdint.h>; the includer defines
 * struct xenstore_domain_interface and XENSTORE_RING_SIZE first (its own
 * copy of the wire format) and gives the ring its notify and wait.
 *
 * Every wait is the caller's: wait() is called each time the ring is full
 * (requests) or empty (replies), and ends the transfer when it says so,
 * so a store that stops answering never hangs the guest.
 */
#ifndef XS_RING_H
#define XS_RING_H

#include <stdint.h>

struct xs_ring {
    volatile struct xenstore_domain_interface *intf;
    uint32_t port;                          /* the store's event channel */
    int32_t (*notify)(uint32_t port);       /* EVTCHNOP_send */
    /* one bounded wait for the store: 0 when waited, nonzero to give up;
     * req: 1 when the request ring is full, 0 when the reply ring is empty */
    int (*wait)(void *arg, int req);
    void *arg;
};

static inline void xs_ring_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* len bytes of data onto the request ring: 0, or -1 when wait() gave up */
static inline int xs_ring_put(const struct xs_ring *r, const void *data, uint32_t len)
{
    const char *p = data;
    while (len) {
        uint32_t prod = r->intf->req_prod;
        xs_ring_mb();
        if (prod - r->intf->req_cons >= XENSTORE_RING_SIZE) {
            r->notify(r->port);
            if (r->wait(r->arg, 1))
                return -1;
            continue;
        }
        r->intf->req[prod % XENSTORE_RING_SIZE] = *p++;
        xs_ring_mb();
        r->intf->req_prod = prod + 1;
        len--;
    }
    return 0;
}

/* len bytes of the reply ring into data (NULL: dropped), the store told of
 * each byte taken: 0, or -1 when wait() gave up */
static inline int xs_ring_get(const struct xs_ring *r, void *data, uint32_t len)
{
    char *p = data;
    for (uint32_t i = 0; i < len;) {
        uint32_t cons = r->intf->rsp_cons;
        xs_ring_mb();
        if (cons == r->intf->rsp_prod) {
            if (r->wait(r->arg, 0))
                return -1;
            continue;
        }
        char c = r->intf->rsp[cons % XENSTORE_RING_SIZE];
        xs_ring_mb();
        r->intf->rsp_cons = cons + 1;
        r->notify(r->port);
        if (p)
            p[i] = c;
        i++;
    }
    return 0;
}

#endif
