/*
 * hypercall: dispatch, plus the small hypercalls that belong to no other
 * subsystem: console_io, xen_version, vm_assist and sched_op.
 */
#include "core/hypercall.h"

#include <pv86/version.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/batch.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/features.h"
#include "core/grant.h"
#include "core/prof.h"
#include "core/timer.h"
#include "core/toolstack.h"
#include "mm/pte.h"

#ifndef PV86_CHANGESET
#define PV86_CHANGESET "unknown"
#endif
#ifndef PV86_BUILD_DATE
#define PV86_BUILD_DATE "unknown"
#endif

#define XEN_MAJOR 3
#define XEN_MINOR 0

static const hypercall_fn hypercall_table[PV86_NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table]    = do_set_trap_table,
    [__HYPERVISOR_mmu_update]        = do_mmu_update,
    [__HYPERVISOR_update_descriptor] = do_update_descriptor,
    [__HYPERVISOR_memory_op]         = do_memory_op,
    [__HYPERVISOR_multicall]         = do_multicall,
    [__HYPERVISOR_mmuext_op]         = do_mmuext_op,
    [__HYPERVISOR_set_gdt]           = do_set_gdt,
    [__HYPERVISOR_stack_switch]      = do_stack_switch,
    [__HYPERVISOR_set_callbacks]     = do_set_callbacks,
    [__HYPERVISOR_fpu_taskswitch]    = do_fpu_taskswitch,
    [__HYPERVISOR_set_debugreg]      = do_set_debugreg,
    [__HYPERVISOR_get_debugreg]      = do_get_debugreg,
    [__HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [__HYPERVISOR_xen_version]       = do_xen_version,
    [__HYPERVISOR_console_io]        = do_console_io,
    [__HYPERVISOR_vm_assist]         = do_vm_assist,
    [__HYPERVISOR_iret]              = do_iret,
    [__HYPERVISOR_sched_op]          = do_sched_op,
    [__HYPERVISOR_callback_op]       = do_callback_op,
    [__HYPERVISOR_event_channel_op]  = do_event_channel_op,
    [__HYPERVISOR_set_timer_op]      = do_set_timer_op,
    [__HYPERVISOR_vcpu_op]           = do_vcpu_op,
    [__HYPERVISOR_grant_table_op]    = do_grant_table_op,
    [19]                             = do_physdev_op_compat,   /* legacy physdev_op */
    [__HYPERVISOR_physdev_op]        = do_physdev_op,
    [__HYPERVISOR_pv86_counters_op]  = do_pv86_counters_op,
};

static const char *const hypercall_names[PV86_NR_HYPERCALLS] = {
    [0] = "set_trap_table", [1] = "mmu_update", [2] = "set_gdt",
    [3] = "stack_switch", [4] = "set_callbacks", [5] = "fpu_taskswitch",
    [7] = "platform_op", [8] = "set_debugreg", [9] = "get_debugreg",
    [10] = "update_descriptor", [12] = "memory_op", [13] = "multicall",
    [14] = "update_va_mapping", [15] = "set_timer_op", [17] = "xen_version",
    [18] = "console_io", [19] = "physdev_op_compat", [20] = "grant_table_op", [21] = "vm_assist",
    [22] = "update_va_mapping_otherdomain", [23] = "iret", [24] = "vcpu_op",
    [26] = "mmuext_op", [28] = "nmi_op", [29] = "sched_op", [30] = "callback_op",
    [32] = "event_channel_op", [33] = "physdev_op", [35] = "sysctl",
    [36] = "domctl", [39] = "argo_op", [48] = "pv86_counters_op",
};

const char *hypercall_name(unsigned nr)
{
    if (nr < PV86_NR_HYPERCALLS && hypercall_names[nr])
        return hypercall_names[nr];
    return "unknown";
}

uint32_t hypervisor_version(void)
{
    return (XEN_MAJOR << 16) | XEN_MINOR;
}

void hypercall_dispatch(struct vcpu *v)
{
    struct cpu_frame *r = &v->regs;
    uint32_t nr = r->eax;
    struct domain *d = v->domain;
    int32_t ret = -XEN_ENOSYS;

    if (nr != __HYPERVISOR_pv86_counters_op)     /* the observer is not counted */
        d->stats.hypercalls_total++;
    if (nr < PV86_NR_HYPERCALLS) {
        if (nr != __HYPERVISOR_pv86_counters_op)
            d->stats.hypercalls[nr]++;
        if (hypercall_table[nr]) {
            /* A multicall's own loop is dispatch; its entries are work. */
            PROF_HYPERCALL(nr, r->ecx);
            PROF_TO(nr == __HYPERVISOR_multicall ? PROF_DISPATCH : PROF_WORK);
            ret = hypercall_table[nr](v, r->ebx, r->ecx, r->edx, r->esi, r->edi);
            PROF_TO(PROF_DISPATCH);
        }
    }
    r->eax = (uint32_t)ret;
    if (__builtin_expect(v->cont.preempted, 0)) {     /* run the same `int $0x82` again */
        v->cont.preempted = 0;
        r->eip -= 2;
    }
}

