/*
 * priv_op: a PV guest's #GP(0) on a privileged instruction, emulated as
 * Xen's PV emulation does (pv/emul-priv-op.c): port I/O and cli/sti under
 * the virtual IOPL (io_emul.h), control registers (emulate.h, fpu.h) and
 * MSRs (msr.h), rdtsc/rdtscp under the guest's CR4.TSD, wbinvd ignored.
 * The decisions are pure and host-tested; this file moves the data.
 */
#ifndef HV_ARCH_X86_PRIV_OP_H
#define HV_ARCH_X86_PRIV_OP_H

#include <stdint.h>

#include "arch/x86/io_emul.h"
#include "arch/x86/msr.h"
#include "core/physdev.h"

struct priv_vcpu {
    struct physdev_vcpu physdev;    /* virtual IOPL, I/O bitmap */
    struct msr_vcpu msr;
    uint32_t cr4_bits;              /* the CR4 bits the guest controls */
};

struct priv_domain {
    struct physdev_domain physdev;  /* pirqs handed out */
    struct io_domain io;            /* RTC index and CONFIG_ADDRESS latches */
};

struct vcpu;
/* Once at boot: the CPU's vendor and EFER, and the hardware PAT set to the
 * one Xen runs with (XEN_MSR_PAT), which PV guests read. */
void priv_op_init(void);
/* #GP(0) in ring 1, 2 or 3 (not vm86): 1 if emulated (or another exception
 * delivered in its place), 0 to deliver the #GP. */
int priv_op_emulate(struct vcpu *v);
/* v runs next: the real CR4.TSD follows its virtual one. */
void priv_op_switch_in(const struct vcpu *v);
/* A bounce frame shows the virtual IOPL (priv.physdev.iopl) in EFLAGS
 * with VMASST_TYPE_architectural_iopl, else IOPL 0 (traps.c, bounce_to). */
/* An iret of the guest's with these EFLAGS: with architectural_iopl its
 * IOPL becomes the virtual IOPL. */
void priv_iret_iopl(struct vcpu *v, uint32_t eflags);

#endif
