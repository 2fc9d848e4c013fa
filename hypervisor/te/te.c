/*
 * te: trap-and-emulate of an unmodified multiboot kernel (see te.h): the
 * running domain (pending interrupts, the watchdog, the tick, the
 * counters). The rest of the mode: trap.c (the trap entry), load.c (the
 * multiboot loader); what it shares with bt is hypervisor/vm (vm/vcpu.h:
 * the virtual CPU, guest memory, delivery through the guest's IDT, shadow
 * paging, the emulated instructions).
 */
#include "te/te.h"

#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/layout.h"
#include "bt/bt.h"
#include "core/console.h"
#include "core/domain.h"
#include "lib/format.h"
#include "te/priv.h"
#include "vm/deliver.h"
#include "vm/vgdt.h"
#include "vm/request.h"

int te_umip_available;

/* ---- running ---- */

void te_switch_in(const struct domain *d)
{
    static int on = -1, full_gdt = 0;
    int is_te = d->mode == &te_mode_ops || d->mode == &bt_mode_ops;   /* bt: te's CPU */
    int want = is_te && te_umip_available;
    if (want != on) {
        uint32_t cr4 = read_cr4();
        write_cr4(want ? cr4 | CR4_UMIP : cr4 & ~CR4_UMIP);
        on = want;
    }
    /* Only the CPU's limit changes: every switcher L1 maps all 16 GDT
     * pages (the others' 16th is the zero page), so the hypervisor's own
     * selectors work either way. */
    if (is_te != full_gdt) {
        struct desc_ptr gdtr = { is_te ? SW_GDT_FULL_LIMIT : HV_GDT_LIMIT, SW_GDT_VA };
        lgdt(&gdtr);
        full_gdt = is_te;
    }
}

static void watchdog_stop(struct domain *d)
{
    struct te_state *t = te_dom(d);
    struct cpu_frame *r = &d->vcpu.regs;
    console_flush(d->id);
    printk("d%u: te watchdog: IRQ %d has waited %u ms and the guest's interrupt flag "
           "stays clear\n", d->id, vpic_pending(&t->vx.plat.pic), (unsigned)t->wd_ms);
    printk("d%u: te watchdog: IF was cleared by %s at eip %#x; the guest now runs in "
           "ring %u at eip %#x\n", d->id, t->vx.vif_off_by ? t->vx.vif_off_by : "the loader",
           t->vx.vif_off_eip, (r->cs & 3) == 3 ? 3 : 0, r->eip);
    printk("d%u: te watchdog: POPF and IRET at CPL 1 leave IF alone without a fault "
           "(sensitive, not privileged): not equivalent to the native machine\n", d->id);
    domain_shutdown(d, SHUTDOWN_watchdog);
}

void te_before_exit(struct vcpu *v)
{
    te_before_exit_advanced(v, 0);
}

void te_before_exit_advanced(struct vcpu *v, int advanced)
{
    struct te_state *t = te_of(v);
    if (t->watchdog_fired)
        watchdog_stop(v->domain);
    if (!advanced)
        vplatform_advance(&t->vx.plat, time_now());
    fpu_te_cr0(v, t->vx.cr0);                      /* its CR0.TS/EM/MP: real TS */
    if (t->vx.vif && !t->vx.shadow && vplatform_intr_pending(&t->vx.plat) >= 0)
        vx_deliver(v, (unsigned)vplatform_intr_ack(&t->vx.plat), 0, 0);
    if (t->vx.halted) {
        v->domain->state = DOM_BLOCKED;         /* te_tick wakes it */
        schedule();
    }
    vx_gdt_fill_current(v);                     /* the exit loads every segment */
}

void te_tick(struct domain *d, uint64_t now)
{
    struct te_state *t = te_dom(d);
    vm_platform_tick(d, &t->vx.plat, now);
    /* A shadow outlives its instruction only if that cleared TF (popf):
     * a millisecond of running is surely past it. */
    if (t->vx.shadow && d == current_domain && ++t->vx.shadow_ms > 1)
        vx_intr_shadow_end(&d->vcpu);
    int pending = vplatform_intr_pending(&t->vx.plat) >= 0;   /* the PIC or the LAPIC */
    if (d->state == DOM_BLOCKED && t->vx.vif && pending)
        sched_wake(d);
    if (d == current_domain && d->state == DOM_RUNNABLE && !t->vx.vif && pending) {
        if (++t->wd_ms >= TE_WATCHDOG_MS)
            t->watchdog_fired = 1;
    } else {
        t->wd_ms = 0;
    }
}

void te_print_stats(struct domain *d)
{
    const struct te_state *t = te_dom(d);
    static const char *const ring_name[3] = { "ring 1, the guest kernel", "ring 3", "ring 2" };
    for (unsigned ring = 0; ring < 3; ring++) {
        char line[400];
        size_t n = 0;
        uint32_t total = 0;
        for (unsigned op = 1; op < TE_NR_OPS; op++) {
            if (!t->emulated[op][ring])
                continue;
            total += t->emulated[op][ring];
            int k = fmt_snprintf(line + n, sizeof(line) - n, ", %s %u", te_op_name(op),
                                 (unsigned)t->emulated[op][ring]);
            if (k > 0 && n + (size_t)k < sizeof(line))
                n += (size_t)k;
        }
        line[n] = '\0';
        if (ring == 2 && !total)
            continue;                           /* few guests have a ring 2 */
        printk("d%u te emulated in %s: %u%s\n", d->id, ring_name[ring], (unsigned)total, line);
    }
    printk("d%u te shadow paging: %u entries filled, %u guest page faults, %u flushes "
           "(%u slots kept, %u writes to tracked tables); "
           "%u interrupts and exceptions delivered; %u GDT entries filled at first use\n",
           d->id, (unsigned)t->vx.shadow_fills, (unsigned)t->vx.guest_faults, (unsigned)t->vx.flushes,
           (unsigned)t->vx.slots_kept, (unsigned)t->vx.table_writes,
           (unsigned)t->vx.injected, (unsigned)t->vx.gdt_fills);
}

const struct mode_ops te_mode_ops = {
    .name = "te",
    .build = te_domain_build,
    .trap = te_trap,
    .before_exit = te_before_exit,
    .enter = NULL,                              /* the switcher's exit, ring 1 */
    .tick = te_tick,
    .switch_in = te_switch_in,
    .print_stats = te_print_stats,
};