/* ---- continuations ---- */

#define PIC1_CMD 0x20      /* reads the master 8259's IRR (its state after init) */

int hypercall_preempt_check(void)
{
    if (inb(PIC1_CMD) & 1)                   /* the timer tick waits */
        return 1;
    const struct vcpu_info *vi = current_domain ? current_vcpu()->vcpu_info : NULL;
    return vi && vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask;
}

int32_t hypercall_create_continuation(struct vcpu *v, uint32_t op, unsigned nargs,
                                      const uint32_t *args)
{
    struct hcall_cont *c = &v->cont;
    c->preempted = 1;
    if (c->in_multicall) {
        for (unsigned i = 0; i < nargs && i < 5; i++)
            c->mc_args[i] = args[i];
    } else {
        /* Its re-entry counts it again: the counts stay those of the
         * guest's calls, whatever the timing. */
        v->domain->stats.hypercalls_total--;
        v->domain->stats.hypercalls[op]--;
        uint32_t *regs[5] = { &v->regs.ebx, &v->regs.ecx, &v->regs.edx, &v->regs.esi,
                              &v->regs.edi };
        for (unsigned i = 0; i < nargs && i < 5; i++)
            *regs[i] = args[i];
    }
    return (int32_t)op;      /* EAX: the hypercall number again */
}

/* ---- multicall: many hypercalls for one entry into the hypervisor ----
 * The decisions (which entry, when it stops, what an entry preempted itself
 * leaves in the guest's array) are core/batch.c's multicall_run; here, one
 * entry's hypercall, with a continuation it makes going into its args. */
static int mc_read(void *ctx, void *dst, uint32_t va, uint32_t len)
{
    return copy_from_guest(ctx, dst, va, len);
}

static int mc_write(void *ctx, uint32_t va, const void *src, uint32_t len)
{
    return copy_to_guest(ctx, va, src, len);
}

static int mc_preempt(void *ctx)
{
    (void)ctx;
    return hypercall_preempt_check();
}

static int32_t mc_cont(void *ctx, unsigned nargs, const uint32_t *args)
{
    return hypercall_create_continuation(ctx, __HYPERVISOR_multicall, nargs, args);
}

/* A sched_op entry that would yield or block: as in Xen (where it raises
 * the scheduler's softirq and the next preemption check stops the batch),
 * it returns 0 now, the multicall stops after it (the rest continued when
 * the vCPU runs again), and do_multicall then yields or blocks. */
static int32_t mc_defer(struct vcpu *v, uint8_t what)
{
    v->cont.mc_defer = what;
    return 0;
}

static int32_t mc_call(void *ctx, uint32_t op, uint32_t *args, int *preempted)
{
    struct vcpu *v = ctx;
    struct hcall_cont *c = &v->cont;
    if (op >= PV86_NR_HYPERCALLS || !hypercall_table[op])
        return -XEN_ENOSYS;
    v->domain->stats.batched[op]++;
    c->in_multicall = 1;
    c->mc_args = args;
    PROF_SUBCALL(op, args[1]);
    PROF_PUSH(PROF_WORK);
    int32_t ret = hypercall_table[op](v, args[0], args[1], args[2], args[3], args[4]);
    PROF_POP();
    c->in_multicall = 0;
    if (c->preempted) {
        c->preempted = 0;
        *preempted = 1;
    } else if (c->mc_defer) {
        *preempted = MC_STOP_AFTER;
    }
    return ret;
}

int32_t do_multicall(struct vcpu *v, uint32_t calls, uint32_t nr, uint32_t a3,
                     uint32_t a4, uint32_t a5)
{
    static const struct batch_ops ops = {
        .read = mc_read, .write = mc_write, .preempt = mc_preempt, .cont = mc_cont,
        .call = mc_call,
    };
    (void)a3, (void)a4, (void)a5;
    int32_t rc = multicall_run(&ops, v, calls, nr);
    if (__builtin_expect(v->cont.mc_defer, 0)) {
        /* What hypercall_dispatch would do on the way out, then the sleep. */
        uint8_t what = v->cont.mc_defer;
        v->cont.mc_defer = 0;
        if (v->cont.preempted) {
            v->cont.preempted = 0;
            v->regs.eip -= 2;                /* the rest of the batch, when it runs */
        }
        if (what == MC_BLOCK)
            sched_block_current((uint32_t)rc);
        v->regs.eax = (uint32_t)rc;
        schedule();
    }
    return rc;
}

