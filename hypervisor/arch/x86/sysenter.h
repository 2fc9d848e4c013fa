/* sysenter: a PV guest's SYSENTER (see sysenter.c). */
#ifndef HV_ARCH_X86_SYSENTER_H
#define HV_ARCH_X86_SYSENTER_H

struct domain;
struct vcpu;
struct cpu_frame;

/* The SYSENTER MSRs, at boot (after traps_init). */
void sysenter_init(void);
/* Before running d: SYSENTER enters the hypervisor for PV domains, raises
 * #GP(0) for te domains. Cheap when nothing changes. */
void sysenter_use(const struct domain *d);
/* v->regs holds a SYSENTER's registers (vector SW_VEC_SYSENTER): bounce
 * to the sysenter callback, or #GP, as Xen does. */
void sysenter_deliver(struct vcpu *v);
/* The #DB taken at sysenter_entry (SYSENTER with TF set), frame f on the
 * entry stack: deliver the SYSENTER, drop the #DB. Never returns. */
__attribute__((noreturn)) void sysenter_single_stepped(struct vcpu *v, const struct cpu_frame *f);

#endif
