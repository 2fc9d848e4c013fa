/*
 * blk: the split block driver's test domains (see blkdom.h).
 *
 *   role=back peer=F [crash_after=N]   the backend, a RAM disk of 8 MiB in
 *                                      its own frames (mem=24); with
 *                                      crash_after it crashes after N requests
 *   role=back ... path=map             the backend maps each data grant
 *                                      (default path=copy: GNTTABOP_copy)
 *   role=front peer=B [mib=8]          the frontend
 *   role=front ... corrupt=1           publishes impossible ring indices
 *   role=front ... bench=1             no pattern made or checked (make bench)
 */
#include "blkdom.h"

uint32_t port_status(uint32_t port)
{
    struct evtchn_status st;
    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.port = port;
    if (hv_event_channel_op(EVTCHNOP_status, &st))
        return EVTCHNSTAT_closed;
    return st.status;
}

void clear_pending(uint32_t port)
{
    __atomic_and_fetch(&shared_info->evtchn_pending[port / 32], ~(1u << (port % 32)),
                       __ATOMIC_SEQ_CST);
}

/* count per MiB with two decimals */
void print_per_mib(const char *who, const char *what, unsigned count, unsigned mib)
{
    unsigned h = (count * 100u + mib / 2) / mib;
    printf("%s: %u.%u%u %s per MiB\n", who, h / 100, (h / 10) % 10, h % 10, what);
}

int rendezvous_front(uint32_t peer, uint32_t ring_ref, uint32_t *port)
{
    (void)ring_ref;     /* granted at the fixed BLK_RING_REF */
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)peer, 0 };
    if (hv_event_channel_op(EVTCHNOP_alloc_unbound, &a))
        return -1;
    *port = a.port;
    /* the backend binds it: bounded wait (5 s) */
    uint64_t until = system_time_ns() + 5000000000ull;
    while (port_status(a.port) != EVTCHNSTAT_interdomain) {
        if (system_time_ns() > until) {
            printf("blkfront: error: d%u never bound port %u\n", (unsigned)peer,
                   (unsigned)a.port);
            return -1;
        }
        hv_sched_op(SCHEDOP_yield, NULL);
    }
    return 0;
}

int rendezvous_back(uint32_t peer, uint32_t *ring_ref, uint32_t *port)
{
    *ring_ref = BLK_RING_REF;
    uint64_t until = system_time_ns() + 5000000000ull;
    while (system_time_ns() < until) {
        for (uint32_t p = 1; p < 8; p++) {
            struct evtchn_bind_interdomain b = { (domid_t)peer, 0, p, 0 };
            if (hv_event_channel_op(EVTCHNOP_bind_interdomain, &b) == 0) {
                *port = b.local_port;
                return 0;
            }
        }
        hv_sched_op(SCHEDOP_yield, NULL);
    }
    printf("blkback: error: d%u offered no port in 5 s\n", (unsigned)peer);
    return -1;
}

uint64_t blk_tsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

int guest_main(void)
{
    size_t len;
    const char *role = cmdline_arg("role", &len);
    uint32_t peer = cmdline_num("peer", 0);
    if (role && len == 5 && !memcmp(role, "front", 5))
        return blk_front(peer, cmdline_num("mib", 8), (int)cmdline_num("bench", 0),
                         (int)cmdline_num("corrupt", 0));
    if (role && len == 4 && !memcmp(role, "back", 4))
    {
        const char *path = cmdline_arg("path", &len);
        int use_map = path && len == 3 && !memcmp(path, "map", 3);
        if (path && !use_map && !(len == 4 && !memcmp(path, "copy", 4))) {
            printf("blk: path=copy or path=map\n");
            return 1;
        }
        return blk_back(peer, cmdline_num("crash_after", 0), use_map);
    }
    printf("blk: role=front or role=back\n");
    return 1;
}
