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
    return 0;
}

void mb_load(const struct gpmem *m, const void *image, const struct elf_xen_info *info,
             const char *cmdline, struct mb_boot *out)
{
    for (unsigned i = 0; i < info->nsegs; i++) {
        const struct elf_xen_seg *s = &info->segs[i];
        /* mb_check: inside RAM, so the copy cannot fail */
        gpmem_copy(m, s->vaddr, (void *)((const uint8_t *)image + s->offset), s->filesz, 1);
    }
    /* The information block and the command line (the loader's
     * convention: the kernel's file name first). */
    size_t len = strlen(cmdline);      /* domain_build checked it fits a page */
    multiboot_info_t *mbi = gpmem_ptr(m, MB_INFO_GPA);
    char *cl = gpmem_ptr(m, MB_CMDLINE_GPA);
    memcpy(cl, "kernel ", 7);
    memcpy(cl + 7, cmdline, len + 1);
    mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE;
    mbi->mem_lower = 640;
    mbi->mem_upper = (m->nr_pages >> 8) * 1024 - 1024;
    mbi->cmdline = MB_CMDLINE_GPA;
    out->entry = info->entry;
    out->mbi_gpa = MB_INFO_GPA;
}
