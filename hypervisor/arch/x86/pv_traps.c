/*
 * pv_traps: the hypercalls that set up how a PV guest is entered: its
 * virtual trap table, kernel stack and callbacks, and the iret hypercall
 * that leaves the guest kernel. Code selectors a guest registers get Xen's
 * treatment: RPL 0 becomes RPL 1, nothing more (callback_fixup).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "arch/x86/priv_op.h"
#include "arch/x86/traps.h"
#include "core/domain.h"
#include "core/hypercall.h"

#define TRAP_TABLE_MAX_ENTRIES 1024

void int80_update(struct vcpu *v)
{
    const struct trap_info *ti = &v->traps[0x80];
    v->int80_gate = 0;
    if (!ti->address || TI_GET_DPL(ti) != 3 || TI_GET_IF(ti) || !v->kernel_ss ||
        ti->address >= HYPERVISOR_VIRT_START || !desc_guest_code_selector_ok(ti->cs) ||
        (ti->cs & 3) != 1)
        return;
    /* A 32-bit trap gate (type 0xF), present, DPL 3, into the guest's code. */
    uint32_t lo = ((uint32_t)ti->cs << 16) | (ti->address & 0xFFFF);
    uint32_t hi = (ti->address & 0xFFFF0000u) | 0xEF00u;
    v->int80_gate = ((uint64_t)hi << 32) | lo;
}

static int32_t set_trap_table(struct vcpu *v, uint32_t table);

int32_t do_set_trap_table(struct vcpu *v, uint32_t table, uint32_t a2, uint32_t a3,
                          uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    int32_t rc = set_trap_table(v, table);
    int80_update(v);
    return rc;
}

static int32_t set_trap_table(struct vcpu *v, uint32_t table)
{
    if (table == 0) {
        memset(v->traps, 0, sizeof(v->traps));
        return 0;
    }
    for (uint32_t i = 0; i < TRAP_TABLE_MAX_ENTRIES; i++) {
        struct trap_info ti;
        if (copy_from_guest(v, &ti, table + i * (uint32_t)sizeof(ti), sizeof(ti)))
            return -XEN_EFAULT;
        if (ti.address == 0)
            return 0;
        int32_t rc = desc_trap_entry_check(&ti);
        if (rc)
            return rc;
        v->traps[ti.vector] = ti;
    }
    return -XEN_E2BIG;
}

/* A guest stack selector: RPL 0 becomes 1; then ring 1 only, and either the
 * flat ring-1 segment or one of the guest's own. */
static int stack_selector_ok(uint32_t *ss)
{
    uint32_t sel = *ss & 0xFFFF;
    if ((sel & 3) == 0)
        sel |= 1;
    if ((sel & 3) != 1 || *ss > 0xFFFF)
        return 0;
    if ((sel >> 3) >= FIRST_RESERVED_GDT_ENTRY && !(sel & 4) && sel != FLAT_RING1_SS)
        return 0;
    *ss = sel;
    return 1;
}

int32_t do_stack_switch(struct vcpu *v, uint32_t ss, uint32_t esp, uint32_t a3,
                        uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if (!stack_selector_ok(&ss))
        return -XEN_EPERM;
    uint32_t had_stack = v->kernel_ss;
    v->kernel_ss = ss;
    v->kernel_sp = esp;
    tss_set_guest_kernel_stack(ss, esp);
    /* The direct int $0x80 gate depends on the kernel stack only through
     * "has one" (int80_update): a selector passing the check is never 0,
     * so only the first stack_switch can change the gate. */
    if (!had_stack)
        int80_update(v);
    return 0;
}

/*
 * The one check of a code selector a guest registers (its trap table goes
 * through desc_trap_entry_check, the same rule): as Xen's compat callback
 * registration, only fixup_guest_code_selector: RPL 0 becomes 1, and any
 * selector is accepted. One the CPU cannot load as a ring-1 (or outer) code
 * segment never runs anything: delivering to it fails at the return to the
 * guest, which goes to the failsafe callback or crashes the domain
 * (traps.c failed_exit), as Xen's exit path does.
 */
static void callback_fixup(struct xen_callback *cb)
{
    cb->cs = desc_fixup_code_selector((uint16_t)cb->cs);   /* Xen keeps 16 bits too */
}

int32_t do_set_callbacks(struct vcpu *v, uint32_t event_cs, uint32_t event_eip,
                         uint32_t failsafe_cs, uint32_t failsafe_eip, uint32_t a5)
{
    struct xen_callback ev = { event_cs, event_eip }, fs = { failsafe_cs, failsafe_eip };
    (void)a5;
    callback_fixup(&ev);
    callback_fixup(&fs);
    v->event_cb = ev;
    v->failsafe_cb = fs;
    return 0;
}

/*
 * callback_op, as Xen's for a 32-bit PV guest (compat_callback_op): event,
 * failsafe, nmi, sysenter and syscall32 can be registered (unknown types
 * -ENOSYS); flags other than CALLBACKF_mask_events are ignored; only nmi
 * can be unregistered (the other known types -EINVAL, unknown -ENOSYS);
 * any other command -EINVAL. An EIP of 0 leaves a sysenter or syscall32
 * callback unset (arch/x86/sysenter.c); syscall32 is recorded but never
 * entered: pv86 keeps SYSCALL off (#UD), as Xen on an Intel CPU.
 */
