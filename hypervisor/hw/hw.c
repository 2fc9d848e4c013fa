/*
 * hw: the mode's table (skeleton: the SVM mode is being built).
 */
#include "hw/hw.h"

#include <pv86/xen.h>

#include "core/console.h"
#include "core/domain.h"

static int hw_domain_build(struct domain *d, const void *image, size_t size,
                           const char *cmdline, unsigned mb)
{
    (void)image; (void)size; (void)cmdline; (void)mb;
    printk("d%u: cannot load the multiboot kernel: the hw mode is not built yet\n", d->id);
    return -XEN_EOPNOTSUPP;
}

const struct mode_ops hw_mode_ops = {
    .name = "hw",
    .build = hw_domain_build,
};
