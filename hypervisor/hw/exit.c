/*
 * exit: what the hw mode does at each #VMEXIT (svm_exit_handler, called by
 * arch/x86/svm_switch.S with the guest's state saved, interrupts off).
 * QEMU saves no next RIP and gives no decode assists, so every handler
 * knows its instruction's length itself: CPUID, RDMSR, WRMSR, INVD 2
 * bytes; HLT 1; MONITOR, MWAIT 3; IOIO's EXITINFO2 is the next RIP.
 * rules.c says which exit does what; the device work is the virtual PC's
 * (vdev); then resume_guest() runs the guest again (or another domain, when
 * the slice is over), always from the top of the hypervisor stack.
 */
#include <pv86/xen.h>

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "hw/cpuid_leaves.h"
#include "hw/mmio.h"
#include "hw/priv.h"
#include "vdev/lapic.h"
#include "vm/gwalk.h"
#include "vm/request.h"

#define TRAP_DB_VEC  1
#define TRAP_UD_VEC  6
#define DR6_BS       (1u << 14)   /* single step */
#define TRAP_PF_VEC  14
#define SEG_ATTR_D   0x400u        /* a segment's D/B bit in the VMCB's attributes */
#define NPF_IN_WALK  (1ull << 33)  /* EXITINFO1: the guest's own page walk faulted */
/* Iterations of a REP ins/outs per exit: the rest runs the instruction
 * again (ECX, ESI, EDI say how far it got, as on the CPU, which takes
 * interrupts between iterations). */
#define HW_STRING_IO_BATCH 4096u

uint32_t hw_reg(struct hw_state *h, unsigned n)
{
    switch (n & 7) {
    case 0: return (uint32_t)h->vmcb->s.rax;
    case 1: return h->gprs.ecx;
    case 2: return h->gprs.edx;
    case 3: return h->gprs.ebx;
    case 4: return (uint32_t)h->vmcb->s.rsp;
    case 5: return h->gprs.ebp;
    case 6: return h->gprs.esi;
    default: return h->gprs.edi;
    }
}

void hw_set_reg(struct hw_state *h, unsigned n, uint32_t val)
{
    switch (n & 7) {
    case 0: h->vmcb->s.rax = val; break;
    case 1: h->gprs.ecx = val; break;
    case 2: h->gprs.edx = val; break;
    case 3: h->gprs.ebx = val; break;
    case 4: h->vmcb->s.rsp = val; break;
    case 5: h->gprs.ebp = val; break;
    case 6: h->gprs.esi = val; break;
    default: h->gprs.edi = val; break;
    }
}

void hw_inject_exception(struct hw_state *h, unsigned vec, int has_error, uint32_t error)
{
    h->vmcb->c.event_inj = SVM_EVT_VALID | SVM_EVT_EXCEPTION | (vec & SVM_EVT_VECTOR) |
                           (has_error ? SVM_EVT_ERR_VALID : 0);
    h->vmcb->c.event_inj_err = error;
}

/* The intercepted instruction ran (emulated): RIP to the next one, past
 * the interrupt shadow of an sti or mov ss before it (which covered only
 * it), and with EFLAGS.TF the single-step trap the CPU would raise after
 * it (#DB, DR6.BS), as QEMU does for an instruction it runs. */
static void retire(struct hw_state *h, uint32_t next_rip)
{
    struct svm_vmcb *vm = h->vmcb;
    vm->s.rip = next_rip;
    vm->c.int_state &= ~(uint64_t)SVM_INT_SHADOW;
    if ((vm->s.rflags & EFLAGS_TF) && !(vm->c.event_inj & SVM_EVT_VALID)) {
        vm->s.dr6 |= DR6_BS;
        hw_inject_exception(h, TRAP_DB_VEC, 0, 0);
    }
}

static void skip(struct hw_state *h, uint32_t len)
{
    retire(h, (uint32_t)(h->vmcb->s.rip + len));
}

static uint32_t eip(const struct hw_state *h)
{
    return (uint32_t)h->vmcb->s.rip;
}

static void do_cpuid(struct hw_state *h)
{
    uint32_t leaf = hw_reg(h, 0), sub = hw_reg(h, 1), r[4];
    if (!hw_cpuid_hv_leaf(h->exits, HW_EXIT_COUNTERS, SVM_EXIT_CODES, leaf, sub, r)) {
        cpuid_count(leaf, sub, r);
        hw_cpuid_filter(leaf, sub, r);
        if (leaf == 1 && !vlapic_hw_enabled(&h->plat.lapic))
            r[3] &= ~(1u << 9);             /* as QEMU: no APIC while it is disabled */
    }
    hw_set_reg(h, 0, r[0]);
    hw_set_reg(h, 3, r[1]);
    hw_set_reg(h, 1, r[2]);
    hw_set_reg(h, 2, r[3]);
    skip(h, 2);
}

