/* One domain's xenstore ring: untrusted indices, partial messages, wrap. */
#include "ring.h"
#include "tree.h"

void xs_ring_init(struct xs_ring *r, uint16_t domid, struct xenstore_domain_interface *intf)
{
    r->domid = domid;
    r->broken = false;
    r->why = NULL;
    r->in_used = 0;
    r->requests = 0;
    if (intf) {
        intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
        intf->error = XENSTORE_ERROR_NONE;
        intf->connection = XENSTORE_CONNECTED;
    }
}

static void set_broken(struct xs_store *st, struct xs_ring *r,
                       volatile struct xenstore_domain_interface *intf, uint32_t err,
                       const char *why)
{
    r->broken = true;
    r->why = why;
    intf->error = err;
    xs_conn_ignore(st, r->domid);
}

/* output -> rsp; bytes moved, or -1 if the indices are corrupt */
static int push_out(struct xs_conn *c, volatile struct xenstore_domain_interface *intf)
{
    XENSTORE_RING_IDX cons = intf->rsp_cons, prod = intf->rsp_prod;
    xs_mb();
    if (prod - cons > XENSTORE_RING_SIZE)
        return -1;
    uint32_t space = XENSTORE_RING_SIZE - (prod - cons), moved = 0;
    while (space) {
        uint32_t n;
        const uint8_t *src = xs_out_peek(c, &n);
        if (!n)
            break;
        if (n > space)
            n = space;
        for (uint32_t i = 0; i < n; i++)
            intf->rsp[MASK_XENSTORE_IDX(prod + i)] = (char)src[i];
        prod += n;
        space -= n;
        moved += n;
        xs_out_consume(c, n);
    }
    if (moved) {
        xs_wmb();                       /* the bytes before the index */
        intf->rsp_prod = prod;
    }
    return (int)moved;
}

/* req -> r->in, at most `want` bytes; moved, or -1 if the indices are corrupt */
static int pull_in(struct xs_ring *r, volatile struct xenstore_domain_interface *intf, uint32_t want)
{
    XENSTORE_RING_IDX cons = intf->req_cons, prod = intf->req_prod;
    xs_rmb();                           /* the index before the bytes */
    if (prod - cons > XENSTORE_RING_SIZE)
        return -1;
    uint32_t n = prod - cons;
    if (n > want)
        n = want;
    for (uint32_t i = 0; i < n; i++)
        r->in[r->in_used + i] = (uint8_t)intf->req[MASK_XENSTORE_IDX(cons + i)];
    if (n) {
        r->in_used += n;
        xs_mb();                        /* the bytes read before the slot is given back */
        intf->req_cons = cons + n;
    }
    return (int)n;
}

bool xs_ring_process(struct xs_store *st, struct xs_ring *r,
                     volatile struct xenstore_domain_interface *intf)
{
    bool notify = false;
    const uint32_t hsize = sizeof(struct xsd_sockmsg);
    for (int round = 0; round < 64 && !r->broken; round++) {
        struct xs_conn *c = xs_conn_find(st, r->domid);
        if (!c || c->ignored)
            break;
        bool progress = false;
        int moved = push_out(c, intf);
        if (moved < 0) {
            set_broken(st, r, intf, XENSTORE_ERROR_RINGIDX, "response ring indices corrupt");
            break;
        }
        if (moved > 0)
            notify = progress = true;
        if (!xs_can_take_request(c)) {
            if (!progress)
                break;
            continue;
        }
        uint32_t want;
        if (r->in_used < hsize) {
            want = hsize - r->in_used;
        } else {
            struct xsd_sockmsg h;
            xs_memcpy(&h, r->in, sizeof(h));
            want = hsize + h.len - r->in_used;
        }
        int got = pull_in(r, intf, want);
        if (got < 0) {
            set_broken(st, r, intf, XENSTORE_ERROR_RINGIDX, "request ring indices corrupt");
            break;
        }
        if (got > 0)
            notify = progress = true;
        if (r->in_used >= hsize) {
            struct xsd_sockmsg h;
            xs_memcpy(&h, r->in, sizeof(h));
            if (h.len > XENSTORE_PAYLOAD_MAX) {
                set_broken(st, r, intf, XENSTORE_ERROR_PROTO, "message longer than 4096 bytes");
                break;
            }
            if (r->in_used == hsize + h.len) {
                r->in_used = 0;
                r->requests++;
                (void)xs_request(st, r->domid, &h, r->in + hsize);
                progress = true;
            }
        }
        if (!progress)
            break;
    }
    return notify;
}
