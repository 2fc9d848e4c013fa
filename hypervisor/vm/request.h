/*
 * request: where a virtual PC meets the machine, shared by every
 * unmodified-kernel mode: what its guest asks through its devices (vdev's
 * request field: power off (ACPI S5), exit through QEMU's isa-debug-exit
 * port, a reset), and the tick that drives it (time, console input).
 */
#ifndef HV_VM_REQUEST_H
#define HV_VM_REQUEST_H

#include <stdint.h>

struct domain;
struct vplatform;

/* The 1 kHz tick for d's virtual PC: its timers advanced to now and, for
 * d1, the console's input handed to its UART. */
void vm_platform_tick(struct domain *d, struct vplatform *p, uint64_t now);

/* After a port write: if p holds a request, d ends accordingly (never
 * returns then); else it returns. */
void vm_platform_request(struct domain *d, const struct vplatform *p);

#endif