int32_t do_callback_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                       uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if (cmd == CALLBACKOP_register) {
        struct callback_register cb;
        if (copy_from_guest(v, &cb, arg, sizeof(cb)))
            return -XEN_EFAULT;
        /* As Xen's compat registration: flags other than mask_events are
         * ignored, not refused, and the selector's RPL 0 becomes 1. */
        uint16_t mask = cb.flags & CALLBACKF_mask_events;
        callback_fixup(&cb.address);
        switch (cb.type) {
        case CALLBACKTYPE_event:
            v->event_cb = cb.address;
            v->event_flags = mask;
            return 0;
        case CALLBACKTYPE_failsafe:
            v->failsafe_cb = cb.address;
            v->failsafe_flags = mask;
            return 0;
        case CALLBACKTYPE_sysenter:
            v->sysenter_cb = cb.address;
            v->sysenter_flags = mask;
            return 0;
        case CALLBACKTYPE_syscall32:
            v->syscall32_cb = cb.address;
            v->syscall32_flags = mask;
            return 0;
        case CALLBACKTYPE_nmi:
            v->nmi_cb = cb.address;
            return 0;
        default:
            return -XEN_ENOSYS;
        }
    }
    if (cmd == CALLBACKOP_unregister) {
        struct callback_unregister cb;
        if (copy_from_guest(v, &cb, arg, sizeof(cb)))
            return -XEN_EFAULT;
        switch (cb.type) {
        case CALLBACKTYPE_nmi:
            memset(&v->nmi_cb, 0, sizeof(v->nmi_cb));
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_sysenter:
        case CALLBACKTYPE_syscall32:
            return -XEN_EINVAL;     /* they stay registered */
        default:
            return -XEN_ENOSYS;
        }
    }
    return -XEN_EINVAL;
}

/*
 * An iret whose EFLAGS has VM set: there is no virtual-8086 mode for PV
 * guests. As Xen's 32-bit PV iret, the guest kernel's #GP handler gets the
 * fault the first vm86 instruction would have raised: on the kernel stack,
 * error code 0 and the whole vm86 image (eip, cs, eflags, esp, ss, es, ds,
 * fs, gs) as the iret found it. f holds EAX, EIP, CS, EFLAGS.
 */
static int32_t iret_to_vm86(struct vcpu *v, const uint32_t *f)
{
    struct cpu_frame *r = &v->regs;
    const struct trap_info *ti = &v->traps[TRAP_GP];
    uint32_t frame[10];

    frame[0] = 0;
    if (copy_from_guest(v, &frame[1], r->esp + 4, 36))
        domain_crash(v->domain, "iret: vm86 frame at esp %#x not readable", r->esp);
    if (!ti->address || !v->kernel_ss)
        domain_crash(v->domain, "iret to virtual-8086 mode, and no #GP handler or kernel "
                     "stack to report it to");
    uint32_t ksp = v->kernel_sp - (uint32_t)sizeof(frame);
    if (copy_to_guest(v, ksp, frame, sizeof(frame)))
        domain_crash(v->domain, "iret to virtual-8086 mode: kernel stack %#x:%#x not writable",
                     v->kernel_ss, v->kernel_sp);
    uint32_t eflags = f[3];
    if (TI_GET_IF(ti))
        eflags &= ~EFLAGS_IF;
    v->vcpu_info->evtchn_upcall_mask = !(eflags & EFLAGS_IF);
    r->eflags = f[3] & ~(EFLAGS_VM | EFLAGS_RF | EFLAGS_NT | EFLAGS_TF);
    r->esp = ksp;
    r->ss = v->kernel_ss;
    r->cs = ti->cs;
    r->eip = ti->address;
    return (int32_t)f[0];
}

/*
 * iret: the guest kernel jumped to hypercall slot 23, which pushed EAX. Its
 * stack holds EAX, EIP, CS, EFLAGS and, for a return to an outer ring, ESP
 * and SS. The virtual IF follows EFLAGS.IF: upcall_mask = !IF. The real IF
 * stays on. Returns the restored EAX, which the dispatcher puts back.
 */
int32_t do_iret(struct vcpu *v, uint32_t a1, uint32_t a2, uint32_t a3,
                uint32_t a4, uint32_t a5)
{
    struct cpu_frame *r = &v->regs;
    uint32_t f[6];
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;

    if (copy_from_guest(v, f, r->esp, 16))
        domain_crash(v->domain, "iret: frame at esp %#x not readable", r->esp);
    if (__builtin_expect(v->domain->vm_assist & (1u << VMASST_TYPE_architectural_iopl), 0))
        priv_iret_iopl(v, f[3]);        /* Xen: EFLAGS.IOPL sets the virtual IOPL */
    if (f[3] & EFLAGS_VM)
        return iret_to_vm86(v, f);
    uint32_t cs = f[2] & 0xFFFF;
    if ((cs & 3) == 0)
        domain_crash(v->domain, "iret to ring 0 (cs %#x)", cs);
    int outer = (cs & 3) != 1;
    if (outer && copy_from_guest(v, &f[4], r->esp + 16, 8))
        domain_crash(v->domain, "iret: frame at esp %#x not readable", r->esp);

    v->vcpu_info->evtchn_upcall_mask = !(f[3] & EFLAGS_IF);
    r->eip = f[1];
    r->cs = cs;
    r->eflags = f[3];
    if (outer) {
        r->esp = f[4];
        r->ss = f[5] & 0xFFFF;
    } else {
        r->esp += 16;
    }
    return (int32_t)f[0];
}
