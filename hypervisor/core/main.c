/*
 * main: boot, one step per line. Then the first domain runs and the
 * hypervisor only ever runs again on a trap.
 */
#include <multiboot/multiboot.h>
#include <string.h>

#include "arch/x86/traps.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/panic.h"
#include "mm/mm.h"

extern uint32_t boot_switcher_checksum;

/* A module's string is "<file> <guest command line>": skip the file. */
static const char *guest_cmdline(uint32_t str)
{
    const char *s = str ? (const char *)(uintptr_t)str : "";
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

void hv_main(uint32_t magic, const multiboot_info_t *mbi)
{
    console_init();
    printk("pv86 hypervisor: Xen x86_32 PAE PV ABI subset\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a multiboot loader (magic %#x)", magic);
    mm_init(mbi);
    traps_init();
    boot_switcher_checksum = mm_switcher_checksum();

    unsigned built = 0;
    uint32_t nmods = (mbi->flags & MULTIBOOT_INFO_MODS) ? mbi->mods_count : 0;
    if (nmods == 0)
        printk("no guest given: pass a PV guest ELF as a multiboot module (-initrd)\n");
    const multiboot_module_t *mods = (const void *)(uintptr_t)mbi->mods_addr;
    for (uint32_t i = 0; i < nmods; i++) {
        if (mods[i].mod_end < mods[i].mod_start) {
            printk("module %u: bad bounds, skipped\n", (unsigned)i);
            continue;
        }
        if (domain_build((const void *)(uintptr_t)mods[i].mod_start,
                         mods[i].mod_end - mods[i].mod_start,
                         guest_cmdline(mods[i].cmdline)) == 0)
            built++;
    }
    if (built == 0) {
        printk("no domain to run\n");
        machine_exit(EXIT_CODE_CRASH);
    }
    schedule();
}
