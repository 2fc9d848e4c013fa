/*
 * pse: non-PAE two-level paging with 4 MiB pages (CR4.PSE) beside 4 KiB
 * pages: an identity map (4 KiB pages for the first 4 MiB, 4 MiB pages
 * above), aliases at 0x40000000, the accessed and dirty bits the CPU sets
 * in a PTE and in a 4 MiB PDE, CR0.WP, page faults with their CR2 and error
 * code (not present, write to read-only, a reserved bit of a 4 MiB PDE),
 * invlpg of a 4 KiB and of a 4 MiB page, and a CR3 switch.
 */
#include "mbkern.h"

const char mbk_name[] = "pse";

#define P   0x001u
#define W   0x002u
#define A   0x020u
#define D   0x040u
#define PS  0x080u
#define MB4 0x400000u

#define VA_4K   0x40000000u        /* PDE 0x100: a page table of 4 KiB pages */
#define VA_4M   0x40400000u        /* PDE 0x101: a 4 MiB page */
#define VA_RSVD 0x40800000u        /* PDE 0x102: a 4 MiB page with bit 21 set */
#define VA_NONE 0x50000000u        /* PDE 0x140: not present */

static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
static uint32_t pt_low[1024] __attribute__((aligned(4096)));
static uint32_t pt_a[1024] __attribute__((aligned(4096)));
static uint32_t pt_b[1024] __attribute__((aligned(4096)));
static uint32_t frames[4][1024] __attribute__((aligned(4096)));   /* 4 KiB frames */
/* 4 MiB of the image, 4 MiB-aligned: the target of the 4 MiB alias */
static uint32_t big[MB4 / 4] __attribute__((aligned(MB4)));

static inline void set_cr3(uint32_t *pd) { __asm__ volatile("movl %0, %%cr3" :: "r"(pd) : "memory"); }
static inline uint32_t get_cr0(void) { uint32_t v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); return v; }
static inline void set_cr0(uint32_t v) { __asm__ volatile("movl %0, %%cr0" :: "r"(v) : "memory"); }
static inline uint32_t get_cr4(void) { uint32_t v; __asm__ volatile("movl %%cr4, %0" : "=r"(v)); return v; }
static inline void set_cr4(uint32_t v) { __asm__ volatile("movl %0, %%cr4" :: "r"(v) : "memory"); }
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static inline void wr(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }

static void read_at(void *va) { (void)rd((uint32_t)va); }
static void write_at(void *va) { wr((uint32_t)va, 0x77); }

static void build(uint32_t *pd, uint32_t *pt)
{
    for (unsigned i = 0; i < 1024; i++)
        pd[i] = (i * MB4) | PS | W | P;                      /* identity, 4 MiB pages */
    pd[0] = (uint32_t)pt_low | W | P;                        /* the first 4 MiB in 4 KiB pages */
    pd[VA_4K >> 22] = (uint32_t)pt | W | P;
    pd[VA_4M >> 22] = ((uint32_t)_start - (uint32_t)_start % MB4) | PS | W | P;  /* this image */
    pd[VA_RSVD >> 22] = (uint32_t)big | (1u << 21) | PS | W | P;
    pd[VA_NONE >> 22] = 0;
}

/* fn(va) is a #PF at va with error code err (with mask: err & mask) */
static int fault_masked(void (*fn)(void *), uint32_t va, uint32_t err, uint32_t mask)
{
    int v = mbk_catch(fn, (void *)va);
    if (v != 14 || mbk_last_cr2 != va || (mbk_last_error & mask) != err) {
        mbk_printf("# got vector %d, CR2 0x%x, error 0x%x\n", v, mbk_last_cr2, mbk_last_error);
        return 0;
    }
    return 1;
}

static int fault(void (*fn)(void *), uint32_t va, uint32_t err) { return fault_masked(fn, va, err, ~0u); }

