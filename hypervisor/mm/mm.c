/*
 * mm: machine memory (see mm.h).
 *
 * Boot order: find RAM in the multiboot memory map; track every frame below
 * the direct-map ceiling; reserve what is in use (low 1 MiB, the hypervisor
 * image, multiboot structures and modules); allocate the frame table and the
 * M2P; build the hypervisor's page tables (2 MiB identity pages plus the
 * switcher) and turn on PAE paging with CR0.WP.
 */
#include "mm/mm.h"

#include <pv86/errno.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/grant.h"
#include "core/hypercall.h"
#include "core/panic.h"
#include "mm/pagetable.h"

#define MAX_FRAMES   (HYPERVISOR_VIRT_START >> PAGE_SHIFT)
#define M2P_L2_FIRST 428u      /* l2_index(MACH2PHYS_VIRT_START) */
#define M2P_L2_SLOTS 8u
#define IOAPIC_PHYS  0xFEC00000u   /* the PC's I/O APIC */

extern char hv_image_start[], hv_image_end[];
extern char switcher_phys[], switcher_start[], switcher_end[];

struct frame_alloc frame_allocator;
struct page_info *frame_table;
uint32_t max_mfn;
uint32_t *m2p_table;

static uint32_t alloc_bitmap[MAX_FRAMES / 32];
static uint64_t hv_pdpt[4] __attribute__((aligned(32)));
static uint64_t hv_l2[4][512] __attribute__((aligned(4096)));

static uint32_t zero_mfn, hv_gdt_mfn, sw_data_mfn, sw_stack_mfn, sw_template_mfn;
static uint32_t m2p_l1_mfn[M2P_L2_SLOTS];
static uint32_t sw_text_pages;     /* exactly the switcher's pages: no more */
static unsigned m2p_l1_count;

/* The frame-table lookup: every frame number a guest names, at its full
 * width, comes through here before it is used as an index or narrowed. */
static struct page_info *ops_page(void *ctx, mfn_t mfn)
{
    (void)ctx;
    if (!mm_frame_is_ram(mfn))
        return NULL;
    return &frame_table[(uint32_t)mfn];     /* < max_mfn: the narrowing is exact */
}

static void *ops_map(void *ctx, mfn_t mfn)
{
    (void)ctx;
    if (!mm_frame_is_ram(mfn))
        return NULL;
    uint32_t m = (uint32_t)mfn;             /* < max_mfn: the narrowing is exact */
    return m != 0 ? mfn_to_virt(m) : NULL;
}

static void ops_hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    struct domain *d = domain_by_id(dom);
    (void)ctx;
    ASSERT(d);
    mm_fill_hypervisor_slots(l2, d->switcher_l1_mfn);
}

static void ops_validated(void *ctx, uint16_t dom, unsigned n)
{
    struct domain *d = domain_by_id(dom);
    (void)ctx;
    if (d)
        d->stats.pt_validated += n;
}

/* Preemptible page-table work stops when a hypercall should (see
 * hypercall_preempt_check and docs/continuations.md). */
static int ops_preempt(void *ctx)
{
    (void)ctx;
    return hypercall_preempt_check();
}

/* page_table_warn: a guest may repeat a refused request forever, so only
 * its first lines are printed. The budget is each domain's own: one that
 * spends it silences nobody else's warnings. */
#define PT_WARN_LINES 16u
static void pt_warn(uint16_t dom, const char *msg)
{
    static uint8_t said[MAX_DOMAINS + 1];
    if (dom > MAX_DOMAINS || said[dom] == PT_WARN_LINES)
        return;
    said[dom]++;
    printk("d%u: %s%s\n", dom, msg,
           said[dom] == PT_WARN_LINES ? " (further warnings not shown)" : "");
}

const struct mm_ops hv_mm_ops = { ops_page, ops_map, ops_hv_slots, NULL, ops_validated,
                                  ops_preempt, 0, &max_mfn };

static void reserve_bytes(uint64_t addr, uint64_t len)
{
    if (len == 0 || addr >= (uint64_t)max_mfn << PAGE_SHIFT)
        return;
    uint64_t end = addr + len;
    frame_alloc_reserve(&frame_allocator, (uint32_t)(addr >> PAGE_SHIFT),
                        (uint32_t)((end + PAGE_SIZE - 1) >> PAGE_SHIFT));
}

