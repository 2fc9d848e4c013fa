/*
 * gpmem: guest-physical memory of te and hw domains (see gpmem.h).
 */
#include "vm/gpmem.h"

#include <string.h>

#include "core/panic.h"
#include "mm/frame_alloc.h"
#include "mm/mm.h"

uint32_t gpmem_frames_needed(uint32_t nr_pages)
{
    return nr_pages + (nr_pages + 1023) / 1024 + 1;
}

static uint32_t take(uint16_t domid)
{
    uint32_t mfn;
    if (mm_alloc_frame(domid, &mfn))        /* gpmem_alloc counted them first */
        panic("frame allocator ran dry after its count said otherwise");
    return mfn;
}

int gpmem_alloc(struct gpmem *m, uint16_t domid, uint32_t nr_pages)
{
    if (nr_pages == 0 || nr_pages > GPMEM_MAX_PAGES ||
        frame_allocator.nfree < gpmem_frames_needed(nr_pages))
        return -1;
    m->nr_pages = nr_pages;
    m->dir_mfn = take(domid);
    uint32_t *dir = mfn_to_virt(m->dir_mfn);
    for (uint32_t i = 0; i < (nr_pages + 1023) / 1024; i++)
        dir[i] = take(domid);
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++)
        ((uint32_t *)mfn_to_virt(dir[pfn / 1024]))[pfn % 1024] = take(domid);
    return 0;
}

uint32_t gpmem_mfn(const struct gpmem *m, uint32_t pfn)
{
    const uint32_t *dir = mfn_to_virt(m->dir_mfn);
    return ((const uint32_t *)mfn_to_virt(dir[pfn / 1024]))[pfn % 1024];
}

void *gpmem_ptr(const struct gpmem *m, uint64_t gpa)
{
    if (gpa >= (uint64_t)m->nr_pages << PAGE_SHIFT)
        return NULL;
    return (uint8_t *)mfn_to_virt(gpmem_mfn(m, (uint32_t)(gpa >> PAGE_SHIFT))) + (gpa & 0xFFF);
}

int gpmem_copy(const struct gpmem *m, uint64_t gpa, void *buf, uint32_t len, int write)
{
    if (gpa + len < gpa || gpa + len > (uint64_t)m->nr_pages << PAGE_SHIFT)
        return -1;
    uint8_t *b = buf;
    while (len) {
        uint32_t chunk = PAGE_SIZE - (uint32_t)(gpa & 0xFFF);
        if (chunk > len)
            chunk = len;
        uint8_t *g = gpmem_ptr(m, gpa);
        if (write)
            memcpy(g, b, chunk);
        else
            memcpy(b, g, chunk);
        gpa += chunk;
        b += chunk;
        len -= chunk;
    }
    return 0;
}
