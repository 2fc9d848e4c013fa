/*
 * walk: the guest's page tables as its CPU would read them, in the paging
 * mode its CR0 and CR4 choose (vm/gwalk.h: none, 32-bit with or without
 * 4 MiB pages, PAE), and the descriptor rewrite of the shadow GDT. Pure, unit-tested: guest
 * memory is reached through a callback.
 */
#ifndef HV_VM_WALK_H
#define HV_VM_WALK_H

#include <stdint.h>

#define VX_ACC_WRITE 0x2u          /* the #PF error-code bits of the access */
#define VX_ACC_USER  0x4u
#define VX_ERR_RSVD  0x8u          /* #PF error code: a reserved bit set */

/* A guest-physical address -> the 64-bit entry there, or NULL when it is
 * outside the guest's memory. */
typedef uint64_t *(*vx_entry_fn)(void *ctx, uint64_t gpa);
/* A guest-physical address -> the entry there (4 bytes under 32-bit
 * paging, 8 under PAE), or NULL when it is outside the guest's memory. */
typedef void *(*vx_table_fn)(void *ctx, uint64_t gpa);

struct vx_walk {
    uint64_t gpa;                  /* the byte's guest-physical address */
    int writable;                  /* writes allowed at every level */
    int user;                      /* user access allowed at every level */
    int dirty;                     /* the leaf's D bit (after this access) */
    int large;                     /* mapped by a large page (2 or 4 MiB: a PDE with PS) */
    unsigned page_shift;           /* its size: 12, 21 (PAE 2 MiB), 22 (4 MiB); 0: paging off */
    uint32_t error;                /* VX_WALK_FAULT: the #PF error code */
};

enum { VX_WALK_OK = 0, VX_WALK_FAULT = 1, VX_WALK_BAD_TABLE = 2 };

/* The virtual CPU's registers a walk depends on. */
struct vx_paging {
    uint32_t cr0;                  /* PG, WP */
    uint32_t cr3;                  /* 32-bit paging: the page directory */
    uint32_t cr4;                  /* PSE, PAE (te's CR4 has no SMEP or SMAP) */
    const uint64_t *pdpte;         /* PAE: the 4 PDPTEs loaded at the last CR3 write */
    unsigned maxphy;               /* MAXPHYADDR */
};

/*
 * Translate va for an access (VX_ACC_* bits) as the guest's CPU would with
 * these registers (SDM Vol. 3, 4.3 and 4.4; vm/gwalk.h): paging off (va
 * itself, every right, page_shift 0), 32-bit paging (4 MiB pages under
 * CR4.PSE, PSE-36 address bits as MAXPHYADDR allows), PAE with the cached
 * PDPTEs; EFER.NXE is off. Accessed and dirty bits are set as the CPU
 * sets them. Results as vx_walk_pae's below.
 */
int vx_walk_guest(vx_table_fn table, void *ctx, const struct vx_paging *p, uint32_t va,
                  unsigned access, struct vx_walk *w);

/*
 * Translate va for an access (VX_ACC_* bits) under PAE paging with the
 * PDPTEs loaded at the last CR3 write; wp is CR0.WP, maxphy MAXPHYADDR (a
 * present PDE or PTE with a reserved bit set: VX_WALK_FAULT, error code
 * P | RSVD and the access's bits, no A or D set in it). The accessed
 * bits (and the leaf's dirty bit for a write) are set in the guest's
 * tables as the CPU does (vm/gwalk.h, which does the walk: the L2 entry's
 * as it is passed, the leaf's once the access is allowed). VX_WALK_FAULT:
 * the guest's own page fault, with its error code. VX_WALK_BAD_TABLE: a
 * table outside its memory.
 */
int vx_walk_pae(vx_entry_fn entry, void *ctx, const uint64_t pdpte[4], int wp, unsigned maxphy,
                uint32_t va, unsigned access, struct vx_walk *w);

/* A guest GDT entry as the hardware may see it while the guest kernel runs
 * in ring 1: code and data of DPL 0 become DPL 1 (ring compression); system
 * descriptors (TSS, LDT, gates) become null, since the te mode emulates
 * ltr and lldt and never lets the CPU use the guest's own. Code and data
 * of DPL 1 (the guest's ring 1, which ring compression cannot give it)
 * become not present with DPL 0: loading one faults, and vx_desc_is_ring1
 * tells te why. */
uint64_t vx_desc_shadow(uint64_t desc);
/* 1 if a shadow descriptor stands for a guest ring-1 segment. */
static inline int vx_desc_is_ring1(uint64_t shadow)
{
    return (shadow & (1ull << 44)) && !(shadow & (3ull << 45));
}

#endif
