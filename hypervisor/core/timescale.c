/* timescale: PV time arithmetic (see timescale.h). */
#include "core/timescale.h"

void timescale_compute(uint64_t hz, uint32_t *mul, int8_t *shift)
{
    int s = 0;
    uint64_t f = hz ? hz : 1;
    while (f <= 1000000000ull) {
        f <<= 1;
        s++;
    }
    while (f > 2000000000ull) {
        f >>= 1;
        s--;
    }
    *shift = (int8_t)s;
    *mul = (uint32_t)((1000000000ull << 32) / f);
}

uint64_t timescale_apply(uint64_t delta, uint32_t mul, int8_t shift)
{
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    /* (delta * mul) >> 32 without a 128-bit product. */
    uint64_t hi = (delta >> 32) * mul, lo = (delta & 0xFFFFFFFFull) * mul;
    return hi + (lo >> 32);
}

uint64_t timescale_now(const struct time_stamp *s, uint64_t tsc)
{
    return s->stime + timescale_apply(tsc - s->tsc, s->mul, s->shift);
}

void timescale_restamp(struct time_stamp *s, uint64_t tsc)
{
    s->stime = timescale_now(s, tsc);
    s->tsc = tsc;
}

/* A compiler barrier: x86 keeps stores in order, the compiler must too
 * (Xen's smp_wmb on x86). */
#define ORDER() __asm__ __volatile__("" ::: "memory")

int timescale_update_record(struct vcpu_time_info *t, const struct time_stamp *s)
{
    volatile struct vcpu_time_info *r = t;
    if (r->tsc_timestamp == s->tsc && r->system_time == s->stime &&
        r->tsc_to_system_mul == s->mul && r->tsc_shift == s->shift && r->flags == 0 &&
        !(r->version & 1))
        return 0;
    r->version = (r->version + 1) | 1;
    ORDER();
    r->tsc_timestamp = s->tsc;
    r->system_time = s->stime;
    r->tsc_to_system_mul = s->mul;
    r->tsc_shift = s->shift;
    r->flags = 0;
    ORDER();
    r->version = (r->version + 1) & ~1u;
    return 1;
}

uint64_t timescale_unix_time(unsigned year, unsigned month, unsigned day,
                             unsigned hour, unsigned min, unsigned sec)
{
    static const unsigned before_month[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
                                               273, 304, 334 };
    uint64_t days = 0;
    for (unsigned y = 1970; y < year; y++)
        days += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
    days += before_month[(month - 1) % 12] + day - 1;
    if (month > 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        days++;
    return ((days * 24 + hour) * 60 + min) * 60 + sec;
}
