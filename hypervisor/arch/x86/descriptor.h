/*
 * descriptor: validation of segment descriptors a guest puts in its GDT
 * (set_gdt, update_descriptor), with Xen's x86_32 rules, and of the code
 * selectors it names for traps and callbacks. Pure.
 *
 * A descriptor is accepted, possibly fixed up in place, when:
 *   - it is not present (it can only fault), or
 *   - it is a code/data segment: DPL 0 is raised to 1; the accessed bit is
 *     set (the hypervisor maps GDT frames read-only, so the CPU must never
 *     need to write it); its base lies below GUEST_SEGMENT_MAX_ADDR - 4 KiB
 *     and its limit is truncated (page granular only) so that it ends at or
 *     below GUEST_SEGMENT_MAX_ADDR, the end of the guest-readable M2P;
 *   - it is a 32-bit call gate whose target is a guest code selector
 *     (RPL 0 raised to 1) and whose reserved bits are clear; DPL 0 is raised.
 * Everything else (TSS, LDT, task/interrupt/trap gates) is refused.
 */
#ifndef HV_ARCH_X86_DESCRIPTOR_H
#define HV_ARCH_X86_DESCRIPTOR_H

#include <stdint.h>

#define GUEST_SEGMENT_MAX_ADDR  0xF6800000u   /* MACH2PHYS_VIRT_END */

/* 1 if accepted (lo and hi may have been fixed up), 0 if refused. */
int desc_check(uint32_t *lo, uint32_t *hi);

/* Raise RPL 0 to RPL 1, as Xen does for guest code selectors. */
uint16_t desc_fixup_code_selector(uint16_t sel);

/* May a guest name sel as the code segment of a trap, callback or gate?
 * Its own GDT/LDT selectors and the flat ring-1/ring-3 code selectors. */
int desc_guest_code_selector_ok(uint16_t sel);

/* Kernel or user, as Xen's 32-bit PV decides it from a guest CS:
 * only ring 1 is the guest kernel. A trap from ring 2 or 3 is delivered on
 * the kernel stack (stack_switch), with the interrupted SS:ESP in the
 * bounce frame; one from ring 1 on the current stack. */
static inline int desc_ring_is_outer(uint32_t cs)
{
    return (cs & 2) != 0;
}
/* `int n` through a virtual trap-table entry of this DPL, from code at cs:
 * allowed at DPL >= 1 from the kernel (ring 1), DPL 3 from rings 2 and 3. */
static inline int desc_softint_permitted(unsigned dpl, uint32_t cs)
{
    return dpl >= ((cs & 3) == 1 ? 1u : 3u);
}

/* Base of a code/data descriptor. */
uint32_t desc_base(uint32_t lo, uint32_t hi);

/* One entry of a guest's trap table (set_trap_table; not the terminator,
 * whose address is 0): its code selector with RPL 0 raised to 1, then it
 * must be a guest code selector. 0, or -XEN_EPERM (a hypervisor segment:
 * the entry is not installed). */
struct trap_info;
int desc_trap_entry_check(struct trap_info *ti);

#endif
