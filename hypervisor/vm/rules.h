/*
 * rules: the Intel SDM's rules that te applies to its guest, as pure
 * functions (unit-tested): who may run what at which CPL, the I/O
 * permission bitmap, the EFLAGS an IRET leaves, single-step after an
 * emulated instruction, and the reserved bits of CR0, CR4 and the PAE
 * PDPTEs.
 *
 * Rings. The guest's ring 0 runs in ring 1 (ring compression); its rings
 * 2 and 3 run in rings 2 and 3. The guest's ring 1 cannot be told from its
 * ring 0 on the CPU, so te refuses it: DPL-1 descriptors are not present
 * in the shadow GDT (vx_desc_shadow) and loading one crashes the domain
 * with a clear line. Only the guest's ring 0 gets the kernel's emulation.
 */
#ifndef HV_VM_RULES_H
#define HV_VM_RULES_H

#include <stdint.h>

#include "te/decode.h"

/* The guest's CPL from the CS the CPU ran it with. */
static inline unsigned vx_guest_cpl(uint32_t hw_cs)
{
    unsigned rpl = hw_cs & 3;
    return rpl == 1 ? 0 : rpl;
}

enum vx_verdict {
    VX_RUN_IT = 0,       /* the guest's CPU would execute it: emulate */
    VX_RAISE_GP,         /* the guest's CPU raises #GP (the CPU's error code) */
    VX_CHECK_IO_BITMAP,  /* I/O with CPL > IOPL: the TSS's bitmap decides */
};
/* Op at guest CPL cpl with the guest's IOPL iopl and CR4.UMIP umip (SDM
 * Vol. 2, each instruction's protected-mode exceptions). */
enum vx_verdict vx_privilege(enum te_op op, unsigned cpl, unsigned iopl, int umip);

/* Reads len bytes at offset off of the guest's TSS: 0, or -1. */
typedef int (*vx_tss_read_fn)(void *ctx, uint32_t off, void *buf, uint32_t len);
/* The I/O permission bitmap (SDM Vol. 1, 19.5.2): 1 if the size bytes
 * from port are allowed by the 32-bit TSS of limit tss_limit, 0 (#GP(0))
 * if a bit is set, the bitmap lies beyond the limit, or there is no TSS. */
int vx_io_bitmap_allows(uint16_t port, unsigned size, uint32_t tss_limit, int have_tss,
                        vx_tss_read_fn read, void *ctx);

/* EFLAGS after an IRET at CPL 0 with a 32-bit operand size back to
 * protected mode (SDM Vol. 2, IRET): every flag from the popped image
 * (CF..OF, TF, IF, IOPL, NT, RF, AC, VIF, VIP, ID), VM cleared (the caller
 * refuses a return to virtual-8086 mode), bit 1 set. */
uint32_t vx_iret_eflags(uint32_t popped);

/* 1 if the CPU delivers a single-step #DB right after op completes with
 * EFLAGS.TF set before it (SDM Vol. 3, 18.3.1.4): not after mov/pop ss,
 * whose shadow defers it past the next instruction. */
int vx_single_step_after(enum te_op op, int tf_before);

/* The reserved bits set in a present PAE PDPTE (SDM Vol. 3, 4.4.1: bits
 * 1, 2, 5-8 and maxphy-63), 0 if none; a CR3 load with one is #GP(0). */
uint64_t vx_pdpte_reserved(uint64_t pdpte, unsigned maxphy);
/* 1 if mov to CR0 of val is #GP(0): a reserved bit, PG without PE, NW
 * without CD. */
int vx_cr0_invalid(uint32_t val);
/* 1 if mov to CR0 (old_cr0 -> new_cr0, CR4 cr4) loads the PDPTEs (SDM
 * Vol. 3, 4.4.1): PAE paging is in use after it and it changes PG, CD or
 * NW. (CR4's own writes: PAE, PGE, PSE.) */
int vx_cr0_write_loads_pdptes(uint32_t old_cr0, uint32_t new_cr0, uint32_t cr4);
/* 1 if mov to CR4 of val is #GP(0): a bit te does not model is treated as
 * reserved (te models bits 0-11: VME .. UMIP). */
int vx_cr4_invalid(uint32_t val);

/* The shadow GDT (SDM Vol. 3, 3.5.1): as large as a GDT can be, 8192
 * descriptors (limit 0xFFFF) in 16 pages. */
#define VX_GDT_ENTRIES  8192u
#define VX_GDT_PAGES    16u
/* 1 if GDT entry index is one the hypervisor keeps for itself in every
 * shadow GDT (its code, data, TSS and LDT descriptors, layout.h): the CPU
 * needs them at every trap, so the guest's own entry there never reaches
 * the CPU. They are DPL 0, which no guest ring can load. */
