/*
 * keep: which shadow page tables survive a guest CR3 write (vm/shadow.c),
 * the pure decisions. The shadows are a virtual TLB, which a CR3 write
 * flushes; but where the guest's tables behind a PAE PDPTE slot (1 GiB:
 * its L2 and the L1s that L2 names) have not been written since the
 * shadow entries were filled, and the new CR3's PDPTE for the slot is the
 * same, a refill would give the same entries: they are kept, as the
 * shadow MMUs of VMware and KVM keep theirs. The hypervisor knows "not
 * written" by write-tracking those guest frames (read-only in the
 * shadows; vm/shadow.h): a slot's tables are tracked from a CR3 write
 * that finds its PDPTE unchanged (a kernel's half shared by every address
 * space is the case this serves), and a write to any of them makes the
 * slot dirty: dropped at the next CR3 write, and tracked again only after
 * a back-off that doubles (up to VX_KEEP_BACKOFF_MAX CR3 writes) each time
 * tracking did not pay (its tables were written, or its PDPTE changed
 * before one CR3 write kept it), so that a slot whose tables or PDPTE keep
 * changing costs at most one start of tracking (its L2 read, up to
 * VX_KEEP_FRAMES frames listed) and a trap per back-off period more than
 * a plain flush.
 */
#ifndef HV_VM_KEEP_H
#define HV_VM_KEEP_H

#include <stdint.h>

#define VX_KEEP_SLOTS        4u
/* Guest frames tracked per slot: its L2 and up to 63 L1s (126 MiB of 4 KiB
 * pages; large pages need none). A slot with more is not tracked. */
#define VX_KEEP_FRAMES       64u
#define VX_KEEP_BACKOFF_MAX  256u

struct vx_keep {
    uint64_t pdpte[VX_KEEP_SLOTS];      /* each slot's PDPTE at the last CR3 write */
    uint8_t tracked;                    /* bit i: slot i's frames are tracked */
    uint8_t dirty;                      /* bit i: one of them was written since */
    uint8_t paid;                       /* bit i: a CR3 write kept it since tracking began */
    uint16_t backoff[VX_KEEP_SLOTS];    /* the next back-off, in CR3 writes */
    uint16_t cooldown[VX_KEEP_SLOTS];   /* CR3 writes left before tracking again */
    uint16_t n[VX_KEEP_SLOTS];
    uint32_t gpfn[VX_KEEP_SLOTS][VX_KEEP_FRAMES];
};

/* At a CR3 write whose PDPTEs are pdpte: keep, the slots whose shadows
 * stay (tracked, clean, the same present PDPTE); start, the slots whose
 * tracking starts now (the same present PDPTE as at the last CR3 write,
 * no back-off running): the caller fills their frame lists
 * (vx_keep_add), drops the shadows of every slot not in keep and, since
 * frames it starts tracking may have writable entries in the kept slots'
 * shadows, makes those read-only when start is not 0 (a write refills). Slots tracked before and in neither
 * mask (stop) are no longer tracked: the caller releases their lists
 * (each frame's tracking bit cleared unless a live slot holds it, then
 * n = 0) before anything else. A dirty slot's back-off doubles; a kept
 * slot's is cleared. */
struct vx_keep_plan {
    unsigned keep, start, stop;          /* stop: tracked before, released now */
};
struct vx_keep_plan vx_keep_at_cr3(struct vx_keep *k, const uint64_t pdpte[VX_KEEP_SLOTS]);

/* Add gpfn to slot's list: 1 if added now (the caller sets its tracking
 * bit unless another slot holds it), 0 if the slot holds it already, -1
 * when the list is full (the caller calls vx_keep_give_up). */
int vx_keep_add(struct vx_keep *k, unsigned slot, uint32_t gpfn);
/* The slot cannot be tracked (too many frames, a table beyond RAM): its
 * list emptied (the caller released it first), the longest back-off. */
void vx_keep_give_up(struct vx_keep *k, unsigned slot);
/* 1 if a slot of mask (tracked and clean ones only) holds gpfn. */
int vx_keep_holds(const struct vx_keep *k, unsigned mask, uint32_t gpfn);
/* A write to tracked frame gpfn: the clean tracked slots holding it
 * become dirty (returned as a mask; the caller releases their lists as
 * for stop). */
unsigned vx_keep_written(struct vx_keep *k, uint32_t gpfn);
/* The slots whose frames count as tracked: tracked and clean. */
static inline unsigned vx_keep_live(const struct vx_keep *k)
{
    return (unsigned)(k->tracked & ~k->dirty);
}

#endif
