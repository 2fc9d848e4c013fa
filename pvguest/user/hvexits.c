/*
 * hvexits: the hw mode's #VMEXIT counters read through CPUID (hvexits.h).
 */
#include "hvexits.h"

#include "hw/cpuid_leaves.h"
#include "lib/format.h"

static uint32_t reads;          /* CPUIDs this program ran on the hypervisor range */

static void hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    reads++;
    __asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(subleaf) : "memory");
}

int hv_exits_present(void)
{
    uint32_t r[4];
    hv_cpuid(HW_CPUID_HV_BASE, 0, r);
    return r[0] >= HW_CPUID_HV_EXITS && r[1] == HW_CPUID_SIG_EBX &&
           r[2] == HW_CPUID_SIG_ECX && r[3] == HW_CPUID_SIG_EDX;
}

void hv_exits_read(struct hv_exits *s)
{
    uint32_t r[4], code = 0;
    s->n = 0;
    /* one read per code that occurred, and one for code 0: bounded */
    for (unsigned i = 0; i <= HV_EXITS_MAX; i++) {
        hv_cpuid(HW_CPUID_HV_EXITS, code, r);
        if (r[0] && s->n < HV_EXITS_MAX) {
            s->code[s->n] = code;
            s->count[s->n] = r[0];
            s->at[s->n++] = reads;
        }
        s->total = r[1];
        s->total_at = reads;
        if (r[3] == HW_CPUID_NO_NEXT || r[3] <= code)
            break;
        code = r[3];
    }
}

static int find(const struct hv_exits *s, uint32_t code)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->code[i] == code)
            return (int)i;
    return -1;
}

void hv_exits_delta(const struct hv_exits *a, const struct hv_exits *b, struct hv_exits *d)
{
    d->n = 0;
    for (unsigned j = 0; j < b->n; j++) {
        int i = find(a, b->code[j]);
        uint32_t v = b->count[j] - (i >= 0 ? a->count[i] : 0);
        if (b->code[j] == HV_EXIT_CPUID)     /* not our own reads in between */
            v -= b->at[j] - (i >= 0 ? a->at[i] : a->total_at);
        if (v) {
            d->code[d->n] = b->code[j];
            d->count[d->n] = v;
            d->at[d->n++] = 0;
        }
    }
    d->total = b->total - a->total - (b->total_at - a->total_at);
    d->total_at = 0;
}

void hv_exits_add(struct hv_exits *acc, const struct hv_exits *d)
{
    for (unsigned j = 0; j < d->n; j++) {
        int i = find(acc, d->code[j]);
        if (i >= 0) {
            acc->count[i] += d->count[j];
        } else if (acc->n < HV_EXITS_MAX) {
            acc->code[acc->n] = d->code[j];
            acc->count[acc->n] = d->count[j];
            acc->at[acc->n++] = 0;
        }
    }
    acc->total += d->total;
}

void hv_exits_format(const struct hv_exits *d, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < d->n && len + 1 < n; i++) {
        fmt_snprintf(buf + len, n - len, "%s0x%x=%u", i ? " " : "", (unsigned)d->code[i],
                     (unsigned)d->count[i]);
        while (buf[len])
            len++;
    }
    if (!d->n)
        fmt_snprintf(buf, n, "none");
}
