/*
 * mbinfo: the multiboot information block that pv86, as the multiboot
 * loader of an unmodified kernel (te, hw), leaves in the guest's low
 * memory; and where the kernel's modules go. Pure: host-tested
 * (tests/unit/test_mbinfo.c); vm/mbload.c copies the result into the guest.
 *
 * The low area, guest-physical MB_LOW_BASE to MB_LOW_END (below 640 KiB;
 * the boot stack, ESP = MB_INFO_GPA, grows down from its start):
 *   0x8000  the information block (flags MEMORY, CMDLINE, MODS, MEM_MAP,
 *           BOOT_LOADER_NAME)
 *   0x8100  the memory map: three entries (size 20, as the spec's)
 *             available 0 - 640 KiB, reserved 640 KiB - 1 MiB,
 *             available 1 MiB - the end of the guest's RAM
 *           (SeaBIOS's e820 on QEMU, which a multiboot kernel sees from
 *           QEMU's own loader, also reserves 0x9fc00-0xa0000 for its
 *           EBDA and some pages at the top for ACPI: pv86 has no BIOS, so
 *           that memory is RAM here, as mem_lower = 640 always said)
 *   0x8200  the module list: MB_MAX_MODULES entries of 16 bytes at most
 *   0x8600  the strings, up to MB_LOW_END: the command line, the boot
 *           loader's name ("pv86"), each module's string
 * Modules go page-aligned above the kernel's end, in the order given;
 * mod_end is the first byte after the module, as GRUB and QEMU give it. A
 * kernel and modules that do not fit the guest's RAM, more modules than
 * the list holds or strings longer than their area are refused whole.
 */
#ifndef HV_VM_MBINFO_H
#define HV_VM_MBINFO_H

#include <stdint.h>

#define MB_LOW_BASE      0x8000u
#define MB_LOW_END       0x10000u
#define MB_LOW_SIZE      (MB_LOW_END - MB_LOW_BASE)
#define MB_INFO_GPA      MB_LOW_BASE
#define MB_MMAP_GPA      0x8100u
#define MB_MODS_GPA      0x8200u
#define MB_MAX_MODULES   64u
#define MB_STRINGS_GPA   (MB_MODS_GPA + 16u * MB_MAX_MODULES)
#define MB_LOADER_NAME   "pv86"
#define MB_MMAP_ENTRIES  3u

/* A module as the hypervisor got it: its bytes and its whole string. */
struct mb_module {
    const void *data;
    uint32_t size;
    const char *string;
};

/* What the guest is given. The command line is prefix followed by cmdline
 * (te's "kernel ARGS" without onevm; the whole module string with it). */
struct mb_guest {
    uint32_t kend;                /* the kernel's last byte + 1 (guest-physical) */
    uint32_t ram_pages;           /* guest RAM: 0 to ram_pages pages */
    const char *prefix, *cmdline;
    const struct mb_module *mods;
    unsigned nmods;
};

/* Where each module goes (mod_gpa[nmods]): 0, or -1 with *why set to a
 * sentence saying what does not fit (need: the bytes it wanted, have: the
 * bytes there are). */
int mb_info_plan(const struct mb_guest *g, uint32_t *mod_gpa, const char **why,
                 uint64_t *need, uint64_t *have);
/* The low area's bytes (MB_LOW_SIZE, for guest-physical MB_LOW_BASE), for
 * a planned guest. */
void mb_info_build(const struct mb_guest *g, const uint32_t *mod_gpa, uint8_t *low);

#endif
