/* sysenter_rules: where a guest's SYSENTER goes (see sysenter_rules.h). */
#include "arch/x86/sysenter_rules.h"

int sysenter_target(const struct xen_callback *cb, uint16_t cb_flags,
                    const struct trap_info *gp_entry, struct sysenter_target *t)
{
    if (cb->eip) {
        t->eip = cb->eip;
        t->cs = (uint16_t)cb->cs;
        t->mask_events = (cb_flags & CALLBACKF_mask_events) != 0;
        t->gp = 0;
    } else {
        t->eip = gp_entry->address;
        t->cs = gp_entry->cs;
        t->mask_events = TI_GET_IF(gp_entry) != 0;
        t->gp = 1;
    }
    if ((t->cs & ~3u) == 0)
        t->cs = gp_entry->cs;
    if ((t->cs & ~3u) == 0 || t->eip == 0)
        return -1;
    return 0;
}
