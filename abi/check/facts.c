/*
 * abi/check/facts.c: every number and layout that shared/xen-pv-abi.md
 * states, asserted against abi/include (at compile time, for -m32 and
 * -m64), and the few that are values rather than constants checked when it
 * runs. One section per section of that file, in its order. Run by
 * abi/check/check.sh.
 */
#include <pv86/elfnote.h>
#include <pv86/hypercall.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define FACT(cond) _Static_assert(cond, #cond)
#define AT(type, field, off) FACT(offsetof(struct type, field) == (off))

/* ---- Loading a guest: note types ---- */
FACT(XEN_ELFNOTE_INFO == 0);
FACT(XEN_ELFNOTE_ENTRY == 1);
FACT(XEN_ELFNOTE_HYPERCALL_PAGE == 2);
FACT(XEN_ELFNOTE_VIRT_BASE == 3);
FACT(XEN_ELFNOTE_PADDR_OFFSET == 4);
FACT(XEN_ELFNOTE_XEN_VERSION == 5);
FACT(XEN_ELFNOTE_GUEST_OS == 6);
FACT(XEN_ELFNOTE_GUEST_VERSION == 7);
FACT(XEN_ELFNOTE_LOADER == 8);
FACT(XEN_ELFNOTE_PAE_MODE == 9);
FACT(XEN_ELFNOTE_FEATURES == 10);
FACT(XEN_ELFNOTE_BSD_SYMTAB == 11);
FACT(XEN_ELFNOTE_HV_START_LOW == 12);
FACT(XEN_ELFNOTE_L1_MFN_VALID == 13);
FACT(XEN_ELFNOTE_SUSPEND_CANCEL == 14);
FACT(XEN_ELFNOTE_INIT_P2M == 15);
FACT(XEN_ELFNOTE_MOD_START_PFN == 16);
/* Hypercall page: 128 slots of 32 bytes; vector 0x82. */
FACT(PV86_HYPERCALL_SLOTS == 128);
FACT(PV86_HYPERCALL_SLOT_SIZE == 32);
FACT(PV86_HYPERCALL_SLOTS * PV86_HYPERCALL_SLOT_SIZE == 4096);
FACT(PV86_HYPERCALL_VECTOR == 0x82);

/* ---- Selectors and memory map ---- */
FACT(FLAT_RING1_CS == 0xe019);
FACT(FLAT_RING1_DS == 0xe021);
FACT(FLAT_RING1_SS == 0xe021);
FACT(FLAT_RING3_CS == 0xe02b);
FACT(FLAT_RING3_DS == 0xe033);
FACT(FLAT_RING3_SS == 0xe033);
FACT((FLAT_RING1_CS >> 3) == 7171 && (FLAT_RING1_DS >> 3) == 7172);
FACT((FLAT_RING3_CS >> 3) == 7173 && (FLAT_RING3_DS >> 3) == 7174);
FACT((FLAT_RING1_CS & 3) == 1 && (FLAT_RING1_DS & 3) == 1);
FACT((FLAT_RING3_CS & 3) == 3 && (FLAT_RING3_DS & 3) == 3);
FACT(FIRST_RESERVED_GDT_ENTRY == 7168);     /* guests own 0-7167 */
FACT(FIRST_RESERVED_GDT_PAGE == 14);
FACT(HYPERVISOR_VIRT_START == 0xF5800000u);
FACT(MACH2PHYS_VIRT_START == 0xF5800000u);
FACT(MACH2PHYS_VIRT_END == 0xF6800000u);
FACT(MACH2PHYS_ENTRY_SIZE == 4);

