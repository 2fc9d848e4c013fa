/*
 * slot3-stale: the hypervisor's entries Xen leaves in a released slot-3 L2
 * (pv86 issue 14, hostile review). Once the last L3 using it goes, the
 * frame is an ordinary page again and still holds the hypervisor's entries
 * (slots 428-511: the M2P and the switcher L1). The guest may then map it
 * writable and change them; none of that may ever reach the CPU as a
 * hypervisor mapping. Here: the stale entries refused when the page is
 * made an L1 or an ordinary L2 (they name hypervisor frames), junk written
 * over them, and the hypervisor's own entries back when the page is again
 * some L3's slot 3; while it is, it cannot be mapped writable. And the
 * clearing of an L3's entries 4-511 never reaches a frame mapped writable.
 */
#include "guest.h"

#include "attack.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define SCR(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCR_MFN(i) pfn_to_mfn(SCR(i) >> 12)
#define HV_SLOT 428u
#define HV_N (512u - HV_SLOT)

enum { L3A, L2H, JUNK };

static int32_t mmuext1(uint32_t cmd, uint32_t arg1)
{
    struct mmuext_op op = { cmd, arg1, 0 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void writable(unsigned i)
{
    map_page(SCR(i), SCR_MFN(i), PTE_P | PTE_RW | PTE_A | PTE_D);
}

static void readonly(unsigned i)
{
    map_page(SCR(i), SCR_MFN(i), PTE_P | PTE_A);
}

static void slot3_stale(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint64_t *h = (uint64_t *)SCR(L2H), *t = (uint64_t *)SCR(L3A);
    uint32_t a = SCR_MFN(L3A), hm = SCR_MFN(L2H), junk = SCR_MFN(JUNK);
    static uint64_t hv[HV_N];
    printf("slot3-stale: the hypervisor's entries left in a released slot-3 L2\n");

    writable(L2H);
    memset(h, 0, 4096);
    readonly(L2H);
    writable(L3A);
    memset(t, 0, 4096);
    t[0] = l3[0];
    t[3] = ((uint64_t)hm << 12) | PTE_P;
    readonly(L3A);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, a), 0), "an L3 with a slot-3 L2 of its own: pinned");
    unsigned set = 0;
    for (unsigned j = 0; j < HV_N; j++)
        set += (hv[j] = h[HV_SLOT + j]) != 0;
    ok(set > 0 && map_page(SCR(L2H), hm, PTE_P | PTE_RW | PTE_A | PTE_D) != 0,
       "its slot-3 L2 holds the hypervisor's entries (%u) and cannot be mapped writable", set);
    readonly(L2H);
    ok(EQ(mmuext1(MMUEXT_UNPIN_TABLE, a), 0), "the L3 unpinned: its slot-3 L2 released");

    ok(map_page(SCR(L2H), hm, PTE_P | PTE_RW | PTE_A | PTE_D) == 0 &&
       memcmp(&h[HV_SLOT], hv, sizeof(hv)) == 0,
       "the released page maps writable, the hypervisor's entries still in it (as Xen)");
    readonly(L2H);
    int32_t as_l2 = mmuext1(MMUEXT_PIN_L2_TABLE, hm), as_l1 = mmuext1(MMUEXT_PIN_L1_TABLE, hm);
    /* Xen's answers for a hypervisor frame named: in an L2 entry -EINVAL
     * (get_page_from_mfn), in an L1 entry -EBUSY (could_not_pin) */
    ok(as_l2 == -XEN_EINVAL && as_l1 == -XEN_EBUSY && map_page(SCR(L2H), hm, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "with them, pinned as an ordinary L2 (%d) or as an L1 (%d): refused, nothing kept",
       (int)as_l2, (int)as_l1);

    /* Our own entries where the hypervisor's were: an L1 of ours, writable
     * and user, and a large page over frame 0. */
    writable(JUNK);
    memset((void *)SCR(JUNK), 0, 4096);
    readonly(JUNK);
    ok(EQ(mmuext1(MMUEXT_PIN_L1_TABLE, junk), 0), "an empty L1 of ours pinned");
    writable(L2H);
    for (unsigned j = 0; j < HV_N; j++)
        h[HV_SLOT + j] = j & 1 ? ((uint64_t)junk << 12) | PTE_P | PTE_RW | PTE_U
                               : 0x80ull | PTE_P | PTE_RW | PTE_U;    /* PSE at frame 0 */
    readonly(L2H);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, a), 0), "the L3 over the rewritten page: pinned again");
    ok(memcmp(&h[HV_SLOT], hv, sizeof(hv)) == 0,
       "slots 428-511 are the hypervisor's entries again, none of ours");
    ok(EQ(mmuext1(MMUEXT_UNPIN_TABLE, a), 0) && EQ(mmuext1(MMUEXT_UNPIN_TABLE, junk), 0) &&
       map_page(SCR(JUNK), junk, PTE_P | PTE_RW | PTE_A | PTE_D) == 0 &&
       map_page(SCR(L2H), hm, PTE_P | PTE_RW | PTE_A | PTE_D) == 0 &&
       map_page(SCR(L3A), a, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "everything unpinned: the three frames map writable again");

    /* Entries 4-511 are cleared only in a frame that becomes an L3: one we
     * still map writable is refused first and keeps them (-EBUSY: pv86's
     * code for a type conflict, docs/xen-deviations.md). */
    writable(L3A);
    memset(t, 0, 4096);
    t[0] = l3[0];
    t[3] = ((uint64_t)hm << 12) | PTE_P;
    for (unsigned j = 4; j < 512; j++)
        t[j] = 0x0BAD0000ull | j;
    int32_t busy = mmuext1(MMUEXT_PIN_L3_TABLE, a);
    unsigned kept = 0;
    for (unsigned j = 4; j < 512; j++)
        kept += t[j] == (0x0BAD0000ull | j);
    ok(busy == -XEN_EINVAL && kept == 508,
       "an L3 we map writable: pin -EINVAL as Xen (a type conflict) (%d), its entries 4-511 untouched (%u of 508)",
       (int)busy, kept);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "slot3-stale: the hypervisor still serves us");
}

/* slot3-flood: 20 refused pins, each one a warning: the hypervisor's
 * budget of warning lines is this domain's own (16), so another domain's
 * warnings still show (tests/guests/slot3stale.sh). */
static void slot3_flood(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint64_t *t = (uint64_t *)SCR(L3A);
    uint32_t a = SCR_MFN(L3A);
    unsigned refused = 0;
    printf("slot3-flood: 20 L3s sharing our slot-3 L2\n");
    writable(L3A);
    memset(t, 0, 4096);
    t[0] = l3[0];
    t[3] = l3[3];
    readonly(L3A);
    for (unsigned i = 0; i < 20; i++)
        refused += EQ(mmuext1(MMUEXT_PIN_L3_TABLE, a), -XEN_EINVAL);
    ok(refused == 20, "20 pins of an L3 sharing our slot-3 L2: %u answered -EINVAL", refused);
    ok(map_page(SCR(L3A), a, PTE_P | PTE_RW | PTE_A | PTE_D) == 0, "no reference kept");
}

int slot3_stale_case(const char *name, size_t len)
{
    if (len == 11 && memcmp(name, "slot3-flood", 11) == 0) {
        slot3_flood();
        signal_innocent();
        return tap_done();
    }
    if (len != 11 || memcmp(name, "slot3-stale", 11) != 0)
        return -1;
    slot3_stale();
    signal_innocent();
    return tap_done();
}
