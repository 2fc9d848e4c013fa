/*
 * smc: bt's self-modifying and cross-modifying code (docs/bt.md). Pure
 * (host-tested in tests/unit/test_bt_smc.c); the runtime gives it the
 * shadow layer's write protection and the cache's invalidation as
 * callbacks (bt/smc_rt.c).
 *
 * A guest frame the translator reads code from is write-protected in the
 * shadow page tables from its first translation on. Protection is by
 * guest-physical frame, so a write through any virtual alias of it (and
 * a write from ring 3) traps too. A write that traps there, the guest's
 * own entry allowing it, drops every translation made from the frame (the
 * cache unchains the exits into them), unprotects the frame and lets the
 * instruction run again: the shadow fill then maps the frame writable. The
 * frame is protected again at its next translation.
 *
 * Adaptive translation (bt/adapt.h): each such trap is counted at the
 * guest instruction that stored; a site that keeps trapping (a store to
 * data that shares a page with code) is retranslated as a callout. The
 * callout emulates the store in the hypervisor (bt_smc_emulate: the
 * memory forms of hw/mmio.h, through the guest's linear memory, with the
 * guest's page rights) and drops the frame's translations only when the
 * bytes written overlap bytes that were translated. For that each frame
 * with translations keeps a bitmap of its translated bytes, as the
 * translator reports them (bt_smc_code).
 *
 * Bounds: BT_SMC_FRAMES frames are tracked between two flushes of the
 * whole cache, BT_SMC_MAPS of them with a bitmap (a frame without one
 * counts as translated through: any store to it drops its translations).
 * Once more frames have translations than are tracked, the callout
 * treats every frame it stores to as having translations (`overflow`,
 * until the cache is flushed whole: bt_smc_flushed). So a translation is
 * never left stale; only precision is lost.
 */
#ifndef HV_BT_SMC_H
#define HV_BT_SMC_H

#include <stddef.h>
#include <stdint.h>

#include "bt/adapt.h"

#define BT_SMC_FRAMES   256u      /* frames with translations tracked */
#define BT_SMC_SLOTS    512u      /* their hash table (a power of two, > FRAMES) */
#define BT_SMC_MAPS     32u       /* of them, with a bitmap of translated bytes */

/* What smc needs from the runtime. */
struct bt_smc_ops {
    void *ctx;
    void (*protect)(void *ctx, uint32_t gpfn);     /* write-protect in the shadow tables */
    void (*unprotect)(void *ctx, uint32_t gpfn);
    void (*invalidate)(void *ctx, uint32_t gpfn);  /* drop the frame's translations */
    void (*invalidate_eip)(void *ctx, uint32_t eip);  /* drop those of guest byte eip */
};

struct bt_smc_frame {
    uint32_t gpfn;
    int16_t map;                  /* its bitmap, or -1: every byte counts as translated */
    uint8_t used;
};

struct bt_smc {
    struct bt_smc_ops ops;
    struct bt_adapt adapt;
    struct bt_smc_frame slot[BT_SMC_SLOTS];
    uint32_t frames;              /* tracked */
    int overflow;                 /* a frame with translations is not tracked */
    uint32_t map_free;            /* bit i: bitmap i free */
    uint32_t map[BT_SMC_MAPS][4096 / 32];
    /* what happened, for the report */
    uint32_t protected_frames;    /* protections made */
    uint32_t write_traps;         /* stores that trapped on a protected frame */
    uint32_t invalidations;       /* frames whose translations were dropped */
    uint32_t callout_stores;      /* stores emulated by callouts */
    uint32_t callout_invalidations;  /* hypervisor stores over translated bytes */
};

void bt_smc_init(struct bt_smc *s, const struct bt_smc_ops *ops);
/* A frame's first slot in the table (for tests: frames that collide). */
unsigned bt_smc_home(uint32_t gpfn);

/* The translator has translated guest bytes [off, off + len) of frame
 * gpfn (off + len clipped to the page). The frame's first translation
 * protects it. */
void bt_smc_code(struct bt_smc *s, uint32_t gpfn, unsigned off, unsigned len);
/* The same for guest instruction [eip, eip + len) of a block that starts
 * at block_eip and is made from frames gpfn[0] (block_eip's page) and,
 * with ngpfn 2, gpfn[1] (the next page): the bytes split at the page
 * boundary. Bytes on neither page are ignored (a block spans at most
 * two). */
void bt_smc_insn(struct bt_smc *s, uint32_t block_eip, const uint32_t gpfn[2], unsigned ngpfn,
                 uint32_t eip, unsigned len);
/* All of a block the translator made (bt/translate.h): bt_smc_insn for
 * each of its guest instructions. */