/* ---- Hypercall numbers ---- */
FACT(__HYPERVISOR_set_trap_table == 0);
FACT(__HYPERVISOR_mmu_update == 1);
FACT(__HYPERVISOR_set_gdt == 2);
FACT(__HYPERVISOR_stack_switch == 3);
FACT(__HYPERVISOR_set_callbacks == 4);
FACT(__HYPERVISOR_fpu_taskswitch == 5);
FACT(__HYPERVISOR_platform_op == 7);
FACT(__HYPERVISOR_set_debugreg == 8);
FACT(__HYPERVISOR_get_debugreg == 9);
FACT(__HYPERVISOR_update_descriptor == 10);
FACT(__HYPERVISOR_memory_op == 12);
FACT(__HYPERVISOR_multicall == 13);
FACT(__HYPERVISOR_update_va_mapping == 14);
FACT(__HYPERVISOR_set_timer_op == 15);
FACT(__HYPERVISOR_xen_version == 17);
FACT(__HYPERVISOR_console_io == 18);
FACT(__HYPERVISOR_grant_table_op == 20);
FACT(__HYPERVISOR_vm_assist == 21);
FACT(__HYPERVISOR_update_va_mapping_otherdomain == 22);
FACT(__HYPERVISOR_iret == 23);
FACT(__HYPERVISOR_vcpu_op == 24);
FACT(__HYPERVISOR_mmuext_op == 26);
FACT(__HYPERVISOR_nmi_op == 28);
FACT(__HYPERVISOR_sched_op == 29);
FACT(__HYPERVISOR_callback_op == 30);
FACT(__HYPERVISOR_event_channel_op == 32);
FACT(__HYPERVISOR_physdev_op == 33);
FACT(__HYPERVISOR_sysctl == 35);
FACT(__HYPERVISOR_domctl == 36);
FACT(__HYPERVISOR_argo_op == 39);
FACT(__HYPERVISOR_arch_0 == 48);
/* pv86's own extension lies in the free arch-specific slots 48-55. */
FACT(__HYPERVISOR_pv86_counters_op >= 48 && __HYPERVISOR_pv86_counters_op <= 55);

FACT(XEN_EPERM == 1);
FACT(XEN_ENOENT == 2);
FACT(XEN_ESRCH == 3);
FACT(XEN_EINTR == 4);
FACT(XEN_EIO == 5);
FACT(XEN_E2BIG == 7);
FACT(XEN_EBADF == 9);
FACT(XEN_EAGAIN == 11);
FACT(XEN_ENOMEM == 12);
FACT(XEN_EACCES == 13);
FACT(XEN_EFAULT == 14);
FACT(XEN_EBUSY == 16);
FACT(XEN_EEXIST == 17);
FACT(XEN_ENODEV == 19);
FACT(XEN_EINVAL == 22);
FACT(XEN_ENOSPC == 28);
FACT(XEN_ERANGE == 34);
FACT(XEN_ENOSYS == 38);
FACT(XEN_EOPNOTSUPP == 95);
FACT(DOMID_SELF == 0x7FF0);
FACT(DOMID_IO == 0x7FF1);
FACT(DOMID_XEN == 0x7FF2);

/* ---- Arguments (x86_32) ---- */
FACT(sizeof(struct trap_info) == 8);
AT(trap_info, vector, 0);
AT(trap_info, flags, 1);
AT(trap_info, cs, 2);
AT(trap_info, address, 4);
FACT(sizeof(((struct trap_info *)0)->vector) == 1 && sizeof(((struct trap_info *)0)->cs) == 2);

FACT(sizeof(struct mmu_update) == 16);
AT(mmu_update, ptr, 0);
AT(mmu_update, val, 8);
FACT(MMU_NORMAL_PT_UPDATE == 0);
FACT(MMU_MACHPHYS_UPDATE == 1);
FACT(MMU_PT_UPDATE_PRESERVE_AD == 2);

FACT(sizeof(struct mmuext_op) == 12);
AT(mmuext_op, cmd, 0);
AT(mmuext_op, arg1, 4);
AT(mmuext_op, arg2, 8);
FACT(MMUEXT_PIN_L1_TABLE == 0);
FACT(MMUEXT_PIN_L2_TABLE == 1);
FACT(MMUEXT_PIN_L3_TABLE == 2);
FACT(MMUEXT_UNPIN_TABLE == 4);
FACT(MMUEXT_NEW_BASEPTR == 5);
FACT(MMUEXT_TLB_FLUSH_LOCAL == 6);
FACT(MMUEXT_INVLPG_LOCAL == 7);
FACT(MMUEXT_TLB_FLUSH_MULTI == 8);
FACT(MMUEXT_INVLPG_MULTI == 9);
FACT(MMUEXT_TLB_FLUSH_ALL == 10);
FACT(MMUEXT_INVLPG_ALL == 11);
FACT(MMUEXT_SET_LDT == 13);

