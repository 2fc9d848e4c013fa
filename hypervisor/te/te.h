/*
 * te: trap-and-emulate. An unmodified multiboot kernel (pvguest's native
 * flavour) runs with its kernel in ring 1 and its programs in ring 3; what
 * faults there is emulated against a virtual CPU and the virtual platform
 * (vdev), and memory is virtualized with shadow page tables. What does not
 * fault (POPF, PUSHF, SGDT, PUSH CS and the rest of x86's sensitive but
 * unprivileged instructions) runs on the real CPU and gives the real
 * machine's answers: the te mode exists to show that (docs/census.md).
 *
 * Virtual CPU: IF, CR0/2/3/4, GDTR/IDTR, TR and LDTR are software state.
 * The CPU runs the guest on a shadow GDT (ring-0 descriptors turned into
 * ring 1) and shadow page tables, a virtual TLB: a shadow entry is filled on
 * the fault of its first use from a walk of the guest's own tables (setting
 * the guest's accessed and dirty bits) and dropped at the guest's invlpg;
 * every CR3 write drops them all.
 *
 * Privilege is the guest's own CPL (vm/rules.h): its ring 0 runs in ring 1
 * and alone gets the kernel's emulation; its rings 2 and 3 get #GP where
 * the CPU would raise it; its ring 1 is refused.
 */
#ifndef HV_TE_TE_H
#define HV_TE_TE_H

#include <stddef.h>
#include <stdint.h>

#include "core/mode.h"

struct domain;
struct vcpu;

/* The mode's table (core/mode.h): build, trap, before_exit, tick,
 * switch_in (te_switch_in), print_stats. */
extern const struct mode_ops te_mode_ops;

/* Build domain d (allocated, id set) from a multiboot ELF: the hypervisor
 * is its multiboot loader (vm/mbload.h). 0 or -errno, with a line. */
int te_domain_build(struct domain *d, const void *image, size_t size, const char *cmdline,
                    unsigned mb);
/* A trap from a te guest (exception or int n); returns to resume it. */
void te_trap(struct vcpu *v, uint32_t cr2);
/* Just before the guest runs again: pending interrupts, watchdog. */
void te_before_exit(struct vcpu *v);
/* The same when the caller has just advanced the platform's clock
 * (advanced 1: bt's exit from translated code), which it does only once. */
void te_before_exit_advanced(struct vcpu *v, int advanced);
/* The 1 kHz tick: virtual timer, console input, wake-ups, watchdog. */
void te_tick(struct domain *d, uint64_t now);
/* Counters at the domain's end. */
void te_print_stats(struct domain *d);
/* For the domain about to run: real CR4.UMIP (on for te domains only) and
 * the CPU's GDT limit (0xFFFF for te domains, whose shadow GDT has 8192
 * entries; HV_GDT_LIMIT for the others, as Xen's). */
void te_switch_in(const struct domain *d);

#endif
