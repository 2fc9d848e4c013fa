/* frame_alloc: bitmap frame allocator (see frame_alloc.h). */
#include "mm/frame_alloc.h"

#include <pv86/errno.h>
#include <string.h>

static void set_free(struct frame_alloc *fa, uint32_t mfn, int free)
{
    uint32_t bit = 1u << (mfn & 31);
    uint32_t *w = &fa->bitmap[mfn >> 5];
    if (free && !(*w & bit)) {
        *w |= bit;
        fa->nfree++;
    } else if (!free && (*w & bit)) {
        *w &= ~bit;
        fa->nfree--;
    }
}

int frame_alloc_is_free(const struct frame_alloc *fa, uint32_t mfn)
{
    return mfn < fa->nframes && (fa->bitmap[mfn >> 5] >> (mfn & 31)) & 1;
}

void frame_alloc_init(struct frame_alloc *fa, uint32_t *bitmap, uint32_t nframes)
{
    fa->bitmap = bitmap;
    fa->nframes = nframes;
    fa->nfree = 0;
    fa->hint = 0;
    memset(bitmap, 0, ((nframes + 31) / 32) * sizeof(uint32_t));
}

void frame_alloc_add_free(struct frame_alloc *fa, uint32_t start, uint32_t end)
{
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint32_t m = start; m < end; m++)
        set_free(fa, m, 1);
}

void frame_alloc_reserve(struct frame_alloc *fa, uint32_t start, uint32_t end)
{
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint32_t m = start; m < end; m++)
        set_free(fa, m, 0);
}

int frame_alloc_one(struct frame_alloc *fa, uint32_t *mfn)
{
    if (fa->nfree == 0)
        return -XEN_ENOMEM;
    for (uint32_t i = 0; i < fa->nframes; i++) {
        uint32_t m = (fa->hint + i) % fa->nframes;
        if (frame_alloc_is_free(fa, m)) {
            set_free(fa, m, 0);
            fa->hint = m + 1 < fa->nframes ? m + 1 : 0;
            *mfn = m;
            return 0;
        }
    }
    return -XEN_ENOMEM;
}

int frame_alloc_contig(struct frame_alloc *fa, uint32_t n, uint32_t *first)
{
    uint32_t run = 0;
    if (n == 0 || n > fa->nfree)
        return -XEN_ENOMEM;
    for (uint32_t m = 0; m < fa->nframes; m++) {
        run = frame_alloc_is_free(fa, m) ? run + 1 : 0;
        if (run == n) {
            uint32_t start = m + 1 - n;
            for (uint32_t k = start; k <= m; k++)
                set_free(fa, k, 0);
            *first = start;
            return 0;
        }
    }
    return -XEN_ENOMEM;
}

int frame_alloc_free(struct frame_alloc *fa, uint32_t mfn)
{
    if (mfn >= fa->nframes || frame_alloc_is_free(fa, mfn))
        return -XEN_EINVAL;
    set_free(fa, mfn, 1);
    return 0;
}