FACT(UVMF_NONE == 0);
FACT(UVMF_TLB_FLUSH == 1);
FACT(UVMF_INVLPG == 2);
FACT(UVMF_ALL == 4);

FACT(CALLBACKOP_register == 0);
FACT(CALLBACKOP_unregister == 1);
FACT(sizeof(struct callback_register) == 12);
AT(callback_register, type, 0);
AT(callback_register, flags, 2);
AT(callback_register, address.cs, 4);
AT(callback_register, address.eip, 8);
FACT(CALLBACKTYPE_event == 0);
FACT(CALLBACKTYPE_failsafe == 1);
FACT(CALLBACKTYPE_nmi == 4);
FACT(CALLBACKTYPE_sysenter == 5);
FACT(CALLBACKTYPE_syscall32 == 7);
FACT(CALLBACKF_mask_events == 1);

FACT(sizeof(struct multicall_entry) == 32);
AT(multicall_entry, op, 0);
AT(multicall_entry, result, 4);
AT(multicall_entry, args, 8);

FACT(CONSOLEIO_write == 0);
FACT(CONSOLEIO_read == 1);
FACT(PV86_CONSOLEIO_toolstack == 0x7086);

FACT(SCHEDOP_yield == 0);
FACT(SCHEDOP_block == 1);
FACT(SCHEDOP_shutdown == 2);
FACT(SCHEDOP_poll == 3);
FACT(SCHEDOP_remote_shutdown == 4);
FACT(sizeof(struct sched_shutdown) == 4);
FACT(SHUTDOWN_poweroff == 0);
FACT(SHUTDOWN_reboot == 1);
FACT(SHUTDOWN_suspend == 2);
FACT(SHUTDOWN_crash == 3);
FACT(SHUTDOWN_watchdog == 4);
FACT(sizeof(struct sched_poll) == 16);
AT(sched_poll, ports, 0);
AT(sched_poll, nr_ports, 4);
AT(sched_poll, timeout, 8);

FACT(XENVER_version == 0);
FACT(XENVER_extraversion == 1);
FACT(XENVER_compile_info == 2);
FACT(XENVER_capabilities == 3);
FACT(XENVER_changeset == 4);
FACT(XENVER_platform_parameters == 5);
FACT(XENVER_get_features == 6);
FACT(XENVER_pagesize == 7);
FACT(XEN_EXTRAVERSION_LEN == 16);
FACT(sizeof(struct xen_compile_info) == 144);
FACT(XEN_CAPABILITIES_LEN == 1024);
FACT(XEN_CHANGESET_LEN == 64);
AT(xen_platform_parameters, virt_start, 0);

FACT(EVTCHNOP_bind_interdomain == 0);
FACT(EVTCHNOP_bind_virq == 1);
FACT(EVTCHNOP_close == 3);
FACT(EVTCHNOP_send == 4);
FACT(EVTCHNOP_status == 5);
FACT(EVTCHNOP_alloc_unbound == 6);
FACT(EVTCHNOP_bind_ipi == 7);
FACT(EVTCHNOP_bind_vcpu == 8);
FACT(EVTCHNOP_unmask == 9);
FACT(EVTCHNOP_reset == 10);
FACT(EVTCHNOP_init_control == 11);
FACT(EVTCHNOP_expand_array == 12);
FACT(sizeof(struct evtchn_status) == 24);
FACT(sizeof(struct evtchn_alloc_unbound) == 8);
AT(evtchn_alloc_unbound, dom, 0);
AT(evtchn_alloc_unbound, remote_dom, 2);
AT(evtchn_alloc_unbound, port, 4);
FACT(sizeof(domid_t) == 2);
FACT(VIRQ_TIMER == 0);
FACT(VIRQ_DEBUG == 1);
FACT(VIRQ_CONSOLE == 2);

FACT(VMASST_CMD_enable == 0);
FACT(VMASST_CMD_disable == 1);
FACT(VMASST_TYPE_writable_pagetables == 2);
FACT(VMASST_TYPE_pae_extended_cr3 == 3);
FACT(VMASST_TYPE_architectural_iopl == 4);

