/*
 * address_width: machine addresses with high bits (issue 13, finding 9).
 *
 * A PAE entry's frame field is 40 bits (address bits 12-51) and mmu_update
 * and update_descriptor take 64-bit machine addresses. Our RAM lies far
 * below 2^36, so an entry or address with any bit from 36 to 51 set names a
 * frame that is not RAM (and, above MAXPHYADDR, one the CPU reserves). Each
 * must be refused whole, with Xen's code: an L1 entry -EPERM (MMIO the
 * domain may not map), an L2 or L3 entry -EINVAL, the final L3 slot of a
 * table in use -EINVAL whatever it names, MACHPHYS_UPDATE and
 * update_descriptor -EINVAL. A hypervisor that looked at only 32 bits of the
 * frame number took bits 44-51 for a frame we own; in L3 slot 3 the CPU then
 * loaded a PDPTE naming no RAM and the machine died at the next exit, so the
 * running L3's slot 3 is tried last.
 */
#include "guest.h"

void address_width(void);

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define SCR(i) (GUEST_SCRATCH_VA + (uint32_t)(20 + (i)) * 4096u)   /* pfns 276.. */
#define SCR_MFN(i) pfn_to_mfn(SCR(i) >> 12)
#define FIRST_BIT 36
#define LAST_BIT 51
#define FRAME_BITS 0x000FFFFFFFFFF000ull      /* an entry's address field */

