/*
 * mbload: the multiboot loader of te and hw domains (see mbload.h).
 */
#include "vm/mbload.h"

#include <multiboot/multiboot.h>
#include <pv86/xen.h>
#include <string.h>

#include "core/console.h"
#include "mm/mm.h"

#define MB(x) ((uint32_t)(x) << 20)

static struct {
    const char *kernel_string;   /* NULL: not onevm */
    struct mb_module mods[MB_MAX_MODULES];
    unsigned nmods;
} onevm;

int mb_set_onevm(const char *kernel_string, const struct mb_module *mods, unsigned nmods)
{
    if (nmods > MB_MAX_MODULES)
        return -1;
    onevm.kernel_string = kernel_string;
    memcpy(onevm.mods, mods, nmods * sizeof(*mods));
    onevm.nmods = nmods;
    return 0;
}

static void guest_of(struct mb_guest *g, uint32_t kend, uint32_t ram_pages, const char *cmdline)
{
    g->kend = kend;
    g->ram_pages = ram_pages;
    if (onevm.kernel_string) {
        g->prefix = "";
        g->cmdline = onevm.kernel_string;
        g->mods = onevm.mods;
        g->nmods = onevm.nmods;
    } else {
        g->prefix = "kernel ";         /* the loader's convention: a file name first */
        g->cmdline = cmdline;
        g->mods = NULL;
        g->nmods = 0;
    }
}

int mb_check(uint16_t domid, const void *image, size_t size, unsigned ram_mb,
             struct elf_xen_info *info)
{
    const char *why;
    if (elf_multiboot_parse(image, size, info, &why)) {
        printk("d%u: cannot load the multiboot kernel: %s\n", domid, why);
        return -XEN_EINVAL;
    }
    if ((uint64_t)info->kend > (uint64_t)ram_mb << 20 || info->kstart < MB(1)) {
        printk("d%u: the kernel's segments (%#x-%#x) must lie between 1 MiB and the "
               "domain's %u MiB\n", domid, info->kstart, info->kend, ram_mb);
        return -XEN_ENOMEM;
    }
    struct mb_guest g;
    static uint32_t mod_gpa[MB_MAX_MODULES];
    uint64_t need, have;
    guest_of(&g, info->kend, ram_mb << (20 - PAGE_SHIFT), "");
    if (mb_info_plan(&g, mod_gpa, &why, &need, &have)) {
        printk("d%u: cannot load the multiboot kernel: %s (%llu, at most %llu)\n", domid, why,
               (unsigned long long)need, (unsigned long long)have);
        return -XEN_ENOMEM;
    }
    return 0;
}

void mb_load(const struct gpmem *m, const void *image, const struct elf_xen_info *info,
             const char *cmdline, struct mb_boot *out)
{
    static uint8_t low[MB_LOW_SIZE];
    static uint32_t mod_gpa[MB_MAX_MODULES];
    for (unsigned i = 0; i < info->nsegs; i++) {
        const struct elf_xen_seg *s = &info->segs[i];
        /* mb_check: inside RAM, so the copy cannot fail */
        gpmem_copy(m, s->vaddr, (void *)((const uint8_t *)image + s->offset), s->filesz, 1);
    }
    struct mb_guest g;
    const char *why;
    uint64_t need, have;
    guest_of(&g, info->kend, m->nr_pages, cmdline);
    (void)mb_info_plan(&g, mod_gpa, &why, &need, &have);    /* mb_check planned it */
    for (unsigned i = 0; i < g.nmods; i++)
        gpmem_copy(m, mod_gpa[i], (void *)g.mods[i].data, g.mods[i].size, 1);
    mb_info_build(&g, mod_gpa, low);
    gpmem_copy(m, MB_LOW_BASE, low, MB_LOW_SIZE, 1);
    out->entry = info->entry;
    out->mbi_gpa = MB_INFO_GPA;
}
