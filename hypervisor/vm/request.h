/*
 * request: what a virtual PC's guest asks of the machine through its
 * devices (vdev's request field): power off (ACPI S5) or exit through
 * QEMU's isa-debug-exit port. Shared by every unmodified-kernel mode.
 */
#ifndef HV_VM_REQUEST_H
#define HV_VM_REQUEST_H

#include <stdint.h>

struct domain;
struct vplatform;

/* After a port write: if p holds a request, d ends accordingly (never
 * returns then); else it returns. */
void vm_platform_request(struct domain *d, const struct vplatform *p);

#endif