void mbk_main(void)
{
    uint32_t r[4];
    cpuid(1, r);
    report((r[3] >> 3) & 1, "CPUID.1:EDX.PSE set");

    for (unsigned i = 0; i < 1024; i++)
        pt_low[i] = (i * 4096) | W | P;
    for (unsigned f = 0; f < 4; f++)
        frames[f][0] = 0xF0F00000u + f, frames[f][1] = 0;
    big[0] = 0xB16B16;
    pt_a[0] = (uint32_t)frames[0] | W | P;                   /* VA_4K: frame 0, writable */
    pt_a[1] = (uint32_t)frames[1] | P;                       /* VA_4K + 4K: frame 1, read-only */
    pt_a[2] = 0;                                             /* VA_4K + 8K: not present */
    pt_b[0] = (uint32_t)frames[3] | W | P;                   /* the other address space */
    build(pd_a, pt_a);
    build(pd_b, pt_b);

    set_cr4(get_cr4() | 0x10);                               /* PSE */
    set_cr3(pd_a);
    set_cr0(get_cr0() | 0x80010000u);                        /* PG, WP */
    report((get_cr0() & 0x80010001u) == 0x80010001u && (get_cr4() & 0x30) == 0x10,
           "paging on: CR0.PG, CR0.WP, CR4.PSE set, CR4.PAE clear; running in a 4 MiB page");

    /* a 4 MiB alias of this image */
    static volatile uint32_t var = 0x5EED;
    uint32_t alias = VA_4M + ((uint32_t)&var % MB4);
    int same = rd(alias) == 0x5EED;
    wr(alias, 0xCAFE);
    report(same && var == 0xCAFE, "a 4 MiB page at 0x%x aliases this image (read and write)", VA_4M);
    report((pd_a[VA_4M >> 22] & (A | D)) == (A | D), "the 4 MiB PDE has A and D set after a write");
    pd_a[VA_4M >> 22] &= ~(A | D);
    invlpg(VA_4M);
    (void)rd(alias);
    report((pd_a[VA_4M >> 22] & (A | D)) == A, "after clearing them and invlpg, a read sets A only");

    /* 4 KiB pages: A, D, read-only, not present */
    uint32_t v0 = rd(VA_4K);
    report(v0 == 0xF0F00000u && (pt_a[0] & (A | D)) == A && (pd_a[VA_4K >> 22] & A),
           "a 4 KiB page: read gives its frame, A set in PTE and PDE, D clear");
    wr(VA_4K + 4, 0x1234);
    report(rd((uint32_t)&frames[0][1]) == 0x1234 && (pt_a[0] & D), "a 4 KiB page: write lands in its frame, D set");
    report(fault(write_at, VA_4K + 0x1008, P | W), "write to a read-only page with CR0.WP: #PF, CR2, error 0x3");
    report((pt_a[1] & D) == 0 && rd((uint32_t)&frames[1][2]) == 0, "the read-only page is unchanged, D clear");
    set_cr0(get_cr0() & ~0x10000u);
    wr(VA_4K + 0x1008, 0x99);
    set_cr0(get_cr0() | 0x10000u);
    report(rd((uint32_t)&frames[1][2]) == 0x99, "with CR0.WP clear the supervisor write goes through");
    report(fault(read_at, VA_4K + 0x2010, 0), "read of a not-present PTE: #PF, CR2, error 0x0");
    report(fault(write_at, VA_4K + 0x2ffc, W), "write to a not-present PTE: #PF, CR2, error 0x2");
    report(fault(read_at, VA_NONE + 0x123, 0), "read of a not-present PDE: #PF, CR2, error 0x0");
    /* RSVD set, W, U, I clear; P is 1 on real CPUs but 0 from QEMU 7.2's TCG */
    int rsvd = fault_masked(read_at, VA_RSVD + 0x40, 0x8, ~P);
    mbk_printf("# reserved-bit fault: error code 0x%x\n", mbk_last_error);
    report(rsvd, "a 4 MiB PDE with bit 21 (reserved) set: #PF, CR2, error RSVD");

    /* invlpg: a changed PTE and a changed 4 MiB PDE, each read just before
     * (in the TLB, where QEMU keeps it: without the invlpg these fail) */
    (void)rd(VA_4K);
    pt_a[0] = (uint32_t)frames[2] | W | P;
    invlpg(VA_4K);
    report(rd(VA_4K) == 0xF0F00002u, "after the PTE changes and invlpg: the new frame");
    (void)rd(VA_4M);
    pd_a[VA_4M >> 22] = (uint32_t)big | PS | W | P;
    invlpg(VA_4M);
    report(rd(VA_4M) == 0xB16B16, "after the 4 MiB PDE changes and invlpg: the new 4 MiB frame");
    pt_a[2] = (uint32_t)frames[2] | P;
    invlpg(VA_4K + 0x2000);
    report(rd(VA_4K + 0x2010) == 0, "a page mapped after its fault (and invlpg) reads");

    /* CR3 switch */
    set_cr3(pd_b);
    uint32_t in_b = rd(VA_4K);
    set_cr3(pd_a);
    uint32_t in_a = rd(VA_4K);
    report(in_b == 0xF0F00003u && in_a == 0xF0F00002u, "CR3 switch: the same address, each space's frame");
    uint32_t cr3;
    __asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
    report(cr3 == (uint32_t)pd_a, "CR3 reads back");

    set_cr0(get_cr0() & ~0x80000000u);                       /* paging off to exit */
}
