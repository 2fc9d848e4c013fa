/*
 * batch: a multicall ended by iret, and the edge answers Xen gives: event
 * channel arguments, console_io, set_timer_op's absurd deadlines, and the
 * code selectors of the trap table and callbacks. Every value is Xen's
 * (xen/common/multicall.c, event_channel.c, drivers/char/console.c,
 * sched/core.c, arch/x86/pv/callback.c). Events stay masked throughout:
 * the timers are waited for with SCHEDOP_poll.
 */
#include <pv86/event_channel.h>
#include <pv86/xen.h>

#include "xenpv.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define RESTORED_EAX 0x1234ABCDu

/* mc_iret_run(calls, nr, eflags): builds a ring-1 iret frame (EAX, EIP, CS,
 * EFLAGS) on the stack and makes the multicall with `int $0x82` directly,
 * so that the iret entry returns to the label after it, with the restored
 * EAX as the multicall's result. */
uint32_t mc_iret_run(struct multicall_entry *calls, uint32_t nr, uint32_t eflags);
__asm__(".text\n"
        ".globl mc_iret_run\n"
        "mc_iret_run:\n"
        "    push %ebx\n    push %esi\n    push %edi\n    push %ebp\n"
        "    mov 20(%esp), %ebx\n"
        "    mov 24(%esp), %ecx\n"
        "    mov 28(%esp), %edx\n"
        "    push %edx\n"                         /* EFLAGS */
        "    pushl %cs\n"                         /* CS */
        "    push $1f\n"                          /* EIP */
        "    push $0x1234ABCD\n"                  /* EAX */
        "    mov $13, %eax\n"                     /* __HYPERVISOR_multicall */
        "    int $0x82\n"
        "    ud2\n"                               /* the iret does not come back here */
        "1:  pop %ebp\n    pop %edi\n    pop %esi\n    pop %ebx\n"
        "    ret\n");

static uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ __volatile__("pushf; pop %0" : "=r"(f));
    return f;
}

static void multicall_iret(void)
{
    static struct multicall_entry mc[5];
    for (unsigned i = 0; i < 5; i++)
        mc[i] = (struct multicall_entry){ __HYPERVISOR_xen_version, 0xDEAD,
                                          { XENVER_version, 0, 0, 0, 0, 0 } };
    mc[1].args[0] = XENVER_pagesize;
    mc[2].op = __HYPERVISOR_iret;
    mc[2].args[0] = 0x77;                 /* iret takes no arguments: ignored */
    mc[3].args[1] = 0xBEEF;
    /* IF clear in the frame: the iret keeps events masked, as they are. */
    uint32_t rc = mc_iret_run(mc, 5, read_eflags() & ~0x200u);
    ok(rc == RESTORED_EAX, "multicall ended by iret: returns the restored EAX %#x (got %#x)",
       RESTORED_EAX, rc);
    ok(mc[0].result == 0x30000 && mc[1].result == 4096,
       "the entries before the iret ran: results 0x30000 and 4096 (got %#x %#x)",
       mc[0].result, mc[1].result);
    ok(mc[2].result == RESTORED_EAX, "the iret entry's result is the iret's: %#x (got %#x)",
       RESTORED_EAX, mc[2].result);
    ok(mc[3].result == 0xDEAD && mc[4].result == 0xDEAD && mc[3].args[1] == 0xBEEF &&
       mc[3].op == __HYPERVISOR_xen_version,
       "the entries after the iret did not run: results still 0xdead (got %#x %#x)",
       mc[3].result, mc[4].result);
    ok(shared_info->vcpu_info[0].evtchn_upcall_mask == 1,
       "the iret's EFLAGS (IF clear) left events masked");

    static struct multicall_entry more[3];
    more[0] = (struct multicall_entry){ 63, 0xDEAD, { 0 } };
    more[1] = (struct multicall_entry){ __HYPERVISOR_multicall, 0xDEAD,
                                        { (uint32_t)(uintptr_t)more, 1, 0, 0, 0, 0 } };
    more[2] = (struct multicall_entry){ __HYPERVISOR_xen_version, 0xDEAD, { XENVER_pagesize } };
    int32_t r = hv_multicall(more, 3);
    ok(r == 0 && EQ(more[0].result, -XEN_ENOSYS) && EQ(more[1].result, -XEN_EINVAL) &&
       more[2].result == 4096,
       "multicall: hypercall 63 -ENOSYS, a nested multicall -EINVAL, then 4096 (got %d: %d %d %u)",
       r, (int32_t)more[0].result, (int32_t)more[1].result, more[2].result);
    ok(EQ(hv_multicall(NULL, 0), -XEN_EFAULT) && EQ(hv_multicall(more, 0), 0),
       "multicall(NULL, 0): -EFAULT, as Xen's range check; (list, 0): 0");
}

