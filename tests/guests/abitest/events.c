/*
 * events: event channels, time and blocking for the ABI test guest.
 * The virtual interrupt flag is vcpu_info.evtchn_upcall_mask: disabling and
 * enabling events are plain writes; only an enable that finds an event
 * already pending makes a hypercall, to have it delivered.
 */
#include "pv.h"

#include <pv86/guest.h>
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

/* The upcall: the 2-level scan, each port to its handler. */
static void port_event(uint32_t port, void *ctx)
{
    (void)ctx;
    if (handlers[port])
        handlers[port](port);
}

void evtchn_do_upcall(void)
{
    pv86_evtchn_scan(shared_info, port_event, NULL);
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

/* Xen's formula over vcpu_info.time. */
uint64_t system_time_ns(void)
{
    return pv86_system_time_ns(&shared_info->vcpu_info[0].time);
}
