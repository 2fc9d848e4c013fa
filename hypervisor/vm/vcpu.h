/*
 * vcpu: the virtual CPU of an unmodified kernel run in ring 1 (te, bt),
 * the state the shared layer owns and the modes embed (te's struct
 * te_state, bt's): IF and IOPL, halt, the interrupt shadow, the control,
 * descriptor-table and debug registers, the shadow GDT and the shadow
 * page-table pool (the virtual TLB), the virtual PC (vdev) and the
 * guest-physical RAM, and the counters every such mode prints.
 *
 * The shared layer finds it from a vcpu without knowing the mode:
 * v->vx, set by vx_build (core/domain.h). Its modules:
 *   vm/vmem.c     guest linear memory (translate, copy)          vm/vmem.h
 *   vm/vgdt.c     the shadow GDT                                 vm/vgdt.h
 *   vm/deliver.c  delivery through the guest's IDT, int n,
 *                 the interrupt shadow                           vm/deliver.h
 *   vm/shadow.c   shadow paging                                  vm/shadow.h
 *   vm/emulate.c  the privileged instructions on the virtual CPU
 *   vm/io.c       port I/O on the virtual PC                     vm/emulate.h
 *   vm/rules.c, vm/walk.c  the pure rules (unit-tested)  vm/rules.h, vm/walk.h
 *   vm/vcpu.c     its build (frames, reset state)
 */
#ifndef HV_VM_VCPU_H
#define HV_VM_VCPU_H

#include <stdint.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "mm/pte.h"
#include "vdev/vdev.h"
#include "vm/gpmem.h"
#include "vm/keep.h"
#include "vm/rules.h"

#define VX_SL1_POOL    96        /* shadow L1 tables; all dropped when used up */
/* The write-protection bitmap: bits per frame of it, and frames for the
 * largest guest (vm/gpmem.h: below 4 GiB). */
#define VX_PROT_BITS_PER_FRAME  (PAGE_SIZE * 8)
#define VX_PROT_FRAMES_MAX      ((GPMEM_MAX_PAGES + VX_PROT_BITS_PER_FRAME - 1) / VX_PROT_BITS_PER_FRAME)

#define CR0_ET         (1u << 4)
#define CR0_TS         (1u << 3)
#define CR4_UMIP       (1u << 11)
#define CR4_VME_PVI    0x3u
#define CR4_PSE        (1u << 4)
#define CR4_DE         (1u << 3)
/* The flat code and data selectors of the boot GDT a multiboot loader
 * leaves (the guest runs them with RPL 1). */
#define VX_BOOT_CS     0x08
#define VX_BOOT_DS     0x10
#define VX_TRAP_TS     10
#define VX_TRAP_NP     11
#define VX_TRAP_SS     12

