/*
 * batch: the decisions of the batch hypercalls (mmu_update, mmuext_op) and
 * of multicall: which entry runs, when they stop, what a continuation
 * carries, what *done says (docs/continuations.md). Pure: the guest's
 * memory, the entries' work, the preemption check and the continuation are
 * reached through ops, so the same code is tested on the host.
 */
#ifndef HV_CORE_BATCH_H
#define HV_CORE_BATCH_H

#include <stdint.h>

#define BATCH_CHUNK 16     /* entries read at once */
#define BATCH_CHECK 8      /* units of work (an entry, or what it reports) between two
                            * preemption checks */
#define MULTICALL_CHUNK 8
#define MULTICALL_CHECK 2
#define MC_STOP_AFTER 2    /* see batch_ops.call */  /* entries between two checks (a long one stops itself) */

struct batch_ops {     /* each gets the caller's ctx (the vCPU) */
    /* Guest memory: 0 or nonzero (fault). */
    int (*read)(void *ctx, void *dst, uint32_t va, uint32_t len);
    int (*write)(void *ctx, uint32_t va, const void *src, uint32_t len);
    /* Should it stop? */
    int (*preempt)(void *ctx);
    /* Make the continuation with these arguments; returns the hypercall's
     * result (its number). */
    int32_t (*cont)(void *ctx, unsigned nargs, const uint32_t *args);

    /* Batches: apply one entry: 0, -errno, or -PT_ERESTART (not done: the
     * same entry goes on later); done, it may instead return n > 0: its work
     * was n units (an entry's usual work, at most one L1's 512 entries, is
     * one unit), so that a heavy entry brings the next check forward. */
    int (*one)(void *ctx, const void *entry);
    /* Go on with the release this vCPU owes (*owed nonzero, see
     * batch_run): 0 when finished (it clears *owed), -PT_ERESTART when
     * stopped again. */
    int (*release)(void *ctx);

    /* Multicall: run one entry's hypercall; *preempted 1 when it made a
     * continuation (its new arguments written into args), MC_STOP_AFTER
     * when it is done but the batch must stop after it (a sched_op that
     * yields or blocks: the rest is continued). */
    int32_t (*call)(void *ctx, uint32_t op, uint32_t *args, int *preempted);
};

/* mmu_update / mmuext_op(base, count, pdone, domid) with entries of `size`
 * bytes (at most 16); self: domid names the caller; owed: nonzero while a
 * release left partial is owed (the vCPU's old_table). *ran: entries run. */
int32_t batch_run(const struct batch_ops *o, void *ctx, const uint64_t *owed, uint32_t base,
                  uint32_t count, uint32_t pdone, uint32_t domid, uint32_t size, int self,
                  uint32_t *ran);

/* multicall(calls, nr), as Xen's do_multicall (see batch.c): an iret entry
 * ends the batch and its result is the multicall's. */
int32_t multicall_run(const struct batch_ops *o, void *ctx, uint32_t calls, uint32_t nr);

#endif
