/*
 * walk-cache: the hypervisor's walk cache (issue 18, hostile review): a
 * copy to or from a guest page goes through a remembered translation. A
 * remembered write translation must never outlive the mapping it came from:
 * the page made read-only (the same-frame L1 update), the page moved to
 * another frame, the page unmapped; and a remembered read likewise follows
 * the page to its new frame; and a write is refused once the L2 entry above
 * the page is read-only. Each step is checked on the frames themselves
 * through a second, writable mapping of the frame.
 */
#include "guest.h"

#include "attack.h"

#define SCR(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCR_MFN(i) pfn_to_mfn(SCR(i) >> 12)
#define RW (PTE_P | PTE_RW | PTE_A | PTE_D)

enum { V, P, Q, W = 300 };   /* V, W: pages the hypercalls name; P, Q: frames' own views */

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

    /* RW taken away one level up: W, a page under L2 entry 1 (VA 2-4 MiB,
     * scratch only), remembered for writes; then that L2 entry read-only
     * (mmu_update on the L2): the write refused, the frame untouched. */
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l2m = (uint32_t)(l3[0] >> 12) & 0xFFFFFu;
    const uint64_t *l2 = (const uint64_t *)(mfn_to_pfn(l2m) << 12);
    uint64_t e = l2[1];
    struct mmu_update u = { ((uint64_t)l2m << 12) | 8u, e & ~(uint64_t)PTE_RW };
    ok((e & (PTE_P | PTE_RW)) == (PTE_P | PTE_RW) && map_page(SCR(W), pm, RW) == 0 &&
       extraversion_at(SCR(W)) == 0 && memcmp(pp, "-pv86", 6) == 0,
       "a write through W lands in P (remembered)");
    memset(pp, 0x5A, 16);
    ok(hv_mmu_update(&u, 1, NULL, DOMID_SELF) == 0 && extraversion_at(SCR(W)) == -XEN_EFAULT &&
       untouched(pp, 0x5A), "W's L2 entry made read-only: the write refused, P untouched");
    memset(po, 0, sizeof(*po));
    po->cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ok(hv_mmuext_op((const struct mmuext_op *)SCR(W), 1, NULL, DOMID_SELF) == 0,
       "a read through W still passes (P's TLB flush)");
    u.val = e;
    ok(hv_mmu_update(&u, 1, NULL, DOMID_SELF) == 0 && extraversion_at(SCR(W)) == 0 &&
       memcmp(pp, "-pv86", 6) == 0 && map_page(SCR(W), SCR_MFN(W), RW) == 0,
       "the L2 entry writable again: the write lands in P; W restored");
}

int walk_cache_case(const char *name, size_t len)
{
    if (len != 10 || memcmp(name, "walk-cache", 10) != 0)
        return -1;
    walk_cache();
    signal_innocent();
    return tap_done();
}
