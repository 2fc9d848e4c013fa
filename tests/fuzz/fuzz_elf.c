/* libFuzzer harness: the hypervisor's ELF and Xen-note loader
 * (hypervisor/core/elf_xen.c) on arbitrary images. Whatever it is given, it
 * must return without touching memory outside the image, and an image it
 * accepts must keep its promises: segments inside the image, below the
 * hypervisor, entry and hypercall page inside a segment. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pv86/xen.h>

#include "core/elf_xen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so ASan sees any read past the end. */
    uint8_t *img = malloc(size ? size : 1);
    if (!img)
        return 0;
    memcpy(img, data, size);
    struct elf_xen_info info;
    const char *why = NULL;
    int rc = elf_xen_parse(img, size, 0x10u, &info, &why);
    if (rc == 0) {
        if (info.nsegs == 0 || info.nsegs > ELF_XEN_MAX_SEGS)
            abort();
        for (unsigned i = 0; i < info.nsegs; i++)
            if ((uint64_t)info.segs[i].vaddr + info.segs[i].memsz > HYPERVISOR_VIRT_START ||
                (uint64_t)info.segs[i].offset + info.segs[i].filesz > size ||
                info.segs[i].filesz > info.segs[i].memsz)
                abort();
    } else if (!why) {
        abort();                                   /* every refusal says why */
    }
    free(img);
    return 0;
}