static int32_t ev(uint32_t cmd, void *arg) { return hv_event_channel_op(cmd, arg); }

static void events(void)
{
    struct evtchn_alloc_unbound a = { DOMID_SELF, 0x7FEF, 0 };
    ok(EQ(ev(EVTCHNOP_alloc_unbound, &a), 0) && a.port > 0,
       "alloc_unbound towards domain 0x7fef, which does not exist: accepted, as Xen (port %u)",
       a.port);
    struct evtchn_status st = { DOMID_SELF, 0, a.port, 9, 9, { { 0, 0 } } };
    ok(EQ(ev(EVTCHNOP_status, &st), 0) && st.status == EVTCHNSTAT_unbound &&
       st.u.unbound.dom == 0x7FEF && st.vcpu == 0,
       "its status: unbound, for domain 0x7fef, vcpu 0");
    ok(EQ(ev(EVTCHNOP_close, &(struct evtchn_port_arg){ a.port }), 0), "close it: 0");

    struct bad { uint32_t cmd; uint32_t arg[3]; int32_t want; const char *what; };
    static const struct bad bad[] = {
        { EVTCHNOP_alloc_unbound, { 0x7FEF | (DOMID_SELF << 16), 0, 0 }, -XEN_ESRCH,
          "alloc_unbound in the name of domain 0x7fef" },
        { EVTCHNOP_bind_interdomain, { 0x7FEF, 1, 0 }, -XEN_ESRCH, "bind_interdomain to no domain" },
        { EVTCHNOP_bind_interdomain, { DOMID_SELF, 64, 0 }, -XEN_EINVAL,
          "bind_interdomain to our port 64 (no bucket there)" },
        { EVTCHNOP_bind_virq, { NR_VIRQS, 0, 0 }, -XEN_EINVAL, "bind_virq 24" },
        { EVTCHNOP_bind_virq, { VIRQ_CONSOLE, 1, 0 }, -XEN_EINVAL, "bind_virq of a global virq on vcpu 1" },
        { EVTCHNOP_bind_virq, { VIRQ_DEBUG, 1, 0 }, -XEN_ENOENT, "bind_virq of a per-vCPU virq on vcpu 1" },
        { EVTCHNOP_bind_ipi, { 1, 0, 0 }, -XEN_ENOENT, "bind_ipi on vcpu 1" },
        { EVTCHNOP_close, { 0, 0, 0 }, -XEN_EINVAL, "close port 0" },
        { EVTCHNOP_close, { 63, 0, 0 }, -XEN_EINVAL, "close port 63 (free)" },
        { EVTCHNOP_send, { 63, 0, 0 }, -XEN_EINVAL, "send on port 63 (free)" },
        { EVTCHNOP_send, { 64, 0, 0 }, -XEN_EINVAL, "send on port 64" },
        { EVTCHNOP_unmask, { 0, 0, 0 }, 0, "unmask port 0 (valid, reserved)" },
        { EVTCHNOP_unmask, { 63, 0, 0 }, 0, "unmask port 63" },
        { EVTCHNOP_unmask, { 64, 0, 0 }, -XEN_EINVAL, "unmask port 64" },
        { EVTCHNOP_bind_vcpu, { 64, 1, 0 }, -XEN_ENOENT, "bind_vcpu to vcpu 1 (checked first)" },
        { EVTCHNOP_bind_vcpu, { 64, 0, 0 }, -XEN_EINVAL, "bind_vcpu of port 64" },
        { EVTCHNOP_bind_vcpu, { 63, 0, 0 }, -XEN_EINVAL, "bind_vcpu of a free port" },
        { EVTCHNOP_set_priority, { 63, 0, 0 }, -XEN_ENOSYS, "set_priority (2-level ABI)" },
        { EVTCHNOP_set_priority, { 64, 0, 0 }, -XEN_EINVAL, "set_priority of port 64" },
        { EVTCHNOP_reset, { 0x7FEF, 0, 0 }, -XEN_ESRCH, "reset of domain 0x7fef" },
        { 2, { 0, 0, 0 }, -XEN_ENOSYS, "bind_pirq (no physical IRQs)" },
        { 14, { 0, 0, 0 }, -XEN_ENOSYS, "command 14" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint32_t arg[3] = { bad[i].arg[0], bad[i].arg[1], bad[i].arg[2] };
        int32_t rc = ev(bad[i].cmd, arg);
        ok(rc == bad[i].want, "%s: %d (got %d)", bad[i].what, bad[i].want, rc);
    }
    struct evtchn_status far = { DOMID_SELF, 0, 64, 0, 0, { { 0, 0 } } };
    ok(EQ(ev(EVTCHNOP_status, &far), -XEN_EINVAL), "status of port 64: -EINVAL");
    ok(EQ(ev(EVTCHNOP_init_control, (void *)0xF5800000u), -XEN_ENOSYS) &&
       EQ(ev(EVTCHNOP_expand_array, (void *)0xF5800000u), -XEN_ENOSYS),
       "init_control, expand_array: -ENOSYS whatever the argument (no FIFO ABI)");
    ok(EQ(ev(EVTCHNOP_send, (void *)0xF5800000u), -XEN_EFAULT),
       "send with its argument in the hypervisor area: -EFAULT");
}

/* Console input is typed on the serial line by the test (xenpv.sh: "pv86\n"). */
static void console(int dom0, uint32_t console_port)
{
    char *bad = (char *)0xF5800000u;
    if (!dom0) {                          /* Xen's XSM dummy policy: not ours */
        char buf[8];
        ok(EQ(hv_console_io(CONSOLEIO_write, 0, bad), -XEN_EPERM),
           "console_io write of 0 bytes from a domU: -EPERM");
        ok(EQ(hv_console_io(CONSOLEIO_read, 0x80000000u, bad), -XEN_EPERM),
           "console_io read of 2^31 bytes from a domU: -EPERM");
        ok(EQ(hv_console_io(7, 0, NULL), -XEN_EPERM), "console_io command 7 from a domU: -EPERM");
        ok(EQ(hv_console_io(CONSOLEIO_read, 4, bad), -XEN_EPERM),
           "console_io read into a bad buffer from a domU: -EPERM");
        ok(EQ(hv_console_io(CONSOLEIO_read, 4, buf), -XEN_EPERM),
           "console_io read from a domU: -EPERM");
        return;
    }
    ok(EQ(hv_console_io(CONSOLEIO_write, 0, bad), 0), "console_io write of 0 bytes from a bad pointer: 0");
    ok(EQ(hv_console_io(CONSOLEIO_read, 0x80000000u, bad), -XEN_E2BIG),
       "console_io read of 2^31 bytes: -E2BIG");
    ok(EQ(hv_console_io(7, 0, NULL), -XEN_ENOSYS), "console_io command 7: -ENOSYS");
    /* Wait for input (VIRQ_CONSOLE), then read it into a bad buffer. */
    int32_t rc = 0;
    for (unsigned i = 0; i < 50 && rc == 0; i++) {
        rc = hv_console_io(CONSOLEIO_read, 4, bad);
        if (rc == 0) {
            shared_info->evtchn_pending[console_port / 32] &= ~(1u << (console_port % 32));
            poll_port(console_port, system_time_ns() + 20000000ull);
        }
    }
    ok(EQ(rc, -XEN_EFAULT), "console_io read of waiting input into a bad buffer: -EFAULT (got %d)", rc);
    char got[8] = { 0 };
    uint32_t n = 0;
    for (unsigned i = 0; i < 50 && n < 5; i++) {
        rc = hv_console_io(CONSOLEIO_read, 5 - n, got + n);
        if (rc > 0)
            n += (uint32_t)rc;
        else
            poll_port(console_port, system_time_ns() + 20000000ull);
    }
    ok(n == 5 && memcmp(got, "pv86\n", 5) == 0,
       "then into a good one: all of it, \"pv86\\n\" (nothing lost; got %u bytes)", n);
}

/* set_timer_op(deadline): Xen's do_set_timer_op arms a negative deadline
 * or one 2^50 ns or more ahead for 100 ms from now. */
static uint64_t timer_fired_after(uint32_t port, uint64_t deadline, uint64_t wait_ns, int *fired)
{
    shared_info->evtchn_pending[port / 32] &= ~(1u << (port % 32));
    uint64_t t0 = system_time_ns();
    hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)deadline, (uint32_t)(deadline >> 32), 0, 0, 0);
    poll_port(port, t0 + wait_ns);
    *fired = (shared_info->evtchn_pending[port / 32] >> (port % 32)) & 1;
    return system_time_ns() - t0;
}

