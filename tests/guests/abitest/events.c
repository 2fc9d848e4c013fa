/*
 * events: event channels, time and blocking for the ABI test guest.
 * The virtual interrupt flag is vcpu_info.evtchn_upcall_mask: disabling and
 * enabling events are plain writes; only an enable that finds an event
 * already pending makes a hypercall, to have it delivered.
 */
#include "pv.h"

#include "core/timescale.h"
#include "kernel.h"

static event_handler handlers[EVTCHN_2L_NR_CHANNELS];

void event_bind(uint32_t port, event_handler h)
{
    if (port < EVTCHN_2L_NR_CHANNELS)
        handlers[port] = h;
}

int32_t evtchn_send_port(uint32_t port)
{
    struct evtchn_port_arg a = { port };
    return hv_event_channel_op(EVTCHNOP_send, &a);
}

void events_init(void)
{
    struct callback_register cb = { CALLBACKTYPE_event, 0,
                                    { FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_256 } };
    hv_callback_op(CALLBACKOP_register, &cb);
}

/* The upcall: walk the 2-level bitmaps. Bits are cleared with atomic
 * instructions: the hypervisor sets them between any two of ours. */
void evtchn_do_upcall(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    do {
        vi->evtchn_upcall_pending = 0;
        uint32_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned word = (unsigned)__builtin_ctz(sel);
            sel &= sel - 1;
            uint32_t bits = shared_info->evtchn_pending[word] & ~shared_info->evtchn_mask[word];
            while (bits) {
                unsigned bit = (unsigned)__builtin_ctz(bits);
                bits &= bits - 1;
                uint32_t port = word * 32 + bit;
                __atomic_fetch_and(&shared_info->evtchn_pending[word], ~(1u << bit),
                                   __ATOMIC_SEQ_CST);
                if (handlers[port])
                    handlers[port](port);
            }
        }
    } while (vi->evtchn_upcall_pending);
}

void events_restore(uint8_t old)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    __asm__ __volatile__("" ::: "memory");
    vi->evtchn_upcall_mask = old;
    __asm__ __volatile__("" ::: "memory");
    if (!old && vi->evtchn_upcall_pending)
        hv_xen_version(XENVER_version, NULL);   /* any hypercall delivers it */
}

/* Xen's formula over vcpu_info.time, retried while the hypervisor writes. */
uint64_t system_time_ns(void)
{
    const volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t version, lo, hi;
    uint64_t ns;
    do {
        version = t->version;
        __asm__ __volatile__("" ::: "memory");
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
        uint64_t delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        ns = t->system_time + timescale_apply(delta, t->tsc_to_system_mul, t->tsc_shift);
        __asm__ __volatile__("" ::: "memory");
    } while ((version & 1) || version != t->version);
    return ns;
}
