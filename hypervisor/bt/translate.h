/*
 * translate: bt's translator and translation cache, pure (host-tested in
 * tests/unit/test_bt_*.c). The runtime (bt/bt.c and friends) gives it the
 * cache's memory and a way to read the guest's code; it gives back, for a
 * guest EIP, the address of translated code that does what the guest's
 * kernel code would do in ring 0, and, for any address in the cache, which
 * guest instruction it belongs to (precise faults, interrupts).
 *
 * What each instruction class becomes (docs/bt.md):
 *   X86C_PLAIN          copied as it is (IDENT)
 *   JMP/JCC/LOOP_REL    re-targeted: to the target's translation once there
 *                       (chained), else to an exit callout
 *   CALL_REL            push of the guest return address, then as JMP_REL
 *   JMP/CALL_IND, RET   the target looked up in the lookup table inline; a
 *                       miss is a callout
 *   CLI, STI, PUSHF,    inline on the vpage's vflags (flags and registers
 *   POPF                preserved), with the pending-interrupt check after
 *                       an instruction that may set IF
 *   everything else     a callout: int3, the runtime emulates the guest
 *   sensitive           instruction (te's emulation) and resumes
 *
 * Invariants the runtime relies on:
 *   - a translated guest instruction's first TC instruction is the only one
 *     that can fault on the guest's memory, or every fault of a later one
 *     leaves the guest's state as before the instruction (restart at it);
 *   - guest memory is written only where the guest instruction writes it;
 *   - a translation never runs past a guest page boundary without
 *     recording the page (invalidation), and never past BT_MAX_INSNS.
 */
#ifndef HV_BT_TRANSLATE_H
#define HV_BT_TRANSLATE_H

#include <stddef.h>
#include <stdint.h>

#include "bt/layout.h"

/* What the translator needs from the runtime. */
struct bt_env {
    void *ctx;
    /* Copy up to n (<= 16) bytes of guest code at linear va, as the guest
     * kernel would fetch it: the number of bytes copied (fewer at the
     * first page its tables refuse or outside its memory). *gpfn: the
     * guest frame of va's page (for invalidation). */
    size_t (*fetch)(void *ctx, uint32_t va, uint8_t *buf, size_t n, uint32_t *gpfn);
    /* 1 if the instruction at guest eip is to be a callout whatever its
     * class (adaptive translation: a site whose translation keeps
     * trapping). May be NULL. */
    int (*force_callout)(void *ctx, uint32_t eip);
};

/* Where a cache address is, for the runtime (precise faults, callouts). */
enum bt_site {
    BT_SITE_NONE = 0,      /* not in any block */
    BT_SITE_INSN,          /* inside the translation of guest instruction eip */
    BT_SITE_CALLOUT,       /* the int3 of a callout for guest instruction eip */
    BT_SITE_EXIT,          /* the int3 of an unchained exit to guest eip (target) */
    BT_SITE_MISS,          /* the int3 of an indirect lookup's miss: target in scratch */
    BT_SITE_PEND,          /* the pending-interrupt check after guest instruction eip */
};
struct bt_where {
    enum bt_site site;
    uint32_t eip;          /* the guest instruction (for EXIT: the target) */
    int boundary;          /* 1: the address is the start of eip's translation, so
                            * the guest's registers and memory are as just before
                            * eip (deliver or restart there) */
    unsigned len;          /* the guest instruction's length */
};

#endif