static void timers(uint32_t port)
{
    int fired;
    /* Xen's default periodic timer would raise VIRQ_TIMER too (at once when
     * a blocked vCPU runs again): stopped first, as Linux stops it. */
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    uint64_t ms = timer_fired_after(port, 0xFFFFFFFFFFFFFFFFull, 1000000000ull, &fired) / 1000000;
    ok(fired && ms >= 100 && ms <= 102,
       "set_timer_op(-1): VIRQ_TIMER after 100 ms, as Xen (after %u ms)", (unsigned)ms);
    ms = timer_fired_after(port, system_time_ns() + (1ull << 51), 1000000000ull, &fired) / 1000000;
    ok(fired && ms >= 100 && ms <= 102,
       "set_timer_op(now + 2^51 ns): VIRQ_TIMER after 100 ms (after %u ms)", (unsigned)ms);
    ms = timer_fired_after(port, system_time_ns() + (1ull << 49), 150000000ull, &fired) / 1000000;
    ok(!fired && ms >= 150, "set_timer_op(now + 2^49 ns): not before its time (%u ms waited)",
       (unsigned)ms);
    hv_hypercall5(__HYPERVISOR_set_timer_op, 0, 0, 0, 0, 0);        /* cancel it */
}

/* sched_op inside a multicall, as Xen: it takes effect once the batch has
 * stopped after it, and the rest of the batch runs when the vCPU runs
 * again. A poll that sleeps until the single-shot timer (5 ms) fires. */
