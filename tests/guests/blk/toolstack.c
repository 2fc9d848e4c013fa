/*
 * toolstack.c: what xl's disk add (libxl_disk.c, libxl_device.c's
 * libxl__device_generic_add) writes to the store for a vbd, done by the
 * privileged backend domain d1 (pv86 has no dom0 toolstack domain; see
 * docs/blkif.md "Negotiation"). In one transaction, retried on EAGAIN:
 *
 *   /local/domain/F/device/vbd/51712           perms nF rB
 *       backend backend-id state=1 virtual-device=51712 device-type=disk
 *       protocol=x86_32-abi
 *   /local/domain/B/backend/vbd/F/51712        perms nB rF
 *       frontend frontend-id online=1 removable=0 bootable=1 state=1
 *       dev=xvda type=phy mode=w device-type=disk discard-enable=0
 *
 * so each end owns (writes) its own directory and may only read the other's.
 */
#include <pv86/errno.h>

#include "blkdom.h"

static void fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, size, f, ap);
    va_end(ap);
}

static int put(uint32_t tx, const char *dir, const char *key, const char *value)
{
    char p[96];
    fmt(p, sizeof(p), "%s/%s", dir, key);
    return xs_write(tx, p, value);
}

/* "n<owner>\0r<reader>\0": its length */
static int snprintf_perms(char *buf, uint32_t owner, uint32_t reader)
{
    char a[8], b[8];
    fmt(a, sizeof(a), "n%u", (unsigned)owner);
    fmt(b, sizeof(b), "r%u", (unsigned)reader);
    unsigned la = 0, lb = 0;
    while (a[la])
        la++;
    while (b[lb])
        lb++;
    memcpy(buf, a, la + 1);
    memcpy(buf + la + 1, b, lb + 1);
    return (int)(la + lb + 2);
}

static int add_once(uint32_t tx, uint32_t self, uint32_t fe, const char *fpath, const char *bpath)
{
    char v[16], perms[16];
    int r = 0;
    (void)xs_rm(tx, fpath);                 /* ENOENT when new: fine */
    r |= xs_mkdir(tx, fpath);
    unsigned n = (unsigned)snprintf_perms(perms, fe, self);
    r |= xs_set_perms(tx, fpath, perms, n);
    r |= put(tx, fpath, "backend", bpath);
    fmt(v, sizeof(v), "%u", (unsigned)self);
    r |= put(tx, fpath, "backend-id", v);
    r |= put(tx, fpath, "state", "1");
    r |= put(tx, fpath, "virtual-device", BLK_VDEV);
    r |= put(tx, fpath, "device-type", "disk");
    r |= put(tx, fpath, "protocol", "x86_32-abi");
    (void)xs_rm(tx, bpath);
    r |= xs_mkdir(tx, bpath);
    n = (unsigned)snprintf_perms(perms, self, fe);
    r |= xs_set_perms(tx, bpath, perms, n);
    r |= put(tx, bpath, "frontend", fpath);
    fmt(v, sizeof(v), "%u", (unsigned)fe);
    r |= put(tx, bpath, "frontend-id", v);
    r |= put(tx, bpath, "online", "1");
    r |= put(tx, bpath, "removable", "0");
    r |= put(tx, bpath, "bootable", "1");
    r |= put(tx, bpath, "state", "1");
    r |= put(tx, bpath, "dev", "xvda");
    r |= put(tx, bpath, "type", "phy");
    r |= put(tx, bpath, "mode", "w");
    r |= put(tx, bpath, "device-type", "disk");
    r |= put(tx, bpath, "discard-enable", "0");
    return r;
}

int blk_toolstack_add(uint32_t self, uint32_t fe)
{
    char fpath[64], bpath[64], v[12];
    /* the frontend's home exists once the xenstore domain introduced it */
    fmt(fpath, sizeof(fpath), "/local/domain/%u/domid", (unsigned)fe);
    if (xs_watch("@introduceDomain", "intro")) {
        printf("blkback: toolstack: error: cannot watch @introduceDomain\n");
        return -1;
    }
    while (xs_read(0, fpath, v, sizeof(v)) < 0) {
        char p[32], t[8];
        if (!xs_next_event(p, sizeof(p), t, sizeof(t), system_time_ns() + XS_TIMEOUT_NS)) {
            printf("blkback: toolstack: error: d%u was never introduced to the store\n",
                   (unsigned)fe);
            return -1;
        }
    }
    fmt(fpath, sizeof(fpath), "/local/domain/%u/" BLK_DEVPATH_FE, (unsigned)fe);
    fmt(bpath, sizeof(bpath), "/local/domain/%u/backend/vbd/%u/" BLK_VDEV, (unsigned)self,
        (unsigned)fe);
    for (unsigned tries = 1; tries <= 8; tries++) {
        uint32_t tx;
        int r = xs_tx_start(&tx);
        if (r) {
            printf("blkback: toolstack: error: TRANSACTION_START: %d\n", r);
            return -1;
        }
        if (add_once(tx, self, fe, fpath, bpath)) {
            (void)xs_tx_end(tx, 0);
            printf("blkback: toolstack: error: a write in the transaction failed\n");
            return -1;
        }
        r = xs_tx_end(tx, 1);
        if (r == 0) {
            /* the permissions as the store keeps them, read back */
            char fp[32], bp[32];
            if (xs_get_perms(0, fpath, fp, sizeof(fp)) < 0 ||
                xs_get_perms(0, bpath, bp, sizeof(bp)) < 0) {
                printf("blkback: toolstack: error: GET_PERMS of the new nodes failed\n");
                return -1;
            }
            printf("blkback: toolstack: wrote %s (%s) and %s (%s)\n", fpath, fp, bpath, bp);
            return 0;
        }
        if (r != -XEN_EAGAIN) {
            printf("blkback: toolstack: error: TRANSACTION_END: %d\n", r);
            return -1;
        }
    }
    printf("blkback: toolstack: error: 8 transactions conflicted\n");
    return -1;
}
