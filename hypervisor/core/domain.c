/*
 * domain: running, stopping and crashing domains. One error policy, as in
 * lguest: whatever a guest does wrong that it cannot be told about through
 * an error code or a bounced exception ends that domain with one line,
 * "(dN) crashed: <why>", and the others run on.
 */
#include "core/domain.h"

#include <stdarg.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/sysenter.h"
#include "core/console.h"
#include "core/grant.h"
#include "core/hypercall.h"
#include "core/panic.h"
#include "core/prof.h"
#include "core/xsdom.h"
#include "lib/format.h"
#include "mm/mm.h"

struct domain domains[MAX_DOMAINS];
struct domain *current_domain;
uint32_t boot_switcher_checksum;

extern void switcher_exit(const struct cpu_frame *frame, uint32_t cr3)
    __attribute__((noreturn));

/* A PV domain's copies go through the walk cache (mm/pte.h): its tables
 * change only through the hypervisor. Any other domain's are walked. */
int copy_from_guest(struct vcpu *v, void *dst, uint32_t va, uint32_t len)
{
    int rc;
    PROF_PUSH(PROF_COPY);
    if (__builtin_expect(!v->domain->mode, 1)) {
        const unsigned char *p = walk_cache_hit(v->l3_mfn, va, len, 0);
        if (p) {
            memcpy(dst, p, len);
            rc = 0;
        } else {
            rc = guest_copy_from_cached(&hv_mm_ops, v->l3_mfn, dst, va, len);
        }
    } else {
        rc = guest_copy_from(&hv_mm_ops, v->l3_mfn, dst, va, len);
    }
    PROF_POP();
    return rc;
}

int copy_to_guest(struct vcpu *v, uint32_t va, const void *src, uint32_t len)
{
    int rc;
    PROF_PUSH(PROF_COPY);
    if (__builtin_expect(!v->domain->mode, 1)) {
        unsigned char *p = walk_cache_hit(v->l3_mfn, va, len, 1);
        if (p) {
            memcpy(p, src, len);
            rc = 0;
        } else {
            rc = guest_copy_to_cached(&hv_mm_ops, v->l3_mfn, va, src, len);
        }
    } else {
        rc = guest_copy_to(&hv_mm_ops, v->l3_mfn, va, src, len);
    }
    PROF_POP();
    return rc;
}

/*
 * The PDPT the CPU loads at every exit: a filtered copy of the guest's L3.
 * Its entries were validated (each names an L2 of RAM, no bit above
 * MAXPHYADDR); a PDPTE that did not would make the mov to CR3 fault inside
 * the switcher and bring the machine down, so it is checked again here, at
 * its full width, and such a domain is crashed alone instead.
 */
void vcpu_update_pdpt(struct vcpu *v)
{
    const uint32_t *l3 = mfn_to_virt(v->l3_mfn);
    uint32_t *out = (uint32_t *)v->pdpt, limit = max_mfn;
    for (unsigned i = 0; i < 4; i++) {
        uint32_t lo = l3[2 * i], hi = l3[2 * i + 1];
        /* The common case in 32-bit steps: with no address bit above bit
         * 31 no MAXPHYADDR is exceeded, and the frame is RAM exactly when
         * it is below max_mfn: the full-width test below, which every
         * other present entry takes, would say the same. */
        if (!(lo & _PAGE_PRESENT)) {
            lo = hi = 0;
        } else if (__builtin_expect((hi & (uint32_t)(PDPTE_ALLOWED >> 32)) == 0 &&
                                    (lo >> PAGE_SHIFT) < limit, 1)) {
            lo &= (uint32_t)PDPTE_ALLOWED;
            hi = 0;
        } else {
            uint64_t e = (((uint64_t)hi << 32) | lo) & PDPTE_ALLOWED;
            lo = (uint32_t)e;
            hi = (uint32_t)(e >> 32);
            if (pte_addr_reserved(e) || !mm_frame_is_ram(pte_mfn(e))) {
                lo = hi = 0;
                out[2 * i] = out[2 * i + 1] = 0;   /* never loaded, whatever happens next */
                domain_crash(v->domain, "L3 slot %u names frame %#llx, not RAM", i,
                             (unsigned long long)pte_mfn(e));
            }
        }
        out[2 * i] = lo;
        out[2 * i + 1] = hi;
    }
}

