/*
 * guest-info: does this ELF load as a pv86 PV guest? Prints its Xen notes
 * by name (readelf -n shows them only by number) or the reason the
 * hypervisor would refuse it. Exit status 0 if it loads, 1 if not, 2 on
 * usage or I/O errors. Uses the hypervisor's own parser.
 */
#include <stdio.h>
#include <stdlib.h>

#include <pv86/version.h>

#include "core/elf_xen.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: guest-info GUEST.elf\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static unsigned char buf[64 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f);
    int too_big = !feof(f);
    fclose(f);
    if (too_big) {
        fprintf(stderr, "%s: larger than %zu bytes\n", argv[1], sizeof(buf));
        return 2;
    }
    struct elf_xen_info info;
    const char *why;
    if (elf_xen_parse(buf, n, ELF_XEN_LOADER_FEATURES, &info, &why)) {
        printf("%s: refused: %s\n", argv[1], why);
        return 1;
    }
    printf("%s: a Xen PV guest pv86 can load\n", argv[1]);
    printf("  notes from      %s\n", info.notes_from_sections ? "SHT_NOTE sections" : "PT_NOTE");
    printf("  GUEST_OS        %s\n", info.guest_os);
    printf("  XEN_VERSION     %s\n", info.xen_version);
    printf("  LOADER          %s\n", info.loader);
    printf("  PAE_MODE        %s\n", info.pae_mode);
    printf("  VIRT_BASE       %#x\n", info.virt_base);
    printf("  PADDR_OFFSET    %#x\n", info.paddr_offset);
    printf("  ENTRY           %#x\n", info.entry);
    if (info.has_hypercall_page)
        printf("  HYPERCALL_PAGE  %#x\n", info.hypercall_page);
    else
        printf("  HYPERCALL_PAGE  none\n");
    printf("  FEATURES        required %#x, wanted %#x\n", info.features_required,
           info.features_wanted);
    printf("  image           %#x-%#x in %u segment(s)\n", info.kstart, info.kend, info.nsegs);
    if (info.symtab_start)
        printf("  BSD_SYMTAB      %#x-%#x (after the image)\n", info.symtab_start, info.virt_kend);
    const char *why_d1;
    if (info.has_hv_start_low)
        printf("  HV_START_LOW    %#llx\n", (unsigned long long)info.hv_start_low);
    if (info.has_supported)
        printf("  SUPPORTED_FEATURES %#x\n", info.supported_features);
    if (elf_xen_check_initial(&info, &why_d1))
        printf("  as d1           refused: %s\n", why_d1);
    return 0;
}