static void sched_in_multicall(uint32_t port)
{
    static struct multicall_entry mc[3];
    static uint32_t ports[1];
    static struct sched_poll poll;
    mc[0] = (struct multicall_entry){ __HYPERVISOR_xen_version, 0xDEAD, { XENVER_version } };
    mc[1] = (struct multicall_entry){ __HYPERVISOR_sched_op, 0xDEAD, { SCHEDOP_yield } };
    mc[2] = (struct multicall_entry){ __HYPERVISOR_xen_version, 0xDEAD, { XENVER_pagesize } };
    int32_t r = hv_multicall(mc, 3);
    ok(r == 0 && mc[0].result == 0x30000 && mc[1].result == 0 && mc[2].result == 4096,
       "multicall with a yield in the middle: every entry ran, results 0x30000 0 4096 (got %d: %#x %d %u)",
       r, mc[0].result, (int32_t)mc[1].result, mc[2].result);

    shared_info->evtchn_pending[port / 32] &= ~(1u << (port % 32));
    uint64_t t0 = system_time_ns(), at = t0 + 5000000ull;
    ports[0] = port;
    poll = (struct sched_poll){ (uint32_t)(uintptr_t)ports, 1, t0 + 1000000000ull };
    mc[0] = (struct multicall_entry){ __HYPERVISOR_set_timer_op, 0xDEAD, { (uint32_t)at, (uint32_t)(at >> 32) } };
    mc[1] = (struct multicall_entry){ __HYPERVISOR_sched_op, 0xDEAD,
                                      { SCHEDOP_poll, (uint32_t)(uintptr_t)&poll } };
    mc[2] = (struct multicall_entry){ __HYPERVISOR_xen_version, 0xDEAD, { XENVER_version } };
    r = hv_multicall(mc, 3);
    uint64_t us = (system_time_ns() - t0) / 1000;
    ok(r == 0 && mc[0].result == 0 && mc[1].result == 0 && mc[2].result == 0x30000 &&
       us >= 5000 && us < 7000,
       "multicall: set_timer_op(+5 ms), a poll that sleeps until it fires, then the rest (%d: %d %d %#x, %u us)",
       r, (int32_t)mc[0].result, (int32_t)mc[1].result, mc[2].result, (unsigned)us);
}

