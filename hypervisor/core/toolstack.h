/*
 * toolstack: what xl is to Xen, inside pv86 (docs/toolstack.md). Reached
 * from the serial console (CTRL-a three times, then commands) and by the
 * privileged initial domain through console_io(PV86_CONSOLEIO_toolstack).
 * The decisions are core/toolstack_rules.c's.
 */
#ifndef HV_CORE_TOOLSTACK_H
#define HV_CORE_TOOLSTACK_H

#include <stdint.h>

struct domain;
struct vcpu;

/* Each timer tick (core/time.c): read typed bytes, run a bounded piece of
 * the command in progress, check shutdown timeouts. */
void toolstack_poll(void);
/* From schedule(), where no state is on the stack: a destroy asked for. */
void toolstack_safe_point(void);
/* console_io(PV86_CONSOLEIO_toolstack, count, buf) from d1: buf holds a
 * command line of count bytes. 0 (its output follows on the serial line),
 * -EINVAL, -ESRCH, -EBUSY, -EFAULT (console_io checked the privilege). */
int32_t toolstack_guest_command(struct vcpu *v, uint32_t count, uint32_t buf);

/* How long shutdown N waits for the domain to stop before destroying it. */
#define TOOLSTACK_SHUTDOWN_TIMEOUT_MS 5000
/*
 * The one place a clean shutdown is asked for: xl writes "poweroff" to
 * /local/domain/N/control/shutdown through xenstore. 0 when asked; until
 * the xenstore domain is wired to the hypervisor, -XEN_ENOSYS: nothing is
 * asked, and shutdown is destroy after the timeout.
 */
int toolstack_request_shutdown(struct domain *d);

#endif