/* After a port write: the platform's power-off, exit-port and reset
 * requests end the domain. */
static void platform_requests(struct vcpu *v, struct hw_state *h)
{
    vm_platform_request(v->domain, &h->plat);
    if (h->plat.request == VDEV_RESET) {
        printk("d%u: reset through port 0xcf9\n", v->domain->id);
        domain_shutdown(v->domain, SHUTDOWN_reboot);
    }
}

/* The guest's #PF for an access at va. */
static void page_fault(struct hw_state *h, uint32_t va, uint32_t error)
{
    h->vmcb->s.cr2 = va;
    hw_inject_exception(h, TRAP_PF_VEC, 1, error);
}

/* reg += step within the address size. */
static uint32_t advance(uint32_t reg, int32_t step, uint32_t amask)
{
    return (reg & ~amask) | ((reg + (uint32_t)step) & amask);
}

/* ins and outs, with or without REP: the data through the guest's page
 * tables; a #PF goes to the guest with the registers saying how far it
 * got, RIP on the instruction. */
static void do_string_io(struct vcpu *v, struct hw_state *h, struct hw_ioio *io)
{
    struct svm_vmcb *vm = h->vmcb;
    struct svm_save *s = &vm->s;
    uint8_t insn[15];
    size_t n = hw_fetch_insn(h, insn, sizeof(insn));
    if (!hw_string_io_prefixes(insn, n, (s->cs.attrib & SEG_ATTR_D) != 0, io))
        domain_crash(v->domain, "hw: string I/O exit at eip %#x without an ins or outs there",
                     eip(h));
    const struct svm_seg *segs[6] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    uint32_t amask = io->addr_size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
    int32_t step = (s->rflags & EFLAGS_DF) ? -(int32_t)io->size : (int32_t)io->size;
    unsigned user = s->cpl == 3 ? GWALK_USER : 0;
    uint32_t base = (uint32_t)(io->in ? s->es.base : segs[io->seg]->base);

    for (unsigned done = 0;; done++) {
        if (io->rep && (h->gprs.ecx & amask) == 0)
            break;
        if (done == HW_STRING_IO_BATCH)
            return;                                /* RIP stays: it runs again */
        uint32_t val = 0, fva, err;
        int rc;
        if (io->in) {
            uint32_t va = base + (h->gprs.edi & amask);
            uint64_t gpa;
            /* Both ends writable before the device is read. */
            rc = hw_translate(h, va, GWALK_WRITE | user, &gpa, &err);
            fva = va;
            if (rc == 0) {
                fva = va + io->size - 1;
                rc = hw_translate(h, fva, GWALK_WRITE | user, &gpa, &err);
            }
            if (rc == 0) {
                val = vplatform_in(&h->plat, io->port, io->size, time_now());
                rc = hw_copy_linear(h, va, &val, io->size, GWALK_WRITE | user, &fva, &err);
            }
            if (rc == 0)
                h->gprs.edi = advance(h->gprs.edi, step, amask);
        } else {
            uint32_t va = base + (h->gprs.esi & amask);
            rc = hw_copy_linear(h, va, &val, io->size, user, &fva, &err);
            if (rc == 0) {
                vplatform_out(&h->plat, io->port, io->size, val, time_now());
                h->gprs.esi = advance(h->gprs.esi, step, amask);
            }
        }
        if (rc == 1) {
            page_fault(h, fva, err);
            return;
        }
        if (rc)
            domain_crash(v->domain, "hw: string I/O at eip %#x on linear %#x, which is not "
                         "in its memory", eip(h), fva);
        if (io->rep)
            h->gprs.ecx = advance(h->gprs.ecx, -1, amask);
        if (!io->in)
            platform_requests(v, h);
        if (!io->rep)
            break;
    }
    retire(h, (uint32_t)vm->c.exit_info2);
}

