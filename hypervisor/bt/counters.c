/*
 * bt/counters: bt's translation statistics and its hypervisor CPUID range
 * (counters.h). Pure: the table comes in, the answer goes out; nothing
 * the guest passes (leaf, subleaf) indexes memory unchecked.
 */
#include "bt/counters.h"

#include "lib/format.h"

static const char *const names[BT_NR_COUNTERS] = {
#define BT_CTR_NAME(id, name, what) [id] = name,
    BT_COUNTERS(BT_CTR_NAME)
#undef BT_CTR_NAME
};

const char *bt_counter_name(unsigned i)
{
    return i < BT_NR_COUNTERS ? names[i] : NULL;
}

int bt_cpuid_hv_leaf(const uint32_t *ctr, unsigned nr, uint32_t leaf, uint32_t subleaf,
                     uint32_t out[4])
{
    if (leaf < BT_CPUID_HV_BASE || leaf > BT_CPUID_HV_LAST)
        return 0;
    if (!ctr)
        nr = 0;
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == BT_CPUID_HV_BASE) {
        out[0] = BT_CPUID_HV_COUNTERS;
        out[1] = BT_CPUID_SIG_EBX;
        out[2] = BT_CPUID_SIG_ECX;
        out[3] = BT_CPUID_SIG_EDX;
    } else if (leaf == BT_CPUID_HV_COUNTERS) {
        out[0] = subleaf < nr ? ctr[subleaf] : 0;
        out[2] = nr;
    }
    return 1;
}

void bt_counters_format(const uint32_t *ctr, unsigned nr, char *buf, size_t n)
{
    size_t len = 0;
    if (!n)
        return;
    buf[0] = '\0';
    if (!ctr)
        nr = 0;
    for (unsigned i = 0; i < nr && i < BT_NR_COUNTERS; i++) {
        int k = fmt_snprintf(buf + len, n - len, "%s%s=%u", i ? " " : "", names[i],
                             (unsigned)ctr[i]);
        if (k < 0 || len + (size_t)k >= n) {
            buf[len] = '\0';                /* whole fields only */
            return;
        }
        len += (size_t)k;
    }
}
