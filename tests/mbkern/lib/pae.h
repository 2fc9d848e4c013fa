/*
 * pae: PAE paging for the mbkern kernels that need an address space (smc's
 * alias, bthostile's unmapped and hypervisor-area cases): the first GiB
 * identity-mapped in 2 MiB pages, everything else not present until the
 * kernel maps it, 4 KiB pages in one page table for one 2 MiB region, and
 * 2 MiB pages anywhere. Static inline: each kernel has its own tables.
 */
#ifndef MBKERN_PAE_H
#define MBKERN_PAE_H

#include "mbkern.h"

#define PAE_P   0x001ull
#define PAE_W   0x002ull
#define PAE_PS  0x080ull
#define PAE_2M  0x200000u

struct pae {
    uint64_t pd[4][512];         /* one page directory per PDPT entry */
    uint64_t pt[512];            /* 4 KiB pages of the region pt_va */
    uint64_t pdpt[4];
    uint32_t pt_va;
} __attribute__((aligned(4096)));

/* Identity for 0-1 GiB; 4 KiB pages (none present yet) at pt_va (2 MiB-aligned). */
static inline void pae_build(struct pae *p, uint32_t pt_va)
{
    for (unsigned d = 0; d < 4; d++) {
        for (unsigned i = 0; i < 512; i++)
            p->pd[d][i] = 0;
        p->pdpt[d] = (uint32_t)p->pd[d] | PAE_P;
    }
    for (unsigned i = 0; i < 512; i++) {
        p->pd[0][i] = (uint64_t)i * PAE_2M | PAE_PS | PAE_W | PAE_P;
        p->pt[i] = 0;
    }
    p->pt_va = pt_va;
    p->pd[pt_va >> 30][(pt_va >> 21) & 511] = (uint32_t)p->pt | PAE_W | PAE_P;
}

static inline void pae_map4k(struct pae *p, uint32_t va, uint32_t pa)
{
    p->pt[(va - p->pt_va) >> 12 & 511] = (pa & ~0xFFFu) | PAE_W | PAE_P;
}

static inline void pae_map2m(struct pae *p, uint32_t va, uint32_t pa)
{
    p->pd[va >> 30][(va >> 21) & 511] = (pa & ~(PAE_2M - 1)) | PAE_PS | PAE_W | PAE_P;
}

static inline void pae_invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

/* CR4.PAE, CR3, then CR0.PG (and CR0.WP: the kernel writes only what it
 * maps writable anyway). */
static inline void pae_on(struct pae *p)
{
    uint32_t v;
    __asm__ volatile("movl %%cr4, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr4" :: "r"(v | 0x20) : "memory");
    __asm__ volatile("movl %0, %%cr3" :: "r"(p->pdpt) : "memory");
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr0" :: "r"(v | 0x80010000u) : "memory");
}

static inline void pae_off(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr0" :: "r"(v & ~0x80000000u) : "memory");
    __asm__ volatile("movl %%cr4, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr4" :: "r"(v & ~0x20u) : "memory");
}

#endif
