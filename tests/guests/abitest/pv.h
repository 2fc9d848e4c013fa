/* pv: the pv arch layer's own declarations. */
#ifndef PVGUEST_ARCH_PV_H
#define PVGUEST_ARCH_PV_H

#include <pv86/hypercall.h>
#include <stddef.h>
#include <stdint.h>

/* A domain id no run has: Xen's largest ordinary one (DOMID_SELF - 1).
 * pv86 numbers its domains 1 to 8 (as many as it builds), so this one is
 * absent whatever the run's modules, the xenstore domain included. */
#define DOMID_ABSENT ((domid_t)(DOMID_SELF - 1))

extern struct start_info *start_info_va;
extern struct shared_info *shared_info;

/* The registers trap_common saved, then the bounce frame. */
struct trap_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;      /* only when cs & 3 == 3 */
};

/* What the last trap looked like, for the tests. */
struct trap_record {
    unsigned count;
    uint32_t vector, error, eip, cs, eflags, cr2;
    uint8_t mask_in_handler;         /* vcpu_info upcall mask inside the handler */
};
extern volatile struct trap_record last_trap;
#define USER_LOG_MAX 8
extern volatile struct trap_record user_log[USER_LOG_MAX];
extern volatile unsigned user_log_len;

void trap_handler(struct trap_frame *f);
void syscall_handler(struct trap_frame *f);
void syscall_entry(void);
extern char user_getpid_loop[];
#define SYS_EXIT   1
#define SYS_GETPID 20
/* Map the ring-3 code and stack pages, install traps and a kernel stack. */
void ring3_setup(void);
/* Run count getpid calls in ring 3; returns how many failed. */
uint32_t ring3_getpid_loop(uint32_t count);
void pv_install_traps(int mask_events_on_pf);

/* head.S */
extern char user_code[], user_code_end[];
uint32_t probe_read(uint32_t addr);
void probe_write(uint32_t addr, uint32_t v);
void probe_cli(void);
void probe_fault_on_bad_stack(uint32_t esp, uint32_t addr) __attribute__((noreturn));
uint32_t user_run(uint32_t eip, uint32_t esp);
__attribute__((noreturn)) void user_return(uint32_t value);
void trap_stub_0(void), trap_stub_3(void), trap_stub_6(void), trap_stub_13(void),
     trap_stub_14(void), trap_stub_128(void), trap_stub_256(void);
#define EVENT_VECTOR 256

/* events.c: event channels, time, console */
typedef void (*event_handler)(uint32_t port);
void events_init(void);                     /* registers the callback */
void event_bind(uint32_t port, event_handler h);
void evtchn_do_upcall(void);
uint64_t system_time_ns(void);
/*
 * Sleep until cond holds. The check runs with events masked and
 * SCHEDOP_block unmasks them atomically, so an event that makes cond true
 * cannot slip in between the check and the sleep (a lost wakeup).
 */
#define WAIT_UNTIL(cond) do {                                               \
        for (;;) {                                                          \
            uint8_t wait_flags_ = events_save_disable();                    \
            if (cond) {                                                     \
                events_restore(wait_flags_);                                \
                break;                                                      \
            }                                                               \
            hv_sched_op(SCHEDOP_block, NULL);                               \
        }                                                                   \
    } while (0)
int32_t evtchn_send_port(uint32_t port);
static inline uint8_t events_save_disable(void)
{
    uint8_t old = shared_info->vcpu_info[0].evtchn_upcall_mask;
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    __asm__ __volatile__("" ::: "memory");
    return old;
}
void events_restore(uint8_t old);           /* may take a pending upcall */
int run_multi_mode(const char *mode, size_t len);   /* multi.c */

uint32_t probe_read_cr3(void);
void probe_load_fs(uint32_t sel);
void probe_load_ds(uint32_t sel);
void failsafe_callback(void);
extern volatile uint32_t failsafe_ds, failsafe_count;
void mmu_selftest(void);
void event_selftest(void);
void mmu_batch_demo(void);
struct shared_info *pv_shared_info(void);

/* The machine frame of a pfn, and a mapping helper. */
uint32_t pfn_to_mfn(uint32_t pfn);
int32_t pv_map(uint32_t va, uint32_t mfn, uint64_t flags);

#endif
