/*
 * fastcall: sysenter and syscall32 callbacks and SYSENTER system calls, as
 * on Xen for a 32-bit PV guest; what xen_version(get_features) and
 * vm_assist say.
 *
 * SYSENTER from ring 3 enters our sysenter callback on the kernel stack
 * with Xen's frame: EIP 0, CS 3 (the saved upcall mask in bits 16-23),
 * our EFLAGS, ESP 0, SS FLAT_RING3_SS, every other register as we left
 * it; the callback returns through the iret hypercall (fastcall_entry.S).
 * SYSCALL is #UD: pv86 never enables it, as Xen on an Intel CPU, and
 * QEMU's qemu-system-i386 offers it on no CPU model.
 */
#include <pv86/version.h>
#include <pv86/xen.h>

#include "xenpv.h"

struct fc_record {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp;
    uint32_t ds, es, fs, gs;
    uint32_t frame[5];                  /* eip, cs, eflags, esp, ss */
    uint32_t mask, count;
};
_Static_assert(sizeof(struct fc_record) == 76, "fastcall_entry.S's offsets");
volatile struct fc_record fc_rec;

void fc_sysenter_cb(void);
extern char fc_user_once[], fc_user_loop[], fc_user_bare[], fc_user_syscall[],
    fc_syscall_insn[];

static uint8_t fc_stack[4096] __attribute__((aligned(16)));
#define FC_STACK_TOP ((uint32_t)(uintptr_t)fc_stack + sizeof(fc_stack))

static uint32_t features(void)
{
    struct xen_feature_info fi = { 0, 0xFFFFFFFFu };
    return hv_xen_version(XENVER_get_features, &fi) == 0 ? fi.submap : 0xFFFFFFFFu;
}

static void features_and_assists(void)
{
    int dom0 = (start_info->flags & SIF_INITDOMAIN) != 0;
    uint32_t base = (1u << XENFEAT_mmu_pt_update_preserve_ad) | (1u << XENFEAT_direct_mapped) |
                    (dom0 ? 1u << XENFEAT_dom0 : 0);
    uint32_t f = features();
    ok(f == (base | (1u << XENFEAT_pae_pgdir_above_4gb)),
       "get_features: %#x (pae_pgdir_above_4gb, mmu_pt_update_preserve_ad, direct_mapped%s)",
       (unsigned)f, dom0 ? ", dom0" : "");
    struct xen_feature_info fi = { 1, 0x1234 };
    ok(hv_xen_version(XENVER_get_features, &fi) == -XEN_EINVAL && fi.submap == 0x1234,
       "get_features submap 1: -EINVAL, nothing written");
    int32_t rc = hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_pae_extended_cr3);
    f = features();
    ok(rc == 0 && f == base, "vm_assist disable pae_extended_cr3: 0, get_features %#x", (unsigned)f);
    rc = hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3);
    f = features();
    ok(rc == 0 && f == (base | (1u << XENFEAT_pae_pgdir_above_4gb)),
       "vm_assist enable pae_extended_cr3: 0, get_features %#x again", (unsigned)f);
    static const uint32_t on_off[] = { VMASST_TYPE_4gb_segments, VMASST_TYPE_4gb_segments_notify,
                                       VMASST_TYPE_runstate_update_flag,
                                       VMASST_TYPE_architectural_iopl };
    unsigned good = 0;
    for (unsigned i = 0; i < 4; i++)
        good += hv_vm_assist(VMASST_CMD_enable, on_off[i]) == 0 &&
                hv_vm_assist(VMASST_CMD_disable, on_off[i]) == 0;
    good += hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables) == 0;
    ok(good == 5, "vm_assist 4gb_segments, 4gb_segments_notify, runstate_update_flag, "
       "architectural_iopl (on and off), writable_pagetables (on): all 0 (%u of 5)", good);
    ok(hv_vm_assist(VMASST_CMD_enable, 6) == -XEN_EINVAL &&
       hv_vm_assist(VMASST_CMD_enable, 31) == -XEN_EINVAL &&
       hv_vm_assist(VMASST_CMD_enable, 32) == -XEN_EINVAL &&
       hv_vm_assist(VMASST_CMD_disable, 0xFFFFFFFFu) == -XEN_EINVAL,
       "vm_assist types 6, 31, 32 (m2p_strict: 64-bit only), 0xffffffff: -EINVAL");
    ok(hv_vm_assist(2, VMASST_TYPE_pae_extended_cr3) == -XEN_ENOSYS &&
       hv_vm_assist(2, 6) == -XEN_EINVAL,
       "vm_assist command 2: -ENOSYS for a valid type, -EINVAL for an invalid one");
    ok(hv_xen_version(XENVER_pagesize, NULL) == 4096 &&
       hv_xen_version(XENVER_pagesize, &fi) == -XEN_EINVAL,
       "xen_version pagesize: 4096, -EINVAL with an argument");
}