struct vx_cpu {
    struct vplatform plat;
    struct gpmem mem;             /* its guest-physical RAM */
    /* the virtual CPU */
    int vif, halted;
    unsigned viopl;               /* the guest's EFLAGS.IOPL (the CPU's stays 0) */
    int shadow, shadow_tf;        /* interrupt shadow (sti, mov ss): on; the guest's TF */
    uint32_t shadow_ms;           /* ticks it has lasted while the domain ran */
    uint32_t cr0, cr2, cr3, cr4;
    uint64_t pdpte[4];            /* loaded at each CR3 write, as PAE does */
    uint32_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint16_t tr, ldtr;
    uint32_t tss_base, tss_limit;
    uint32_t dr[8];               /* DR0-3, DR6, DR7 (4 and 5 alias 6 and 7) */
    unsigned maxphy;              /* MAXPHYADDR, for the PDPTEs' reserved bits */
    uint32_t sysenter[3];         /* MSRs 0x174-0x176 */
    /* what last cleared the virtual IF (a mode's watchdog says it) */
    uint32_t vif_off_eip;
    const char *vif_off_by;
    /* shadows */
    /* The shadow GDT, 16 pages at SW_GDT_VA (read-only there): entry i
     * is vx_desc_shadow of the guest's, filled at its first use (a fault
     * naming it, or the hypervisor's own read) and all dropped at lgdt;
     * page 14 also holds the hypervisor's entries (vx_gdt_reserved). */
    uint32_t gdt_mfn[VX_GDT_PAGES];
    uint32_t gdt_filled[VX_GDT_ENTRIES / 32];  /* bit i: entry i is the guest's now */
    uint16_t gdt_pages_used;                   /* bit p: page p has filled entries */
    uint32_t sl2_mfn[4];
    uint32_t sl1_mfn[VX_SL1_POOL];
    uint16_t sl1_slot[VX_SL1_POOL];   /* which L2 entry (l3 * 512 + l2) uses it */
    unsigned sl1_used;
    /* Entries [sl1_lo, sl1_hi] of pool L1 i are the only ones it may hold
     * (fills and prefetches widen the range): its next use clears that
     * much, not the whole page. sl2_pool: the pool L1 behind each L2 slot
     * (l3 * 512 + l2) while that slot is present. */
    uint16_t sl1_lo[VX_SL1_POOL], sl1_hi[VX_SL1_POOL];
    uint8_t sl2_pool[4 * 512];
    int bt;                       /* a bt domain: the shadow GDT keeps bt's entries too */
    /* Write protection (vm/shadow.h, for bt's translated code; te never
     * sets a bit): one bit per guest frame, in frames of the domain's. */
    uint32_t prot_mfn[VX_PROT_FRAMES_MAX];
    /* A write fault the guest's tables allow on a protected frame: the
     * mode's handler, instead of a fill (NULL: the frame is unprotected
     * and the entry filled). gpa: the written byte's guest-physical
     * address; the faulting instruction has not run. */
    void (*code_write)(struct vcpu *v, uint32_t va, uint64_t gpa);
    /* The hypervisor is about to write len bytes at guest-physical gpa
     * (within a page) for the guest (vm/vmem.h's copies: delivery frames,
     * emulated stores), which the protection does not see (NULL: none). */
    void (*hv_write)(struct vcpu *v, uint64_t gpa, uint32_t len);
    /* Shadows kept across CR3 writes (vm/keep.h): the slots' state and
     * one bit per guest frame tracked for them (read-only in the
     * shadows; a write makes its slots dirty). */
    struct vx_keep keep;
    uint32_t track_mfn[VX_PROT_FRAMES_MAX];
    /* what happened, printed when the domain ends */
    uint32_t shadow_fills, guest_faults, flushes, injected, gdt_fills;
    uint32_t slots_kept, table_writes; /* slots kept at CR3 writes; writes to tracked tables */
    uint32_t mmio;                    /* device accesses emulated (vm/mmio.c) */
};

/* The domain of v crashes with "MODE: why" (its mode's name: te, bt). */
#define vx_crash(v, fmt, ...) \
    domain_crash((v)->domain, "%s: " fmt, (v)->domain->mode->name, ##__VA_ARGS__)

static inline struct vx_cpu *vx_of(const struct vcpu *v) { return v->vx; }
/* 1 if the guest runs at CPL 3: user rights for paging. */
static inline int vx_ring_of(const struct vcpu *v) { return (v->regs.cs & 3) == 3 ? 1 : 0; }
static inline int vx_paging_on(const struct vx_cpu *x) { return (x->cr0 & CR0_PG) != 0; }

/* Frames vx_build takes for a guest of nr_pages, besides its RAM and what
 * every domain has: the shadow L2s, the L1 pool, the shadow GDT, the
 * write-protection and table-tracking bitmaps. */
static inline uint32_t vx_frames_needed(uint32_t nr_pages)
{
    return 4 + VX_SL1_POOL + VX_GDT_PAGES +
           2 * ((nr_pages + VX_PROT_BITS_PER_FRAME - 1) / VX_PROT_BITS_PER_FRAME);
}

/* The virtual CPU of domain d (its RAM already in x->mem, vm_build_common,
 * and the switcher L1 made), x zeroed before: the shadow GDT (with the
 * hypervisor's entries and a multiboot loader's flat code 0x08 and data
 * 0x10), the shadow page-table roots and pool, the write-protection
 * bitmap (all clear, no code_write handler), the virtual PC reset, CR0 =
 * PE|ET, the debug registers' reset values, MAXPHYADDR; d->vcpu.vx = x.
 * The caller counted vx_frames_needed(nr_pages) free frames. */
void vx_build(struct domain *d, struct vx_cpu *x, uint32_t nr_pages);
/* The registers a multiboot loader leaves, for a kernel entered at entry
 * with its information block at mbi (te and bt): protected mode without
 * paging, EAX the magic, EBX and ESP the block, the boot GDT's flat code
 * and data with RPL 1 (ring compression), IF clear. */
void vx_boot_regs(struct cpu_frame *r, uint32_t entry, uint32_t mbi);

#endif
