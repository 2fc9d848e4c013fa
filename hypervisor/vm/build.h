/*
 * build: what every unmodified-kernel domain's builder does the same way
 * (te, hw): the mode's table and state on the domain, its guest-physical
 * RAM, the kernel and its information block loaded (vm/mbload.h), and what
 * core/ needs of every domain (shared_info with the upcall masked, the
 * switcher L1, the event channels). The caller has counted the frames.
 */
#ifndef HV_VM_BUILD_H
#define HV_VM_BUILD_H

#include "core/elf_xen.h"
#include "core/mode.h"
#include "vm/gpmem.h"
#include "vm/mbload.h"

struct domain;

void vm_build_common(struct domain *d, const struct mode_ops *mode, void *state,
                     struct gpmem *mem, uint32_t nr_pages, const void *image,
                     const struct elf_xen_info *info, const char *cmdline,
                     struct mb_boot *boot);

#endif
