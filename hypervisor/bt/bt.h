/*
 * bt: binary translation of an unmodified multiboot kernel (docs/bt.md).
 * The guest kernel's code is translated block by block into a translation
 * cache (bt/translate.c, bt/cache.c) and only the cache runs, in ring 1;
 * the guest's ring 3 runs directly, as under te. The virtual CPU, delivery
 * through the guest's IDT, the shadow page tables, the shadow GDT and the
 * emulation of privileged instructions are te's; the runtime here (bt/run.c)
 * maps between the two contexts a bt vCPU's registers can be in:
 *
 *   guest context   te's: CS the guest's (RPL 1 for its ring 0), EIP a
 *                   guest address, GS the guest's; ring 3 runs like this
 *   TC context      CS = BT_CS_SEL, EIP in the cache, GS = BT_GS_SEL (the
 *                   vpage), every other register the guest's; the guest's
 *                   CS and GS are kept in the bt state. The guest kernel
 *                   (CPL 0) runs only like this.
 *
 * Every entry from translated code is mapped to the guest context first
 * (bt_cache_where: the guest instruction the TC address belongs to), te's
 * machinery works on that, and before the exit a CPL-0 guest context is
 * mapped to its translation (made if missing).
 */
#ifndef HV_BT_BT_H
#define HV_BT_BT_H

#include <stddef.h>

#include "core/mode.h"

struct domain;

/* The mode's table (core/mode.h). */
extern const struct mode_ops bt_mode_ops;

/* Build domain d from a multiboot ELF (te's build plus the cache's region
 * and selectors): 0 or -errno, with a line. */
int bt_domain_build(struct domain *d, const void *image, size_t size, const char *cmdline,
                    unsigned mb);

#endif