/* Code selectors: Xen fixes RPL 0 up to 1 and accepts every other one in
 * the trap table and the callbacks (the CPU refuses a bad one when it is
 * delivered to). Vector 0x40 and the NMI callback are never used here. */
static void selectors(void)
{
    static const uint16_t sels[] = { 0xe01b, 0xe02b, 0xe008, 0xe018 };
    for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
        struct trap_info t[2] = { { 0x40, 0, sels[i], 0x401000 }, { 0, 0, 0, 0 } };
        ok(EQ(hv_set_trap_table(t), 0), "set_trap_table entry with cs %#x: 0, as Xen", sels[i]);
    }
    struct callback_register cb = { CALLBACKTYPE_nmi, 0, { 0xe02b, 0x401000 } };
    ok(EQ(hv_callback_op(CALLBACKOP_register, &cb), 0),
       "callback_op NMI callback with cs 0xe02b: 0, as Xen");
    struct callback_unregister un = { CALLBACKTYPE_nmi, 0 };
    hv_callback_op(CALLBACKOP_unregister, &un);
}

void xenpv_batch(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    uint8_t mask = vi->evtchn_upcall_mask;
    vi->evtchn_upcall_mask = 1;
    int dom0 = (start_info->flags & SIF_INITDOMAIN) != 0;

    multicall_iret();
    events();
    struct evtchn_bind_virq t = { VIRQ_TIMER, 0, 0 }, c = { VIRQ_CONSOLE, 0, 0 };
    int32_t rt = ev(EVTCHNOP_bind_virq, &t), rc = ev(EVTCHNOP_bind_virq, &c);
    ok(rt == 0 && rc == 0, "bind VIRQ_TIMER and VIRQ_CONSOLE (%d %d)", rt, rc);
    console(dom0, c.port);
    timers(t.port);
    sched_in_multicall(t.port);
    selectors();
    ev(EVTCHNOP_close, &(struct evtchn_port_arg){ t.port });
    ev(EVTCHNOP_close, &(struct evtchn_port_arg){ c.port });
    /* The events were taken by polling: no selector bit or upcall is left
     * behind for whoever binds a port next (Xen raises an upcall only for a
     * selector bit it sets itself). */
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_upcall_mask = mask;
}
