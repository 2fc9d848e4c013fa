/*
 * gwalk: a 32-bit guest's linear address through its own page tables, in
 * every paging mode it can choose (SDM Vol. 3, 4.3 and 4.4; AMD APM Vol. 2,
 * 5.2 and 5.3): paging off; two-level 32-bit paging, with 4 MiB pages
 * under CR4.PSE (PSE-36: bits 20:13 of the PDE give address bits 39:32)
 * and without; PAE paging, its PDPTEs either cached at the last CR3 write
 * (te, Intel) or read at each walk (QEMU, AMD under nested paging).
 *
 * It answers with the guest-physical address, or the #PF error code the
 * CPU would give (P, W, U, RSVD and I/D, exactly), or "a table is outside
 * the guest's memory". With GWALK_SET_AD it sets the accessed and dirty
 * bits as the CPU does: A in each table entry it goes through (before it
 * looks further, as QEMU does: a fault lower down leaves them set), A and
 * for a write D in the leaf only once the access is allowed.
 *
 * Pure: guest memory is reached through a callback; one vCPU (the guest is
 * not running while it is walked), so the A/D updates are plain stores.
 */
#ifndef HV_VM_GWALK_H
#define HV_VM_GWALK_H

#include <stdint.h>

/* The access (its #PF error-code bits) and options. */
#define GWALK_WRITE  0x002u        /* a write (else a read) */
#define GWALK_USER   0x004u        /* at CPL 3 (an implicit supervisor access: not) */
#define GWALK_FETCH  0x010u        /* an instruction fetch (with GWALK_WRITE: a write) */
#define GWALK_AC     0x100u        /* EFLAGS.AC: SMAP lets a supervisor data access reach user pages */
#define GWALK_SET_AD 0x200u        /* set A and D bits as the CPU does */

/* #PF error-code bits (SDM Vol. 3, 4.7). */
#define GWALK_PF_P    0x01u
#define GWALK_PF_W    0x02u
#define GWALK_PF_U    0x04u
#define GWALK_PF_RSVD 0x08u
#define GWALK_PF_ID   0x10u

/* The control registers the walk depends on. */
#define GWALK_CR0_WP   (1u << 16)
#define GWALK_CR0_PG   (1u << 31)
#define GWALK_CR4_PSE  (1u << 4)
#define GWALK_CR4_PAE  (1u << 5)
#define GWALK_CR4_SMEP (1u << 20)
#define GWALK_CR4_SMAP (1u << 21)

struct gwalk_cpu {
    uint32_t cr0;                  /* PG, WP */
    uint32_t cr3;
    uint32_t cr4;                  /* PSE, PAE, SMEP, SMAP (the rest is ignored) */
    int nxe;                       /* EFER.NXE (honoured under PAE only, as on the CPU) */
    unsigned maxphy;               /* MAXPHYADDR, 32..52 (clamped to that range) */
    /* PAE: the 4 PDPTEs the CPU loaded at the last CR3 write (their
     * reserved bits were checked then: #GP, see gwalk_pdpte_reserved), or
     * NULL: read from guest memory at CR3 at each walk, a reserved bit
     * a #PF with RSVD, as QEMU and AMD's nested paging do. */
    const uint64_t *pdpte;
};

/* Guest-physical gpa -> a pointer to the bytes there (good for the 8
 * bytes of an entry, which never crosses a page), or NULL when it is
 * outside the guest's RAM. */
typedef void *(*gwalk_mem_fn)(void *ctx, uint64_t gpa);

enum { GWALK_OK = 0, GWALK_FAULT = 1, GWALK_BAD_TABLE = 2 };

struct gwalk {
    uint64_t gpa;                  /* OK: the guest-physical address of va */
    unsigned page_shift;           /* OK: 12, 21 (PAE 2 MiB) or 22 (4 MiB); 0: paging off */
    int writable;                  /* OK: R/W at every level */
    int user;                      /* OK: U/S at every level */
    int nx;                        /* OK: XD at some level (NXE under PAE only) */
    int dirty;                     /* OK: the leaf's D bit (after this access) */
    uint32_t error;                /* FAULT: the #PF error code */
    uint64_t table_gpa;            /* BAD_TABLE: the entry's guest-physical address */
};

/*
 * Translate va for access (GWALK_* bits) in the paging mode cpu gives.
 * Paging off (CR0.PG clear): va itself, every right. GWALK_OK: w->gpa (the
 * caller checks it is RAM or a device). GWALK_FAULT: w->error, the #PF the
 * guest gets (CR2 = va). GWALK_BAD_TABLE: a table entry at w->table_gpa,
 * outside the guest's memory.
 *
 * Reserved bits, a fault with P and RSVD (SDM 4.3, 4.4.2): 32-bit paging:
 * only a 4 MiB PDE's bit 21 and its address bits from MAXPHYADDR (at most
 * 40) up, bits 20:(M-19); PAE: bits 62:M of a PDE or PTE, bit 63 without
 * EFER.NXE, bits 20:13 of a 2 MiB PDE (QEMU ignores bits 62:52 of PAE
 * entries; the SDM reserves them). A PDPTE read from memory: bits 63:M,
 * as QEMU checks it (the SDM's bits 2:1 and 8:5 are checked at the CR3
 * write only, where PDPTEs are cached; QEMU even sets bit 5, the accessed
 * bit, in them: gwalk never does).
 * I/D is set for a fetch under PAE with NXE, or under SMEP (SDM 4.7).
 */
int gwalk(const struct gwalk_cpu *cpu, gwalk_mem_fn mem, void *ctx, uint32_t va,
          unsigned access, struct gwalk *w);

/* The reserved bits set in a present PAE PDPTE (SDM Vol. 3, 4.4.1: bits
 * 2:1, 8:5 and 63:MAXPHYADDR), 0 if none or not present. A CR3 write that
 * loads one is #GP(0) where PDPTEs are cached (te's te_pdpte_reserved). */
uint64_t gwalk_pdpte_reserved(uint64_t pdpte, unsigned maxphy);

#endif
