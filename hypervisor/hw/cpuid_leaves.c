/*
 * cpuid_leaves: the hw mode's hypervisor CPUID range (cpuid_leaves.h).
 * Pure: the counters come in as an array, the answer goes out in out[].
 * Every loop is bounded by nr, the table's size, which the hypervisor
 * gives; nothing the guest passes (leaf, subleaf) indexes memory unchecked.
 */
#include "hw/cpuid_leaves.h"

int hw_cpuid_hv_leaf(const uint32_t *exit_counts, unsigned nr, uint32_t leaf,
                     uint32_t subleaf, uint32_t out[4])
{
    if (leaf < HW_CPUID_HV_BASE || leaf > HW_CPUID_HV_LAST)
        return 0;
    if (!exit_counts)
        nr = 0;
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == HW_CPUID_HV_BASE) {
        out[0] = HW_CPUID_HV_EXITS;
        out[1] = HW_CPUID_SIG_EBX;
        out[2] = HW_CPUID_SIG_ECX;
        out[3] = HW_CPUID_SIG_EDX;
    } else if (leaf == HW_CPUID_HV_EXITS) {
        uint32_t total = 0, next = HW_CPUID_NO_NEXT;
        for (unsigned c = 0; c < nr; c++) {
            total += exit_counts[c];                /* modulo 2^32, by definition */
            if (next == HW_CPUID_NO_NEXT && c > subleaf && exit_counts[c])
                next = c;
        }
        out[0] = subleaf < nr ? exit_counts[subleaf] : 0;
        out[1] = total;
        out[2] = nr;
        out[3] = next;
    }
    return 1;
}
