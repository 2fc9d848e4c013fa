/*
 * bt layout: where a bt domain's translation cache and the page its
 * translated code uses for the virtual CPU live, and the selectors that
 * code runs with. Shared by the translator (bt/translate.c, which emits
 * code using these addresses) and the runtime (the other bt/ files, which map them).
 *
 * The region is in the hypervisor's part of the guest's address space
 * (L3 slot 3, L2 slots 436-510 are free: arch/x86/layout.h), mapped only
 * in the bt domain's shadow tables, never in a guest's own tables:
 *
 *   0xFF000000  vpage: the virtual CPU as translated code sees it   (RW ring 1)
 *   0xFF001000  guard, unmapped: a pending-interrupt check faults here
 *   0xFF002000  lookup table, BT_LOOKUP_PAGES: guest EIP -> TC address (RO)
 *   0xFF200000  translation cache, BT_TC_PAGES                        (RO)
 *
 * Ring 1 is supervisor for paging: with CR0.WP the guest's translated code
 * can read the read-only pages but not write them; it can write the vpage,
 * so the hypervisor treats every byte it reads there as untrusted (only
 * vflags' IF bit and viopl's IOPL bits are taken, masked).
 */
#ifndef HV_BT_LAYOUT_H
#define HV_BT_LAYOUT_H

#define BT_REGION_VA        0xFF000000u
#define BT_VPAGE_VA         0xFF000000u
#define BT_GUARD_VA         0xFF001000u
#define BT_LOOKUP_VA        0xFF002000u
#define BT_LOOKUP_PAGES     64u          /* 65536 entries of 4 bytes */
#define BT_LOOKUP_ENTRIES   (BT_LOOKUP_PAGES * 4096u / 4u)
/* The lookup table: entry (eip & 0xFFFF) is the TC address of the indirect
 * entry of a block (which checks its whole guest EIP against
 * BT_VP_TARGET) or of the cache's miss stub; the translated code reads it
 * as gs:(BT_LOOKUP_VA - BT_VPAGE_VA + 4 * index), flag-free. */
#define BT_LOOKUP_MASK      0xFFFFu
#define BT_TC_VA            0xFF200000u
#define BT_TC_PAGES         512u         /* 2 MiB */
#define BT_TC_SIZE          (BT_TC_PAGES * 4096u)

/* Selectors of the translated code (reserved GDT entries in the shadow
 * GDT's page 14, beside the hypervisor's HV_CS/HV_DS; RPL 1):
 *   BT_CS_SEL  flat 32-bit code, DPL 1: CS while the guest kernel runs
 *              translated (its own CS is virtual)
 *   BT_GS_SEL  data, DPL 1, base BT_VPAGE_VA, limit at least to the end
 *              of the lookup table (translated code reads the table through
 *              gs:): GS while translated code runs (the guest's GS is
 *              virtual; every guest use of GS is translated) */
#define BT_CS_SEL           0xe019
#define BT_GS_SEL           0xe021

/* The vpage (offsets from BT_VPAGE_VA, i.e. gs:offset in translated code). */
#define BT_VP_VFLAGS        0x00   /* EFLAGS image of IF (bit 9; cli/sti write byte 1 whole) */
#define BT_VP_PEND          0x04   /* gs offset the pending check reads: BT_VP_PEND_OK
                                    * when nothing is to be delivered, BT_VP_PEND_TRAP
                                    * (the guard page) when an interrupt waits */
#define BT_VP_PEND_OK       0x08
#define BT_VP_VIOPL         0x0C   /* EFLAGS image of IOPL (bits 12-13); apart from
                                    * IF so that cli/sti are one flag-free mov */
#define BT_VP_SCRATCH       0x40   /* 16 dwords of scratch for the inline sequences */
#define BT_VP_TARGET        0x40   /* an indirect transfer's guest target (read at a miss) */
#define BT_VP_SAVE_ECX      0x44   /* the guest's ecx inside an indirect transfer */
#define BT_VP_SAVE_EAX      0x48   /* the guest's eax inside pushf/popf and the pending check */
#define BT_VP_PEND_TRAP     0x1000

/* A callout from translated code: int3 (0xCC) with CS = BT_CS_SEL; the
 * site is looked up by its address (bt_cache_where). */
#define BT_CALLOUT_BYTE     0xCC

#endif
