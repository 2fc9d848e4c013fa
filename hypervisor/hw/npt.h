/*
 * npt: the nested page tables of an hw domain (AMD APM Vol. 2, 15.25).
 * QEMU honours nested paging only while the host runs PAE paging at
 * VMRUN, so the tables are in legacy PAE format: a PDPT of 4 entries
 * (bits 2:1 reserved there: left 0), 512-entry L2s and L1s of 4 KiB
 * pages. L2 and L1 entries have P, RW and U (the nested walk treats every
 * guest access as a user access) and A (and D in L1s) preset, so the CPU
 * never writes them.
 *
 * They map guest-physical [0, nr_pages * 4 KiB) to the machine frames a
 * callback names, and nothing else: device MMIO (the local APIC at
 * 0xFEE00000) and any wild access takes a #VMEXIT(NPF), as long as the
 * caller keeps the RAM below the holes (a PC's RAM below 4 GiB ends under
 * its PCI hole, at most 0xE0000000 or so). The nested walk
 * of a PAE host indexes by guest-physical bits 31:12 only, so a guest
 * address at or above 4 GiB (a PAE guest can form one) reaches the entry
 * of that address modulo 4 GiB, as QEMU does (npt_lookup models it).
 *
 * Pure: frames come from and are reached through callbacks. The table
 * frames are taken like gpmem's (vm/gpmem.c): from the domain's own
 * allocation, so mm_free_domain_frames frees them with the domain; there
 * is no separate teardown. npt_frames_needed lets the builder be refused
 * before it starts.
 */
#ifndef HV_HW_NPT_H
#define HV_HW_NPT_H

#include <stdint.h>

#define NPT_MAX_PAGES (1u << 20)           /* 4 GiB: all a PAE nested walk reaches */

/* Entry bits (PAE). */
#define NPT_P   0x001ull
#define NPT_RW  0x002ull
#define NPT_U   0x004ull
#define NPT_A   0x020ull
#define NPT_D   0x040ull
#define NPT_ADDR 0x000FFFFFFFFFF000ull
#define NPT_L2E_FLAGS (NPT_P | NPT_RW | NPT_U | NPT_A)
#define NPT_L1E_FLAGS (NPT_P | NPT_RW | NPT_U | NPT_A | NPT_D)

struct npt_ops {
    void *ctx;
    /* A zeroed frame: a pointer to it, its number in *mfn; NULL if none
     * is left (cannot happen when npt_frames_needed were counted). */
    void *(*alloc)(void *ctx, uint32_t *mfn);
    /* The machine frame of guest page pfn (< nr_pages). */
    uint32_t (*mfn_of)(void *ctx, uint32_t pfn);
    /* A pointer to table frame mfn (one alloc gave): for npt_lookup. */
    void *(*map)(void *ctx, uint32_t mfn);
};

struct npt {
    uint32_t nr_pages;
    uint32_t pdpt_mfn;                     /* the PDPT: the VMCB's nested CR3 */
};

/* Table frames npt_build takes for nr_pages (1 .. NPT_MAX_PAGES): the
 * PDPT, one L2 per GiB begun, one L1 per 2 MiB begun; 0 for a count it
 * refuses. */
uint32_t npt_frames_needed(uint32_t nr_pages);
/* Build the tables for nr_pages: 0; -1 if nr_pages is 0 or above
 * NPT_MAX_PAGES (nothing taken); -2 if alloc ran out (the frames taken
 * are the caller's, freed with the domain). */
int npt_build(struct npt *n, uint32_t nr_pages, const struct npt_ops *ops);
/* The nested CR3 (N_CR3): the PDPT's machine address. */
static inline uint64_t npt_cr3(const struct npt *n)
{
    return (uint64_t)n->pdpt_mfn << 12;
}
/* What the nested walk finds for guest-physical gpa (bits 31:12, see
 * above): 1 and the machine frame in *mfn, or 0 (not mapped: an NPF). */
int npt_lookup(const struct npt *n, const struct npt_ops *ops, uint64_t gpa, uint32_t *mfn);

#endif
