/* features: get_features and vm_assist as Xen's (see features.h). */
#include "core/features.h"

#include <pv86/errno.h>
#include <pv86/version.h>
#include <pv86/xen.h>

uint32_t features_submap0(uint32_t vm_assist, int initdomain)
{
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) | (1u << XENFEAT_direct_mapped);
    if (vm_assist & (1u << VMASST_TYPE_pae_extended_cr3))
        f |= 1u << XENFEAT_pae_pgdir_above_4gb;
    if (initdomain)
        f |= 1u << XENFEAT_dom0;
    return f;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int contains(const char *s, const char *word)
{
    for (; *s; s++) {
        const char *p = s, *w = word;
        while (*w && *p == *w)
            p++, w++;
        if (!*w)
            return 1;
    }
    return 0;
}

uint32_t vm_assist_initial(const char *pae_mode, int initdomain)
{
    int extcr3 = same(pae_mode, "yes"), bimodal = contains(pae_mode, "bimodal");
    if (extcr3 || (bimodal && !initdomain))
        return 1u << VMASST_TYPE_pae_extended_cr3;
    return 0;
}

int32_t vm_assist_apply(uint32_t *bits, uint32_t cmd, uint32_t type)
{
    if (type >= 32 || !(VMASST_VALID_PV32 & (1u << type)))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        *bits |= 1u << type;
        return 0;
    case VMASST_CMD_disable:
        *bits &= ~(1u << type);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