static void do_ioio(struct vcpu *v, struct hw_state *h)
{
    struct svm_vmcb *vm = h->vmcb;
    struct hw_ioio io;
    if (hw_ioio_decode(vm->c.exit_info1, &io))
        domain_crash(v->domain, "hw: IOIO exit with information %#llx at eip %#x",
                     (unsigned long long)vm->c.exit_info1, eip(h));
    if (io.str) {
        do_string_io(v, h, &io);
        return;
    }
    uint32_t mask = io.size == 4 ? 0xFFFFFFFFu : (1u << (8 * io.size)) - 1;
    uint32_t eax = hw_reg(h, 0);
    if (io.in) {
        uint32_t val = vplatform_in(&h->plat, io.port, io.size, time_now());
        hw_set_reg(h, 0, (eax & ~mask) | (val & mask));
    } else {
        vplatform_out(&h->plat, io.port, io.size, eax & mask, time_now());
    }
    retire(h, (uint32_t)vm->c.exit_info2);             /* the next RIP, QEMU's too */
    if (!io.in)
        platform_requests(v, h);
}

static void do_msr(struct vcpu *v, struct hw_state *h)
{
    struct svm_vmcb *vm = h->vmcb;
    uint32_t msr = hw_reg(h, 1);
    int write = vm->c.exit_info1 == 1;
    uint64_t val = ((uint64_t)hw_reg(h, 2) << 32) | hw_reg(h, 0);
    enum hw_msr_kind kind = hw_msr_kind(msr);
    int slot = kind == HW_MSR_STORE ? hw_msr_store_slot(msr) : -1;
    (void)v;

    if (write) {
        switch (kind) {
        case HW_MSR_EFER: vm->s.efer = hw_efer_write(vm->s.efer, val, h->ext_edx); break;
        case HW_MSR_SYSENTER_CS: vm->s.sysenter_cs = val & 0xFFFF; break;
        case HW_MSR_SYSENTER_ESP: vm->s.sysenter_esp = (uint32_t)val; break;
        case HW_MSR_SYSENTER_EIP: vm->s.sysenter_eip = (uint32_t)val; break;
        case HW_MSR_STAR: vm->s.star = val; break;
        case HW_MSR_PAT: vm->s.g_pat = val; break;
        case HW_MSR_STORE: h->msr_store[slot] = val; break;
        case HW_MSR_APIC_BASE:
            vplatform_wrmsr(&h->plat, msr, val);
            h->none_pending = 0;
            break;
        case HW_MSR_HOST:
        case HW_MSR_ZERO:
            break;                                     /* dropped, as QEMU's TCG */
        }
    } else {
        switch (kind) {
        case HW_MSR_EFER: val = hw_efer_read(vm->s.efer); break;
        case HW_MSR_SYSENTER_CS: val = vm->s.sysenter_cs; break;
        case HW_MSR_SYSENTER_ESP: val = vm->s.sysenter_esp; break;
        case HW_MSR_SYSENTER_EIP: val = vm->s.sysenter_eip; break;
        case HW_MSR_STAR: val = vm->s.star; break;
        case HW_MSR_PAT: val = vm->s.g_pat; break;
        case HW_MSR_STORE: val = h->msr_store[slot]; break;
        case HW_MSR_APIC_BASE:
            if (vplatform_rdmsr(&h->plat, msr, &val))
                val = 0;
            break;
        case HW_MSR_HOST:
            val = hw_msr_host_readable(msr, &h->host) ? rdmsr(msr) : 0;
            break;
        case HW_MSR_ZERO: val = 0; break;
        }
        hw_set_reg(h, 0, (uint32_t)val);
        hw_set_reg(h, 2, (uint32_t)(val >> 32));
    }
    skip(h, 2);
}

static int mmio_read(void *ctx, uint64_t gpa, unsigned size, uint32_t *val)
{
    struct hw_state *h = ctx;
    uint64_t v = 0;
    if (!vplatform_mmio_read(&h->plat, gpa, size, &v, time_now()))
        return -1;
    *val = (uint32_t)v;
    return 0;
}

static int mmio_write(void *ctx, uint64_t gpa, unsigned size, uint32_t val)
{
    struct hw_state *h = ctx;
    return vplatform_mmio_write(&h->plat, gpa, size, val, time_now()) ? 0 : -1;
}

static int is_device(uint64_t gpa)
{
    return gpa >= VLAPIC_MMIO_BASE && gpa < (uint64_t)VLAPIC_MMIO_BASE + VLAPIC_MMIO_SIZE;
}

/* mov from/to DR0-3: the guest's copies (hw_enter loads them into the
 * CPU while its DR7 arms a breakpoint); mov to DR7 (or DR5, its alias):
 * the VMCB's DR7, which VMRUN loads (rules.h: HW_DR_WRITE_INTERCEPT). */