void return_to_guest(struct vcpu *v)
{
    static struct vcpu *last;
    struct cpu_frame *r = &v->regs;

    PROF_TO(PROF_EXIT);
    const struct mode_ops *mode = v->domain->mode;
    if (mode) {
        mode->before_exit(v);
        if (mode->enter) {          /* hw: VMRUN; the next PV exit redoes its switch-in */
            last = NULL;
            mode->enter(v);
        }
    } else {
        if (v->vcpu_info->evtchn_upcall_pending)   /* the test, inline: every exit */
            deliver_pending_upcall(v);
    }
    /* The guest always runs with interrupts on, IOPL 0, no VM86; and no NT
     * for a PV guest. A te or bt guest keeps its NT across an exit: it
     * sets NT with popf in any ring anyway (NT is not privileged, and this
     * iret's own NT test reads the hypervisor's EFLAGS, not the frame's),
     * and an interrupt between its popf and its iret must not turn a task
     * return into a plain one (tests/tools/run-qemu-mode.sh, te-crash). */
    uint32_t nt = v->vx ? 0 : EFLAGS_NT;
    r->eflags = (r->eflags & ~(EFLAGS_IOPL | EFLAGS_VM | nt | EFLAGS_VIF | EFLAGS_VIP)) |
                EFLAGS_IF | 0x2;
    if (v != last) {        /* another vCPU: its GDT/LDT frames, kernel stack */
        mm_use_switcher_l1(v->domain->switcher_l1_mfn);
        tss_set_guest_kernel_stack(v->kernel_ss, v->kernel_sp);
        mode_switch_in(v->domain);      /* te: CR4.UMIP on for its domains only */
        priv_op_switch_in(v);           /* CR4.TSD: the guest's virtual one */
        debugreg_switch_to(v);          /* its breakpoints, if it arms any */
        sysenter_use(v->domain);        /* SYSENTER: into pv86 for PV domains only */
        last = v;
    }
    ldt_load(v->ldt_ents);
    idt_set_int80(v->int80_gate);
    switcher_exit(r, (uint32_t)(uintptr_t)v->pdpt);
}

struct domain *domain_by_id(uint16_t id)
{
    return id >= 1 && id <= MAX_DOMAINS ? &domains[id - 1] : NULL;
}

static void print_counts(const struct domain *d, const char *what, uint32_t total,
                         const uint32_t *counts)
{
    char line[480];
    int n = fmt_snprintf(line, sizeof(line), "d%u %s: %u total", d->id, what, (unsigned)total);
    for (unsigned i = 0; i < PV86_NR_HYPERCALLS && n < (int)sizeof(line); i++)
        if (counts[i])
            n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, ", %s %u",
                              hypercall_name(i), (unsigned)counts[i]);
    printk("%s\n", line);
}

static void print_stats(const struct domain *d)
{
    uint32_t batched = 0;
    for (unsigned i = 0; i < PV86_NR_HYPERCALLS; i++)
        batched += d->stats.batched[i];
    print_counts(d, "hypercalls", d->stats.hypercalls_total, d->stats.hypercalls);
    if (batched)
        print_counts(d, "calls batched in multicalls", batched, d->stats.batched);
    printk("d%u page-table updates: %u mmu_update entries, %u mmuext ops; %u event upcalls\n",
           d->id, (unsigned)d->stats.pt_updates, (unsigned)d->stats.mmuext_ops,
           (unsigned)d->stats.upcalls);
    printk("d%u entries into the hypervisor: %u hypercalls, %u exceptions or int n, "
           "%u device interrupts\n", d->id, (unsigned)d->stats.hypercalls_total,
           (unsigned)d->stats.traps, (unsigned)d->stats.interrupts);
    printk("d%u events: %u exceptions bounced, %u page-table entries validated, "
           "%u TLB flushes, %u timer events, %u times scheduled\n", d->id,
           (unsigned)d->stats.bounced, (unsigned)d->stats.pt_validated,
           (unsigned)d->stats.tlb_flushes, (unsigned)d->stats.timer_events,
           (unsigned)d->stats.domain_switches);
}

unsigned images_refused;

/* The code Xen names, or NULL. */
static const char *reason_name(uint32_t reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff: return "poweroff";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    case SHUTDOWN_soft_reset: return "soft_reset";
    default: return NULL;
    }
}

int machine_onevm;
static struct { int set; uint16_t domid; uint32_t value; } guest_exit;

void machine_guest_exit(uint16_t domid, uint32_t value)
{
    guest_exit.set = 1;
    guest_exit.domid = domid;
    guest_exit.value = value;
}

/* How the run ends when no domain is left (README, "How a run ends"): with
 * onevm, the guest's exit-port write (QEMU status (V << 1) | 1); else the
 * first that applies of a te domain's watchdog (9), a reboot (5), a crash
 * (3), another shutdown code (15: suspend, a PV guest's watchdog,
 * soft_reset, a code Xen does not name), a refused guest image (13); else
 * every domain powered off (0). */
