/*
 * hw: an unmodified multiboot kernel under AMD SVM with nested paging (see
 * hw.h). This file: the mode's table, the builder (the state a multiboot
 * loader leaves, in a VMCB), the run (interrupt injection, then VMRUN
 * through arch/x86/svm_switch.S), the tick and the counters. The exits are
 * exit.c's; the nested tables npt.c's; the decisions rules.c's.
 */
#include "hw/hw.h"

#include <multiboot/multiboot.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/debugreg.h"
#include "arch/x86/fpu.h"
#include "arch/x86/msr.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/panic.h"
#include "hw/priv.h"
#include "lib/format.h"
#include "mm/mm.h"
#include "vm/build.h"
#include "vm/request.h"

#define BOOT_CS        0x08
#define BOOT_DS        0x10
#define ATTR_CODE      0xC9B      /* G, D, P, S, code, readable, accessed */
#define ATTR_DATA      0xC93      /* G, B, P, S, data, writable, accessed */
#define ATTR_TSS_BUSY  0x08B      /* P, 32-bit TSS, busy */
#define ATTR_LDT       0x082      /* P, LDT */
#define PAT_DEFAULT    0x0007040600070406ull   /* the power-on PAT */
/* RAM ends below 0xE0000000, as a PC's below 4 GiB ends under its PCI
 * hole (QEMU's pc: at most 3.5 GiB there): the LAPIC page and the other
 * device addresses stay unmapped, so they exit (hw/npt.h). */
#define HW_MAX_MB      3584u

static struct hw_state hw_states[MAX_DOMAINS];
static struct svm_vmcb vmcbs[MAX_DOMAINS] __attribute__((aligned(4096)));

/* ---- the nested tables (hw/npt.c), from the domain's own frames ---- */

static void *npt_alloc(void *ctx, uint32_t *mfn)
{
    const struct domain *d = ctx;
    if (mm_alloc_frame(d->id, mfn))
        return NULL;
    void *p = mfn_to_virt(*mfn);
    memset(p, 0, PAGE_SIZE);
    return p;
}

static uint32_t npt_mfn_of(void *ctx, uint32_t pfn)
{
    const struct domain *d = ctx;
    return gpmem_mfn(&hw_dom(d)->mem, pfn);
}

static void *npt_map(void *ctx, uint32_t mfn)
{
    (void)ctx;
    return mfn_to_virt(mfn);
}

static void console_put(void *ctx, char c)
{
    const struct domain *d = ctx;
    console_guest_write(d->id, &c, 1);
}

static void seg(struct svm_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit)
{
    s->sel = sel;
    s->attrib = attrib;
    s->limit = limit;
    s->base = 0;
}

/* The state a multiboot loader leaves (vm/mbload.h): protected mode, no
 * paging, flat 4 GiB segments, EAX the magic, EBX the information block,
 * interrupts off; a TR the CPU accepts, the power-on PAT, DR6 and DR7. */
static void boot_state(struct svm_save *s, const struct mb_boot *boot)
{
    seg(&s->cs, BOOT_CS, ATTR_CODE, 0xFFFFFFFFu);
    seg(&s->ds, BOOT_DS, ATTR_DATA, 0xFFFFFFFFu);
    s->es = s->fs = s->gs = s->ss = s->ds;
    seg(&s->tr, 0, ATTR_TSS_BUSY, 0xFFFF);
    seg(&s->ldtr, 0, ATTR_LDT, 0xFFFF);
    seg(&s->gdtr, 0, 0, 0xFFFF);
    seg(&s->idtr, 0, 0, 0x3FF);
    s->cpl = 0;
    s->efer = EFER_SVME;
    s->cr0 = CR0_PE | (1u << 4);           /* PE, ET */
    s->cr3 = 0;
    s->cr4 = 0;
    s->dr6 = 0xFFFF0FF0u;
    s->dr7 = 0x400;
    s->rflags = 0x2;
    s->rip = boot->entry;
    s->rsp = boot->mbi_gpa;
    s->rax = MULTIBOOT_BOOTLOADER_MAGIC;
    s->g_pat = PAT_DEFAULT;
}

