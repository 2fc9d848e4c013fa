/* libFuzzer harness: the guest descriptor rules (hypervisor/arch/x86/
 * descriptor.c, Xen's check_descriptor) on arbitrary 8-byte descriptors.
 * An accepted descriptor, as the hypervisor leaves it in the guest's GDT or
 * LDT frame, must be harmless whatever the CPU does with it:
 *   - present code/data: DPL is not 0, the accessed bit is set, and no
 *     offset the limit allows reaches GUEST_SEGMENT_MAX_ADDR or above (the
 *     hypervisor area), expand-down segments included;
 *   - present system descriptor: only a 32-bit call gate, DPL not 0, whose
 *     target is a guest code selector of RPL 1-3 and whose reserved bits are
 *     clear;
 *   - checking it again accepts it unchanged (frames are re-validated each
 *     time they come into use as descriptor pages). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/descriptor.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define P    (1u << 15)
#define S    (1u << 12)
#define CODE (1u << 11)
#define EC   (1u << 10)
#define ACC  (1u << 8)
#define G    (1u << 23)
#define DB   (1u << 22)
#define DPL(hi) (((hi) >> 13) & 3)

static void check_segment(uint32_t lo, uint32_t hi)
{
    uint64_t base = desc_base(lo, hi);
    uint64_t limit = (hi & 0xF0000u) | (lo & 0xFFFFu);
    if (hi & G)
        limit = (limit << 12) | 0xFFF;                 /* the largest offset allowed */
    uint64_t first, last;                              /* offsets the CPU allows */
    if ((hi & (CODE | EC)) == EC) {                    /* data, expand-down */
        first = limit + 1;
        last = (hi & DB) ? 0xFFFFFFFFu : 0xFFFFu;
        if (first > last)
            return;                                    /* no offset at all */
    } else {
        first = 0;
        last = limit;
    }
    /* Linear addresses base + offset, modulo 2^32: one run, or two if it
     * wraps; every one of them below the hypervisor area. */
    uint64_t lin_first = base + first, lin_last = base + last;
    if (lin_last < (1ull << 32)) {
        CHECK(lin_last < GUEST_SEGMENT_MAX_ADDR);
    } else if (lin_first >= (1ull << 32)) {
        CHECK(lin_last - (1ull << 32) < GUEST_SEGMENT_MAX_ADDR);
    } else {
        abort();                       /* covers [lin_first, 4 GiB): the top */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    uint32_t lo, hi;
    memcpy(&lo, data, 4);
    memcpy(&hi, data + 4, 4);
    uint32_t in_lo = lo, in_hi = hi;
    if (!desc_check(&lo, &hi))
        return 0;
    if (!(in_hi & P)) {
        CHECK(lo == in_lo && hi == in_hi);             /* not present: left alone */
        return 0;
    }
    CHECK(hi & P);
    CHECK(DPL(hi) != 0);
    if (hi & S) {
        CHECK(hi & ACC);
        check_segment(lo, hi);
    } else {
        CHECK(((hi >> 8) & 15) == 12);                 /* a 32-bit call gate */
        uint16_t sel = (uint16_t)(lo >> 16);
        CHECK((sel & 3) != 0 && desc_guest_code_selector_ok(sel));
        CHECK((hi & 0xE0u) == 0);
    }
    uint32_t lo2 = lo, hi2 = hi;
    CHECK(desc_check(&lo2, &hi2) && lo2 == lo && hi2 == hi);
    return 0;
}
