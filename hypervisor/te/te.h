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
 * Privilege is the guest's own CPL (te/rules.h): its ring 0 runs in ring 1
 * and alone gets the kernel's emulation; its rings 2 and 3 get #GP where
 * the CPU would raise it; its ring 1 is refused.
 */
#ifndef HV_TE_TE_H
#define HV_TE_TE_H

#include <stddef.h>
#include <stdint.h>

#include "te/decode.h"
#include "te/rules.h"
#include "core/mode.h"
#include "vdev/vdev.h"
#include "vm/gpmem.h"

#define TE_SL1_POOL     96        /* shadow L1 tables; all dropped when used up */
#define TE_WATCHDOG_MS  2000      /* IRQ pending with IF clear this long: stop */

struct te_state {
    struct vplatform plat;
    struct gpmem mem;             /* its guest-physical RAM */
    /* the virtual CPU */
    int vif, halted;
    unsigned viopl;               /* the guest's EFLAGS.IOPL (the CPU's stays 0) */
    int shadow, shadow_tf;        /* interrupt shadow (sti, mov ss): on; the guest's TF */
    uint32_t shadow_ms;           /* ticks it has lasted while the domain ran */
    uint32_t cr0, cr2, cr3, cr4;
    uint64_t pdpte[4];            /* loaded at each CR3 write, as PAE does */
    uint32_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint16_t tr, ldtr;
    uint32_t tss_base, tss_limit;
    uint32_t dr[8];               /* DR0-3, DR6, DR7 (4 and 5 alias 6 and 7) */
    unsigned maxphy;              /* MAXPHYADDR, for the PDPTEs' reserved bits */
    uint32_t sysenter[3];         /* MSRs 0x174-0x176 */
    /* shadows */
    /* The shadow GDT, 16 pages at SW_GDT_VA (read-only there): entry i
     * is te_desc_shadow of the guest's, filled at its first use (a fault
     * naming it, or te's own read) and all dropped at lgdt; page 14 also
     * holds the hypervisor's entries (te_gdt_reserved). */
    uint32_t gdt_mfn[TE_GDT_PAGES];
    uint32_t gdt_filled[TE_GDT_ENTRIES / 32];  /* bit i: entry i is the guest's now */
    uint16_t gdt_pages_used;                   /* bit p: page p has filled entries */
    uint32_t sl2_mfn[4];
    uint32_t sl1_mfn[TE_SL1_POOL];
    uint16_t sl1_slot[TE_SL1_POOL];   /* which L2 entry (l3 * 512 + l2) uses it */
    unsigned sl1_used;
    /* watchdog: what last cleared the virtual IF */
    uint32_t wd_ms;
    int watchdog_fired;
    uint32_t vif_off_eip;
    const char *vif_off_by;
    /* what happened, printed when the domain ends */
    int bt;                       /* a bt domain: the shadow GDT keeps bt's entries too */
    uint32_t emulated[TE_NR_OPS][3];  /* [op][0: the kernel (ring 1), 1: ring 3, 2: ring 2] */
    uint32_t shadow_fills, guest_faults, flushes, injected, gdt_fills;
};

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
/* The 1 kHz tick: virtual timer, console input, wake-ups, watchdog. */
void te_tick(struct domain *d, uint64_t now);
/* Counters at the domain's end. */
void te_print_stats(struct domain *d);
/* For the domain about to run: real CR4.UMIP (on for te domains only) and
 * the CPU's GDT limit (0xFFFF for te domains, whose shadow GDT has 8192
 * entries; HV_GDT_LIMIT for the others, as Xen's). */
void te_switch_in(const struct domain *d);

#endif