/* The host CPU as hw_msr_host_readable needs it. */
static void host_cpu(struct hw_host_cpu *c)
{
    uint32_t r[4];
    memset(c, 0, sizeof(*c));
    cpuid_count(0, 0, r);
    c->intel = r[1] == 0x756E6547u && r[3] == 0x49656E69u && r[2] == 0x6C65746Eu;
    cpuid_count(1, 0, r);
    c->mtrr = (r[3] >> 12) & 1;
    c->mca = (r[3] >> 14) & 1;
    if (r[2] & (1u << 31)) {                   /* a hypervisor below: which? */
        cpuid_count(0x40000000u, 0, r);
        c->tcg = r[1] == 0x54474354u && r[2] == 0x43544743u && r[3] == 0x47435447u;
    }
    if (c->mca) {
        uint64_t cap = rdmsr(0x179);
        c->mc_banks = (unsigned)(cap & 0xFF);
        c->mcg_ctl = (cap >> 8) & 1;
    }
}

/* The vCPU's own copies of the MSRs QEMU keeps per CPU: first the host's
 * values where the CPU has them, else 0. */
static void init_msrs(struct hw_state *h)
{
    host_cpu(&h->host);
    for (uint32_t msr = 0; msr < 0x300; msr++) {
        int slot = hw_msr_store_slot(msr);
        if (slot >= 0)
            h->msr_store[slot] = hw_msr_host_readable(msr, &h->host) ? rdmsr(msr) : 0;
    }
}

static int hw_domain_build(struct domain *d, const void *image, size_t size,
                           const char *cmdline, unsigned mb)
{
    const struct svm_caps *caps = svm_caps();
    if (!caps->svm || !caps->npt || caps->nr_asids < 2) {
        printk("d%u: cannot run the hw mode: %s\n", d->id, caps->why);
        return -XEN_EOPNOTSUPP;
    }
    if (d->id >= caps->nr_asids) {
        printk("d%u: cannot run the hw mode: the CPU has %u ASIDs\n", d->id,
               (unsigned)caps->nr_asids);
        return -XEN_EOPNOTSUPP;
    }
    struct elf_xen_info info;
    uint32_t nr_pages = mb << (20 - PAGE_SHIFT);
    if (mb > HW_MAX_MB) {
        printk("d%u: mem=%u: the hw mode keeps RAM below the PC's device holes, at most "
               "%u MiB\n", d->id, mb, HW_MAX_MB);
        return -XEN_EINVAL;
    }
    int rc = mb_check(d->id, image, size, mb, &info);
    if (rc)
        return rc;
    /* RAM and its map, the nested tables, shared_info, the switcher L1
     * with its entry-stack frame. */
    uint32_t need = gpmem_frames_needed(nr_pages) + npt_frames_needed(nr_pages) + 1 + 2;
    if (frame_allocator.nfree < need) {
        printk("d%u: not enough free memory for %u MiB\n", d->id, mb);
        return -XEN_ENOMEM;
    }
    if (svm_enable())
        panic("svm_enable refused after svm_caps said yes");

    struct hw_state *h = &hw_states[d->id - 1];
    struct svm_vmcb *vmcb = &vmcbs[d->id - 1];
    memset(h, 0, sizeof(*h));
    memset(vmcb, 0, sizeof(*vmcb));
    struct mb_boot boot;
    vm_build_common(d, &hw_mode_ops, h, &h->mem, nr_pages, image, &info, cmdline, &boot);
    const struct npt_ops npt_ops = { d, npt_alloc, npt_mfn_of, npt_map };
    if (npt_build(&h->npt, nr_pages, &npt_ops))
        panic("frame allocator ran dry after its count said otherwise");
    h->npt_frames = npt_frames_needed(nr_pages);

    h->vmcb = vmcb;
    h->vmcb_pa = (uint32_t)(uintptr_t)vmcb;
    hw_vmcb_control_init(&vmcb->c, svm_iopm_pa(), svm_msrpm_pa(), d->id,
                         npt_cr3(&h->npt));
    boot_state(&vmcb->s, &boot);
    h->gprs.ebx = boot.mbi_gpa;
    uint32_t r[4];
    cpuid_count(0x80000001u, 0, r);
    h->ext_edx = r[3];
    init_msrs(h);
    cpuid_count(0x80000000u, 0, r);
    h->maxphy = 36;                        /* without leaf 0x80000008 (SDM Vol. 3, 4.1.4) */
    if (r[0] >= 0x80000008u) {
        cpuid_count(0x80000008u, 0, r);
        h->maxphy = r[0] & 0xFF;
    }
    vplatform_reset(&h->plat, console_put, d, (uint64_t)nr_pages << PAGE_SHIFT);

    sched_add(d);
    printk("d%u%s%s%s: multiboot kernel under AMD SVM with nested paging (hw), %u MiB, "
           "entry %#x, ASID %u\n", d->id, d->name[0] ? " (" : "", d->name,
           d->name[0] ? ")" : "", mb, boot.entry, (unsigned)d->id);
    return 0;
}

