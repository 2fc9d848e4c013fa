/*
 * frame_alloc: the physical frame allocator, a bitmap with one bit per
 * machine frame (1 = free). It starts with every frame reserved; boot feeds
 * it the usable ranges of the multiboot memory map and carves out what is in
 * use. Pure: the bitmap storage is passed in, so the host tests own it.
 */
#ifndef HV_MM_FRAME_ALLOC_H
#define HV_MM_FRAME_ALLOC_H

#include <stdint.h>

struct frame_alloc {
    uint32_t *bitmap;   /* nframes bits */
    uint32_t nframes;   /* frames [0, nframes) are tracked */
    uint32_t nfree;
    uint32_t hint;      /* where the next search starts */
};

void frame_alloc_init(struct frame_alloc *fa, uint32_t *bitmap, uint32_t nframes);
/* Mark [start, end) free / in use; parts beyond nframes are ignored. */
void frame_alloc_add_free(struct frame_alloc *fa, uint32_t start, uint32_t end);
void frame_alloc_reserve(struct frame_alloc *fa, uint32_t start, uint32_t end);
/* One frame; 0 or -XEN_ENOMEM. */
int frame_alloc_one(struct frame_alloc *fa, uint32_t *mfn);
/* n contiguous frames (first fit); 0 or -XEN_ENOMEM. */
int frame_alloc_contig(struct frame_alloc *fa, uint32_t n, uint32_t *first);
/* Give a frame back; -XEN_EINVAL if it is out of range or already free. */
int frame_alloc_free(struct frame_alloc *fa, uint32_t mfn);
int frame_alloc_is_free(const struct frame_alloc *fa, uint32_t mfn);

#endif