static void do_dr(struct vcpu *v, struct hw_state *h)
{
    uint8_t insn[15];
    size_t n = hw_fetch_insn(h, insn, sizeof(insn));
    struct hw_mov_dr m;
    if (!hw_decode_mov_dr(insn, n, &m) || (m.dr > 3 && !(m.write && (m.dr == 5 || m.dr == 7))))
        domain_crash(v->domain, "hw: debug-register exit %#llx at eip %#x without a mov "
                     "to or from DR0-3 or to DR7 there",
                     (unsigned long long)h->vmcb->c.exit_code, eip(h));
    if (m.dr > 3) {
        uint32_t dr7;
        if (hw_dr7_write(m.dr, (uint32_t)h->vmcb->s.cr4, hw_reg(h, m.gpr), &dr7)) {
            hw_inject_exception(h, TRAP_UD_VEC, 0, 0);
            return;
        }
        h->vmcb->s.dr7 = dr7;
    } else if (m.write) {
        h->dr[m.dr] = hw_reg(h, m.gpr);
    } else {
        hw_set_reg(h, m.gpr, h->dr[m.dr]);
    }
    skip(h, m.len);
}

/* CR8 (lock mov to or from CR0): TPR[7:4] of the LAPIC, as on bare QEMU;
 * left to the CPU it would be the VMCB's V_TPR, which nothing reads. */
static void do_cr8(struct vcpu *v, struct hw_state *h)
{
    uint8_t insn[15];
    size_t n = hw_fetch_insn(h, insn, sizeof(insn));
    struct hw_mov_cr8 m;
    if (!hw_decode_mov_cr8(insn, n, &m))
        domain_crash(v->domain, "hw: CR8 exit %#llx at eip %#x without a lock mov to or "
                     "from CR0 there", (unsigned long long)h->vmcb->c.exit_code, eip(h));
    uint64_t tpr = 0;
    uint64_t tpr_gpa = VLAPIC_MMIO_BASE + 0x80;
    if (m.write)
        vplatform_mmio_write(&h->plat, tpr_gpa, 4, (hw_reg(h, m.gpr) & 0xF) << 4, time_now());
    else if (vplatform_mmio_read(&h->plat, tpr_gpa, 4, &tpr, time_now()))
        hw_set_reg(h, m.gpr, ((uint32_t)tpr >> 4) & 0xF);
    skip(h, m.len);
}

/* #NPF: a device's register (the LAPIC page), emulated from the
 * instruction at CS:EIP; anything else outside RAM crashes the domain. */

static void do_npf(struct vcpu *v, struct hw_state *h)
{
    struct svm_vmcb *vm = h->vmcb;
    uint64_t gpa = vm->c.exit_info2, info = vm->c.exit_info1;
    if (!is_device(gpa) || (info & (NPF_IN_WALK | SVM_NPF_FETCH)) ||
        (vm->c.exit_int_info & SVM_EVT_VALID))
        domain_crash(v->domain, "hw: guest-physical %#llx is outside its memory and every "
                     "device (eip %#x)", (unsigned long long)gpa, eip(h));
    uint8_t insn[15];
    size_t n = hw_fetch_insn(h, insn, sizeof(insn));
    struct mmio_regs r;
    for (unsigned i = 0; i < 8; i++)
        r.gpr[i] = hw_reg(h, i);
    r.eflags = (uint32_t)vm->s.rflags;
    const struct mmio_ops ops = { h, mmio_read, mmio_write };
    unsigned len = 0;
    int cs32 = (vm->s.cs.attrib & SEG_ATTR_D) != 0;
    switch (mmio_emulate(insn, n, cs32, &r, gpa, &ops, &len)) {
    case MMIO_DONE:
        break;
    case MMIO_UNHANDLED:
        domain_crash(v->domain, "hw: MMIO at guest-physical %#llx by an instruction pv86 "
                     "does not emulate (eip %#x: %02x %02x %02x %02x)",
                     (unsigned long long)gpa, eip(h), n > 0 ? insn[0] : 0,
                     n > 1 ? insn[1] : 0, n > 2 ? insn[2] : 0, n > 3 ? insn[3] : 0);
    default:
        domain_crash(v->domain, "hw: guest-physical %#llx is outside its memory and every "
                     "device (eip %#x)", (unsigned long long)gpa, eip(h));
    }
    for (unsigned i = 0; i < 8; i++)
        hw_set_reg(h, i, r.gpr[i]);
    vm->s.rflags = r.eflags;
    h->mmio++;
    skip(h, len);
}

