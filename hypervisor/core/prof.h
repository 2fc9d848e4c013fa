/*
 * prof: the hypervisor's per-path instruction profile (make bench-profile,
 * docs/benchmarks.md "Where the pv instructions go").
 *
 * Only the profiled build (build/prof/hypervisor.elf, -DPV86_PROFILE) has
 * it: everywhere else every macro below is nothing, so the normal image is
 * instruction for instruction what it was.
 *
 * Under QEMU's -icount shift=0 RDTSC counts instructions. The switcher
 * stamps an entry (after its pushal) and an exit (before the guest's CR3
 * load); in between, marks say which phase the hypervisor is in:
 *   PROF_TO(ph)    from here on, phase ph (sequential phases of one entry)
 *   PROF_PUSH(ph)  phase ph until the matching PROF_POP(), then the phase
 *                  before it again (nested: a copy inside a bounce, a walk
 *                  inside a copy); each phase's count is its own part only
 * and the entry's path (PROF_TRAP, PROF_HYPERCALL, PROF_SUBCALL,
 * PROF_MMUEXT: vector, hypercall, multicall entries, count class) names the
 * record it goes to at the next entry. A mark's own instructions (measured
 * at boot: a pair of empty marks) are taken off each interval.
 *
 * Reports: a window per console line of a domain that starts with "bench "
 * (the bench program's result line: the window is that benchmark's rounds,
 * set-up and the previous line's printing; "# bench:", its first line, ends
 * the window "start"), the rest and the whole run ("all") at shutdown;
 * one line per path, "(pv86) prof window=NAME path=P calls=N entry=...",
 * read by tools/bench-profile.
 */
#ifndef PV86_CORE_PROF_H
#define PV86_CORE_PROF_H

#include <stddef.h>
#include <stdint.h>

enum prof_phase {
    PROF_ENTRY,         /* the switcher's entry, the frame copied and checked */
    PROF_DISPATCH,      /* which handler: exception decode, hypercall table, multicall loop */
    PROF_WORK,          /* the handler's own code (what no other phase names) */
    PROF_COPY,          /* copy_from_guest / copy_to_guest, less their walks */
    PROF_WALK,          /* the software walk of the guest's page tables */
    PROF_VALIDATE,      /* page-table entry and type-reference checks */
    PROF_BOUNCE,        /* the bounce frame: Xen's exception frame on the guest stack */
    PROF_EXIT,          /* resume, return_to_guest, the switcher's exit */
    PROF_IDLE,          /* halted waiting for an interrupt: time, not instructions */
    PROF_CAL,           /* the boot-time calibration only */
    PROF_PHASES
};

#if defined(PV86_PROFILE) && defined(PV86_HYPERVISOR)
/*
 * A mark is an asm call of a trampoline (prof.c) that saves every
 * register: the code around it is compiled as without it (no caller-saved
 * register to spill), and what a mark costs outside its TSC readings is the
 * same everywhere, the cost measured at boot. Arguments go on the stack
 * (the trampoline pops them).
 */
#define PROF_ASM0(t)        __asm__ __volatile__("call " #t)
#define PROF_ASM1(t, a)     __asm__ __volatile__("pushl %0\n\tcall " #t : : "ri"((uint32_t)(a)))
#define PROF_ASM2(t, a, b)  __asm__ __volatile__("pushl %1\n\tpushl %0\n\tcall " #t \
                                                 : : "ri"((uint32_t)(a)), "ri"((uint32_t)(b)))
void prof_init(void);
void prof_console_line(uint16_t domid, const char *buf, size_t len);
void prof_report(const char *window);
#define PROF_INIT()                 prof_init()
#define PROF_BEGIN()                PROF_ASM0(prof_begin_t)
#define PROF_TO(ph)                 PROF_ASM1(prof_to_t, ph)
#define PROF_PUSH(ph)               PROF_ASM1(prof_push_t, ph)
#define PROF_POP()                  PROF_ASM0(prof_pop_t)
#define PROF_TRAP(vec)              PROF_ASM1(prof_trap_t, vec)
#define PROF_HYPERCALL(nr, count)   PROF_ASM2(prof_hypercall_t, nr, count)
#define PROF_SUBCALL(op, count)     PROF_ASM2(prof_subcall_t, op, count)
#define PROF_MMUEXT(cmd)            PROF_ASM1(prof_mmuext_t, cmd)
#define PROF_CONSOLE_LINE(d, b, n)  prof_console_line(d, b, n)
#define PROF_REPORT(window)         prof_report(window)
#else
#define PROF_INIT()                 ((void)0)
#define PROF_BEGIN()                ((void)0)
#define PROF_TO(ph)                 ((void)0)
#define PROF_PUSH(ph)               ((void)0)
#define PROF_POP()                  ((void)0)
#define PROF_TRAP(vec)              ((void)0)
#define PROF_HYPERCALL(nr, count)   ((void)0)
#define PROF_SUBCALL(op, count)     ((void)0)
#define PROF_MMUEXT(cmd)            ((void)0)
#define PROF_CONSOLE_LINE(d, b, n)  ((void)0)
#define PROF_REPORT(window)         ((void)0)
#endif

#endif /* PV86_CORE_PROF_H */
