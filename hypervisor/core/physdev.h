/*
 * physdev: physdev_op answered as Xen answers a PV guest that is neither
 * the hardware nor the control domain (abi/include/pv86/physdev.h). pv86
 * keeps the whole machine, so no domain gets past Xen's privilege checks;
 * what remains is the argument checking Xen does before them, the virtual
 * IOPL and I/O bitmap, and the pirq bookkeeping an unprivileged guest can
 * do. Pure: guest memory and the frame reference through struct physdev_ops.
 */
#ifndef HV_CORE_PHYSDEV_H
#define HV_CORE_PHYSDEV_H

#include <stdint.h>

struct physdev_ops {
    void *ctx;
    /* 0, or nonzero if [va, va+len) cannot be read / written. */
    int (*read)(void *ctx, void *dst, uint32_t va, uint32_t len);
    int (*write)(void *ctx, uint32_t va, const void *src, uint32_t len);
    /* Does domain `domid` (DOMID_SELF resolved by the callee) exist? */
    int (*domain_exists)(void *ctx, uint32_t domid);
    /* Register frame gmfn as the pirq EOI map: 0, -EINVAL (not the
     * caller's, or cannot be writable), -EBUSY (one is registered). */
    int (*eoi_map)(void *ctx, uint32_t gmfn);
};

/* Per vCPU (Xen's arch.pv.iopl, iobmp, iobmp_nr). */
struct physdev_vcpu {
    uint32_t iopl;          /* the virtual IOPL as EFLAGS bits 12-13 */
    uint32_t iobmp;         /* guest VA of the I/O bitmap */
    uint32_t iobmp_nr;      /* ports it covers (0: none) */
};

/* Per domain. */
struct physdev_domain {
    uint64_t pirq_allocated;    /* bit per pirq handed out by get_free_pirq */
    int auto_unmask;            /* pirq_eoi_gmfn_v1 was used */
};

int32_t physdev_op(const struct physdev_ops *ops, struct physdev_vcpu *pv,
                   struct physdev_domain *pd, uint32_t cmd, uint32_t arg);
/* The legacy hypercall 19: struct physdev_op at uop. */
int32_t physdev_op_compat(const struct physdev_ops *ops, struct physdev_vcpu *pv,
                          struct physdev_domain *pd, uint32_t uop);

#endif
