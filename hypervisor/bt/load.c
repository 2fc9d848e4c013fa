/*
 * load: a bt domain from a multiboot kernel. What te's builder makes (the
 * virtual CPU, the shadow page tables and GDT: vx_build, the kernel
 * started in protected mode without paging: te/load.c) plus the cache's region of
 * bt/layout.h, mapped in the shadow L2 of L3 slot 3 only (never in a
 * guest's own tables; te's shadow flush drops only its pool's L1s, never
 * these two):
 *
 *   L2 slot 504  vpage (RW), guard (not present), lookup table (RO)
 *   L2 slot 505  the 2 MiB translation cache (RO)
 *
 * all supervisor: ring 1 reads them, CR0.WP stops its writes; ring 3
 * reaches none. The hypervisor writes the cache and the lookup table
 * through its direct map (mfn_to_virt), so each is contiguous there. The
 * selectors of translated code, BT_CS_SEL and BT_GS_SEL, are entries of
 * the shadow GDT's page 14 the domain keeps beside the hypervisor's.
 */
#include <multiboot/multiboot.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/elf_xen.h"
#include "core/panic.h"
#include "mm/frame_table.h"
#include "mm/mm.h"
#include "bt/priv.h"
#include "vm/build.h"

#define VPAGE_L2_SLOT  ((BT_VPAGE_VA >> 21) & 511)
#define TC_L2_SLOT     ((BT_TC_VA >> 21) & 511)


/* A frame for d; bt_domain_build counted them before taking any. */
static void alloc(struct domain *d, uint32_t *mfn)
{
    if (mm_alloc_frame(d->id, mfn))
        panic("frame allocator ran dry after its count said otherwise");
}

/* n contiguous frames of d's, zeroed: 0, or -1 if no run is that long. */
static int alloc_contig(struct domain *d, uint32_t n, uint32_t *first)
{
    if (frame_alloc_contig(&frame_allocator, n, first))
        return -1;
    for (uint32_t m = *first; m < *first + n; m++) {
        memset(&frame_table[m], 0, sizeof(frame_table[m]));
        frame_table[m].owner = d->id;
        memset(mfn_to_virt(m), 0, PAGE_SIZE);
    }
    return 0;
}

static void give_back(uint32_t first, uint32_t n)
{
    for (uint32_t m = first; m < first + n; m++) {
        memset(&frame_table[m], 0, sizeof(frame_table[m]));
        frame_table[m].owner = DOMID_FREE;
        frame_alloc_free(&frame_allocator, m);
    }
}

/* A flat descriptor: base, 4 GiB limit (4 KiB units), 32-bit, present,
 * DPL 1, type (0x9 code execute-only, 0x3 data read/write: accessed, for
 * the shadow GDT is read-only to the CPU too). */
static uint64_t desc_flat(uint32_t base, unsigned type)
{
    uint64_t d = 0xFFFFull | ((uint64_t)(base & 0xFFFFFF) << 16) |
                 ((uint64_t)(0x90 | (1u << 5) | type) << 40) | (0xCull << 52) | (0xFull << 48) |
                 ((uint64_t)(base >> 24) << 56);
    return d;
}

