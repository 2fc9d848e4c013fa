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

/* Limits of one block (a translation: one entry, straight-line guest code). */
#define BT_MAX_INSNS        48u    /* guest instructions per block */
#define BT_MAX_EXITS        2u     /* exits per block (taken, fall-through) */
#define BT_BLOCK_MAX        4096u  /* TC bytes of one block, at most */
#define BT_STUB_LEN         5u     /* an exit stub: int3 + 4, or jmp rel32 once chained */
#define BT_PROLOGUE_LEN     30u    /* a block's indirect entry, before its body */
#define BT_PROLOGUE_MISS    22u    /* the indirect entry's int3 (MISS) */

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
    /* Called once for each guest frame a new block is made from (the
     * runtime write-protects it; calls repeat after an invalidation or a
     * flush). May be NULL. */
    void (*code_frame)(void *ctx, uint32_t gpfn);
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
/*
 * What the runtime does at each (tc is the int3's address: trap EIP - 1):
 *   INSN     a fault: the guest's fault at eip; when boundary, the state is
 *            exactly as before eip; when not, the translation's earlier TC
 *            instructions changed nothing a restart of eip would see
 *            (restart at eip with the registers as they are). An interrupt
 *            at a non-boundary waits (the sequence ends in a few
 *            instructions, without a loop).
 *   CALLOUT  the state is as before eip (boundary 1): emulate the guest
 *            instruction; if it completed and the next guest EIP is
 *            eip + len and resume != 0, continue at resume, else look the
 *            next EIP up (bt_cache_get). Deliver pending interrupts there:
 *            a callout after sti is where its interrupt shadow ends.
 *   EXIT     the state is as at guest eip (the target; boundary 1): get
 *            its translation, bt_cache_chain(tc, it), continue there.
 *   MISS     the state is as after an indirect transfer (ret popped, call
 *            pushed), every register the guest's; the guest target is the
 *            dword at gs:BT_VP_TARGET (untrusted: the guest can write the
 *            vpage): bt_cache_get it and continue there. eip: the block
 *            whose indirect entry missed (0: the cache's miss stub).
 *   PEND     any fault of this instruction is the pending check: the
 *            guest's eax is at gs:BT_VP_SAVE_EAX (eax_saved), everything
 *            else is as at guest EIP next (boundary 0); deliver there (eax
 *            from the vpage), or continue at resume (the TC restores eax).
 */
struct bt_where {
    enum bt_site site;
    uint32_t eip;          /* the guest instruction (for EXIT: the target) */
    int boundary;          /* 1: the address is the start of eip's translation, so
                            * the guest's registers and memory are as just before
                            * eip (deliver or restart there) */
    unsigned len;          /* the guest instruction's length */
    uint32_t next;         /* CALLOUT: eip + len; PEND: the guest EIP the check is at */
    uint32_t resume;       /* CALLOUT, PEND: where to continue (0: nowhere, look up) */
    int eax_saved;         /* PEND: the guest's eax is at gs:BT_VP_SAVE_EAX */
    int live;              /* the block is live (0: invalidated, still in the TC) */
};

/* ---- the block translator (bt/translate.c), used by the cache */

/* Per guest instruction of a block. */
#define BT_MI_CALLOUT   0x01u  /* its translation is int3 (at tc_off) */
#define BT_MI_RESUME    0x02u  /* a callout after which the block goes on */
#define BT_MI_LOOKUP    0x04u  /* an indirect transfer (ret, jmp/call r/m) */
struct bt_insn_map {
    uint16_t eip_off;      /* guest eip - block eip */
    uint16_t tc_off;       /* its translation's start, from the block's start */
    uint8_t len;           /* guest length */
    uint8_t flags;         /* BT_MI_* */
    uint16_t pend_off;     /* 0, or the pending check's faulting insn (block offset) */
};
struct bt_exit_map {
    uint16_t tc_off;       /* the stub, from the block's start */
    uint32_t target;       /* guest EIP */
};
struct bt_block_out {
    uint32_t eip;
    uint32_t gpfn[2];
    unsigned ngpfn;
    unsigned ninsns;
    struct bt_insn_map insns[BT_MAX_INSNS];
    unsigned nexits;
    struct bt_exit_map exits[BT_MAX_EXITS];
    unsigned body_off;     /* the direct entry (after the indirect one) */
    unsigned exits_off;    /* the first exit stub (end of the instructions) */
    unsigned size;         /* TC bytes */
};

enum bt_tx_result { BT_TX_OK = 0, BT_TX_FAULT /* *fault_va unreadable */, BT_TX_NOSPACE };

/* Translate the block at guest eip into out[0..cap), which runs at TC
 * address out_va. The cap must be at least BT_BLOCK_MAX. A block that meets an
 * unreadable page after its first instruction ends with an exit to it;
 * BT_TX_FAULT only when the first instruction cannot be fetched. */
int bt_translate(const struct bt_env *env, uint32_t eip, uint8_t *out, uint32_t out_va,
                 size_t cap, struct bt_block_out *b, uint32_t *fault_va);

/* The cache's miss stub (at its start): restores ecx, int3 (MISS). */
#define BT_MISS_STUB_LEN    8u
void bt_emit_miss_stub(uint8_t *out);

/* A translated block as the cache keeps it, for bt_block_where. */
struct bt_block_info {
    uint32_t eip;          /* guest */
    uint32_t tc_va;        /* its indirect entry (the block's first byte) */
    uint16_t size, body_off, exits_off;
    uint8_t ninsns, nexits;
    const struct bt_insn_map *insns;
    const struct bt_exit_map *exits;
};
/* Where tc_va (inside the block) is; live is left to the caller. */
void bt_block_where(const struct bt_block_info *bi, uint32_t tc_va, struct bt_where *w);

#endif