/* ---- pv86_counters_op: the domain's counters (readings are not counted) ---- */
int32_t do_pv86_counters_op(struct vcpu *v, uint32_t cmd, uint32_t out, uint32_t a3,
                            uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if (cmd != PV86_COUNTERS_READ)
        return -XEN_EINVAL;
    struct pv86_counters c = v->domain->stats;
    c.version = PV86_COUNTERS_VERSION;
    c.size = sizeof(c);
    return copy_to_guest(v, out, &c, sizeof(c)) ? -XEN_EFAULT : 0;
}

/* ---- console_io, as Xen's do_console_io and guest_console_write ----
 * Only the initial (control) domain: Xen's XSM dummy policy answers any
 * other domain -EPERM, whatever the command. WRITE takes any count, printed
 * 127 bytes at a time: a piece that cannot be read is -EFAULT (what came
 * before it printed), a long write is preempted and continued; 0 bytes is 0
 * whatever the pointer. READ: -E2BIG above INT_MAX; input is taken only
 * once it has been copied to the guest, so a bad buffer (-EFAULT) loses
 * nothing. Unknown commands -ENOSYS. */
#define CONSOLE_PIECE 127

int32_t do_console_io(struct vcpu *v, uint32_t cmd, uint32_t count, uint32_t buf,
                      uint32_t a4, uint32_t a5)
{
    char chunk[CONSOLE_PIECE + 1];
    uint32_t done = 0;
    (void)a4, (void)a5;

    if (!(v->domain->flags & SIF_PRIVILEGED))
        return -XEN_EPERM;
    switch (cmd) {
    case CONSOLEIO_write:
        while (count) {
            if (done && hypercall_preempt_check()) {
                uint32_t args[3] = { CONSOLEIO_write, count, buf };
                return hypercall_create_continuation(v, __HYPERVISOR_console_io, 3, args);
            }
            uint32_t n = count < CONSOLE_PIECE ? count : CONSOLE_PIECE;
            if (copy_from_guest(v, chunk, buf, n))
                return -XEN_EFAULT;
            console_guest_write(v->domain->id, chunk, n);
            buf += n;
            count -= n;
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        if (count > 0x7FFFFFFFu)
            return -XEN_E2BIG;
        while (done < count) {
            uint32_t want = count - done < sizeof(chunk) ? count - done : sizeof(chunk);
            uint32_t n = (uint32_t)console_peek(chunk, want);
            if (!n)
                break;
            if (copy_to_guest(v, buf + done, chunk, n))
                return -XEN_EFAULT;          /* these stay for the next read */
            console_consume(n);
            done += n;
        }
        return (int32_t)done;
    case PV86_CONSOLEIO_toolstack:          /* pv86's toolstack (docs/toolstack.md) */
        return toolstack_guest_command(v, count, buf);
    default:
        return -XEN_ENOSYS;
    }
}

/* ---- xen_version ---- */
static int32_t put_string(struct vcpu *v, uint32_t arg, const char *s, uint32_t size)
{
    char buf[XEN_CAPABILITIES_LEN];
    size_t len = strnlen(s, size - 1);      /* always NUL-terminated */
    memset(buf, 0, size);
    memcpy(buf, s, len);
    return copy_to_guest(v, arg, buf, size) ? -XEN_EFAULT : 0;
}

int32_t do_xen_version(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                       uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    switch (cmd) {
    case XENVER_version:
        return (int32_t)hypervisor_version();
    case XENVER_extraversion:
        return put_string(v, arg, "-pv86", XEN_EXTRAVERSION_LEN);
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        memcpy(ci.compiler, "gcc " __VERSION__, sizeof("gcc " __VERSION__) < sizeof(ci.compiler)
               ? sizeof("gcc " __VERSION__) : sizeof(ci.compiler) - 1);
        memcpy(ci.compile_by, "pv86", 5);
        memcpy(ci.compile_domain, "pv86.invalid", 13);
        memcpy(ci.compile_date, PV86_BUILD_DATE, sizeof(PV86_BUILD_DATE) < sizeof(ci.compile_date)
               ? sizeof(PV86_BUILD_DATE) : sizeof(ci.compile_date) - 1);
        return copy_to_guest(v, arg, &ci, sizeof(ci)) ? -XEN_EFAULT : 0;
    }
    case XENVER_capabilities:
        return put_string(v, arg, "xen-3.0-x86_32p", XEN_CAPABILITIES_LEN);
    case XENVER_changeset:
        return put_string(v, arg, PV86_CHANGESET, XEN_CHANGESET_LEN);
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { HYPERVISOR_VIRT_START };
        return copy_to_guest(v, arg, &pp, sizeof(pp)) ? -XEN_EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(v, &fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL;
        fi.submap = features_submap0(v->domain->vm_assist,
                                     (v->domain->flags & SIF_INITDOMAIN) != 0);
        return copy_to_guest(v, arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
    }
    case XENVER_pagesize:
        return arg ? -XEN_EINVAL : 4096;
    default:
        return -XEN_ENOSYS;
    }
}

/* ---- vm_assist: Xen's assists for a 32-bit PV guest (core/features.c) ---- */
int32_t do_vm_assist(struct vcpu *v, uint32_t cmd, uint32_t type, uint32_t a3,
                     uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    return vm_assist_apply(&v->domain->vm_assist, cmd, type);
}

/* ---- sched_op ---- */
/* The code a shutdown of d reports: SCHEDOP_shutdown_code's, else reason. */
static uint8_t shutdown_code_of(const struct domain *d, uint32_t reason)
{
    return d->shutdown_code >= 0 ? (uint8_t)d->shutdown_code : (uint8_t)reason;
}

static int32_t sched_poll(struct vcpu *v, uint32_t arg)
{
    struct sched_poll p;
    if (copy_from_guest(v, &p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.nr_ports > POLL_MAX_PORTS)
        return -XEN_EINVAL;
    if (guest_range_ok(p.ports, p.nr_ports * 4))
        return -XEN_EFAULT;
    /* Xen's do_poll: an event the guest would take at once ends the poll
     * before the ports are read (local_events_need_delivery). */
    if (v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask)
        return 0;
    if (copy_from_guest(v, v->poll_ports, p.ports, p.nr_ports * 4))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < p.nr_ports; i++) {
        if (v->poll_ports[i] >= EVTCHN_PORTS)      /* Xen: port < max_evtchns */
            return -XEN_EINVAL;
        if (evtchn_is_pending(&v->domain->evtchn, v->poll_ports[i]))
            return 0;
    }
    if (p.timeout && timer_expired(p.timeout, time_now()))
        return 0;                   /* past, or negative as s_time_t: as Xen's set_timer */
    v->poll_nr = p.nr_ports;
    v->poll_timeout = p.timeout;
    v->polling = 1;
    if (v->cont.in_multicall)
        return mc_defer(v, MC_BLOCK);
    sched_block_current(0);
}

int32_t do_sched_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                    uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    switch (cmd) {
    case SCHEDOP_yield:
        if (v->cont.in_multicall)
            return mc_defer(v, MC_YIELD);
        v->regs.eax = 0;
        schedule();
    case SCHEDOP_block:
        /* Xen: blocking enables events, and returns at once if one waits. */
        v->vcpu_info->evtchn_upcall_mask = 0;
        if (v->vcpu_info->evtchn_upcall_pending)
            return 0;
        if (v->cont.in_multicall)
            return mc_defer(v, MC_BLOCK);
        sched_block_current(0);
    case SCHEDOP_poll:
        return sched_poll(v, arg);
    case SCHEDOP_shutdown: {
        /* Xen: any reason, the domain stops with code (u8)reason (or the
         * one SCHEDOP_shutdown_code set first). */
        struct sched_shutdown s;
        if (copy_from_guest(v, &s, arg, sizeof(s)))
            return -XEN_EFAULT;
        uint8_t code = shutdown_code_of(v->domain, s.reason);
        if (code == SHUTDOWN_crash)
            domain_crash(v->domain, "the guest asked to crash (SCHEDOP_shutdown, SHUTDOWN_crash)");
        domain_shutdown(v->domain, code);
    }
    case SCHEDOP_shutdown_code: {
        struct sched_shutdown s;
        if (copy_from_guest(v, &s, arg, sizeof(s)))
            return -XEN_EFAULT;
        if (v->domain->shutdown_code < 0)
            v->domain->shutdown_code = (uint8_t)s.reason;
        return 0;
    }
    case SCHEDOP_remote_shutdown: {
        /* Xen: -ESRCH for no such domain, then the XSM dummy policy's
         * XSM_DM_PRIV: only the control domain (pv86: d1, the privileged
         * initial domain; no domain is another's device model here). */
        struct sched_remote_shutdown r;
        if (copy_from_guest(v, &r, arg, sizeof(r)))
            return -XEN_EFAULT;
        struct domain *t = domain_by_id(r.domain_id);
        if (!t || t->state == DOM_FREE)
            return -XEN_ESRCH;
        if (!(v->domain->flags & SIF_PRIVILEGED))
            return -XEN_EPERM;
        if (t->state == DOM_DYING || t->state == DOM_DEAD)
            return 0;                   /* stopped already: nothing more happens */
        domain_shutdown_remote(t, shutdown_code_of(t, r.reason), v->domain);
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
