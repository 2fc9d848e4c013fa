/*
 * slot3: Xen's PAE rule for the L2 behind L3 slot 3 (pv86 issue 14).
 *
 * That L2 holds the hypervisor's entries (slots 428-511, which the
 * hypervisor writes when it validates it) and may be used by exactly one
 * L3 (xen/arch/x86/mm.c, pae_xen_mappings_check: "PAE L3 3rd slot is
 * shared", -EINVAL). pv86 used to accept a slot-3 L2 shared by every L3
 * (pvguest relied on it, and died at its first pin on a real Xen). Here
 * each way of sharing it, or of using it as an ordinary L2, is refused
 * with Xen's answer, an L3 with a slot-3 L2 of its own is accepted, and
 * the hypervisor says "PAE L3 3rd slot is shared" once per shared pin or
 * base pointer (tests/guests/slot3.sh counts the lines).
 */
#include "guest.h"

#include "attack.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define SCR(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCR_MFN(i) pfn_to_mfn(SCR(i) >> 12)
#define HV_SLOT 428u                          /* l2 index of HYPERVISOR_VIRT_START */

enum { L3A, L2H_A, L3B, L2H_B };              /* our scratch frames */

static int32_t mmuext1(uint32_t cmd, uint32_t arg1)
{
    struct mmuext_op op = { cmd, arg1, 0 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static int32_t mmu1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return hv_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static uint64_t entry(uint32_t mfn)
{
    return ((uint64_t)mfn << 12) | PTE_P;
}

/* Frame i as a plain page, zeroed, then read-only (a table may be mapped
 * read-only only). fill: entries 4-511 get junk (for an L3). */
static void fresh(unsigned i, uint64_t e0, uint64_t e3, int fill)
{
    uint64_t *t = (uint64_t *)SCR(i);
    map_page(SCR(i), SCR_MFN(i), PTE_P | PTE_RW | PTE_A | PTE_D);
    memset(t, 0, 4096);
    t[0] = e0;
    t[3] = e3;
    for (unsigned j = 4; fill && j < 512; j++)
        t[j] = 0x0BAD0000ull | j;
    map_page(SCR(i), SCR_MFN(i), PTE_P | PTE_A);
}

static const uint64_t *table(unsigned i)
{
    return (const uint64_t *)SCR(i);
}

static void slot3(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint64_t our0 = l3[0], our3 = l3[3];
    uint32_t a = SCR_MFN(L3A), b = SCR_MFN(L3B), ha = SCR_MFN(L2H_A), hb = SCR_MFN(L2H_B);
    printf("slot3: the L2 behind L3 slot 3 belongs to one L3\n");

    /* Our running L3's slot-3 L2 in a second L3. */
    fresh(L3A, our0, our3, 0);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, a), -XEN_EINVAL),
       "an L3 whose slot 3 is our running L3's slot-3 L2: pin -EINVAL");
    ok(EQ(mmuext1(MMUEXT_NEW_BASEPTR, a), -XEN_EINVAL) &&
       hv_xen_version(XENVER_version, NULL) == 0x30000,
       "the same L3 as our base pointer: -EINVAL, and we run on as before");
    ok(map_page(SCR(L3A), a, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "the refused L3 kept no reference: it maps writable again");

    /* A slot-3 L2 of its own: an empty page the hypervisor fills. */
    fresh(L2H_A, 0, 0, 0);
    fresh(L3A, our0, entry(ha), 1);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, a), 0), "the L3 with a slot-3 L2 of its own: pinned");
    unsigned guest_part = 0, junk = 0;
    for (unsigned j = 0; j < HV_SLOT; j++)
        guest_part += table(L2H_A)[j] != 0;
    for (unsigned j = 4; j < 512; j++)
        junk += table(L3A)[j] != 0;
    uint64_t m2p = table(L2H_A)[HV_SLOT];
    ok(guest_part == 0 && (m2p & PTE_P) && !(m2p & PTE_RW) &&
       !owns_mfn((uint32_t)(m2p >> 12) & 0xFFFFFu),
       "its slot-3 L2: slots 0-427 empty (%u set), slot 428 the hypervisor's read-only M2P",
       guest_part);
    ok(junk == 0, "the L3's entries 4-511 cleared when it was validated, as Xen (%u left)", junk);

    /* That L2 now belongs to that L3. */
    fresh(L3B, our0, entry(ha), 0);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, b), -XEN_EINVAL),
       "a third L3 over the second one's slot-3 L2: pin -EINVAL");
    ok(EQ(mmuext1(MMUEXT_PIN_L2_TABLE, ha), -XEN_EINVAL),
       "that slot-3 L2 pinned as an ordinary L2: -EINVAL");
    ok(EQ(mmu1(((uint64_t)a << 12) + 1 * 8, entry(ha)), -XEN_EINVAL),
       "that slot-3 L2 in slot 1 of its own L3 (mmu_update): -EINVAL");
    fresh(L2H_B, 0, 0, 0);
    ok(EQ(mmu1(((uint64_t)a << 12) + 3 * 8, entry(hb)), -XEN_EINVAL) &&
       EQ(mmu1(((uint64_t)a << 12) + 3 * 8, entry(ha)), -XEN_EINVAL),
       "slot 3 of an L3 in use changed, to another L2 or to the same: -EINVAL");
    fresh(L3B, our0, 0, 0);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, b), -XEN_EINVAL), "an L3 without slot 3: pin -EINVAL");
    fresh(L3B, our0, our0, 0);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, b), -XEN_EINVAL),
       "an L3 whose slot 3 is our slot-0 L2 (an ordinary L2 in use): pin -EINVAL");

    /* Released, it may serve another L3; Xen leaves its entries in it. */
    ok(EQ(mmuext1(MMUEXT_UNPIN_TABLE, a), 0), "the second L3 unpinned");
    ok(table(L2H_A)[HV_SLOT] == m2p, "its slot-3 L2 keeps the hypervisor's entries, as Xen's");
    fresh(L3B, our0, entry(ha), 0);
    ok(EQ(mmuext1(MMUEXT_PIN_L3_TABLE, b), 0) && EQ(mmuext1(MMUEXT_UNPIN_TABLE, b), 0),
       "the third L3 over it now: pinned and unpinned");
    ok(map_page(SCR(L2H_A), ha, PTE_P | PTE_RW | PTE_A | PTE_D) == 0 &&
       map_page(SCR(L3A), a, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "no table left: the L3 and its slot-3 L2 map writable again");
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "slot3: the hypervisor still serves us");
}

int slot3_case(const char *name, size_t len)
{
    if (len != 5 || memcmp(name, "slot3", 5) != 0)
        return -1;
    slot3();
    signal_innocent();
    return tap_done();
}