static int32_t reg(uint16_t type, uint16_t flags, uint32_t cs, uint32_t eip)
{
    struct callback_register cb = { type, flags, { cs, eip } };
    return hv_callback_op(CALLBACKOP_register, &cb);
}

static int32_t unreg(uint16_t type)
{
    struct callback_unregister cb = { type, 0 };
    return hv_callback_op(CALLBACKOP_unregister, &cb);
}

static void callbacks(void)
{
    uint32_t cb = (uint32_t)(uintptr_t)fc_sysenter_cb;
    ok(reg(CALLBACKTYPE_sysenter, 0, FLAT_RING1_CS, cb) == 0, "callback_op register sysenter: 0");
    ok(reg(CALLBACKTYPE_syscall32, 0xFFFF, FLAT_RING1_CS, cb) == 0,
       "callback_op register syscall32 with flags 0xffff: 0 (unknown flags ignored, as Xen)");
    ok(reg(2, 0, FLAT_RING1_CS, cb) == -XEN_ENOSYS && reg(3, 0, FLAT_RING1_CS, cb) == -XEN_ENOSYS &&
       reg(6, 0, FLAT_RING1_CS, cb) == -XEN_ENOSYS && reg(8, 0, FLAT_RING1_CS, cb) == -XEN_ENOSYS &&
       reg(0xFFFF, 0, FLAT_RING1_CS, cb) == -XEN_ENOSYS,
       "callback_op register types 2 (syscall: 64-bit only), 3, 6, 8, 0xffff: -ENOSYS");
    ok(reg(CALLBACKTYPE_sysenter, 0, 0xe008, cb) == 0 &&
       reg(CALLBACKTYPE_syscall32, 0, 0xe008, cb) == 0,
       "callback_op sysenter, syscall32 with the hypervisor's code segment: 0 (RPL fixed up, as Xen)");
    ok(unreg(CALLBACKTYPE_sysenter) == -XEN_EINVAL && unreg(CALLBACKTYPE_syscall32) == -XEN_EINVAL &&
       unreg(6) == -XEN_ENOSYS,
       "callback_op unregister sysenter, syscall32: -EINVAL; type 6: -ENOSYS");
    struct callback_register c = { CALLBACKTYPE_sysenter, 0, { FLAT_RING1_CS, cb } };
    ok(hv_callback_op(2, &c) == -XEN_EINVAL &&
       hv_callback_op(CALLBACKOP_register, (void *)0x00C00000u) == -XEN_EFAULT,
       "callback_op command 2: -EINVAL; an unmapped argument: -EFAULT");
}