static void scan_memory(const multiboot_info_t *mbi)
{
    uint64_t top = 0;

    if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP))
        panic("the boot loader gave no memory map");
    for (uint32_t off = 0; off < mbi->mmap_length;) {
        const multiboot_memory_map_t *e = (const void *)(uintptr_t)(mbi->mmap_addr + off);
        if (e->type == MULTIBOOT_MEMORY_AVAILABLE && e->addr + e->len > top)
            top = e->addr + e->len;
        off += e->size + sizeof(e->size);
    }
    uint64_t ceiling = (uint64_t)MAX_FRAMES << PAGE_SHIFT;
    if (top > ceiling) {
        printk("RAM above %#x is not used (%u MiB beyond the direct map)\n",
               (unsigned)ceiling, (unsigned)((top - ceiling) >> 20));
        top = ceiling;
    }
    max_mfn = (uint32_t)(top >> PAGE_SHIFT);
    frame_alloc_init(&frame_allocator, alloc_bitmap, max_mfn);
    for (uint32_t off = 0; off < mbi->mmap_length;) {
        const multiboot_memory_map_t *e = (const void *)(uintptr_t)(mbi->mmap_addr + off);
        if (e->type == MULTIBOOT_MEMORY_AVAILABLE && e->addr < top) {
            uint64_t end = e->addr + e->len < top ? e->addr + e->len : top;
            frame_alloc_add_free(&frame_allocator,
                                 (uint32_t)((e->addr + PAGE_SIZE - 1) >> PAGE_SHIFT),
                                 (uint32_t)(end >> PAGE_SHIFT));
        }
        off += e->size + sizeof(e->size);
    }

    /* What is in use already. */
    frame_alloc_reserve(&frame_allocator, 0, 0x100000 >> PAGE_SHIFT);
    reserve_bytes((uintptr_t)hv_image_start, (uintptr_t)hv_image_end - (uintptr_t)hv_image_start);
    reserve_bytes((uintptr_t)mbi, sizeof(*mbi));
    reserve_bytes(mbi->mmap_addr, mbi->mmap_length);
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
        reserve_bytes(mbi->cmdline, strlen((const char *)(uintptr_t)mbi->cmdline) + 1);
    if (mbi->flags & MULTIBOOT_INFO_MODS) {
        const multiboot_module_t *mods = (const void *)(uintptr_t)mbi->mods_addr;
        reserve_bytes(mbi->mods_addr, mbi->mods_count * sizeof(*mods));
        for (uint32_t i = 0; i < mbi->mods_count; i++) {
            reserve_bytes(mods[i].mod_start, mods[i].mod_end - mods[i].mod_start);
            if (mods[i].cmdline)
                reserve_bytes(mods[i].cmdline,
                              strlen((const char *)(uintptr_t)mods[i].cmdline) + 1);
        }
    }
}

void mm_release_modules(const multiboot_info_t *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MODS))
        return;
    const multiboot_module_t *mods = (const void *)(uintptr_t)mbi->mods_addr;
    uint32_t before = frame_allocator.nfree;
    for (uint32_t i = 0; i < mbi->mods_count; i++) {
        /* Only whole pages inside the module: the edges may hold other data. */
        uint32_t first = (mods[i].mod_start + PAGE_SIZE - 1) >> PAGE_SHIFT;
        uint32_t end = mods[i].mod_end >> PAGE_SHIFT;
        for (uint32_t m = first; m < end && m < max_mfn; m++) {
            if (frame_alloc_is_free(&frame_allocator, m))
                continue;
            frame_table[m].owner = DOMID_FREE;
            frame_alloc_add_free(&frame_allocator, m, m + 1);
        }
    }
    printk("boot modules: %u frames returned\n", (unsigned)(frame_allocator.nfree - before));
}

int mm_alloc_frame(uint16_t owner, uint32_t *mfn)
{
    int rc = frame_alloc_one(&frame_allocator, mfn);
    if (rc)
        return rc;
    struct page_info *pg = &frame_table[*mfn];
    walk_cache_flush();          /* a frame given out again: no walk may know it */
    memset(pg, 0, sizeof(*pg));
    pg->owner = owner;
    memset(mfn_to_virt(*mfn), 0, PAGE_SIZE);
    return 0;
}

static uint32_t boot_frame(void)
{
    uint32_t mfn;
    if (mm_alloc_frame(DOMID_HV, &mfn))
        panic("out of memory at boot");
    return mfn;
}