/* ---- running ---- */

void hw_virq_offer(struct hw_state *h, unsigned vec, int kind)
{
    struct svm_vmcb *vm = h->vmcb;
    vm->c.int_vector = vec & 0xFF;
    vm->c.int_ctl = (vm->c.int_ctl & ~(0xFu << SVM_V_INTR_PRIO_SHIFT)) | SVM_V_IRQ |
                    SVM_V_IGN_TPR | (0xFu << SVM_V_INTR_PRIO_SHIFT);
    if (kind == HW_VIRQ_PLATFORM)
        vm->c.exceptions |= HW_VIRQ_FAULTS;    /* its delivery may fault: hw_virq_taken */
    h->virq = kind;
}

void hw_virq_done(struct hw_state *h)
{
    struct svm_vmcb *vm = h->vmcb;
    if (!h->virq)
        return;
    h->none_pending = 0;
    vm->c.exceptions &= ~HW_VIRQ_FAULTS;
    int v_irq = (vm->c.int_ctl & SVM_V_IRQ) != 0;
    if (h->virq == HW_VIRQ_PLATFORM && hw_virq_taken(v_irq, vm->c.exit_code)) {
        if (v_irq) {
            /* Its delivery faulted (HW_ACT_EXCEPTION gives the fault to
             * the guest): consumed, as on a CPU, not offered again, and
             * not in EXITINTINFO (QEMU records it as an exception). */
            vm->c.int_ctl &= ~SVM_V_IRQ;
            vm->c.exit_int_info = 0;
        }
        vplatform_intr_ack(&h->plat);          /* the same vector: nothing ran since */
        h->injected++;
        h->virq = HW_VIRQ_NONE;
    } else if (!v_irq) {                       /* an acked one, taken */
        h->injected++;
        h->virq = HW_VIRQ_NONE;
    } else if (h->virq == HW_VIRQ_PLATFORM) {   /* not yet: offered again at the entry */
        vm->c.int_ctl &= ~SVM_V_IRQ;
        h->virq = HW_VIRQ_NONE;
    }                                           /* an acked one stays offered */
}

/* The platform's interrupt: into EVENTINJ when the guest can take it,
 * else an interrupt window (V_IRQ with the VINTR intercept) that exits as
 * soon as it can. */
static void inject_pending(struct hw_state *h)
{
    struct svm_vmcb *vm = h->vmcb;
    if (h->none_pending || h->virq)
        return;                        /* asked before, nothing changed since; or one offered */
    int pending = vplatform_intr_pending(&h->plat);
    switch (hw_inject_decide(pending, (uint32_t)vm->s.rflags, vm->c.int_state,
                             vm->c.event_inj)) {
    case HW_INJ_NONE:
        vm->c.int_ctl &= ~SVM_V_IRQ;
        vm->c.intercept1 &= ~SVM_I1_VINTR;
        h->none_pending = 1;
        return;
    case HW_INJ_NOW:
        /* Offered through V_IRQ, not EVENTINJ: QEMU 7.2's VMRUN delivers an
         * injected external interrupt but leaves it behind as a pending
         * exception, which it delivers again, IF or not, at the next
         * asynchronous exit request (measured: tests/hw/hostile.sh's storm,
         * one self-IPI taken twice when the watchdog's NMI came). The CPU
         * takes a V_IRQ as soon as the guest can; svm_exit_handler acks it
         * then (hw_virq_done). */
        vm->c.intercept1 &= ~SVM_I1_VINTR;
        hw_virq_offer(h, (unsigned)pending, HW_VIRQ_PLATFORM);
        return;
    case HW_INJ_WINDOW:
        vm->c.int_ctl = (vm->c.int_ctl & ~(0xFu << SVM_V_INTR_PRIO_SHIFT)) | SVM_V_IRQ |
                        SVM_V_IGN_TPR | (0xFu << SVM_V_INTR_PRIO_SHIFT);
        vm->c.intercept1 |= SVM_I1_VINTR;
        return;
    }
}