static void sysenter_calls(void)
{
    volatile struct fc_record *r = &fc_rec;
    uint32_t cb = (uint32_t)(uintptr_t)fc_sysenter_cb;

    ok(user_setup() == 0 && hv_stack_switch(FLAT_RING1_SS, FC_STACK_TOP) == 0 &&
       reg(CALLBACKTYPE_sysenter, 0, FLAT_RING1_CS, cb) == 0,
       "ring 3 mapped, a kernel stack of ours, the sysenter callback registered");
    uint32_t rv = user_run((uint32_t)(uintptr_t)fc_user_once);
    ok(rv == 0x600D && r->count == 1,
       "SYSENTER from ring 3: the callback ran once, ring 3 got every register and "
       "flag back (%#x)", (unsigned)rv);
    ok(r->eax == 0xA1A1A1A1u && r->ebx == 0xB2B2B2B2u && r->esi == 0x5151F00Du &&
       r->edi == 0xD1D1D1D1u && r->ebp == 0xBBBB0123u && r->ecx == GUEST_USTACK_VA + 4096 &&
       r->edx > (uint32_t)(uintptr_t)fc_user_once && r->edx < (uint32_t)(uintptr_t)fc_user_loop,
       "the callback got the caller's registers (eax %#x ebx %#x ecx %#x esi %#x edi %#x "
       "ebp %#x)", (unsigned)r->eax, (unsigned)r->ebx, (unsigned)r->ecx, (unsigned)r->esi,
       (unsigned)r->edi, (unsigned)r->ebp);
    ok(r->frame[0] == 0 && r->frame[1] == 3 && r->frame[2] == 0xAD7 && r->frame[3] == 0 &&
       r->frame[4] == FLAT_RING3_SS,
       "Xen's frame: eip %#x, cs %#x, eflags %#x, esp %#x, ss %#x", (unsigned)r->frame[0],
       (unsigned)r->frame[1], (unsigned)r->frame[2], (unsigned)r->frame[3],
       (unsigned)r->frame[4]);
    ok(r->esp == FC_STACK_TOP - 20 && r->ds == FLAT_RING3_DS && r->es == FLAT_RING3_DS &&
       r->mask == 0,
       "on the kernel stack (esp = top - 20), ds/es as the caller's (%#x/%#x), events not "
       "masked (%u)", (unsigned)r->ds, (unsigned)r->es, (unsigned)r->mask);

    rv = user_run((uint32_t)(uintptr_t)fc_user_loop);
    ok(rv == 100 && r->count == 101, "100 SYSENTERs in a row: ring 3 counted %u, the callback "
       "%u", (unsigned)rv, (unsigned)(r->count - 1));

    ok(reg(CALLBACKTYPE_sysenter, CALLBACKF_mask_events, FLAT_RING1_CS, cb) == 0,
       "callback_op register sysenter with CALLBACKF_mask_events: 0");
    rv = user_run((uint32_t)(uintptr_t)fc_user_once);
    ok(rv == 0x600D && r->count == 102 && r->mask == 1 && r->frame[1] == 3 &&
       (r->frame[2] & 0x200),
       "... entered with events masked (%u), the frame saving mask 0 (cs %#x, IF set)",
       (unsigned)r->mask, (unsigned)r->frame[1]);

    ok(reg(CALLBACKTYPE_sysenter, 0, FLAT_RING1_CS, 0) == 0, "sysenter callback at eip 0: none");
    unsigned before = last_trap.count;
    rv = user_run((uint32_t)(uintptr_t)fc_user_bare);
    ok(rv == (USER_TRAPPED | 13) && last_trap.count == before + 1 && last_trap.error == 0 &&
       last_trap.eip == 0 && last_trap.cs == 3 && last_trap.user_esp == 0 &&
       last_trap.user_ss == FLAT_RING3_SS && r->count == 102,
       "SYSENTER without a callback: #GP(0) with Xen's frame (eip %#x, cs %#x, esp %#x, "
       "ss %#x)", (unsigned)last_trap.eip, (unsigned)last_trap.cs,
       (unsigned)last_trap.user_esp, (unsigned)last_trap.user_ss);

    rv = user_run((uint32_t)(uintptr_t)fc_user_syscall);
    ok(rv == (USER_TRAPPED | 6) && last_trap.eip == (uint32_t)(uintptr_t)fc_syscall_insn,
       "SYSCALL from ring 3 with a syscall32 callback registered: #UD at the instruction "
       "(%#x), as on Xen on a CPU without it in 32-bit mode", (unsigned)rv);
    uint32_t regs[4];
    hv_cpuid(0x80000001u, 0, regs);
    uint32_t ext_syscall = regs[3] & (1u << 11);
    hv_cpuid(1, 0, regs);
    ok(!ext_syscall && (regs[3] & (1u << 11)),
       "cpuid: SEP (sysenter) offered, 0x80000001 SYSCALL not");
}

void xenpv_fastcall(void)
{
    features_and_assists();
    callbacks();
    sysenter_calls();
    ok(guest_traps_install() == 0, "our usual trap table, callbacks and kernel stack back");
}
