/*
 * xsdom: the xenstore domain's connections (docs/xenstore.md, "How the
 * domain starts"). The module whose command line says role=xenstore is
 * built after all others; then every other PV domain gets its store page
 * granted to it (GNTTAB_RESERVED_XENSTORE), an unbound port toward it
 * (start_info.store_evtchn) and a slot in its introduce page
 * (abi/include/pv86/xs_introduce.h). A domain's stop marks its slot dead
 * and raises VIRQ_DOM_EXC there; its teardown waits (boundedly) until the
 * xenstore domain has unmapped its page. When no other domain is left the
 * hypervisor stops the xenstore domain.
 */
#ifndef HV_CORE_XSDOM_H
#define HV_CORE_XSDOM_H

#include <stdint.h>

struct domain;

/* xs was just built from the role=xenstore module: connect the others. */
void xsdom_start(struct domain *xs);
/* d is stopping (domain_stop). */
void xsdom_domain_stopped(struct domain *d);
/* Should d's teardown wait for the xenstore domain to unmap its page? */
int xsdom_teardown_wait(struct domain *d);
/* Ask d to shut down as xl does: the xenstore domain writes reason's word
 * ("poweroff", "reboot") to /local/domain/N/control/shutdown. 0 when
 * asked; -XEN_ENOSYS when d has no xenstore connection (no xenstore domain,
 * not a PV domain, or the xenstore domain is gone); -XEN_EINVAL for
 * another reason. For the toolstack's toolstack_request_shutdown. */
int xsdom_request_shutdown(struct domain *d, uint32_t reason);
/* The xenstore domain is the only domain left: stop it; 1 if it did. */
int xsdom_stop_if_alone(void);

#endif
