/*
 * cpuid_leaves: the hw mode's hypervisor CPUID range (cpuid_leaves.h).
 * Pure: the counters come in as an array, the answer goes out in out[].
 * Every loop is bounded by nr, the table's size, which the hypervisor
 * gives; nothing the guest passes (leaf, subleaf) indexes memory unchecked.
 */
#include "hw/cpuid_leaves.h"

/* The count of exit code c in the table, or 0 when c is not counted alone. */
static uint32_t count_of(const uint32_t *t, unsigned nr, unsigned ncodes, uint32_t c)
{
    if (c < ncodes)
        return t[c];
    if (c == HW_CPUID_CODE_NPF && ncodes < nr)
        return t[ncodes];
    return 0;
}

int hw_cpuid_hv_leaf(const uint32_t *exit_counts, unsigned nr, unsigned ncodes,
                     uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    if (leaf < HW_CPUID_HV_BASE || leaf > HW_CPUID_HV_LAST)
        return 0;
    if (!exit_counts)
        nr = 0;
    if (ncodes > nr)
        ncodes = nr;
    if (ncodes > HW_CPUID_CODE_NPF)     /* the table's codes end below NPF's */
        ncodes = HW_CPUID_CODE_NPF;
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == HW_CPUID_HV_BASE) {
        out[0] = HW_CPUID_HV_EXITS;
        out[1] = HW_CPUID_SIG_EBX;
        out[2] = HW_CPUID_SIG_ECX;
        out[3] = HW_CPUID_SIG_EDX;
    } else if (leaf == HW_CPUID_HV_EXITS) {
        uint32_t total = 0, next = HW_CPUID_NO_NEXT;
        for (unsigned i = 0; i < nr; i++)
            total += exit_counts[i];                /* modulo 2^32, by definition */
        for (uint32_t c = subleaf + 1; c > subleaf && c < ncodes; c++)
            if (exit_counts[c]) {
                next = c;
                break;
            }
        if (next == HW_CPUID_NO_NEXT && subleaf < HW_CPUID_CODE_NPF &&
            count_of(exit_counts, nr, ncodes, HW_CPUID_CODE_NPF))
            next = HW_CPUID_CODE_NPF;
        out[0] = count_of(exit_counts, nr, ncodes, subleaf);
        out[1] = total;
        out[2] = ncodes;
        out[3] = next;
    }
    return 1;
}
