/* batch: batch and multicall decisions, continued as Xen's (see batch.h). */
#include "core/batch.h"

#include <pv86/counters.h>
#include <pv86/xen.h>
#include <string.h>

#include "mm/pagetable.h"

static int32_t continue_batch(const struct batch_ops *o, void *ctx, uint32_t base, uint32_t count,
                              uint32_t pdone, uint32_t domid)
{
    uint32_t args[4] = { base, count, pdone, domid };
    return o->cont(ctx, 4, args);
}

int32_t batch_run(const struct batch_ops *o, void *ctx, const uint64_t *owed, uint32_t base,
                  uint32_t count, uint32_t pdone, uint32_t domid, uint32_t size, int self,
                  uint32_t *ran)
{
    uint64_t chunk[BATCH_CHUNK * 2];
    uint32_t i, done = 0, work = 0;
    int rc = 0;

    *ran = 0;
    if (count == 1 && !pdone && self && !*owed) {
        /* One entry, nothing owed, no *done: the common flush, pin or
         * base-pointer switch. The loop below for that case, its answers
         * the same (tests/unit/test_batch.c compares them). */
        uint64_t one[2];
        if ((uint64_t)base + size > HYPERVISOR_VIRT_START)
            return -XEN_EFAULT;
        if (o->read(ctx, one, base, size))
            return -XEN_EFAULT;
        rc = o->one(ctx, one);
        if (rc == -PT_ERESTART)
            return continue_batch(o, ctx, base, 1 | MMU_UPDATE_PREEMPTED, 0, domid);
        if (rc >= 0) {
            *ran = 1;
            rc = 0;
        }
        if (*owed)
            return continue_batch(o, ctx, 0, MMU_UPDATE_PREEMPTED, 0, (uint32_t)rc);
        return rc;
    }
    if (*owed) {                         /* a release still owed: first */
        if (o->release(ctx))
            return continue_batch(o, ctx, base, count, pdone, domid);
    }
    if (count == MMU_UPDATE_PREEMPTED && base == 0)
        return (int32_t)domid;           /* that release was all that was left */
    if (count & MMU_UPDATE_PREEMPTED) {
        count &= ~MMU_UPDATE_PREEMPTED;
        if (pdone)
            (void)o->read(ctx, &done, pdone, sizeof(done));
    }
    if ((uint64_t)base + (uint64_t)count * size > HYPERVISOR_VIRT_START)
        return -XEN_EFAULT;
    if (!self)
        return -XEN_EPERM;

    for (i = 0; i < count; i++) {
        if (*owed || (work >= BATCH_CHECK && o->preempt(ctx))) {
            rc = -PT_ERESTART;
            break;
        }
        if (work >= BATCH_CHECK)
            work = 0;                    /* checked: not yet */
        if (i % BATCH_CHUNK == 0) {
            uint32_t got = count - i < BATCH_CHUNK ? count - i : BATCH_CHUNK;
            if (o->read(ctx, chunk, base + i * size, got * size)) {
                rc = -XEN_EFAULT;
                break;
            }
        }
        rc = o->one(ctx, (const uint8_t *)chunk + (i % BATCH_CHUNK) * size);
        if (rc >= 0) {                   /* done: one unit of work, or as many as it says */
            work += rc > 0 ? (uint32_t)rc : 1u;
            rc = 0;
        }
        if (rc)
            break;
    }
    *ran = i;
    if (rc == -PT_ERESTART)
        rc = continue_batch(o, ctx, base + i * size, (count - i) | MMU_UPDATE_PREEMPTED, pdone,
                            domid);
    else if (*owed)
        rc = continue_batch(o, ctx, 0, MMU_UPDATE_PREEMPTED, 0, (uint32_t)rc);
    if (pdone) {
        done += i;
        (void)o->write(ctx, pdone, &done, sizeof(done));    /* as Xen: no error */
    }
    return rc;
}

/*
 * multicall, as Xen's do_multicall: entries run in order, each one's result
 * written back into its own result field right after it ran (a fault
 * there: -EFAULT, nothing more runs); a preemption check before every
 * entry but the first (here every MULTICALL_CHECK entries: the guest cannot
 * tell the difference, only how often it is continued); an entry that
 * preempted itself is copied back whole (its new arguments, and its
 * hypercall number as result) and the multicall goes on from it later. An
 * iret entry ends the batch (Xen's mc_exit): the rest is not run, its result
 * fields stay untouched, and the multicall returns what the iret returned.
 * Entries are read a few at a time; when such a group cannot be read, it is
 * read again one entry at a time, so that exactly the entries Xen would run
 * before its -EFAULT run.
 */
int32_t multicall_run(const struct batch_ops *o, void *ctx, uint32_t calls, uint32_t nr)
{
    struct multicall_entry chunk[MULTICALL_CHUNK];
    uint32_t i, first = 0, have = 0;     /* chunk holds entries [first, first + have) */

    /* Xen's compat_array_access_ok: the last byte (calls - 1 for none)
     * below the hypervisor area, so that (NULL, 0) is -EFAULT too. */
    if (nr >= 0xFFFFFFFFu / sizeof(chunk[0]) ||
        (uint64_t)calls + (uint64_t)nr * sizeof(chunk[0]) - 1 >= HYPERVISOR_VIRT_START)
        return -XEN_EFAULT;
    for (i = 0; i < nr; i++) {
        uint32_t va = calls + i * (uint32_t)sizeof(chunk[0]);
        if (i % MULTICALL_CHECK == 0 && i && o->preempt(ctx))
            goto preempted;
        if (i >= first + have) {               /* read a few entries at once */
            uint32_t got = nr - i < MULTICALL_CHUNK ? nr - i : MULTICALL_CHUNK;
            first = i;
            have = got;
            if (o->read(ctx, chunk, va, got * sizeof(chunk[0]))) {
                have = 1;                      /* then this one alone */
                if (got == 1 || o->read(ctx, chunk, va, sizeof(chunk[0])))
                    return -XEN_EFAULT;
            }
        }
        struct multicall_entry *e = &chunk[i - first];
        int preempted = 0;
        int32_t ret;
        if (e->op == __HYPERVISOR_multicall || e->op == __HYPERVISOR_pv86_counters_op)
            ret = -XEN_EINVAL;   /* no nesting (Xen's answer); a counter reading
                                  * inside one would count its multicall */
        else
            ret = o->call(ctx, e->op, e->args, &preempted);
        e->result = (uint32_t)ret;
        if (e->op == __HYPERVISOR_iret) {      /* the guest is elsewhere now */
            (void)o->write(ctx, va + 4, &e->result, sizeof(e->result));   /* as Xen: best effort */
            return ret;
        }
        if (preempted == MC_STOP_AFTER) {      /* done; the rest goes on later */
            if (o->write(ctx, va + 4, &e->result, sizeof(e->result)))
                return -XEN_EFAULT;
            if (++i < nr)
                goto preempted;
            return 0;
        }
        if (preempted) {           /* it goes on later, with its new arguments */
            if (o->write(ctx, va, e, sizeof(*e)))
                return -XEN_EFAULT;
            goto preempted;
        }
        if (o->write(ctx, va + 4, &e->result, sizeof(e->result)))
            return -XEN_EFAULT;
    }
    return 0;
preempted: {
        uint32_t args[2] = { calls + i * (uint32_t)sizeof(chunk[0]), nr - i };
        return o->cont(ctx, 2, args);
    }
}
