/*
 * arch: the ABI test guest's platform layer on pv86: console through
 * console_io, power off through sched_op, traps through the virtual trap
 * table. No sensitive instruction outside .text.probe.
 */
#include <pv86/guest.h>

#include "pv.h"

#include "kernel.h"
#include "lib/string.h"

#define SHARED_INFO_VA 0x00200000u    /* free pages below the image */
#define CONSOLE_VA     0x00201000u

struct shared_info *shared_info;
volatile struct trap_record last_trap;
volatile struct trap_record user_log[USER_LOG_MAX];
volatile unsigned user_log_len;

struct probe_entry { uint32_t insn, resume; };
extern const struct probe_entry __probe_table_start[], __probe_table_end[];

const char *arch_name(void) { return "pv"; }

/* The initial domain writes with console_io; a domU into its console
 * ring, then notifies the hypervisor through the ring's event channel. */
void arch_console_write(const char *s, size_t n)
{
    if (start_info_va->flags & SIF_INITDOMAIN) {
        hv_console_io(CONSOLEIO_write, (uint32_t)n, (char *)s);
        return;
    }
    pv86_console_write((struct xencons_interface *)CONSOLE_VA,
                       start_info_va->console.domU.evtchn, s, (uint32_t)n);
}

/* Map the console ring (domU) and shared_info before anything prints. */
void arch_early_init(void)
{
    pv_shared_info();
    if (!(start_info_va->flags & SIF_INITDOMAIN))
        pv_map(CONSOLE_VA, start_info_va->console.domU.mfn, 0x23 /* P|RW|A */);
}

const char *arch_cmdline(void)
{
    return start_info_va->cmd_line;
}

void arch_poweroff(int ok)
{
    struct sched_shutdown s = { ok ? SHUTDOWN_poweroff : SHUTDOWN_crash };
    hv_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        ;
}

uint32_t pfn_to_mfn(uint32_t pfn)
{
    return ((const uint32_t *)start_info_va->mfn_list)[pfn];
}

int32_t pv_map(uint32_t va, uint32_t mfn, uint64_t flags)
{
    return hv_update_va_mapping(va, ((uint64_t)mfn << 12) | flags, UVMF_INVLPG);
}

/* Map shared_info once: vcpu_info holds cr2 and the virtual IF. */
struct shared_info *pv_shared_info(void)
{
    if (!shared_info &&
        pv_map(SHARED_INFO_VA, start_info_va->shared_info >> 12, 0x23 /* P|RW|A */) == 0)
        shared_info = (struct shared_info *)SHARED_INFO_VA;
    return shared_info;
}

void pv_install_traps(int mask_events_on_pf)
{
    const struct trap_info table[] = {
        { 0, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_0 },
        { 3, 3, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_3 },
        { 6, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_6 },
        { 13, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_13 },
        { 14, (uint8_t)(mask_events_on_pf ? 4 : 0), FLAT_RING1_CS,
          (uint32_t)(uintptr_t)trap_stub_14 },
        { 0x40, 1, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_0 },
        { 0x80, 3, FLAT_RING1_CS, (uint32_t)(uintptr_t)syscall_entry },
        { 0, 0, 0, 0 },
    };
    hv_set_trap_table(table);
}

static void record(volatile struct trap_record *r, const struct trap_frame *f)
{
    r->count++;
    r->vector = f->vector;
    r->error = f->error;
    r->eip = f->eip;
    r->cs = f->cs;
    r->eflags = f->eflags;
    r->cr2 = shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
    r->mask_in_handler = shared_info ? shared_info->vcpu_info[0].evtchn_upcall_mask : 0xFF;
}

/* System calls (int $0x80 from ring 3). */
void syscall_handler(struct trap_frame *f)
{
    switch (f->eax) {
    case SYS_GETPID:
        f->eax = 1;
        return;
    case SYS_EXIT:
        if (user_log_len < USER_LOG_MAX)
            record(&user_log[user_log_len++], f);
        user_return(f->ebx);
    default:
        f->eax = (uint32_t)-XEN_ENOSYS;
    }
}

void trap_handler(struct trap_frame *f)
{
    if (f->vector == EVENT_VECTOR) {
        evtchn_do_upcall();
        return;
    }
    record(&last_trap, f);
    if ((f->cs & 3) == 3) {
        /* From the ring-3 test code: log it, step over `int n`, go on. */
        if (user_log_len < USER_LOG_MAX)
            record(&user_log[user_log_len++], f);
        if (f->vector == 0x80)
            user_return(f->eax);
        if (f->vector == 13)
            f->eip += 2;
        if (f->vector == 6)
            user_return(0xdead);
        return;
    }
    for (const struct probe_entry *p = __probe_table_start; p < __probe_table_end; p++)
        if (p->insn == f->eip) {
            f->eip = p->resume;
            return;
        }
    kprintf("Bail out! unexpected trap %u (error %#x) at eip %#x\n",
            (unsigned)f->vector, (unsigned)f->error, (unsigned)f->eip);
    arch_poweroff(0);
}
