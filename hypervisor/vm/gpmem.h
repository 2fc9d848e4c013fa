/*
 * gpmem: the guest-physical memory of an unmodified-kernel domain (te, hw):
 * RAM from guest-physical 0 to nr_pages pages, each page a machine frame of
 * the domain's. The map is two-level: a directory frame of up to 1024
 * p2m frames, each of 1024 frame numbers (so up to 4 GiB).
 */
#ifndef HV_VM_GPMEM_H
#define HV_VM_GPMEM_H

#include <stdint.h>

#define GPMEM_MAX_PAGES   (1024u * 1024u - 1)  /* below 4 GiB */

struct gpmem {
    uint32_t nr_pages;
    uint32_t dir_mfn;             /* the directory: p2m frames, 1024 per page */
};

/* Frames gpmem_alloc takes for nr_pages of RAM (the RAM and the map). */
uint32_t gpmem_frames_needed(uint32_t nr_pages);
/* Zeroed frames of domain domid for nr_pages (<= GPMEM_MAX_PAGES): 0, or
 * -1 if the allocator has too few free (nothing taken then). */
int gpmem_alloc(struct gpmem *m, uint16_t domid, uint32_t nr_pages);
/* The machine frame of pfn (< nr_pages). */
uint32_t gpmem_mfn(const struct gpmem *m, uint32_t pfn);
/* A guest-physical address -> hypervisor pointer (direct map), or NULL
 * outside its RAM. The pointer is good to the end of that page. */
void *gpmem_ptr(const struct gpmem *m, uint64_t gpa);
/* Copy len bytes to or from guest-physical gpa, across pages: 0, or -1 if
 * any byte lies outside its RAM (nothing copied then). */
int gpmem_copy(const struct gpmem *m, uint64_t gpa, void *buf, uint32_t len, int write);

#endif