FACT(VCPUOP_initialise == 0);
FACT(VCPUOP_up == 1);
FACT(VCPUOP_down == 2);
FACT(VCPUOP_is_up == 3);
FACT(VCPUOP_set_periodic_timer == 6);
FACT(VCPUOP_stop_periodic_timer == 7);
FACT(VCPUOP_set_singleshot_timer == 8);
FACT(VCPUOP_stop_singleshot_timer == 9);

/* ---- Shared pages ---- */
FACT(sizeof(struct start_info) == 1112);
AT(start_info, magic, 0);
FACT(sizeof(((struct start_info *)0)->magic) == 32);
AT(start_info, nr_pages, 32);
AT(start_info, shared_info, 36);
AT(start_info, flags, 40);
FACT(SIF_PRIVILEGED == 1 && SIF_INITDOMAIN == 2);
AT(start_info, store_mfn, 44);
AT(start_info, store_evtchn, 48);
AT(start_info, console.domU.mfn, 52);
AT(start_info, console.domU.evtchn, 56);
AT(start_info, pt_base, 60);
AT(start_info, nr_pt_frames, 64);
AT(start_info, mfn_list, 68);
AT(start_info, mod_start, 72);
AT(start_info, mod_len, 76);
AT(start_info, cmd_line, 80);
FACT(sizeof(((struct start_info *)0)->cmd_line) == 1024);
AT(start_info, first_p2m_pfn, 1104);
AT(start_info, nr_p2m_frames, 1108);

FACT(sizeof(struct shared_info) == 2344);
AT(shared_info, vcpu_info, 0);
FACT(sizeof(((struct shared_info *)0)->vcpu_info) == 32 * 64);
AT(shared_info, evtchn_pending, 2048);
FACT(sizeof(((struct shared_info *)0)->evtchn_pending) == 32 * 4);
AT(shared_info, evtchn_mask, 2176);
AT(shared_info, wc_version, 2304);
AT(shared_info, wc_sec, 2308);
AT(shared_info, wc_nsec, 2312);
AT(shared_info, arch.max_pfn, 2316);
AT(shared_info, arch.pfn_to_mfn_frame_list_list, 2320);
AT(shared_info, arch.nmi_reason, 2324);
AT(shared_info, arch.p2m_cr3, 2328);
AT(shared_info, arch.p2m_vaddr, 2332);
AT(shared_info, arch.p2m_generation, 2336);
AT(shared_info, arch.wc_sec_hi, 2340);

FACT(sizeof(struct vcpu_info) == 64);
AT(vcpu_info, evtchn_upcall_pending, 0);
AT(vcpu_info, evtchn_upcall_mask, 1);
AT(vcpu_info, evtchn_pending_sel, 4);
AT(vcpu_info, arch.cr2, 8);
AT(vcpu_info, time, 32);
AT(vcpu_info, time.version, 32);
AT(vcpu_info, time.tsc_timestamp, 40);
AT(vcpu_info, time.system_time, 48);
AT(vcpu_info, time.tsc_to_system_mul, 56);
AT(vcpu_info, time.tsc_shift, 60);
AT(vcpu_info, time.flags, 61);
FACT(sizeof(((struct vcpu_info *)0)->time.tsc_shift) == 1);
FACT(sizeof(((struct vcpu_info *)0)->time.system_time) == 8);

FACT(sizeof(struct xencons_interface) == 3088);
AT(xencons_interface, in, 0);
AT(xencons_interface, out, 1024);
AT(xencons_interface, in_cons, 3072);
AT(xencons_interface, in_prod, 3076);
AT(xencons_interface, out_cons, 3080);
AT(xencons_interface, out_prod, 3084);

FACT(sizeof(struct vcpu_guest_context) == 2800);
AT(vcpu_guest_context, flags, 512);
AT(vcpu_guest_context, user_regs, 516);
FACT(sizeof(struct cpu_user_regs) == 68);
AT(vcpu_guest_context, trap_ctxt, 584);
FACT(sizeof(((struct vcpu_guest_context *)0)->trap_ctxt) == 256 * 8);
AT(vcpu_guest_context, kernel_ss, 2708);
AT(vcpu_guest_context, ctrlreg, 2716);
AT(vcpu_guest_context, event_callback_cs, 2780);

