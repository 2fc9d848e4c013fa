/*
 * blk: the split block driver's test domains (see blkdom.h).
 *
 *   role=back peer=F [crash_after=N]   the backend, a RAM disk of 8 MiB in
 *                                      its own frames (mem=24), and the
 *                                      toolstack's part for frontend F; with
 *                                      crash_after it crashes after N requests
 *   role=back ... path=map             the backend maps each data grant
 *                                      (default path=copy: GNTTABOP_copy)
 *   role=front [mib=8]                 the frontend (its backend: as the
 *                                      toolstack wrote device/vbd/51712)
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

static int xb_read(void *ctx, const char *path, char *buf, size_t size)
{
    (void)ctx;
    return xs_read(0, path, buf, (uint32_t)size);
}
static int xb_write(void *ctx, const char *path, const char *value)
{
    (void)ctx;
    return xs_write(0, path, value);
}
static int xb_watch(void *ctx, const char *path, const char *token)
{
    (void)ctx;
    return xs_watch(path, token);
}
const struct xenbus blk_xenbus = { xb_read, xb_write, xb_watch, NULL };

int blk_hs_run(int (*step)(void *h), void *h, int first, const char **why)
{
    int r = first;
    while (r == BLKHS_WAITING) {
        char path[96], token[24];
        if (!xs_next_event(path, sizeof(path), token, sizeof(token),
                           system_time_ns() + BLK_HS_TIMEOUT_NS)) {
            *why = "no watch event for 10 s";
            return BLKHS_FAILED;
        }
        r = step(h);
    }
    return r;
}

uint32_t blk_own_domid(void)
{
    char v[12];
    int n = xs_read(0, "domid", v, sizeof(v));
    uint64_t id;
    if (n <= 0 || blkhs_parse_u64(v, 0x7FEF, &id))
        return 0;
    return (uint32_t)id;
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
    if (xs_init()) {
        printf("blk: error: no xenstore (start_info.store_evtchn is 0): boot build/xenstore.elf "
               "role=xenstore as the last module\n");
        return 1;
    }
    uint32_t peer = cmdline_num("peer", 0);
    if (role && len == 5 && !memcmp(role, "front", 5))
        return blk_front(cmdline_num("mib", 8), (int)cmdline_num("bench", 0),
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
