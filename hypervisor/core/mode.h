/*
 * mode: how core/ reaches the mode that runs an unmodified multiboot kernel
 * (te: trap-and-emulate; hw: AMD SVM with nested paging; bt later). Each
 * such domain has one table of the mode's entry points, set by its
 * builder; a PV domain has none (mode NULL). core/ includes no mode's
 * header: the modes stand above it and use it (hypervisor/vm/ is what they
 * share: guest-physical memory, the multiboot loader, the mode list).
 */
#ifndef HV_CORE_MODE_H
#define HV_CORE_MODE_H

#include <stddef.h>
#include <stdint.h>

struct domain;
struct vcpu;

struct mode_ops {
    const char *name;                         /* "te", "hw" */
    /* Build d (allocated, id and name set) from a multiboot ELF, with mb
     * MiB of guest memory: 0 or -errno, with a line saying why. Sets
     * d->mode and d->mode_state and queues the domain. */
    int (*build)(struct domain *d, const void *image, size_t size, const char *cmdline,
                 unsigned mb);
    /* A trap (exception or int n) from the guest, entered through the
     * switcher (ring-1 modes); returns to resume it. NULL: none come. */
    void (*trap)(struct vcpu *v, uint32_t cr2);
    /* Just before the guest runs again: pending interrupts; may block it
     * (schedule()). */
    void (*before_exit)(struct vcpu *v);
    /* Run the guest (never returns). NULL: the switcher's exit to ring 1
     * or 3 with v->regs (te, bt); hw enters with VMRUN. */
    void (*enter)(struct vcpu *v) __attribute__((noreturn));
    /* The 1 kHz tick, for every live domain of the mode. */
    void (*tick)(struct domain *d, uint64_t now);
    /* Real CPU state the mode wants while d runs (te: CR4.UMIP); called
     * for every domain switched to, PV ones included (d->mode NULL): so a
     * mode's hook is also reached through mode_switch_in below. */
    void (*switch_in)(const struct domain *d);
    /* Counters, when the domain ends. */
    void (*print_stats)(struct domain *d);
};

/* The mode multiboot kernels run in: the hypervisor's vmmode= option
 * (default te). Defined with the mode list in vm/modes.c. */
extern const struct mode_ops *vm_mode;
/* Select it by name: 0, or -1 for a name no mode has. */
int vm_mode_select(const char *name, size_t len);
/* 1 if image is a multiboot kernel. */
int vm_is_multiboot(const void *image, size_t size);
/* Every mode's switch_in hook, for the domain about to run (PV or not). */
void mode_switch_in(const struct domain *d);

#endif
