/*
 * fake_machine: machine memory for the mm unit tests. FAKE_FRAMES frames of
 * 4 KiB with their page_info records, and the two mm_ops callbacks that
 * reach them. Frame 0 is never mapped, as in the hypervisor's direct map.
 * Define FAKE_FRAMES before including; each test builds its own mm_ops.
 */
#ifndef TESTS_UNIT_FAKE_MACHINE_H
#define TESTS_UNIT_FAKE_MACHINE_H

#include <stdint.h>
#include <string.h>

#include "mm/frame_table.h"
#include "mm/pte.h"

#ifndef FAKE_FRAMES
#error "define FAKE_FRAMES before including fake_machine.h"
#endif

static uint64_t fake_mem[FAKE_FRAMES][512];
static struct page_info pages[FAKE_FRAMES];

static struct page_info *fake_page(void *ctx, mfn_t mfn)
{
    (void)ctx;
    return mfn < FAKE_FRAMES ? &pages[mfn] : NULL;
}

static void *fake_map(void *ctx, mfn_t mfn)
{
    (void)ctx;
    return mfn < FAKE_FRAMES && mfn != 0 ? fake_mem[mfn] : NULL;
}

/* Every frame zeroed and owned by `owner`, with no references. */
static void fake_reset(uint16_t owner)
{
    memset(fake_mem, 0, sizeof(fake_mem));
    memset(pages, 0, sizeof(pages));
    for (unsigned i = 0; i < FAKE_FRAMES; i++)
        pages[i].owner = owner;
    l1e_io_frames = 0;     /* no DOMID_IO frames below 1 MiB: all RAM (pte.h) */
}

#endif
