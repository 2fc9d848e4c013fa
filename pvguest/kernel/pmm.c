/*
 * pmm: the physical memory manager. Free frames sit on a stack of pfns (the
 * lowest on top, so that early page tables come from memory the boot map
 * already covers); each frame in use has a reference count.
 */
#include "kernel/kernel.h"

#include "lib/string.h"

static uint32_t free_stack[MAX_PFNS];
static uint32_t nfree;
static uint16_t refs[MAX_PFNS];

/* Ranges are added from the highest down so that pops return low frames. */
void pmm_add_range(uint32_t first, uint32_t end)
{
    if (end > MAX_PFNS)
        end = MAX_PFNS;
    for (uint32_t pfn = end; pfn-- > first;) {
        KASSERT(nfree < MAX_PFNS);
        free_stack[nfree++] = pfn;
    }
}

uint32_t pmm_alloc(void)
{
    if (!nfree)
        return 0;
    uint32_t pfn = free_stack[--nfree];
    KASSERT(refs[pfn] == 0);
    refs[pfn] = 1;
    memset(pfn_va(pfn), 0, PAGE_SIZE);
    return pfn;
}

void pmm_get(uint32_t pfn)
{
    KASSERT(pfn < MAX_PFNS && refs[pfn] > 0 && refs[pfn] < 0xFFFF);
    refs[pfn]++;
}

void pmm_put(uint32_t pfn)
{
    KASSERT(pfn < MAX_PFNS && refs[pfn] > 0);
    if (--refs[pfn] == 0)
        free_stack[nfree++] = pfn;
}

unsigned pmm_refs(uint32_t pfn)
{
    return pfn < MAX_PFNS ? refs[pfn] : 0;
}

uint32_t pmm_free_count(void)
{
    return nfree;
}
