/*
 * pv86 ABI: helpers every PV guest needs and would otherwise write again,
 * built only on the structures of these headers: system time from
 * vcpu_info.time, the console ring, the 2-level event scan. Static inline,
 * for GCC and Clang (they use __atomic builtins).
 */
#ifndef PV86_GUEST_H
#define PV86_GUEST_H

#include "abi.h"
#include "hypercall.h"
#include "shared.h"

/* ---- pv86_time_scale(t, tsc): Xen's formula, (delta << or >> shift) *
 * mul >> 32 on top of system_time, without a 128-bit product. ---- */
static inline uint64_t pv86_time_scale(const volatile struct vcpu_time_info *t, uint64_t tsc)
{
    uint64_t delta = tsc - t->tsc_timestamp;
    int8_t shift = t->tsc_shift;
    uint32_t mul = t->tsc_to_system_mul;
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    return t->system_time + (delta >> 32) * mul + (((delta & 0xFFFFFFFFull) * mul) >> 32);
}

#if defined(__i386__) || defined(__x86_64__)
/* ---- pv86_system_time_ns(t): now, in ns of system time; retried while the
 * hypervisor rewrites the record (version odd or changed). ---- */
static inline uint64_t pv86_system_time_ns(const volatile struct vcpu_time_info *t)
{
    uint32_t version, lo, hi;
    uint64_t ns;
    do {
        version = t->version;
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
        ns = pv86_time_scale(t, ((uint64_t)hi << 32) | lo);
        __asm__ __volatile__("" : : : "memory");
    } while ((version & 1) || version != t->version);
    return ns;
}
#endif

/* ---- pv86_console_put(ring, s, n): as many of n bytes as the output ring
 * has room for; returns how many. The caller then notifies the ring's event
 * channel (and yields, if it must wait for room). ---- */
static inline uint32_t pv86_console_put(struct xencons_interface *ring, const char *s, uint32_t n)
{
    uint32_t cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = ring->out_prod, done = 0;
    while (done < n && prod - cons < sizeof(ring->out))
        ring->out[prod++ % sizeof(ring->out)] = s[done++];
    __atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
    return done;
}

#if defined(__i386__) && defined(__GNUC__)
/* ---- pv86_console_write(ring, port, s, n): all n bytes, notifying the
 * ring's event channel after each batch and yielding while it is full. ---- */
static inline void pv86_console_write(struct xencons_interface *ring, uint32_t port,
                                      const char *s, uint32_t n)
{
    struct evtchn_port_arg send = { port };
    while (n) {
        uint32_t put = pv86_console_put(ring, s, n);
        s += put;
        n -= put;
        hv_event_channel_op(EVTCHNOP_send, &send);
        if (!put)
            hv_sched_op(SCHEDOP_yield, 0);          /* full: let it drain */
    }
}
#endif

/* ---- pv86_console_get(ring, buf, max): up to max input bytes; returns how
 * many. ---- */
static inline uint32_t pv86_console_get(struct xencons_interface *ring, char *buf, uint32_t max)
{
    uint32_t prod = __atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE);
    uint32_t cons = ring->in_cons, got = 0;
    while (got < max && cons != prod)
        buf[got++] = ring->in[cons++ % sizeof(ring->in)];
    __atomic_store_n(&ring->in_cons, cons, __ATOMIC_RELEASE);
    return got;
}

/* ---- pv86_evtchn_scan(s, fn, ctx): the 2-level upcall: for every port that
 * is pending and not masked, clear it and call fn(port, ctx). Bits are
 * cleared atomically: the hypervisor sets them between any two of ours. ---- */
typedef void (*pv86_port_fn)(uint32_t port, void *ctx);
static inline void pv86_evtchn_scan(struct shared_info *s, pv86_port_fn fn, void *ctx)
{
    struct vcpu_info *vi = &s->vcpu_info[0];
    do {
        vi->evtchn_upcall_pending = 0;
        uint32_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned word = (unsigned)__builtin_ctz(sel);
            sel &= sel - 1;
            uint32_t bits = s->evtchn_pending[word] & ~s->evtchn_mask[word];
            while (bits) {
                unsigned bit = (unsigned)__builtin_ctz(bits);
                bits &= bits - 1;
                __atomic_fetch_and(&s->evtchn_pending[word], ~(1u << bit), __ATOMIC_SEQ_CST);
                fn(word * 32 + bit, ctx);
            }
        }
    } while (vi->evtchn_upcall_pending);
}

#endif /* PV86_GUEST_H */