/* The facts that are values, not constant expressions. */

/* ---- Rules a real guest can observe: grant tables v1 ---- */
FACT(sizeof(struct grant_entry_v1) == 8);
AT(grant_entry_v1, flags, 0);
AT(grant_entry_v1, domid, 2);
AT(grant_entry_v1, frame, 4);
FACT(GTF_permit_access == 1 && GTF_readonly == 4 && GTF_reading == 8 && GTF_writing == 16);
FACT(GNTTAB_RESERVED_CONSOLE == 0 && GNTTAB_RESERVED_XENSTORE == 1);
FACT(GNTTABOP_map_grant_ref == 0 && GNTTABOP_unmap_grant_ref == 1 && GNTTABOP_setup_table == 2);
FACT(GNTTABOP_copy == 5 && GNTTABOP_query_size == 6 && GNTTABOP_set_version == 8);
FACT(sizeof(struct gnttab_setup_table) == 16);
AT(gnttab_setup_table, dom, 0);
AT(gnttab_setup_table, nr_frames, 4);
AT(gnttab_setup_table, status, 8);
AT(gnttab_setup_table, frame_list, 12);
FACT(sizeof(struct gnttab_map_grant_ref) == 32);
AT(gnttab_map_grant_ref, flags, 8);
AT(gnttab_map_grant_ref, ref, 12);
AT(gnttab_map_grant_ref, dom, 16);
AT(gnttab_map_grant_ref, status, 18);
FACT(sizeof(struct gnttab_unmap_grant_ref) == 24);
AT(gnttab_unmap_grant_ref, handle, 16);
AT(gnttab_unmap_grant_ref, status, 20);
FACT(sizeof(struct gnttab_copy) == 24);
AT(gnttab_copy, dest, 8);
AT(gnttab_copy, dest.offset, 14);
AT(gnttab_copy, flags, 18);
AT(gnttab_copy, status, 20);
FACT(sizeof(struct gnttab_query_size) == 16);
AT(gnttab_query_size, status, 12);
FACT(sizeof(struct gnttab_transfer) == 16);
FACT(sizeof(struct gnttab_unmap_and_replace) == 24);
FACT(sizeof(struct gnttab_get_status_frames) == 12);
AT(gnttab_get_status_frames, frame_list, 8);
FACT(GNTST_general_error == -1 && GNTST_bad_gntref == -3 && GNTST_bad_handle == -4);
FACT(GNTST_permission_denied == -8 && GNTST_bad_page == -9 && GNTST_bad_copy_arg == -10);

int main(void)
{
    int bad = 0, n = 0;
#define VALUE(cond) do { n++; if (!(cond)) { printf("not ok %d - %s\n", n, #cond); bad++; } \
                         else printf("ok %d - %s\n", n, #cond); } while (0)
    static const unsigned char prefix[] = XEN_EMULATE_PREFIX_BYTES;
    VALUE(sizeof(prefix) == 5 && memcmp(prefix, "\x0f\x0b" "xen", 5) == 0);
    VALUE(strcmp(XEN_START_INFO_MAGIC, "xen-3.0-x86_32p") == 0);
    VALUE(strcmp(XEN_ELFNOTE_OWNER, "Xen") == 0);
    /* CR3 format pfn << 12 | pfn >> 20, and back. */
    VALUE(xen_pfn_to_cr3(0x12345u) == 0x12345000u && xen_pfn_to_cr3(0x1234567u) == 0x34567012u);
    VALUE(xen_cr3_to_pfn(xen_pfn_to_cr3(0x1234567u)) == 0x1234567u);
    /* trap_info flags: bits 0-1 DPL, bit 2 mask events. */
    struct trap_info ti = { 0x80, 3 | 4, FLAT_RING1_CS, 1 };
    VALUE(TI_GET_DPL(&ti) == 3 && TI_GET_IF(&ti) == 4);
    printf("1..%d\n", n);
    return bad != 0;
}
