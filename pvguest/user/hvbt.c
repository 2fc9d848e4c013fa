/*
 * hvbt: the bt mode's counters read through the kernel (hvbt.h).
 */
#include "hvbt.h"

#include <pvguest/syscall.h>

#include "ulib.h"

static unsigned nr;                 /* counters the hypervisor has, at most ours */
static struct hv_bt cost;           /* one reading's own counts */

int hv_bt_present(void)
{
    uint32_t r[4];
    if (syscall3(SYS_hvcpuid, BT_CPUID_HV_BASE, (uint32_t)(uintptr_t)r, 1) != 0)
        return 0;
    if (r[0] < BT_CPUID_HV_COUNTERS || r[1] != BT_CPUID_SIG_EBX || r[2] != BT_CPUID_SIG_ECX ||
        r[3] != BT_CPUID_SIG_EDX)
        return 0;
    if (syscall3(SYS_hvcpuid, BT_CPUID_HV_COUNTERS, (uint32_t)(uintptr_t)r, 1) != 0)
        return 0;
    nr = r[2] < BT_NR_COUNTERS ? r[2] : BT_NR_COUNTERS;
    return 1;
}

void hv_bt_read(struct hv_bt *s)
{
    static uint32_t r[BT_NR_COUNTERS][4];
    _Static_assert(BT_NR_COUNTERS <= 16, "SYS_hvcpuid reads 16 subleaves at most");
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++)
        s->c[i] = 0;
    if (!nr || syscall3(SYS_hvcpuid, BT_CPUID_HV_COUNTERS, (uint32_t)(uintptr_t)r, nr) != 0)
        return;
    for (unsigned i = 0; i < nr; i++)
        s->c[i] = r[i][0];
}

void hv_bt_calibrate(void)
{
    struct hv_bt a, b;
    hv_bt_read(&a);                 /* the reading's own code translated */
    hv_bt_read(&a);
    hv_bt_read(&b);
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++)
        cost.c[i] = b.c[i] - a.c[i];
}

void hv_bt_add_delta(struct hv_bt *acc, const struct hv_bt *before, const struct hv_bt *after)
{
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++) {
        uint32_t d = after->c[i] - before->c[i];
        acc->c[i] += d > cost.c[i] ? d - cost.c[i] : 0;
    }
}
