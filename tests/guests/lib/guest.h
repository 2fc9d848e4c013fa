/*
 * guest.h: the smallest runtime for a PV guest of pv86, written only against
 * the public headers (abi/include/pv86). A guest defines guest_main(); the
 * runtime enters it in ring 1 with a console, a trap table, probes for
 * instructions that must fault, a way into ring 3 and TAP output, and
 * powers off with its result. Used by the attack, fuzz and innocent guests.
 *
 * Fixed virtual addresses (the domain builder maps VA = pfn << 12 from 0 up
 * to past the image at 4 MiB; the pages below the image are free):
 */
#ifndef PV86_GUEST_LIB_H
#define PV86_GUEST_LIB_H

#include <pv86/guest.h>
#include <pv86/hypercall.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_SHARED_VA   0x00001000u   /* shared_info */
#define GUEST_CONSOLE_VA  0x00002000u   /* a domU's console ring */
#define GUEST_USTACK_VA   0x00003000u   /* the ring-3 stack page */
#define GUEST_SCRATCH_VA  0x00100000u   /* pfns 256-1023: free for the guest's games */
#define GUEST_SCRATCH_END 0x00400000u

#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_U   0x004ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull

extern struct start_info *start_info;
extern struct shared_info *shared_info;

int guest_main(void);                         /* the guest's; 0 is success */
int guest_traps_install(void);                /* trap table, callbacks, kernel stack */
__attribute__((noreturn)) void poweroff(int ok);

/* console and TAP */
void console_write(const char *s, size_t n);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_done(void);                           /* prints the plan; 0 if all passed */

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* the command line: "key=value" words */
const char *cmdline_arg(const char *key, size_t *len);
uint32_t cmdline_num(const char *key, uint32_t dflt);

/* memory */
static inline uint32_t pfn_to_mfn(uint32_t pfn)
{
    return ((const uint32_t *)start_info->mfn_list)[pfn];
}
static inline uint32_t mfn_to_pfn(uint32_t mfn)
{
    return ((const uint32_t *)MACH2PHYS_VIRT_START)[mfn];
}
int32_t map_page(uint32_t va, uint32_t mfn, uint64_t flags);   /* update_va_mapping */
int owns_mfn(uint32_t mfn);                   /* a frame of this domain? */

/* Traps. Every exception is recorded; one at a registered probe resumes
 * after it, one in ring 3 ends user_run; any other crashes the domain with
 * a line saying where. */
struct trap_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;               /* from ring 2 or 3 only */
};
struct trap_record {
    unsigned count;
    uint32_t vector, error, eip, cs, cr2;
    uint32_t user_esp, user_ss;               /* from ring 2 or 3, else 0 */
    uint32_t eflags;                          /* as the bounce frame had it */
};
extern volatile struct trap_record last_trap;
extern void (*guest_crash_hook)(void);        /* runs before an unexpected trap ends us */
#define EVENT_VECTOR 256
typedef void (*event_fn)(void);
extern event_fn event_handler;                /* called for each upcall */

/* Probes (start.S): each returns normally whether or not it faulted;
 * compare last_trap.count before and after. */
uint32_t probe_read(uint32_t addr);
void probe_write(uint32_t addr, uint32_t value);
/* Run `fn` (a probe of the guest's own, registered with PROBE in assembly)
 * and say which vector it raised: -1 for none. */
int probe_vector(void (*fn)(void));

/* Ring 3: run code at eip (in a page mapped with PTE_U) on the ring-3
 * stack. It returns EAX when the code makes `int $0x80`, or
 * USER_TRAPPED | vector when it raises an exception. */
#define USER_TRAPPED 0x10000u
int user_setup(void);
uint32_t user_run(uint32_t eip);
/* The same at cs:eip on ss:esp, any outer ring (2 or 3). */
uint32_t user_run_ring(uint32_t eip, uint32_t cs, uint32_t ss, uint32_t esp);

/* events: mask and unmask through vcpu_info, wait with SCHEDOP_poll */
int32_t evtchn_send(uint32_t port);
/* Tell domain `peer` something happened: bind to the port it offers us (one
 * of 1-7, as innocent and neighbour do) and send; tries for 200 yields. */
void signal_domain(uint32_t peer);
/* Wait until port is pending or system time reaches deadline_ns (0: no
 * deadline); SCHEDOP_poll, which works with events masked. */
int32_t poll_port(uint32_t port, uint64_t deadline_ns);
uint64_t system_time_ns(void);

#endif