/* The region's two L1 tables into the shadow L2 of slot 3. */
static void map_region(struct bt_state *b)
{
    struct vx_cpu *t = &b->te.vx;
    uint64_t *l1v = mfn_to_virt(b->l1_mfn[0]), *l1t = mfn_to_virt(b->l1_mfn[1]);
    l1v[0] = ((uint64_t)b->vpage_mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
             _PAGE_ACCESSED | _PAGE_DIRTY;
    for (unsigned i = 0; i < BT_LOOKUP_PAGES; i++)
        l1v[((BT_LOOKUP_VA - BT_VPAGE_VA) >> PAGE_SHIFT) + i] =
            ((uint64_t)(b->lookup_mfn + i) << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED;
    for (unsigned i = 0; i < BT_TC_PAGES; i++)
        l1t[i] = ((uint64_t)(b->tc_mfn + i) << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED;
    uint64_t *l2 = mfn_to_virt(t->sl2_mfn[3]);
    l2[VPAGE_L2_SLOT] = ((uint64_t)b->l1_mfn[0] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
                        _PAGE_ACCESSED;
    l2[TC_L2_SLOT] = ((uint64_t)b->l1_mfn[1] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
                     _PAGE_ACCESSED;
}

int bt_domain_build(struct domain *d, const void *image, size_t size, const char *cmdline,
                    unsigned mb)
{
    struct elf_xen_info info;
    struct bt_state *b;
    struct vx_cpu *t;
    uint32_t nr_pages = mb << (20 - PAGE_SHIFT);

    int rc = mb_check(d->id, image, size, mb, &info);
    if (rc)
        return rc;
    /* te's (the RAM and its map, shared_info, the virtual CPU's, the
     * switcher L1 with its entry-stack frame) and bt's: its state, the
     * vpage, lookup table, cache, two L1s. */
    unsigned extra = 1 + vx_frames_needed(nr_pages) + 2;
    unsigned state_pages = (sizeof(struct bt_state) + PAGE_SIZE - 1) / PAGE_SIZE;
    unsigned region = 1 + BT_LOOKUP_PAGES + BT_TC_PAGES + 2 + state_pages;
    if (frame_allocator.nfree < gpmem_frames_needed(nr_pages) + extra + region) {
        printk("d%u: not enough free memory for %u MiB and bt's translation cache\n", d->id,
               mb);
        return -XEN_ENOMEM;
    }
    /* The three runs the hypervisor uses through its direct map first:
     * the state (the cache's metadata is most of it), the cache, the
     * lookup table. */
    uint32_t state_mfn, tc_mfn, lookup_mfn;
    if (alloc_contig(d, state_pages, &state_mfn)) {
        printk("d%u: no %u contiguous free frames for bt's state\n", d->id, state_pages);
        return -XEN_ENOMEM;
    }
    if (alloc_contig(d, BT_TC_PAGES, &tc_mfn)) {
        give_back(state_mfn, state_pages);
        printk("d%u: no %u contiguous free frames for bt's translation cache\n", d->id,
               BT_TC_PAGES);
        return -XEN_ENOMEM;
    }
    if (alloc_contig(d, BT_LOOKUP_PAGES, &lookup_mfn)) {
        give_back(state_mfn, state_pages);
        give_back(tc_mfn, BT_TC_PAGES);
        printk("d%u: no %u contiguous free frames for bt's lookup table\n", d->id,
               BT_LOOKUP_PAGES);
        return -XEN_ENOMEM;
    }
    b = mfn_to_virt(state_mfn);                 /* zeroed */
    t = &b->te.vx;
    b->tc_mfn = tc_mfn;
    b->lookup_mfn = lookup_mfn;
    uint32_t cpuid7[4];
    cpuid_count(0, 0, cpuid7);
    if (cpuid7[0] >= 7) {
        cpuid_count(7, 0, cpuid7);
        te_umip_available = (cpuid7[2] >> 2) & 1;
    }

    struct mb_boot boot;
    vm_build_common(d, &bt_mode_ops, b, &t->mem, nr_pages, image, &info, cmdline, &boot);

    /* The virtual CPU as te's (vx_build: shadow GDT, shadow roots and
     * pool, the virtual PC), with bt's two entries in the shadow GDT's
     * page 14 beside the hypervisor's, no M2P (a guest kernel that is not
     * PV has no use for it, and ring 1 could read it: of the hypervisor's
     * area only the switcher and the cache's region stay), the region. */
    vx_build(d, t, nr_pages);
    t->bt = 1;
    uint64_t *page14 = mfn_to_virt(t->gdt_mfn[FIRST_RESERVED_GDT_ENTRY / 512]);
    /* BT_CS_SEL execute-only: translated code never reads through CS (a
     * guest cs: operand is a callout), and so the guest kernel's copied
     * loads of ES, DS and FS cannot load it (#GP with its selector, as
     * bare QEMU's for an entry beyond the guest's GDT limit:
     * bthostile test=segload). BT_GS_SEL must stay loadable in ring 1. */
    page14[(BT_CS_SEL >> 3) % 512] = desc_flat(0, 0x9);
    page14[(BT_GS_SEL >> 3) % 512] = desc_flat(BT_VPAGE_VA, 0x3);
    uint64_t *sl2 = mfn_to_virt(t->sl2_mfn[3]);
    for (unsigned i = l2_index(HYPERVISOR_VIRT_START); i < SWITCHER_L2_SLOT; i++)
        sl2[i] = 0;
    alloc(d, &b->vpage_mfn);
    alloc(d, &b->l1_mfn[0]);
    alloc(d, &b->l1_mfn[1]);
    map_region(b);
    bt_vpage(b)[BT_VP_PEND / 4] = BT_VP_PEND_OK;

    b->vcpu = &d->vcpu;
    bt_runtime_init(b);

    vx_boot_regs(&d->vcpu.regs, boot.entry, boot.mbi_gpa);

    sched_add(d);
    printk("d%u%s%s%s: multiboot kernel under binary translation (bt), %u MiB, entry %#x, "
           "%u KiB translation cache\n", d->id, d->name[0] ? " (" : "", d->name,
           d->name[0] ? ")" : "", mb, boot.entry, BT_TC_SIZE >> 10);
    return 0;
}