void svm_exit_handler(void)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;
    struct hw_state *h = hw_of(v);
    struct svm_vmcb *vm = h->vmcb;
    uint64_t code = vm->c.exit_code;

    hw_virq_done(h);                    /* first: the tick below may change the platform */
    irq_take_pending();                 /* the host's interrupt that made an INTR exit */
    h->exits[hw_exit_index(code)]++;
    vm->c.tlb_control = SVM_TLB_NOTHING;
    uint32_t again = hw_reinject(vm->c.exit_int_info);
    vm->c.event_inj = 0;
    if (again && (again & SVM_EVT_TYPE_MASK) == SVM_EVT_INTR) {
        hw_virq_offer(h, again & SVM_EVT_VECTOR, HW_VIRQ_ACKED);   /* not EVENTINJ: above */
        h->reinjected++;
    } else if (again) {
        vm->c.event_inj = again;
        vm->c.event_inj_err = vm->c.exit_int_info_err;
        h->reinjected++;
    }

    enum hw_action act = hw_exit_action(code);
    if (hw_action_touches_platform(act))
        h->none_pending = 0;            /* ask the platform again before the entry */
    switch (act) {
    case HW_ACT_NONE:
        break;
    case HW_ACT_WINDOW:
        h->windows++;
        vm->c.int_ctl &= ~SVM_V_IRQ;
        vm->c.intercept1 &= ~SVM_I1_VINTR;
        break;
    case HW_ACT_CPUID:
        do_cpuid(h);
        break;
    case HW_ACT_HLT:                     /* (no single-step trap: it would end the halt) */
        vm->s.rip = (uint32_t)(vm->s.rip + 1);
        vm->c.int_state &= ~(uint64_t)SVM_INT_SHADOW;
        switch (hw_hlt_decide((uint32_t)vm->s.rflags, vm->c.event_inj)) {
        case HW_HLT_BLOCK:
            h->halted = 1;
            break;
        case HW_HLT_RESUME:
            break;
        case HW_HLT_FOREVER:
            printk("d%u: hlt with interrupts off at eip %#x: halted for ever, as the CPU "
                   "(nothing can wake it)\n", d->id, eip(h) - 1);
            h->halted = 1;              /* blocked; hw_tick wakes only with IF set */
            break;
        }
        break;
    case HW_ACT_MWAIT:
        vm->s.rip = (uint32_t)(vm->s.rip + 3);
        vm->c.int_state &= ~(uint64_t)SVM_INT_SHADOW;
        h->halted = 1;
        break;
    case HW_ACT_MONITOR:
        skip(h, 3);
        break;
    case HW_ACT_INVD:
        skip(h, 2);
        break;
    case HW_ACT_IOIO:
        do_ioio(v, h);
        break;
    case HW_ACT_MSR:
        do_msr(v, h);
        break;
    case HW_ACT_DR:
        do_dr(v, h);
        break;
    case HW_ACT_NPF:
        do_npf(v, h);
        break;
    case HW_ACT_CR8:
        do_cr8(v, h);
        break;
    case HW_ACT_EXCEPTION:
        /* Intercepted only while a V_IRQ was offered (HW_VIRQ_FAULTS): the
         * guest's own fault, given back; if it came while an event was
         * being delivered, that event, given again above, raises it again. */
        if (!again) {
            unsigned vec = (unsigned)(code - SVM_EXIT_EXCP_BASE);
            if (vec == TRAP_PF_VEC)
                vm->s.cr2 = vm->c.exit_info2;   /* an intercepted #PF leaves CR2 alone */
            hw_inject_exception(h, vec, 1, (uint32_t)vm->c.exit_info1);
        }
        break;
    case HW_ACT_UD:
        hw_inject_exception(h, TRAP_UD_VEC, 0, 0);
        break;
    case HW_ACT_SHUTDOWN:
        domain_crash(d, "hw: triple fault (shutdown) at eip %#x", eip(h));
    case HW_ACT_TASK_SWITCH:
        domain_crash(d, "hw: hardware task switch to TSS selector %#x at eip %#x: pv86 "
                     "does not emulate task switches", (unsigned)(vm->c.exit_info1 & 0xFFFF),
                     eip(h));
    case HW_ACT_INIT:
        domain_crash(d, "hw: INIT signal at eip %#x: the single vCPU has no reset to take",
                     eip(h));
    case HW_ACT_INVALID:
        domain_crash(d, "hw: VMRUN refused the guest's state (VMEXIT_INVALID) at eip %#x, "
                     "cr0 %#x cr4 %#x efer %#llx", eip(h), (uint32_t)vm->s.cr0,
                     (uint32_t)vm->s.cr4, (unsigned long long)vm->s.efer);
    case HW_ACT_UNKNOWN:
        domain_crash(d, "hw: unexpected #VMEXIT %#llx at eip %#x",
                     (unsigned long long)code, eip(h));
    }
    resume_guest();
}
