/* descriptor: guest descriptor rules (see descriptor.h). */
#include "arch/x86/descriptor.h"

#include <pv86/errno.h>
#include <pv86/xen.h>

#define SEG_ACCESSED  (1u << 8)
#define SEG_EC        (1u << 10)   /* data: expand-down; code: conforming */
#define SEG_CODE      (1u << 11)
#define SEG_S         (1u << 12)
#define SEG_DPL_MASK  (3u << 13)
#define SEG_P         (1u << 15)
#define SEG_G         (1u << 23)
#define SEG_TYPE_MASK (15u << 8)
#define SEG_TYPE_CALL_GATE32 (12u << 8)

/* Xen's __fixup_guest_selector for a 32-bit PV guest: an RPL below the
 * guest kernel's ring (1) is raised to it; 1, 2 and 3 stay. */
uint16_t desc_fixup_code_selector(uint16_t sel)
{
    return (sel & 3) == 0 ? (uint16_t)(sel | 1) : sel;
}

/* Xen's guest_gate_selector_okay for a 32-bit PV guest: a selector of the
 * guest's own part of the GDT or of its LDT (any RPL), or exactly
 * FLAT_RING1_CS (Xen's FLAT_COMPAT_KERNEL_CS); no other hypervisor one,
 * not even 0xe01b or FLAT_RING3_CS. */
int desc_guest_code_selector_ok(uint16_t sel)
{
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == FLAT_RING1_CS || (sel & 4);
}

/* Xen's set_trap_table for a 32-bit guest (compat_set_trap_table): the
 * code selector's RPL is fixed up, nothing else is checked; a selector
 * the CPU will not load fails when the trap is delivered (the failsafe
 * callback, or the domain dies). */
int desc_trap_entry_check(struct trap_info *ti)
{
    ti->cs = desc_fixup_code_selector(ti->cs);
    return 0;
}

uint32_t desc_base(uint32_t lo, uint32_t hi)
{
    return (hi & 0xFF000000u) | ((hi & 0xFFu) << 16) | (lo >> 16);
}

int desc_check(uint32_t *lo, uint32_t *hi)
{
    uint32_t a = *lo, b = *hi;

    if (!(b & SEG_P))
        return 1;
    if ((b & SEG_DPL_MASK) == 0)
        b |= 1u << 13;

    if (!(b & SEG_S)) {
        if ((b & SEG_TYPE_MASK) != SEG_TYPE_CALL_GATE32)
            return 0;
        uint16_t cs = desc_fixup_code_selector((uint16_t)(a >> 16));
        if (!desc_guest_code_selector_ok(cs) || (b & 0xE0u))
            return 0;
        *lo = (a & 0xFFFFu) | ((uint32_t)cs << 16);
        *hi = b;
        return 1;
    }

    b |= SEG_ACCESSED;
    uint32_t base = desc_base(a, b);
    if (base >= GUEST_SEGMENT_MAX_ADDR - 4096u)
        return 0;
    uint32_t limit = ((b & 0xF0000u) | (a & 0xFFFFu)) + 1;   /* exclusive */
    if (b & SEG_G)
        limit <<= 12;                                        /* 4 GiB wraps to 0 */
    int truncate = 0;
    if ((b & (SEG_CODE | SEG_EC)) == SEG_EC) {
        /* Data, expand-down: valid offsets are (limit, top]; it must wrap. */
        if (base + limit > base) {
            limit = 0u - (base & ~0xFFFu);
            truncate = 1;
        }
    } else if (base + limit <= base || base + limit > GUEST_SEGMENT_MAX_ADDR) {
        limit = GUEST_SEGMENT_MAX_ADDR - base;
        truncate = 1;
    }
    if (truncate) {
        if (!(b & SEG_G))
            return 0;          /* byte-granular: too easy to get wrong */
        limit = (limit >> 12) - 1;
        a = (a & ~0xFFFFu) | (limit & 0xFFFFu);
        b = (b & ~0xF0000u) | (limit & 0xF0000u);
    }
    *lo = a;
    *hi = b;
    return 1;
}
