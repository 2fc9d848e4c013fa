/*
 * keep: the pure decisions of shadows kept across CR3 writes (vm/keep.h).
 */
#include "vm/keep.h"

struct vx_keep_plan vx_keep_at_cr3(struct vx_keep *k, const uint64_t pdpte[VX_KEEP_SLOTS])
{
    struct vx_keep_plan p = { 0, 0, 0 };
    for (unsigned i = 0; i < VX_KEEP_SLOTS; i++) {
        unsigned bit = 1u << i;
        int same = (pdpte[i] & 1) && pdpte[i] == k->pdpte[i];
        k->pdpte[i] = pdpte[i];
        if ((k->tracked & bit) && !(k->dirty & bit) && same) {
            p.keep |= bit;
            k->paid |= (uint8_t)bit;
            k->backoff[i] = 0;
            continue;
        }
        if (k->tracked & bit)
            p.stop |= bit;
        /* Tracking that did not pay: its tables were written, or it ends
         * before one CR3 write kept the slot (the PDPTE changed at once). */
        if ((k->dirty & bit) || ((k->tracked & bit) && !(k->paid & bit))) {
            unsigned b = k->backoff[i] ? 2u * k->backoff[i] : 1u;
            k->backoff[i] = (uint16_t)(b < VX_KEEP_BACKOFF_MAX ? b : VX_KEEP_BACKOFF_MAX);
            k->cooldown[i] = k->backoff[i];
        } else if (same && !k->cooldown[i]) {
            p.start |= bit;
            k->paid &= (uint8_t)~bit;
        } else if (k->cooldown[i]) {
            k->cooldown[i]--;
        }
    }
    k->tracked = (uint8_t)(p.keep | p.start);
    k->dirty = 0;
    return p;
}

int vx_keep_add(struct vx_keep *k, unsigned slot, uint32_t gpfn)
{
    for (unsigned j = 0; j < k->n[slot]; j++)
        if (k->gpfn[slot][j] == gpfn)
            return 0;
    if (k->n[slot] == VX_KEEP_FRAMES)
        return -1;
    k->gpfn[slot][k->n[slot]++] = gpfn;
    return 1;
}

void vx_keep_give_up(struct vx_keep *k, unsigned slot)
{
    k->n[slot] = 0;
    k->tracked &= (uint8_t)~(1u << slot);
    k->dirty &= (uint8_t)~(1u << slot);
    k->backoff[slot] = VX_KEEP_BACKOFF_MAX;
    k->cooldown[slot] = VX_KEEP_BACKOFF_MAX;
}

int vx_keep_holds(const struct vx_keep *k, unsigned mask, uint32_t gpfn)
{
    mask &= vx_keep_live(k);
    if (!mask)
        return 0;
    for (unsigned i = 0; i < VX_KEEP_SLOTS; i++)
        if (mask & (1u << i))
            for (unsigned j = 0; j < k->n[i]; j++)
                if (k->gpfn[i][j] == gpfn)
                    return 1;
    return 0;
}

unsigned vx_keep_written(struct vx_keep *k, uint32_t gpfn)
{
    unsigned hit = 0;
    for (unsigned i = 0; i < VX_KEEP_SLOTS; i++)
        if (vx_keep_holds(k, 1u << i, gpfn))
            hit |= 1u << i;
    k->dirty |= (uint8_t)hit;
    return hit;
}
