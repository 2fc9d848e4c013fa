/*
 * load: a te domain from a multiboot kernel. vm/mbload.c loads the kernel
 * and its information block, vm/vcpu.c the virtual CPU (the shadows,
 * the virtual PC); here te's state around it, and the kernel started in protected mode without paging, EAX =
 * 0x2BADB002, EBX = the block, CS and DS flat (selectors 0x08 and 0x10 of
 * the boot GDT, RPL 1), the virtual IF clear.
 */
#include <multiboot/multiboot.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/elf_xen.h"
#include "core/panic.h"
#include "mm/mm.h"
#include "te/priv.h"
#include "vm/build.h"

static struct te_state te_states[MAX_DOMAINS];

int te_domain_build(struct domain *d, const void *image, size_t size, const char *cmdline,
                    unsigned mb)
{
    struct elf_xen_info info;
    struct te_state *t = &te_states[d->id - 1];
    uint32_t nr_pages = mb << (20 - PAGE_SHIFT);

    int rc = mb_check(d->id, image, size, mb, &info);
    if (rc)
        return rc;
    /* The RAM and its map, shared_info, the virtual CPU's (vx_build: 4
     * shadow L2s, the L1 pool, the shadow GDT, the write-protection
     * bitmap) and the switcher L1 with its entry-stack frame
     * (mm_new_switcher_l1). */
    unsigned extra = 1 + vx_frames_needed(nr_pages) + 2;
    if (frame_allocator.nfree < gpmem_frames_needed(nr_pages) + extra) {
        printk("d%u: not enough free memory for %u MiB\n", d->id, mb);
        return -XEN_ENOMEM;
    }
    uint32_t cpuid7[4];
    cpuid_count(0, 0, cpuid7);
    if (cpuid7[0] >= 7) {
        cpuid_count(7, 0, cpuid7);
        te_umip_available = (cpuid7[2] >> 2) & 1;
    }

    memset(t, 0, sizeof(*t));
    struct mb_boot boot;
    vm_build_common(d, &te_mode_ops, t, &t->vx.mem, nr_pages, image, &info, cmdline, &boot);

    vx_build(d, &t->vx, nr_pages);

    vx_boot_regs(&d->vcpu.regs, boot.entry, boot.mbi_gpa);

    sched_add(d);
    printk("d%u%s%s%s: multiboot kernel under trap-and-emulate (te), %u MiB, entry %#x; "
           "CR4.UMIP %s\n", d->id, d->name[0] ? " (" : "", d->name, d->name[0] ? ")" : "",
           mb, boot.entry, te_umip_available ? "on: SGDT, SIDT, SLDT, SMSW and STR trap"
                                          : "not available");
    return 0;
}
