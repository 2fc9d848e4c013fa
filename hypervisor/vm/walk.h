/*
 * walk: the guest's page tables as its CPU would read them (PAE), and the
 * descriptor rewrite of the te mode's shadow GDT. Pure, unit-tested: guest
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

struct vx_walk {
    uint64_t gpa;                  /* the byte's guest-physical address */
    int writable;                  /* writes allowed at every level */
    int user;                      /* user access allowed at every level */
    int dirty;                     /* the leaf's D bit (after this access) */
    int large;                     /* mapped by a 2 MiB page (an L2 entry with PS) */
    uint32_t error;                /* VX_WALK_FAULT: the #PF error code */
};

enum { VX_WALK_OK = 0, VX_WALK_FAULT = 1, VX_WALK_BAD_TABLE = 2 };

/*
 * Translate va for an access (TE_ACC_* bits) under PAE paging with the
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