struct bt_block_out;
void bt_smc_block(struct bt_smc *s, const struct bt_block_out *b);
/* The cache was flushed whole (by anything but smc): nothing has
 * translations now. The frames stay protected until a write to them
 * traps (bt_smc_write_trap unprotects them then) or they are translated
 * again. */
void bt_smc_flushed(struct bt_smc *s);
/* 1 if frame gpfn has translations smc knows of (or may have: overflow). */
int bt_smc_has_code(const struct bt_smc *s, uint32_t gpfn);
/* 1 if a byte of [off, off + len) of frame gpfn was translated (or may
 * have been). */
int bt_smc_overlaps(const struct bt_smc *s, uint32_t gpfn, unsigned off, unsigned len);

/* A store by the translated code of guest instruction eip trapped on
 * protected frame gpfn, and the guest's own entry allows it. Drops the
 * frame's translations and unprotects it (the instruction then runs
 * again). can_callout: the instruction is a form bt_smc_emulate handles
 * (bt_smc_can_emulate). When this trap makes the site hot, the
 * translations of eip are dropped too (ops->invalidate_eip; its frame
 * stays protected) so that eip is translated again, as a callout
 * (bt_smc_force_callout). Returns 1 then, else 0. */
int bt_smc_write_trap(struct bt_smc *s, uint32_t eip, int can_callout, uint32_t gpfn);
/* A store by guest ring 3 (or 2) trapped on protected frame gpfn: its
 * translations dropped and the frame unprotected, not counted per site
 * (ring 3 is not translated). */
void bt_smc_user_write(struct bt_smc *s, uint32_t gpfn);
/* The hypervisor is about to write bytes [off, off + len) of guest frame
 * gpfn for the guest (an emulated store, a delivery's frame): the
 * frame's translations are dropped if the bytes overlap translated ones.
 * Returns 1 if the frame has translations (the store would have trapped
 * had the guest made it), 0 otherwise. */
int bt_smc_hv_write(struct bt_smc *s, uint32_t gpfn, unsigned off, unsigned len);
/* Drop frame gpfn's translations (ops->invalidate), unprotect it and
 * forget it. */
void bt_smc_drop(struct bt_smc *s, uint32_t gpfn);
/* env->force_callout: 1 for a site retranslated as a callout. */
int bt_smc_force_callout(const struct bt_smc *s, uint32_t eip);

/* ---- smc_store.c: the callout's store ---- */

/* The guest's linear memory as its kernel sees it. */
struct bt_smc_mem {
    void *ctx;
    /* Walk linear va for a read (write 0) or a write as the guest
     * kernel: 0 with *gpfn its frame (accessed and, for a write, dirty
     * bits set as the CPU would), or -1 with *error the #PF error code
     * the CPU would give. */
    int (*walk)(void *ctx, uint32_t va, int write, uint32_t *gpfn, uint32_t *error);
    /* The frame's bytes in the hypervisor, or NULL (not guest RAM). */
    uint8_t *(*frame)(void *ctx, uint32_t gpfn);
};

/* The guest's general registers (eax..edi), EFLAGS and the base of the
 * segment the store uses. */
struct bt_smc_regs {
    uint32_t gpr[8];
    uint32_t eflags;
};

enum {
    BT_SMC_DONE = 0,       /* done: EIP += *len */
    BT_SMC_FAULT,          /* the guest's #PF at *fault_va with *error; nothing written */
    BT_SMC_UNHANDLED,      /* not a form it emulates, or not guest RAM: nothing done */
};

/* 1 if b[0..n) is an instruction bt_smc_emulate handles: a memory form of
 * hw/mmio.h that writes memory, in 32-bit code. */
int bt_smc_can_emulate(const uint8_t *b, size_t n);
/* The segment an instruction's memory operand uses (its override, else
 * SS for an ESP or EBP base, else DS): X86_SEG_*. */
int bt_smc_segment(const uint8_t *b, size_t n);
/* Emulate the store at guest eip (bytes b[0..n), 32-bit code) whose
 * memory operand is in a segment of base seg_base: read and write the
 * guest's memory through mem, drop translations of the frames written
 * where the bytes overlap translated ones, count the callout at eip
 * (adapt). Segment limits are not checked (the guest kernel's flat
 * segments; the access is within the guest's own memory and rights). */
int bt_smc_emulate(struct bt_smc *s, uint32_t eip, const uint8_t *b, size_t n,
                   uint32_t seg_base, struct bt_smc_regs *r, const struct bt_smc_mem *mem,
                   unsigned *len, uint32_t *fault_va, uint32_t *error);

/* The report at the domain's end (bt/adapt.h's lines after one of its
 * own), a line at a time. Returns the lines given. */
unsigned bt_smc_report(const struct bt_smc *s, unsigned domid,
                       void (*out)(void *ctx, const char *line), void *ctx);

#endif