static void setup_frame_table_and_m2p(void)
{
    uint32_t ft_pages = (max_mfn * (uint32_t)sizeof(struct page_info) + PAGE_SIZE - 1) / PAGE_SIZE;
    uint32_t first;
    if (frame_alloc_contig(&frame_allocator, ft_pages, &first))
        panic("no room for the frame table (%u pages)", (unsigned)ft_pages);
    frame_table = mfn_to_virt(first);
    for (uint32_t m = 0; m < max_mfn; m++) {
        memset(&frame_table[m], 0, sizeof(frame_table[m]));
        frame_table[m].owner = frame_alloc_is_free(&frame_allocator, m) ? DOMID_FREE : DOMID_HV;
    }

    uint32_t m2p_pages = (max_mfn * 4 + PAGE_SIZE - 1) / PAGE_SIZE;
    if (frame_alloc_contig(&frame_allocator, m2p_pages, &first))
        panic("no room for the M2P table (%u pages)", (unsigned)m2p_pages);
    m2p_table = mfn_to_virt(first);
    for (uint32_t m = 0; m < m2p_pages * (PAGE_SIZE / 4); m++)
        m2p_table[m] = INVALID_M2P_ENTRY;
    for (uint32_t m = first; m < first + m2p_pages; m++)
        frame_table[m].owner = DOMID_HV;

    /* Read-only L1s that map the M2P for guests at MACH2PHYS_VIRT_START. */
    m2p_l1_count = (m2p_pages + 511) / 512;
    if (m2p_l1_count > M2P_L2_SLOTS)
        panic("M2P larger than its virtual area");
    for (unsigned i = 0; i < m2p_l1_count; i++) {
        m2p_l1_mfn[i] = boot_frame();
        uint64_t *l1 = mfn_to_virt(m2p_l1_mfn[i]);
        for (unsigned j = 0; j < 512 && i * 512 + j < m2p_pages; j++)
            l1[j] = ((uint64_t)(first + i * 512 + j) << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED;
    }
}

static void setup_switcher_template(void)
{
    uint32_t text_mfn = (uint32_t)(uintptr_t)switcher_phys >> PAGE_SHIFT;
    sw_text_pages = ((uint32_t)(switcher_end - switcher_start) + PAGE_SIZE - 1) / PAGE_SIZE;
    if (sw_text_pages > SW_TEXT_PAGES)
        panic("switcher text larger than %u pages", SW_TEXT_PAGES);

    zero_mfn = boot_frame();
    hv_gdt_mfn = boot_frame();
    sw_data_mfn = boot_frame();
    sw_stack_mfn = boot_frame();
    sw_template_mfn = boot_frame();

    const uint64_t ro = _PAGE_PRESENT | _PAGE_ACCESSED;
    uint64_t *l1 = mfn_to_virt(sw_template_mfn);
    for (unsigned i = 0; i < sw_text_pages; i++)
        l1[l1_index(SW_TEXT_VA) + i] = ((uint64_t)(text_mfn + i) << PAGE_SHIFT) | ro;
    l1[l1_index(SW_DATA_VA)] = ((uint64_t)sw_data_mfn << PAGE_SHIFT) | ro;
    for (unsigned i = 0; i < SW_GDT_PAGES; i++) {
        uint32_t m = i == FIRST_RESERVED_GDT_PAGE ? hv_gdt_mfn : zero_mfn;
        l1[l1_index(SW_GDT_VA) + i] = ((uint64_t)m << PAGE_SHIFT) | ro;
    }
    l1[l1_index(SW_STACK_VA)] = ((uint64_t)sw_stack_mfn << PAGE_SHIFT) | ro |
                                _PAGE_RW | _PAGE_DIRTY;
}

/* The frame a switcher L1 maps as the entry stack. */
static uint32_t switcher_stack_mfn(uint32_t switcher_l1_mfn)
{
    const uint64_t *l1 = mfn_to_virt(switcher_l1_mfn);
    return (uint32_t)(l1[l1_index(SW_STACK_VA)] >> PAGE_SHIFT) & 0xFFFFFu;
}

void mm_free_domain_frames(uint16_t dom, uint32_t switcher_l1_mfn)
{
    uint32_t freed = 0, kept = 0, granted = 0;
    /* Never leave the hypervisor on a switcher L1 that is about to go. */
    if (hv_l2[3][SWITCHER_L2_SLOT] >> PAGE_SHIFT == switcher_l1_mfn)
        mm_use_switcher_l1(sw_template_mfn);
    uint32_t stack_mfn = switcher_l1_mfn ? switcher_stack_mfn(switcher_l1_mfn) : 0;
    if (stack_mfn == sw_stack_mfn)
        stack_mfn = 0;                  /* never the template's */
    for (uint32_t m = 0; m < max_mfn; m++) {
        struct page_info *pg = &frame_table[m];
        if (pg->owner != dom && m != switcher_l1_mfn && m != stack_mfn)
            continue;
        if (pg->count || pg->type_count) {
            /* still referenced: never reuse it (reported above); frames
             * others' grant maps hold go when they unmap (core/grant.c) */
            uint32_t gc, gt;
            grant_refs_on_frame(dom, m, &gc, &gt);
            if (pg->owner == dom && pg->count <= gc && pg->type_count <= gt)
                granted++;
            else
                kept++;
            continue;
        }
        memset(pg, 0, sizeof(*pg));
        pg->owner = DOMID_FREE;
        m2p_table[m] = INVALID_M2P_ENTRY;
        frame_alloc_free(&frame_allocator, m);
        freed++;
    }
    if (granted)
        printk("d%u: %u frames back in the free pool (%u free), %u kept for other domains' "
               "grant maps%s\n", dom, freed, (unsigned)frame_allocator.nfree, granted,
               kept ? ", some kept: still referenced" : "");
    else
        printk("d%u: %u frames back in the free pool (%u free)%s\n", dom, freed,
               (unsigned)frame_allocator.nfree, kept ? ", some kept: still referenced" : "");
}

int mm_free_orphan_frame(uint32_t mfn)
{
    if (mfn >= max_mfn)
        return 0;
    struct page_info *pg = &frame_table[mfn];
    struct domain *d = domain_by_id(pg->owner);
    if (!d || d->state != DOM_DEAD || pg->count || pg->type_count)
        return 0;
    memset(pg, 0, sizeof(*pg));
    pg->owner = DOMID_FREE;
    m2p_table[mfn] = INVALID_M2P_ENTRY;
    frame_alloc_free(&frame_allocator, mfn);
    return 1;
}

unsigned mm_free_orphans(void)
{
    unsigned n = 0;
    for (uint32_t m = 0; m < max_mfn; m++)
        if (frame_table[m].owner != DOMID_FREE && frame_table[m].owner != DOMID_HV)
            n += (unsigned)mm_free_orphan_frame(m);
    return n;
}

/* A domain's switcher L1: the template, with an entry-stack frame of its
 * own (zeroed) in place of the boot one, so that no two domains share a
 * page either can write (layout.h). */
int mm_new_switcher_l1(uint32_t *mfn)
{
    uint32_t stack_mfn;
    int rc = mm_alloc_frame(DOMID_HV, &stack_mfn);
    if (rc)
        return rc;
    rc = mm_alloc_frame(DOMID_HV, mfn);
    if (rc) {
        frame_table[stack_mfn].owner = DOMID_FREE;
        frame_alloc_free(&frame_allocator, stack_mfn);
        return rc;
    }
    uint64_t *l1 = mfn_to_virt(*mfn);
    memcpy(l1, mfn_to_virt(sw_template_mfn), PAGE_SIZE);
    l1[l1_index(SW_STACK_VA)] = ((uint64_t)stack_mfn << PAGE_SHIFT) | _PAGE_PRESENT |
                                _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY;
    return 0;
}

/* Show this switcher L1 (and so this vCPU's entry stack, GDT and LDT
 * frames) in the hypervisor's address space too. Once paging is on, the
 * old L1's translations must go: the exit path writes the new frame at
 * SW_STACK_VA before it loads the guest's CR3. */
void mm_use_switcher_l1(uint32_t mfn)
{
    hv_l2[3][SWITCHER_L2_SLOT] = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT |
                                 _PAGE_RW | _PAGE_ACCESSED;
    if (read_cr0() & CR0_PG)
        write_cr3(read_cr3());
}

void mm_fill_hypervisor_slots(uint64_t *l2, uint32_t switcher_l1_mfn)
{
    for (unsigned i = M2P_L2_FIRST; i < 512; i++)
        l2[i] = 0;
    for (unsigned i = 0; i < m2p_l1_count; i++)
        l2[M2P_L2_FIRST + i] = ((uint64_t)m2p_l1_mfn[i] << PAGE_SHIFT) |
                               _PAGE_PRESENT | _PAGE_ACCESSED;
    l2[SWITCHER_L2_SLOT] = ((uint64_t)switcher_l1_mfn << PAGE_SHIFT) |
                           _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED;
}

static void setup_paging(void)
{
    /* Direct map: 2 MiB pages over [0, max_mfn), never global. */
    uint32_t top = max_mfn << PAGE_SHIFT;
    for (uint32_t va = 0; va < top; va += 0x200000) {
        hv_l2[l3_index(va)][l2_index(va)] = (uint64_t)va | _PAGE_PRESENT | _PAGE_RW |
                                            _PAGE_PSE | _PAGE_ACCESSED | _PAGE_DIRTY;
    }
    /* The I/O APIC's registers (the NMI watchdog), uncached, in the
     * hypervisor's address space only: no guest L2 has this slot. */
    hv_l2[3][l2_index(IOAPIC_PHYS)] = (uint64_t)(IOAPIC_PHYS & ~0x1FFFFFu) | _PAGE_PRESENT |
                                      _PAGE_RW | _PAGE_PSE | _PAGE_PCD | _PAGE_PWT |
                                      _PAGE_ACCESSED | _PAGE_DIRTY;
    mm_use_switcher_l1(sw_template_mfn);
    for (unsigned i = 0; i < 4; i++)
        hv_pdpt[i] = (uint64_t)(uintptr_t)hv_l2[i] | _PAGE_PRESENT;

    write_cr4(read_cr4() | CR4_PAE);
    write_cr3(mm_hv_cr3());
    /* Also what a protected-mode system sets for the x87: errors as #MF
     * (NE), WAIT honouring TS (MP). A guest's SMSW shows these bits. */
    write_cr0(read_cr0() | CR0_PG | CR0_WP | CR0_NE | CR0_MP);
}

/* MAXPHYADDR, as the CPU reports it (CPUID 0x80000008 EAX[7:0]); 36 when
 * the leaf is missing, as the SDM says. Kept within PAE's 36..52. */
static void read_paddr_bits(void)
{
    uint32_t r[4];
    unsigned bits = 36;
    cpuid_count(0x80000000u, 0, r);
    if (r[0] >= 0x80000008u) {
        cpuid_count(0x80000008u, 0, r);
        bits = r[0] & 0xFF;
    }
    pte_paddr_bits = bits < 36 ? 36 : bits > 52 ? 52 : bits;
}

void mm_init(const multiboot_info_t *mbi)
{
    page_table_warn = pt_warn;
    read_paddr_bits();
    scan_memory(mbi);
    /* Paging is still off here: every frame is reachable at its address. */
    setup_frame_table_and_m2p();
    setup_switcher_template();
    setup_paging();
    printk("memory: %u MiB direct-mapped, %u frames free, M2P %u frames, "
           "%u physical address bits\n",
           (unsigned)(max_mfn >> 8), (unsigned)frame_allocator.nfree,
           (unsigned)((max_mfn * 4 + PAGE_SIZE - 1) / PAGE_SIZE), pte_paddr_bits);
}

uint32_t mm_hv_cr3(void) { return (uint32_t)(uintptr_t)hv_pdpt; }
volatile uint32_t *mm_ioapic(void) { return (volatile uint32_t *)(uintptr_t)IOAPIC_PHYS; }
uint32_t mm_zero_mfn(void) { return zero_mfn; }
uint32_t mm_hv_gdt_mfn(void) { return hv_gdt_mfn; }
uint32_t mm_switcher_data_mfn(void) { return sw_data_mfn; }

static uint32_t fnv1a(uint32_t h, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

uint32_t mm_switcher_checksum(void)
{
    uint32_t h = 2166136261u;
    uint8_t data[PAGE_SIZE];
    h = fnv1a(h, (const uint8_t *)switcher_phys, sw_text_pages * PAGE_SIZE);
    /* TSS.esp1/ss1 follow the guest's stack_switch, IDT entry 0x80 its
     * direct trap gate, SWD_GUEST_DR7 its breakpoints and the LDT
     * descriptor its SET_LDT: not part of the check. */
    memcpy(data, mfn_to_virt(sw_data_mfn), PAGE_SIZE);
    memset(data + SWD_TSS + TSS_ESP1_OFFSET, 0, 8);
    memset(data + SWD_IDT + 0x80 * 8, 0, 8);
    memset(data + SWD_GUEST_DR7, 0, 4);     /* the running vCPU's DR7 */
    h = fnv1a(h, data, PAGE_SIZE);
    memcpy(data, mfn_to_virt(hv_gdt_mfn), PAGE_SIZE);
    memset(data + ((HV_LDT_SEL >> 3) - FIRST_RESERVED_GDT_ENTRY) * 8, 0, 8);
    h = fnv1a(h, data, PAGE_SIZE);
    h = fnv1a(h, mfn_to_virt(zero_mfn), PAGE_SIZE);
    return h;
}
