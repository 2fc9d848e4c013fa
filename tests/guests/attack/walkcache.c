/*
 * walk-cache: the hypervisor's walk cache (issue 18, hostile review): a
 * copy to or from a guest page goes through a remembered translation. A
 * remembered write translation must never outlive the mapping it came from:
 * the page made read-only (the same-frame L1 update), the page moved to
 * another frame, the page unmapped; and a remembered read likewise follows
 * the page to its new frame. Each step is checked on the frames themselves
 * through a second, writable mapping of the old frame.
 */
#include "guest.h"

#include "attack.h"

#define SCR(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCR_MFN(i) pfn_to_mfn(SCR(i) >> 12)
#define RW (PTE_P | PTE_RW | PTE_A | PTE_D)

enum { V, P, Q };     /* V: the page the hypercalls name; P, Q: frames' own views */

static int extraversion_at(uint32_t va)
{
    return hv_xen_version(XENVER_extraversion, (void *)va);
}

static int untouched(const unsigned char *p, unsigned char b)
{
    for (unsigned i = 0; i < 16; i++)
        if (p[i] != b)
            return 0;
    return 1;
}

static void walk_cache(void)
{
    uint32_t pm = SCR_MFN(P), qm = SCR_MFN(Q);
    unsigned char *pp = (unsigned char *)SCR(P), *qp = (unsigned char *)SCR(Q);
    printf("walk-cache: remembered translations follow every change of the mapping\n");

    ok(map_page(SCR(V), pm, RW) == 0 && extraversion_at(SCR(V)) == 0 &&
       memcmp(pp, "-pv86", 6) == 0, "a write through V lands in frame P (remembered)");
    memset(pp, 0x5A, 16);
    ok(map_page(SCR(V), pm, PTE_P | PTE_A | PTE_D) == 0 &&
       extraversion_at(SCR(V)) == -XEN_EFAULT && untouched(pp, 0x5A),
       "V made read-only (same frame): the write refused, P untouched");
    ok(map_page(SCR(V), pm, RW) == 0 && extraversion_at(SCR(V)) == 0 &&
       memcmp(pp, "-pv86", 6) == 0, "V writable again: the write lands in P");
    memset(pp, 0x5A, 16);
    memset(qp, 0x33, 16);
    ok(map_page(SCR(V), qm, RW) == 0 && extraversion_at(SCR(V)) == 0 &&
       memcmp(qp, "-pv86", 6) == 0 && untouched(pp, 0x5A),
       "V moved to frame Q: the write lands in Q, P untouched");
    memset(qp, 0x33, 16);
    ok(map_page(SCR(V), 0, 0) == 0 && extraversion_at(SCR(V)) == -XEN_EFAULT &&
       untouched(qp, 0x33), "V unmapped: the write refused, Q untouched");

    /* Reads: a one-entry mmuext_op batch read through V (P: a TLB flush),
     * then V moved to Q (an unknown command): the hypervisor must read Q's. */
    struct mmuext_op *po = (struct mmuext_op *)pp, *qo = (struct mmuext_op *)qp;
    memset(pp, 0, 64);
    memset(qp, 0, 64);
    po->cmd = MMUEXT_TLB_FLUSH_LOCAL;
    qo->cmd = 9999;
    ok(map_page(SCR(V), pm, RW) == 0 &&
       hv_mmuext_op((const struct mmuext_op *)SCR(V), 1, NULL, DOMID_SELF) == 0,
       "an mmuext_op read through V: P's TLB flush (0)");
    ok(map_page(SCR(V), qm, RW) == 0 &&
       hv_mmuext_op((const struct mmuext_op *)SCR(V), 1, NULL, DOMID_SELF) == -XEN_ENOSYS,
       "V moved to Q: Q's unknown command read (-ENOSYS)");
    ok(map_page(SCR(V), pm, PTE_P | PTE_A) == 0 &&
       hv_mmuext_op((const struct mmuext_op *)SCR(V), 1, NULL, DOMID_SELF) == 0,
       "V back on P, read-only: P's TLB flush read (0)");
    ok(map_page(SCR(V), SCR_MFN(V), RW) == 0, "V restored");
}

int walk_cache_case(const char *name, size_t len)
{
    if (len != 10 || memcmp(name, "walk-cache", 10) != 0)
        return -1;
    walk_cache();
    signal_innocent();
    return tap_done();
}
