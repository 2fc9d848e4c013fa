/*
 * request: the end a virtual PC's guest asks for (see request.h). An
 * exit-port write V ends the domain (poweroff for 0, crash otherwise);
 * with onevm it also ends the machine with QEMU's status (V << 1) | 1.
 */
#include "vm/request.h"

#include <pv86/xen.h>

#include "core/console.h"
#include "core/domain.h"
#include "core/panic.h"
#include "vdev/vdev.h"

void vm_platform_request(struct domain *d, const struct vplatform *p)
{
    if (p->request == VDEV_POWEROFF)
        domain_shutdown(d, SHUTDOWN_poweroff);
    if (p->request == VDEV_EXIT) {
        printk("d%u: wrote %u to the exit port (isa-debug-exit)\n", d->id,
               (unsigned)p->exit_value);
        if (machine_onevm)          /* the machine ends with it (machine_end) */
            machine_guest_exit(d->id, p->exit_value);
        domain_shutdown(d, p->exit_value ? SHUTDOWN_crash : SHUTDOWN_poweroff);
    }
}

void vm_platform_tick(struct domain *d, struct vplatform *p, uint64_t now)
{
    vplatform_advance(p, now);
    if (d == domain_by_id(1) && console_input_ready()) {
        char buf[VUART_RX_SIZE];
        size_t n = console_read(buf, VUART_RX_SIZE - p->uart.rx_len);
        vuart_receive(&p->uart, buf, n);
        vplatform_advance(p, now);
    }
}
