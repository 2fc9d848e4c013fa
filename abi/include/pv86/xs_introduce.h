/*
 * pv86's introduce page: how the hypervisor tells the xenstore domain which
 * domains exist (docs/xenstore.md, "How the domain starts"). On Xen the
 * toolstack in dom0 sends XS_INTRODUCE / XS_RELEASE; pv86 has no dom0, so
 * the hypervisor writes this page and the xenstore domain introduces and
 * releases the domains itself (docs/xen-deviations.md).
 *
 * The page is the xenstore domain's own store page (start_info.store_mfn
 * of the domain started with role=xenstore; its start_info.flags carry
 * Slot i describes domain i+1. After every change `generation` is bumped
 * and VIRQ_DOM_EXC is raised in the xenstore domain. A shutdown request
 * (the toolstack's, xl's "shutdown") bumps the slot's shutdown_seq: the
 * xenstore domain then writes "poweroff" (or "reboot") to
 * /local/domain/N/control/shutdown, as xl does through xenstore.
 */
#ifndef PV86_XS_INTRODUCE_H
#define PV86_XS_INTRODUCE_H

#include <stdint.h>

#define VIRQ_DOM_EXC        3           /* Xen's: a domain changed state */
#define PV86_XS_MAGIC       0x78737631u /* "xsv1" */
#define PV86_XS_SLOTS       8

enum pv86_xs_state {
    PV86_XS_NONE = 0,                   /* no domain (or not a xenstore client) */
    PV86_XS_RUNNING = 1,                /* introduce it */
    PV86_XS_DEAD = 2,                   /* it stopped: release it, unmap its page */
};

struct pv86_xs_slot {
    uint16_t domid;                     /* 0 */
    uint8_t  state;                     /* 2: enum pv86_xs_state */
    uint8_t  privileged;                /* 3: SIF_PRIVILEGED */
    uint32_t gref;                      /* 4: its grant of the store page (GNTTAB_RESERVED_XENSTORE) */
    uint32_t port;                      /* 8: its unbound port for us (start_info.store_evtchn) */
    uint32_t mfn;                       /* 12: its store page's frame (INTRODUCE's "mfn") */
    char     name[16];                  /* 16: its name, NUL-terminated */
    uint32_t shutdown_seq;              /* 32: bumped by each shutdown request */
    uint32_t shutdown_reason;           /* 36: SHUTDOWN_poweroff or SHUTDOWN_reboot */
};

struct pv86_xs_page {
    uint32_t magic;                     /* PV86_XS_MAGIC */
    uint32_t generation;                /* bumped after each change */
    uint32_t nslots;                    /* PV86_XS_SLOTS */
    uint32_t self;                      /* the xenstore domain's own domid */
    struct pv86_xs_slot slot[PV86_XS_SLOTS];
};

#endif