static void hw_before_exit(struct vcpu *v)
{
    struct hw_state *h = hw_of(v);
    struct svm_vmcb *vm = h->vmcb;
    /* Timer edges due since the last tick or port access (the tick
     * advances every hw domain's platform anyway). */
    uint64_t now = time_now();
    if (now >= vplatform_next_deadline_ns(&h->plat)) {
        vplatform_advance(&h->plat, now);
        h->none_pending = 0;
    }
    if (h->halted) {
        if (vplatform_intr_pending(&h->plat) >= 0 && (vm->s.rflags & EFLAGS_IF)) {
            h->halted = 0;
        } else {
            v->domain->state = DOM_BLOCKED;     /* hw_tick wakes it */
            schedule();
        }
    }
    inject_pending(h);
}

static __attribute__((noreturn)) void hw_enter(struct vcpu *v)
{
    struct hw_state *h = hw_of(v);
    fpu_hw_take(v);                    /* its x87/SSE registers in the CPU */
    if (h->vmcb->s.dr7 & 0xFF)         /* L0-3/G0-3: its breakpoints need its DR0-3 */
        debugreg_load_dr03(h->dr);
    svm_world_switch(h->vmcb_pa, &h->gprs);
}

static void hw_tick(struct domain *d, uint64_t now)
{
    struct hw_state *h = hw_dom(d);
    vm_platform_tick(d, &h->plat, now);
    h->none_pending = 0;
    if (d->state == DOM_BLOCKED && (h->vmcb->s.rflags & EFLAGS_IF) &&
        vplatform_intr_pending(&h->plat) >= 0)
        sched_wake(d);
}

static void hw_print_stats(struct domain *d)
{
    const struct hw_state *h = hw_dom(d);
    char line[480];
    size_t n = 0;
    uint32_t total = 0;
    for (unsigned i = 0; i < HW_EXIT_COUNTERS; i++) {
        if (!h->exits[i])
            continue;
        total += h->exits[i];
        const char *name = i == HW_EXIT_NPF_IDX ? "npf" : i == HW_EXIT_INVALID_IDX ? "invalid"
                         : i == HW_EXIT_OTHER ? "other" : hw_exit_name(i);
        int k = name ? fmt_snprintf(line + n, sizeof(line) - n, ", %s %u", name,
                                    (unsigned)h->exits[i])
                     : fmt_snprintf(line + n, sizeof(line) - n, ", exit %#x %u", i,
                                    (unsigned)h->exits[i]);
        if (k > 0 && n + (size_t)k < sizeof(line))
            n += (size_t)k;
    }
    line[n] = '\0';
    printk("d%u hw exits: %u total%s\n", d->id, (unsigned)total, line);
    printk("d%u hw: %u interrupts injected, %u events re-injected, %u interrupt windows, "
           "%u MMIO accesses; nested tables %u frames\n", d->id, (unsigned)h->injected,
           (unsigned)h->reinjected, (unsigned)h->windows, (unsigned)h->mmio,
           (unsigned)h->npt_frames);
}

const struct mode_ops hw_mode_ops = {
    .name = "hw",
    .build = hw_domain_build,
    .trap = NULL,                      /* nothing comes through the switcher */
    .before_exit = hw_before_exit,
    .enter = hw_enter,
    .tick = hw_tick,
    .switch_in = NULL,
    .print_stats = hw_print_stats,
};