void machine_end(void)
{
    int te_watchdog = 0, reboot = 0, crash = 0, other = 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        const struct domain *d = &domains[i];
        if (d->state != DOM_DEAD)
            continue;
        switch (d->shutdown_reason) {
        case SHUTDOWN_poweroff: break;
        case SHUTDOWN_reboot: reboot = 1; break;
        case SHUTDOWN_crash: crash = 1; break;
        case SHUTDOWN_watchdog:         /* te's, or a PV guest's own */
            te_watchdog |= d->mode != NULL;
            other |= d->mode == NULL;
            break;
        default: other = 1; break;
        }
    }
    uint32_t sum = mm_switcher_checksum();
    if (sum != boot_switcher_checksum) {
        printk("switcher integrity: CHANGED (%08x, was %08x)\n", sum, boot_switcher_checksum);
        machine_exit(EXIT_CODE_PANIC);
    }
    printk("switcher integrity: ok (%08x)\n", sum);
    if (machine_onevm && guest_exit.set) {
        printk("d%u wrote %u to the exit port: exit status %u\n", guest_exit.domid,
               (unsigned)guest_exit.value, (unsigned)(((guest_exit.value << 1) | 1) & 0xFF));
        machine_exit(guest_exit.value);
    }
    if (te_watchdog) {
        printk("a te domain was stopped by its watchdog (not equivalent): exit status %u\n",
               2 * EXIT_CODE_NOT_EQUIVALENT + 1);
        machine_exit(EXIT_CODE_NOT_EQUIVALENT);
    }
    uint32_t code = reboot ? EXIT_CODE_REBOOT : crash ? EXIT_CODE_CRASH
                  : other ? EXIT_CODE_SHUTDOWN_OTHER : images_refused ? EXIT_CODE_REFUSED : 0;
    PROF_REPORT(NULL);                      /* the profiled build's whole run */
    if (code == 0) {
        printk("all domains powered off\n");
        machine_poweroff();
    }
    if (code == EXIT_CODE_REFUSED)
        printk("a guest image was refused: exit status %u\n", 2 * code + 1);
    else
        printk("a domain did not power off: exit status %u\n", 2 * code + 1);
    machine_exit(code);
}

/* The domain is gone: its ports closed (peers see unbound ports), its
 * console drained; then, DYING, every reference is released and its frames
 * freed, a piece each time the scheduler picks it (that can be long). */
static void domain_stop(struct domain *d, uint32_t reason)
{
    if (d->console)
        console_ring_drain(d);
    console_flush(d->id);
    evtchn_reset(&hv_evtchn_ops, &d->evtchn);
    fpu_vcpu_stop(&d->vcpu);
    debugreg_vcpu_stop(&d->vcpu);
    d->state = DOM_DYING;
    d->shutdown_reason = reason;
    print_stats(d);
    if (d->mode)
        d->mode->print_stats(d);
    /* The pointers into its frames die first, then their references
     * (core/guest_ptr.h); the rest, and the count of what is left, in
     * pieces (domain_teardown_step). */
    d->console = NULL;
    xsdom_domain_stopped(d);
    grant_domain_stop(d);
    guest_ptr_release_all(&hv_mm_ops, &d->guest_ptrs);
    sched_add_dying(d);
}

int domain_teardown_step(struct domain *d)
{
    if (xsdom_teardown_wait(d))
        return 1;
    if (domain_release_memory(d))
        return 1;
    mm_free_domain_frames(d->id, d->switcher_l1_mfn);
    d->shared_info = NULL;
    d->state = DOM_DEAD;
    /* Frames of dead granters whose last maps went with this domain's
     * page tables (core/grant.c). */
    unsigned orphans = mm_free_orphans();
    if (orphans)
        printk("d%u: %u granted frames of dead domains freed: their last mappings are gone "
               "(%u free)\n", d->id, orphans, (unsigned)frame_allocator.nfree);
    return 0;
}

/* "(pv86) dN: shutdown (<name>)" or "(code N)", and what asked for it. */
static void say_shutdown(const struct domain *d, uint32_t code, const struct domain *by)
{
    const char *name = reason_name(code);
    char what[24], who[48] = "";
    if (name)
        fmt_snprintf(what, sizeof(what), "%s", name);
    else
        fmt_snprintf(what, sizeof(what), "code %u", (unsigned)code);
    if (by)
        fmt_snprintf(who, sizeof(who), " by d%u (SCHEDOP_remote_shutdown)", by->id);
    printk("d%u: shutdown (%s)%s\n", d->id, what, who);
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
    say_shutdown(d, reason, NULL);
    domain_stop(d, reason);
    schedule();
}

void domain_destroy(struct domain *d)
{
    printk("d%u: destroyed by the toolstack\n", d->id);
    d->destroyed = 1;
    domain_stop(d, SHUTDOWN_poweroff);      /* as powered off, for machine_end */
}

void domain_stop_poweroff(struct domain *d)
{
    say_shutdown(d, SHUTDOWN_poweroff, NULL);
    domain_stop(d, SHUTDOWN_poweroff);
}

void domain_shutdown_remote(struct domain *d, uint8_t code, struct domain *by)
{
    if (code == SHUTDOWN_crash) {       /* a crash has its one line, as everywhere */
        char line[96];
        console_flush(d->id);
        int n = fmt_snprintf(line, sizeof(line),
                             "crashed: d%u shut it down with SHUTDOWN_crash "
                             "(SCHEDOP_remote_shutdown)\n", by->id);
        console_guest_write(d->id, line, (size_t)n);
    } else {
        say_shutdown(d, code, by);
    }
    domain_stop(d, code);
    if (d == by)
        schedule();
    fpu_switch_in(&by->vcpu);       /* the stop set CR0.TS for whoever runs next */
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char line[320];
    va_list ap;
    console_flush(d->id);
    int n = fmt_snprintf(line, sizeof(line), "crashed: ");
    va_start(ap, fmt);
    n += fmt_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    console_guest_write(d->id, line, (size_t)n);
    domain_stop(d, SHUTDOWN_crash);
    schedule();
}
