/*
 * sysenter_rules: where a guest's SYSENTER goes, as Xen decides it for a
 * 32-bit PV guest (xen/arch/x86/x86_64/entry.S sysenter_entry and
 * compat/entry.S compat_sysenter). Pure (host-tested in
 * tests/unit/test_sysenter.c); arch/x86/sysenter.c does what it says.
 *
 * SYSENTER saves neither EIP nor ESP, so the guest kernel gets a bounce
 * frame (on its kernel stack: the frame's CS is ring 3 whatever ring ran
 * SYSENTER) of EIP 0, CS 3, the guest's EFLAGS, ESP 0, SS FLAT_RING3_SS;
 * every other register is the guest's own. With a sysenter callback
 * registered (its EIP not 0) that is the target, events masked if it was
 * registered with CALLBACKF_mask_events. Without one the guest's #GP
 * handler gets it with error code 0, events masked if its trap-table entry
 * says so. A null target selector (0-3) takes the #GP handler's; a null
 * selector or EIP 0 after that crashes the domain, as Xen's bounce does.
 */
#ifndef HV_ARCH_X86_SYSENTER_RULES_H
#define HV_ARCH_X86_SYSENTER_RULES_H

#include <pv86/xen.h>
#include <stdint.h>

/* The fixed part of the frame. */
#define SYSENTER_FRAME_EIP 0u
#define SYSENTER_FRAME_CS  3u              /* ring 3, null */
#define SYSENTER_FRAME_ESP 0u
#define SYSENTER_FRAME_SS  FLAT_RING3_SS   /* Xen's FLAT_COMPAT_USER_SS */

struct sysenter_target {
    uint16_t cs;
    uint32_t eip;
    int mask_events;        /* set the upcall mask on entry */
    int gp;                 /* 1: a #GP (error code 0) to the #GP handler */
};

/* 0 and *t filled, or -1: there is nowhere to deliver it (crash). */
int sysenter_target(const struct xen_callback *cb, uint16_t cb_flags,
                    const struct trap_info *gp_entry, struct sysenter_target *t);

#endif