int vx_gdt_reserved(unsigned index);
/* A fault with error code error on vector vec (#TS, #NP, #SS or #GP) that
 * names GDT entry i (not the IDT, not the LDT, not the null selector)
 * within the guest's GDT limit, and not a reserved entry: i, which a lazy
 * shadow may not have filled yet; else 0. */
unsigned vx_gdt_fault_index(unsigned vec, uint32_t error, uint16_t gdt_limit);
/* 1 if the 8 bytes of entry index lie within a GDT of limit limit. */
static inline int vx_gdt_within(unsigned index, uint16_t limit)
{
    return index < VX_GDT_ENTRIES && index * 8u + 7u <= limit;
}

/* ---- shadow paging's decisions (vm/shadow.c) ----
 * The shadow tables are PAE (the host's), filled with 4 KiB entries. The
 * software bits of a shadow L2 entry (9-11 are the OS's) say what its L1
 * holds entries of, so that invlpg drops what the CPU would drop (every
 * TLB entry of the large page that holds the address, SDM Vol. 3, 4.10.4.1):
 * VX_SL2_LARGE: of a guest page larger than 4 KiB covering the whole
 * 2 MiB slot (a PAE 2 MiB page, or half of a 4 MiB page); VX_SL2_4M: of a
 * guest 4 MiB page, which covers the buddy slot (slot ^ 1) too. */
#define VX_SL2_LARGE  (1ull << 9)
#define VX_SL2_4M     (1ull << 10)
/* The marks a fill from a guest page of size 1 << page_shift (0: paging
 * off, 12, 21 or 22) leaves on the slot's shadow L2 entry. */
uint64_t vx_sl2_marks(unsigned page_shift);
/* invlpg of an address whose slot has shadow L2 entry sl2e and whose buddy
 * slot (the other 2 MiB of its 4 MiB) has buddy: what to drop. */
enum {
    VX_INVLPG_ENTRY = 1,      /* the address's own shadow L1 entry */
    VX_INVLPG_SLOT = 2,       /* every entry of the slot's L1 (and its marks) */
    VX_INVLPG_BUDDY = 4,      /* every entry of the buddy's L1 (and its marks) */
};
unsigned vx_invlpg_plan(uint64_t sl2e, uint64_t buddy);

/* The rights of a shadow entry for an access the guest's tables allowed
 * (*writable, *user: the guest entry's R/W and U/S at every level; on
 * return, the shadow entry's). With CR0.WP clear a supervisor write to a
 * read-only page goes through (SDM Vol. 3, 4.6.1) while the CPU runs with
 * WP set (the guest kernel is ring 1, supervisor, and the hypervisor's
 * read-only frames rely on WP): such a write gets a writable entry for
 * the supervisor only (U clear), so ring 3 still faults there and its
 * refill is read-only again. */
void vx_shadow_rights(int write, int user_access, int wp, int *writable, int *user);

/* A shadow fill after the guest's tables allowed the access: the guest
 * entry's rights (writable: R/W at every level; dirty: its D bit after the
 * access), whether the access is a write, whether the frame is protected
 * (vm/shadow.h: vx_shadow_protect) and whether the mode has a code_write
 * callback. */
enum vx_fill {
    VX_FILL_RO = 0,           /* a read-only entry (a write comes back to set D) */
    VX_FILL_RW,               /* a writable entry */
    VX_FILL_CODE_WRITE,       /* nothing filled: the mode's code_write callback */
    VX_FILL_UNPROTECT,        /* no callback: unprotect the frame, then a writable entry */
};
enum vx_fill vx_fill_decision(int write, int writable, int dirty, int protected_frame,
                              int have_callback);

/*
 * Prefetch (vm/shadow.c): the shadow flags for a neighbour of a fill, a
 * guest 4 KiB leaf entry (lo and hi: its low and high words, hi 0 under
 * 32-bit paging) under a table entry whose RW and US are in rights, or 0
 * to leave it to its own fault: not present, not accessed (a TLB caches
 * only what a walk marked accessed; prefetching sets no bit), hi not 0 (a
 * reserved bit, bit 63 without NXE, or a frame above 4 GiB) or its frame
 * (lo >> 12) not below nr_pages. P and A, US as the guest says, and RW
 * with D only if the guest's entry is writable at both levels and dirty
 * (VX_PREFETCH_RW: the caller drops it for a write-protected frame, as
 * vx_fill_decision does for a read).
 */
#define VX_PREFETCH_RW  0x042u     /* _PAGE_RW | _PAGE_DIRTY */
uint32_t vx_prefetch_flags(uint32_t lo, uint32_t hi, uint32_t rights, uint32_t nr_pages);

#define VX_DR6_BS       (1u << 14)
#define VX_DR6_INIT     0xFFFF0FF0u
#define VX_DR7_INIT     0x00000400u

#endif
