/*
 * ptkeep: PAE page tables changed between CR3 writes, in a slot that two
 * address spaces share (their PDPTE 0 names one page directory, as a
 * kernel's half does) and that the CPU or a shadow MMU may keep across a
 * CR3 write only while nobody writes its tables. After each change a CR3
 * write (to the other space, or the same one reloaded) must show it, with
 * no invlpg: a PTE's new frame, a PDE's new page table, a cleared A bit
 * set again by the next read, and a PTE that an `insl` from the PCI
 * configuration port wrote (a write the hypervisor makes for the guest
 * under te and bt), then not present. Last, a PDPTE changed in memory
 * with no CR3 write: a mov to CR0 that sets CD, and a mov to CR4 that
 * changes PGE, load the PDPTEs again (SDM Vol. 3, 4.4.1), so the new page
 * directory is used (each address read for the first time since the TLB
 * was last flushed: QEMU reads PDPTEs at every walk).
 */
#include "mbkern.h"
#include "pae.h"

const char mbk_name[] = "ptkeep";

#define VA_T   0x00800000u          /* slot 0, 2 MiB region 4: 4 KiB pages */
#define A      0x020ull

static struct pae sp_a;
static uint64_t pd1_b[512] __attribute__((aligned(4096)));
static uint64_t pdpt_b[4] __attribute__((aligned(32)));
static uint64_t pt2[512] __attribute__((aligned(4096)));
static uint32_t frames[4][1024] __attribute__((aligned(4096)));
static uint64_t pd2_c[512] __attribute__((aligned(4096)));
static uint64_t pt2_c[512] __attribute__((aligned(4096)));

#define VA_S2  0x80000000u          /* slot 2: empty until the PDPTE is rewritten */

static inline void set_cr3(const void *p) { __asm__ volatile("movl %0, %%cr3" :: "r"(p) : "memory"); }
static inline uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static inline uint32_t get_cr0(void) { uint32_t v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); return v; }
static inline void set_cr0(uint32_t v) { __asm__ volatile("movl %0, %%cr0" :: "r"(v) : "memory"); }
static inline uint32_t get_cr4(void) { uint32_t v; __asm__ volatile("movl %%cr4, %0" : "=r"(v)); return v; }
static inline void set_cr4(uint32_t v) { __asm__ volatile("movl %0, %%cr4" :: "r"(v) : "memory"); }

static volatile uint32_t s2_value;
static void read_s2(void *va) { s2_value = rd((uint32_t)va); }

static void read_at(void *va) { (void)rd((uint32_t)va); }

/* Each space's view, after a few switches (the slot warm in any cache). */
static void warm(void)
{
    for (int i = 0; i < 4; i++) {
        set_cr3(pdpt_b);
        (void)rd(VA_T);
        set_cr3(sp_a.pdpt);
        (void)rd(VA_T);
    }
}

void mbk_main(void)
{
    for (unsigned f = 0; f < 4; f++)
        frames[f][0] = 0x7E570000u + f;
    pae_build(&sp_a, VA_T);
    pae_map4k(&sp_a, VA_T, (uint32_t)frames[0]);
    for (unsigned i = 0; i < 512; i++)
        pd1_b[i] = 0;
    for (unsigned d = 0; d < 4; d++)
        pdpt_b[d] = sp_a.pdpt[d];
    pdpt_b[1] = (uint32_t)pd1_b | PAE_P;          /* only slot 1 differs */
    pt2[0] = (uint32_t)frames[3] | PAE_W | PAE_P;
    pae_on(&sp_a);

    warm();
    report(rd(VA_T) == 0x7E570000u, "both spaces: the shared slot's page reads frame 0");

    sp_a.pt[0] = (uint32_t)frames[1] | PAE_W | PAE_P;
    set_cr3(pdpt_b);
    report(rd(VA_T) == 0x7E570001u, "a PTE of the shared slot changed, a CR3 write to the other "
           "space: its new frame");
    warm();

    sp_a.pt[0] = (uint32_t)frames[2] | PAE_W | PAE_P;
    set_cr3(sp_a.pdpt);
    report(rd(VA_T) == 0x7E570002u, "a PTE changed, the same CR3 reloaded: its new frame");
    warm();

    sp_a.pd[0][VA_T >> 21] = (uint32_t)pt2 | PAE_W | PAE_P;
    set_cr3(pdpt_b);
    report(rd(VA_T) == 0x7E570003u, "a PDE of the shared slot changed: the new page table's frame");
    warm();

    sp_a.pd[0][VA_T >> 21] = (uint32_t)sp_a.pt | PAE_W | PAE_P;
    set_cr3(pdpt_b);
    (void)rd(VA_T);
    int had_a = (sp_a.pt[0] & A) != 0;
    sp_a.pt[0] &= ~A;
    set_cr3(sp_a.pdpt);
    uint32_t v = rd(VA_T);
    report(had_a && v == 0x7E570002u && (sp_a.pt[0] & A),
           "A cleared in a PTE, a CR3 write: the next read sets it again");
    warm();

    /* COM1's scratch register holds 0: insb puts it in the PTE's flags */
    outb(0x3FF, 0);
    uint8_t *pte_lo = (uint8_t *)&sp_a.pt[0];
    __asm__ volatile("cld; rep insb" : "+D"(pte_lo), "=c"(v) : "d"(0x3FF), "1"(1) : "memory");
    set_cr3(pdpt_b);
    int vec = mbk_catch(read_at, (void *)VA_T);
    report(vec == 14 && mbk_last_cr2 == VA_T && mbk_last_error == 0,
           "a PTE's flags written by insb (now 0x%x), a CR3 write: not present, #PF error 0x0",
           (uint32_t)sp_a.pt[0] & 0xFFFu);

    /* slot 2's new page directory: VA_S2 -> frame 0, VA_S2 + 4 KiB -> frame 1 */
    for (unsigned i = 0; i < 512; i++)
        pd2_c[i] = pt2_c[i] = 0;
    pd2_c[0] = (uint32_t)pt2_c | PAE_W | PAE_P;
    pt2_c[0] = (uint32_t)frames[0] | PAE_W | PAE_P;
    pt2_c[1] = (uint32_t)frames[1] | PAE_W | PAE_P;
    set_cr3(sp_a.pdpt);                           /* PDPTE 2: the empty directory */
    sp_a.pdpt[2] = (uint32_t)pd2_c | PAE_P;
    uint32_t cr0 = get_cr0();
    set_cr0(cr0 | 0x40000000u);                   /* CD: the PDPTEs are loaded */
    vec = mbk_catch(read_s2, (void *)VA_S2);
    set_cr0(cr0);
    report(vec == -1 && s2_value == 0x7E570000u,
           "a PDPTE rewritten, then CR0.CD set: the new page directory (%s)", vec == -1 ? "read" : "a fault");

    sp_a.pdpt[2] = (uint32_t)sp_a.pd[2] | PAE_P;  /* back to the empty one ... */
    set_cr3(sp_a.pdpt);
    sp_a.pdpt[2] = (uint32_t)pd2_c | PAE_P;       /* ... rewritten again */
    uint32_t cr4 = get_cr4();
    set_cr4(cr4 ^ 0x80u);                         /* PGE changed: loaded again */
    vec = mbk_catch(read_s2, (void *)(VA_S2 + 0x1000u));
    set_cr4(cr4);
    report(vec == -1 && s2_value == 0x7E570001u,
           "a PDPTE rewritten, then CR4.PGE changed: the new page directory (%s)", vec == -1 ? "read" : "a fault");

    pae_off();
}
