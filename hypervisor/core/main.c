/*
 * main: boot, one step per line. Then the first domain runs and the
 * hypervisor only ever runs again on a trap.
 */
#include <multiboot/multiboot.h>
#include <string.h>

#include "arch/x86/debugreg.h"
#include "arch/x86/traps.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/mode.h"
#include "core/panic.h"
#include "core/prof.h"
#include "lib/cmdline.h"
#include "core/xsdom.h"
#include "mm/mm.h"
#include "vm/mbload.h"

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

/* Is `word` one of the words of the hypervisor's command line? */
static int hv_option(const multiboot_info_t *mbi, const char *word)
{
    if (!(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline)
        return 0;
    size_t len = strlen(word);
    for (const char *p = (const char *)(uintptr_t)mbi->cmdline; *p;) {
        while (*p == ' ')
            p++;
        if (strncmp(p, word, len) == 0 && (p[len] == ' ' || p[len] == '\0'))
            return 1;
        while (*p && *p != ' ')
            p++;
    }
    return 0;
}

/* The value of key= on the hypervisor's command line (its length), or
 * NULL. */
static const char *hv_value(const multiboot_info_t *mbi, const char *key, size_t *len)
{
    if (!(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline)
        return NULL;
    return cmdline_value((const char *)(uintptr_t)mbi->cmdline, key, len);
}

/*
 * onevm: the run is one virtual machine, as bare QEMU would run it. Module
 * 1 is its multiboot kernel; modules 2.. are that kernel's multiboot
 * modules, loaded into its memory (vm/mbload.c), not domains. Its
 * exit-port write V ends the machine with QEMU's status (V << 1) | 1
 * (vm/request.c, machine_end). 1 if the domain was built, else 0.
 */
static unsigned build_one_vm(const multiboot_module_t *mods, uint32_t nmods)
{
    static struct mb_module list[MB_MAX_MODULES];
    machine_onevm = 1;
    for (uint32_t i = 0; i < nmods; i++)
        if (mods[i].mod_end < mods[i].mod_start) {
            printk("onevm: module %u: bad bounds\n", (unsigned)i + 1);
            images_refused++;
            return 0;
        }
    const void *image = (const void *)(uintptr_t)mods[0].mod_start;
    size_t size = mods[0].mod_end - mods[0].mod_start;
    if (!vm_is_multiboot(image, size)) {
        printk("onevm: module 1 is not a multiboot kernel (onevm runs one)\n");
        images_refused++;
        return 0;
    }
    if (nmods - 1 > MB_MAX_MODULES) {
        printk("onevm: %u modules for the kernel: the loader takes at most %u\n",
               (unsigned)nmods - 1, MB_MAX_MODULES);
        images_refused++;
        return 0;
    }
    for (uint32_t i = 1; i < nmods; i++) {
        list[i - 1].data = (const void *)(uintptr_t)mods[i].mod_start;
        list[i - 1].size = mods[i].mod_end - mods[i].mod_start;
        list[i - 1].string = mods[i].cmdline ? (const char *)(uintptr_t)mods[i].cmdline : "";
    }
    const char *whole = mods[0].cmdline ? (const char *)(uintptr_t)mods[0].cmdline : "";
    mb_set_onevm(whole, list, nmods - 1);       /* fits: checked above */
    if (domain_build(image, size, guest_cmdline(mods[0].cmdline)) == 0)
        return 1;
    images_refused++;
    return 0;
}

void hv_main(uint32_t magic, const multiboot_info_t *mbi)
{
    console_init();
    printk("pv86 hypervisor: Xen x86_32 PAE PV ABI subset\n");
    PROF_INIT();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a multiboot loader (magic %#x)", magic);
    mm_init(mbi);
    traps_init();
    time_init();
    watchdog_init();
    boot_switcher_checksum = mm_switcher_checksum();
    if (hv_option(mbi, "test-panic")) {
        /* Test hook: a fault in the hypervisor itself must end in a panic
         * with file:line and a register dump. Nothing is mapped here. */
        printk("test-panic: reading %#x from the hypervisor\n", 0xF0000000u);
        (void)*(volatile uint32_t *)0xF0000000u;
    }
    if (hv_option(mbi, "test-hv-debug"))
        debugreg_selftest();            /* #DBs of the hypervisor's own: survived */
    if (hv_option(mbi, "test-triple-fault")) {
        /* Test hook: a machine death with no word from us (the CPU resets;
         * QEMU with -no-reboot stops) must not look like a clean end:
         * tools/run-qemu says 11. An empty IDT, then an exception. */
        static const struct __attribute__((packed)) { uint16_t limit; uint32_t base; }
            no_idt = { 0, 0 };
        printk("test-triple-fault: an empty IDT, then int3\n");
        __asm__ __volatile__("lidt %0\n\tint3" : : "m"(no_idt) : "memory");
    }

    size_t len;
    const char *mode = hv_value(mbi, "vmmode", &len);
    if (mode && vm_mode_select(mode, len)) {
        printk("vmmode=%.*s: the modes for multiboot kernels are te, hw and bt\n", (int)len, mode);
        machine_exit(EXIT_CODE_REFUSED);
    }

    unsigned built = 0;
    uint32_t nmods = (mbi->flags & MULTIBOOT_INFO_MODS) ? mbi->mods_count : 0;
    if (nmods == 0)
        printk("no guest given: pass a PV guest ELF as a multiboot module (-initrd)\n");
    const multiboot_module_t *mods = (const void *)(uintptr_t)mbi->mods_addr;
    if (hv_option(mbi, "onevm") && nmods > 0)
        built = build_one_vm(mods, nmods);
    /* The xenstore domain (role=xenstore on a module's command line) is
     * built after all others, so that it takes the last domain id and the
     * others keep theirs; then each PV domain is connected to it
     * (core/xsdom.h). "noxenstore" on our command line leaves it out. */
    int xs_mod = -1;
    for (uint32_t i = 0; i < nmods && !machine_onevm; i++) {
        size_t vl;
        const char *role = cmdline_value(guest_cmdline(mods[i].cmdline), "role", &vl);
        if (role && vl == 8 && strncmp(role, "xenstore", 8) == 0 && xs_mod < 0) {
            xs_mod = (int)i;
            if (hv_option(mbi, "noxenstore"))
                printk("noxenstore: module %u (role=xenstore) not started\n", (unsigned)i);
        }
    }
    for (uint32_t i = 0; i < nmods && !machine_onevm; i++) {
        if ((int)i == xs_mod)
            continue;
        if (mods[i].mod_end < mods[i].mod_start) {
            printk("module %u: bad bounds, skipped\n", (unsigned)i);
            images_refused++;
            continue;
        }
        if (domain_build((const void *)(uintptr_t)mods[i].mod_start,
                         mods[i].mod_end - mods[i].mod_start,
                         guest_cmdline(mods[i].cmdline)) == 0)
            built++;
        else
            images_refused++;
    }
    if (xs_mod >= 0 && built > 0 && !hv_option(mbi, "noxenstore")) {
        const multiboot_module_t *m = &mods[xs_mod];
        if (m->mod_end >= m->mod_start &&
            domain_build((const void *)(uintptr_t)m->mod_start, m->mod_end - m->mod_start,
                         guest_cmdline(m->cmdline)) == 0) {
            built++;
            xsdom_start(domain_by_id(domain_built_id));
        } else {
            images_refused++;
        }
    }
    if (built == 0) {
        printk("no domain to run: exit status %u\n", 2 * EXIT_CODE_REFUSED + 1);
        machine_exit(EXIT_CODE_REFUSED);
    }
    mm_release_modules(mbi);
    schedule();
}
