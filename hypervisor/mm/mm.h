/*
 * mm: machine memory as the hypervisor sees it: the direct map, the frame
 * allocator and frame table, the M2P table, the hypervisor's page tables and
 * the switcher region mapped in every address space.
 */
#ifndef HV_MM_MM_H
#define HV_MM_MM_H

#include <stdint.h>
#include <multiboot/multiboot.h>

#include "mm/frame_alloc.h"
#include "mm/frame_table.h"
#include "mm/pte.h"

extern struct frame_alloc frame_allocator;
extern struct page_info *frame_table;
extern uint32_t max_mfn;               /* frames [0, max_mfn) are direct-mapped */
extern uint32_t *m2p_table;
extern const struct mm_ops hv_mm_ops;

/* Is mfn (at its full width) a frame of RAM the frame table tracks? The
 * rule of hv_mm_ops.page, for callers that need only the answer. It is
 * mfn < max_mfn, written for -m32: max_mfn is 32 bits wide, so the high
 * word is tested once for zero and the rest is one 32-bit compare. */
static inline int mm_frame_is_ram(mfn_t mfn)
{
    return (uint32_t)(mfn >> 32) == 0 && (uint32_t)mfn < max_mfn;
}

/* Machine frame <-> hypervisor pointer, through the direct map. */
static inline void *mfn_to_virt(uint32_t mfn) { return (void *)(uintptr_t)(mfn << PAGE_SHIFT); }
static inline uint32_t virt_to_mfn(const void *p) { return (uint32_t)(uintptr_t)p >> PAGE_SHIFT; }

/* Boot: memory map, allocator, frame table, M2P, page tables, paging on. */
void mm_init(const multiboot_info_t *mbi);

/* Give the pages that only held boot modules back to the allocator, once
 * the domains are built from them. */
void mm_release_modules(const multiboot_info_t *mbi);

/* A zeroed frame owned by the hypervisor, or by domain `owner`. 0 or
 * -XEN_ENOMEM. */
int mm_alloc_frame(uint16_t owner, uint32_t *mfn);

/* A dead domain's frames (all references released) go back to the
 * allocator, with its switcher L1 and entry-stack frame. */
void mm_free_domain_frames(uint16_t dom, uint32_t switcher_l1_mfn);

/* A frame of a dead domain kept for the grant maps of others (its
 * teardown found it referenced) goes back to the allocator once its last
 * reference is gone: 1 if mfn was such a frame and is freed now. */
int mm_free_orphan_frame(uint32_t mfn);
/* The same over every frame; how many were freed. */
unsigned mm_free_orphans(void);

/* Switcher L1 for a new domain: a copy of the template with an entry-stack
 * frame of the domain's (vCPU's) own. */
int mm_new_switcher_l1(uint32_t *mfn);
/* Make the hypervisor's address space use this switcher L1 (the one of the
 * domain about to run), so both sides see the same GDT frames and entry
 * stack; flushes the TLB once paging is on. */
void mm_use_switcher_l1(uint32_t mfn);
/* Fill the hypervisor slots (428-511) of an L2 behind L3 slot 3. */
void mm_fill_hypervisor_slots(uint64_t *l2, uint32_t switcher_l1_mfn);
/* The I/O APIC's registers, mapped in the hypervisor's address space. */
volatile uint32_t *mm_ioapic(void);
/* Physical address of the hypervisor's PDPT (the value for CR3). */
uint32_t mm_hv_cr3(void);
uint32_t mm_zero_mfn(void);
uint32_t mm_hv_gdt_mfn(void);
uint32_t mm_switcher_data_mfn(void);

/* FNV-1a over the switcher's read-only pages (text, data, hypervisor GDT):
 * checked at shutdown to show no guest changed them. */
uint32_t mm_switcher_checksum(void);

#endif