static int32_t mmu1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return hv_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static int32_t mmuext1(uint32_t cmd, uint32_t arg1)
{
    struct mmuext_op op = { cmd, arg1, 0 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* The machine address of entry `index` of the table in frame mfn. */
static uint64_t entry_ma(uint32_t mfn, unsigned index)
{
    return ((uint64_t)mfn << 12) + index * 8u;
}

/* A bootstrap table's contents through the direct map (VA = pfn << 12). */
static const uint64_t *table_of(uint64_t entry)
{
    return (const uint64_t *)(mfn_to_pfn((uint32_t)(entry >> 12) & 0xFFFFFu) << 12);
}

/*
 * One case: try(bit) for every address bit, each must return want. Prints
 * one TAP line; on failure it says which bits gave what. undo(bit), when
 * the call was wrongly accepted, puts things back so the next try is fair.
 */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

static void each_bit(const char *what, int32_t want, int32_t (*try)(unsigned bit),
                     void (*undo)(unsigned bit))
{
    char bad[200];
    size_t len = 0;
    unsigned nbad = 0;
    bad[0] = 0;
    for (unsigned bit = FIRST_BIT; bit <= LAST_BIT; bit++) {
        int32_t rc = try(bit);
        if (rc == want)
            continue;
        if (rc == 0 && undo)
            undo(bit);
        append(bad, sizeof(bad), &len, " %u:%d", bit, (int)rc);
        nbad++;
    }
    ok(nbad == 0, "%s with each address bit %u..%u: %d each%s%s", what, FIRST_BIT, LAST_BIT,
       (int)want, nbad ? ", but got (bit:rc)" : "", bad);
}

/* ---- the cases */

static uint64_t l1e_ma;        /* the L1 entry that maps SCR(0) */
static uint64_t l2e_ma;        /* an empty entry of the slot-0 L2 */
static uint32_t l1_mfn, l2_mfn, l3_mfn, l2h_mfn, own_mfn, gdt_mfn, spare_l3_mfn;
static uint64_t l3e[4];
/* Slot 3 of each L3 we make: an L2 of its own (Xen's PAE rule: the L2
 * behind slot 3 belongs to one L3), an empty page the hypervisor fills. */
static uint64_t spare_l3e3, pin_l3e3;

static int32_t l1_by_mmu_update(unsigned bit)
{
    return mmu1(l1e_ma, ((uint64_t)own_mfn << 12) | (1ull << bit) | PTE_P | PTE_A);
}
static int32_t l1_writable_by_mmu_update(unsigned bit)
{
    return mmu1(l1e_ma, ((uint64_t)own_mfn << 12) | (1ull << bit) | PTE_P | PTE_RW | PTE_A);
}
static int32_t l1_by_update_va_mapping(unsigned bit)
{
    return hv_update_va_mapping(SCR(0), ((uint64_t)own_mfn << 12) | (1ull << bit) | PTE_P |
                                PTE_RW | PTE_A | PTE_D, UVMF_INVLPG);
}
static void l1_undo(unsigned bit)
{
    (void)bit;
    map_page(SCR(0), own_mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
}

static int32_t l2_entry(unsigned bit)
{
    return mmu1(l2e_ma, ((uint64_t)l1_mfn << 12) | (1ull << bit) | PTE_P | PTE_RW | PTE_A);
}
static void l2_undo(unsigned bit)
{
    (void)bit;
    mmu1(l2e_ma, 0);
}

static int32_t spare_l3_slot2(unsigned bit)
{
    return mmu1(entry_ma(spare_l3_mfn, 2), l3e[0] | (1ull << bit));
}
static void spare_l3_undo(unsigned bit)
{
    (void)bit;
    mmu1(entry_ma(spare_l3_mfn, 2), 0);
}
static int32_t spare_l3_slot3(unsigned bit)
{
    return mmu1(entry_ma(spare_l3_mfn, 3), spare_l3e3 | (1ull << bit));
}
static void spare_l3_slot3_undo(unsigned bit)
{
    (void)bit;
    mmu1(entry_ma(spare_l3_mfn, 3), spare_l3e3);
}

/* A fresh L3 in SCR(1) whose slot `slot` carries the bit, pinned. */
static int32_t pin_l3_with(unsigned slot, unsigned bit)
{
    uint64_t *t = (uint64_t *)SCR(1);
    map_page(SCR(1), SCR_MFN(1), PTE_P | PTE_RW | PTE_A | PTE_D);
    memset(t, 0, 4096);
    t[0] = l3e[0];
    t[3] = pin_l3e3;
    t[slot] |= 1ull << bit;
    map_page(SCR(1), SCR_MFN(1), PTE_P | PTE_A);
    return mmuext1(MMUEXT_PIN_L3_TABLE, SCR_MFN(1));
}
static int32_t pin_l3_slot0(unsigned bit) { return pin_l3_with(0, bit); }
static int32_t pin_l3_slot3(unsigned bit) { return pin_l3_with(3, bit); }
static void pin_undo(unsigned bit)
{
    (void)bit;
    mmuext1(MMUEXT_UNPIN_TABLE, SCR_MFN(1));
}

/* A fresh L2 in SCR(1) whose entry 5 names our L1 with the bit, pinned. */
static int32_t pin_l2(unsigned bit)
{
    uint64_t *t = (uint64_t *)SCR(1);
    map_page(SCR(1), SCR_MFN(1), PTE_P | PTE_RW | PTE_A | PTE_D);
    memset(t, 0, 4096);
    t[5] = ((uint64_t)l1_mfn << 12) | (1ull << bit) | PTE_P | PTE_A;
    map_page(SCR(1), SCR_MFN(1), PTE_P | PTE_A);
    return mmuext1(MMUEXT_PIN_L2_TABLE, SCR_MFN(1));
}

static int32_t machphys(unsigned bit)
{
    return mmu1((((uint64_t)own_mfn << 12) | (1ull << bit)) | MMU_MACHPHYS_UPDATE, 0x4321);
}

static int32_t descriptor(unsigned bit)
{
    /* A plain flat ring-1 data segment, fine at the right address. */
    return hv_update_descriptor((((uint64_t)gdt_mfn << 12) | (1ull << bit)) + 8,
                                0x00CFB2000000FFFFull);
}

static int32_t running_l3_slot3(unsigned bit)
{
    return mmu1(entry_ma(l3_mfn, 3), l3e[3] | (1ull << bit));
}
static void running_l3_slot3_undo(unsigned bit)
{
    (void)bit;
    mmu1(entry_ma(l3_mfn, 3), l3e[3]);
}
static int32_t running_l3_slot2(unsigned bit)
{
    return mmu1(entry_ma(l3_mfn, 2), l3e[0] | (1ull << bit));
}
static void running_l3_slot2_undo(unsigned bit)
{
    (void)bit;
    mmu1(entry_ma(l3_mfn, 2), l3e[2]);
}

void address_width(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    for (unsigned i = 0; i < 4; i++)
        l3e[i] = l3[i];
    l3_mfn = pfn_to_mfn(start_info->pt_base >> 12);
    l2_mfn = (uint32_t)(l3e[0] >> 12) & 0xFFFFFu;
    l2h_mfn = (uint32_t)(l3e[3] >> 12) & 0xFFFFFu;
    const uint64_t *l2 = table_of(l3e[0]);
    l1_mfn = (uint32_t)(l2[(SCR(0) >> 21) & 511] >> 12) & 0xFFFFFu;
    l1e_ma = entry_ma(l1_mfn, (SCR(0) >> 12) & 511);
    l2e_ma = entry_ma(l2_mfn, 511);                  /* 1 GiB - 2 MiB: unused */
    own_mfn = SCR_MFN(0);
    gdt_mfn = SCR_MFN(2);
    uint32_t max = (uint32_t)hv_memory_op(XENMEM_maximum_ram_page, NULL);
    uint32_t m2p_before = mfn_to_pfn(own_mfn);

    ok(l2[511] == 0 && l1_mfn && l2h_mfn && (l3e[2] & PTE_P),
       "address width: our tables as the builder left them (L3 %#x, L2 %#x, L1 %#x)",
       (unsigned)l3_mfn, (unsigned)l2_mfn, (unsigned)l1_mfn);

    /* L1 entries. */
    each_bit("an L1 entry by mmu_update", -XEN_EPERM, l1_by_mmu_update, l1_undo);
    each_bit("a writable L1 entry by mmu_update", -XEN_EPERM, l1_writable_by_mmu_update, l1_undo);
    each_bit("an L1 entry by update_va_mapping", -XEN_EPERM, l1_by_update_va_mapping, l1_undo);
    ok(EQ(mmu1(l1e_ma, FRAME_BITS | PTE_P | PTE_A), -XEN_EINVAL),
       "an L1 entry naming frame 2^40-1 (Xen's INVALID_MFN): -EINVAL");
    ok(EQ(mmu1(l1e_ma, ((uint64_t)max << 12) | PTE_P | PTE_A), -XEN_EPERM),
       "an L1 entry naming the first frame past RAM (%#x): -EPERM", (unsigned)max);
    ok(map_page(SCR(0), own_mfn, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "our own frame, at its real address: mapped");

    /* L2 entries, in a table in use and in one being validated. */
    each_bit("an L2 entry by mmu_update", -XEN_EINVAL, l2_entry, l2_undo);
    each_bit("an L2 entry of an L2 being pinned", -XEN_EINVAL, pin_l2, pin_undo);
    ok(EQ(mmu1(l2e_ma, ((uint64_t)max << 12) | PTE_P | PTE_A), -XEN_EINVAL),
       "an L2 entry naming the first frame past RAM: -EINVAL");

    /* L3 entries of a spare L3, pinned beside the running one: its slot 0
     * shares our L2, its slot 3 has an L2 of its own (SCR(4); SCR(5) for
     * the L3s pinned below). */
    for (unsigned i = 4; i <= 5; i++) {
        map_page(SCR(i), SCR_MFN(i), PTE_P | PTE_RW | PTE_A | PTE_D);
        memset((void *)SCR(i), 0, 4096);
        map_page(SCR(i), SCR_MFN(i), PTE_P | PTE_A);
    }
    spare_l3e3 = ((uint64_t)SCR_MFN(4) << 12) | PTE_P;
    pin_l3e3 = ((uint64_t)SCR_MFN(5) << 12) | PTE_P;
    uint64_t *t = (uint64_t *)SCR(3);
    map_page(SCR(3), SCR_MFN(3), PTE_P | PTE_RW | PTE_A | PTE_D);
    memset(t, 0, 4096);
    t[0] = l3e[0];
    t[3] = spare_l3e3;
    map_page(SCR(3), SCR_MFN(3), PTE_P | PTE_A);
    spare_l3_mfn = SCR_MFN(3);
    ok(mmuext1(MMUEXT_PIN_L3_TABLE, spare_l3_mfn) == 0,
       "a spare L3 sharing our slot-0 L2, its own slot-3 L2: pinned");
    each_bit("slot 2 of the spare L3", -XEN_EINVAL, spare_l3_slot2, spare_l3_undo);
    each_bit("slot 3 of the spare L3", -XEN_EINVAL, spare_l3_slot3, spare_l3_slot3_undo);
    ok(EQ(mmuext1(MMUEXT_UNPIN_TABLE, spare_l3_mfn), 0), "the spare L3 unpinned");
    each_bit("slot 0 of an L3 being pinned", -XEN_EINVAL, pin_l3_slot0, pin_undo);
    each_bit("slot 3 of an L3 being pinned", -XEN_EINVAL, pin_l3_slot3, pin_undo);

    /* Frame numbers and machine addresses in other hypercalls. */
    each_bit("MMU_MACHPHYS_UPDATE of our frame", -XEN_EINVAL, machphys, NULL);
    ok(mfn_to_pfn(own_mfn) == m2p_before, "... and the M2P entry of our frame is unchanged");
    ok(EQ(mmu1(((uint64_t)max << 12) | MMU_MACHPHYS_UPDATE, 0), -XEN_EINVAL),
       "MMU_MACHPHYS_UPDATE of the first frame past RAM: -EINVAL");
    map_page(SCR(2), gdt_mfn, PTE_P | PTE_A);
    each_bit("update_descriptor of our read-only page", -XEN_EINVAL, descriptor, NULL);
    ok(EQ(hv_update_descriptor(((uint64_t)max << 12) + 8, 0x00CFB2000000FFFFull), -XEN_EINVAL),
       "update_descriptor past RAM: -EINVAL");
    ok(hv_update_descriptor(((uint64_t)gdt_mfn << 12) + 8, 0x00CFB2000000FFFFull) == 0,
       "update_descriptor of the same page at its real address: accepted");
    map_page(SCR(2), gdt_mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    uint32_t past = max;
    ok(EQ(hv_set_gdt(&past, 8), -XEN_EINVAL), "set_gdt with a frame past RAM: -EINVAL");
    ok(EQ(mmuext1(MMUEXT_PIN_L1_TABLE, max), -XEN_EINVAL) &&
       EQ(mmuext1(MMUEXT_NEW_BASEPTR, 0xFFFFFFFFu), -XEN_EINVAL) &&
       EQ(mmuext1(MMUEXT_UNPIN_TABLE, max), -XEN_EINVAL),
       "pin, unpin and NEW_BASEPTR of frames past RAM: -EINVAL");

    /* Last: the running L3. Its final slot is never changed (Xen's PAE rule);
     * on a hypervisor that kept only 32 frame bits this is where the machine
     * died (QEMU ended with status 0). */
    each_bit("slot 2 of the running L3", -XEN_EINVAL, running_l3_slot2, running_l3_slot2_undo);
    each_bit("slot 3 of the running L3", -XEN_EINVAL, running_l3_slot3, running_l3_slot3_undo);
    ok(EQ(mmu1(entry_ma(l3_mfn, 3), l3e[3] ^ PTE_RW), -XEN_EINVAL),
       "slot 3 of the running L3 with its own L2 and other rights: -EINVAL");
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "address width: the hypervisor still serves us");
}
