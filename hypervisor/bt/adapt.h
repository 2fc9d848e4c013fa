/*
 * adapt: bt's adaptive translation (Adams & Agesen, ASPLOS 2006, section
 * 3.3). Translated code that still traps (a store into a write-protected
 * frame that holds translated code, bt/smc.c) is counted per guest
 * instruction; a site that has trapped BT_ADAPT_HOT times is retranslated
 * as a callout (env->force_callout answers 1 for it from then on), which
 * emulates it in the hypervisor without the trap. Pure (host-tested in
 * tests/unit/test_bt_adapt.c).
 *
 * The table: BT_ADAPT_SLOTS slots, open addressing by a hash of the guest
 * EIP, probing at most BT_ADAPT_PROBE consecutive slots (wrapping). Slots
 * are never emptied, only reused, so a lookup stops at the first empty
 * slot of its window. A new site whose window is full takes the slot of
 * the coldest site there that is not retranslated (fewest traps, the
 * first of them on a tie): that site's count is lost (counted in
 * `evicted`) and it starts from zero if it traps again. A retranslated
 * site is never evicted (force_callout must keep answering 1 for it, or
 * the site would be retranslated twice); a trap whose window holds only
 * retranslated sites is not counted (`uncounted`). Each site is
 * retranslated at most once.
 *
 * What it saved: the runtime measures (rdtsc; instructions under
 * QEMU's -icount) what each counted trap cost, from the fault to the
 * guest's resumption, and what each callout at a retranslated site cost.
 * A callout whose store hit a frame with translations would have trapped
 * (`avoided`); saved = avoided * mean trap cost - callouts * mean callout
 * cost (negative if the callouts cost more than the traps they avoided;
 * each factor saturated at 2^31).
 */
#ifndef HV_BT_ADAPT_H
#define HV_BT_ADAPT_H

#include <stdint.h>

#define BT_ADAPT_SLOTS   256u     /* a power of two */
#define BT_ADAPT_PROBE   16u
#define BT_ADAPT_HOT     8u       /* traps at a site before it is retranslated */
#define BT_ADAPT_LINES   8u       /* sites the report names, hottest first */

struct bt_adapt_site {
    uint32_t eip;
    uint32_t traps;               /* traps the translated code took here */
    uint32_t callouts;            /* callouts here once retranslated */
    uint32_t avoided;             /* of them, stores that would have trapped */
    uint8_t used;
    uint8_t hot;                  /* retranslated as a callout */
    uint8_t refused;              /* hot, but the callout cannot emulate it */
};

struct bt_adapt {
    struct bt_adapt_site slot[BT_ADAPT_SLOTS];
    uint32_t sites;               /* slots in use */
    uint32_t hot_sites;
    uint32_t traps;               /* every trap counted */
    uint32_t evicted;             /* sites dropped to make room (their counts lost) */
    uint32_t uncounted;           /* traps not counted: the window held only hot sites */
    uint64_t trap_cost, callout_cost;        /* sums of the measured costs */
    uint32_t trap_samples, callout_samples;
};

void bt_adapt_init(struct bt_adapt *a);
/* The first slot of eip's window (for tests: sites that share a window). */
unsigned bt_adapt_home(uint32_t eip);

enum { BT_ADAPT_COUNTED = 0, BT_ADAPT_RETRANSLATE = 1 };

/* A trap the translated code of guest instruction eip took. can_callout:
 * the callout could emulate the instruction. BT_ADAPT_RETRANSLATE when
 * this trap made the site hot (exactly once per site): the caller drops
 * the site's translation, and the next one is a callout. A site that
 * reaches the threshold but cannot be a callout is marked refused and
 * keeps trapping (counted). */
int bt_adapt_trap(struct bt_adapt *a, uint32_t eip, int can_callout);
/* 1 if eip is retranslated as a callout (env->force_callout). */
int bt_adapt_is_hot(const struct bt_adapt *a, uint32_t eip);
/* A callout at retranslated site eip; would_trap: the untranslated store
 * would have trapped. Ignored if eip is not a hot site. */
void bt_adapt_callout(struct bt_adapt *a, uint32_t eip, int would_trap);
/* What one counted trap / one callout cost (rdtsc difference). */
void bt_adapt_trap_cost(struct bt_adapt *a, uint64_t cost);
void bt_adapt_callout_cost(struct bt_adapt *a, uint64_t cost);
/* The estimate of what retranslation saved (see above). */
int64_t bt_adapt_saved(const struct bt_adapt *a);
/* The site's counters, or NULL. */
const struct bt_adapt_site *bt_adapt_find(const struct bt_adapt *a, uint32_t eip);

/* The report at the domain's end, a line at a time (no newline) to
 * out(ctx, line): nothing if no trap was counted; else a summary line,
 * the cost line if a site was retranslated, then the hot sites (hot or
 * refused), at most BT_ADAPT_LINES of them, by traps + callouts
 * descending (eip ascending on a tie), and a line for those left out.
 * Returns the lines given. */
unsigned bt_adapt_report(const struct bt_adapt *a, unsigned domid,
                         void (*out)(void *ctx, const char *line), void *ctx);

#endif
