/*
 * load: a te domain from a multiboot kernel. vm/mbload.c loads the kernel
 * and its information block; here the te mode's own state: the shadows,
 * and the kernel started in protected mode without paging, EAX =
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
#include "te/walk.h"
#include "vm/build.h"

#define BOOT_CS        0x08
#define BOOT_DS        0x10

static struct te_state te_states[MAX_DOMAINS];

static void console_put(void *ctx, char c)
{
    const struct domain *d = ctx;
    console_guest_write(d->id, &c, 1);
}

/* A frame for d; te_domain_build counted them before taking any. */
static void alloc(struct domain *d, uint32_t *mfn)
{
    if (mm_alloc_frame(d->id, mfn))
        panic("frame allocator ran dry after its count said otherwise");
}

int te_domain_build(struct domain *d, const void *image, size_t size, const char *cmdline,
                    unsigned mb)
{
    struct elf_xen_info info;
    struct te_state *t = &te_states[d->id - 1];
    uint32_t nr_pages = mb << (20 - PAGE_SHIFT);

    int rc = mb_check(d->id, image, size, mb, &info);
    if (rc)
        return rc;
    /* The RAM and its map, shared_info, 4 shadow L2s, the L1 pool, the
     * shadow GDT and the switcher L1 with its entry-stack frame
     * (mm_new_switcher_l1). */
    unsigned extra = 1 + 4 + TE_SL1_POOL + TE_GDT_PAGES + 2;
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
    vm_build_common(d, &te_mode_ops, t, &t->mem, nr_pages, image, &info, cmdline, &boot);

    /* Shadow GDT: 16 pages, all mapped (the CPU's limit is 0xFFFF while a
     * te domain runs: te_switch_in), with the hypervisor's entries in page
     * 14 and the boot GDT a multiboot loader leaves (flat code and data).
     * Never a page a guest can write: the guest's own GDT is read at each
     * entry's first use (te_gdt_entry). */
    uint64_t *sw_l1 = mfn_to_virt(d->switcher_l1_mfn);
    for (unsigned i = 0; i < TE_GDT_PAGES; i++) {
        alloc(d, &t->gdt_mfn[i]);
        sw_l1[l1_index(SW_GDT_VA) + i] = ((uint64_t)t->gdt_mfn[i] << PAGE_SHIFT) |
                                         _PAGE_PRESENT | _PAGE_ACCESSED;
    }
    te_gdt_hv_entries(t);
    uint64_t *gdt = mfn_to_virt(t->gdt_mfn[0]);
    gdt[BOOT_CS >> 3] = te_desc_shadow(0x00CF9A000000FFFFull);
    gdt[BOOT_DS >> 3] = te_desc_shadow(0x00CF92000000FFFFull);
    t->gdt_filled[0] = (1u << (BOOT_CS >> 3)) | (1u << (BOOT_DS >> 3));
    t->gdt_pages_used = 1;
    for (unsigned i = 0; i < 4; i++) {
        alloc(d, &t->sl2_mfn[i]);
        d->vcpu.pdpt[i] = ((uint64_t)t->sl2_mfn[i] << PAGE_SHIFT) | _PAGE_PRESENT;
    }
    mm_fill_hypervisor_slots(mfn_to_virt(t->sl2_mfn[3]), d->switcher_l1_mfn);
    for (unsigned i = 0; i < TE_SL1_POOL; i++)
        alloc(d, &t->sl1_mfn[i]);

    vplatform_reset(&t->plat, console_put, d, (uint64_t)nr_pages << PAGE_SHIFT);
    t->cr0 = CR0_PE | CR0_ET;
    t->dr[6] = TE_DR6_INIT;
    t->dr[7] = TE_DR7_INIT;
    /* MAXPHYADDR as the guest's CPUID (not intercepted) reports it; 36
     * without leaf 0x80000008 (SDM Vol. 3, 4.1.4). */
    uint32_t ext[4];
    cpuid_count(0x80000000u, 0, ext);
    t->maxphy = 36;
    if (ext[0] >= 0x80000008u) {
        cpuid_count(0x80000008u, 0, ext);
        t->maxphy = ext[0] & 0xFF;
    }
    t->vif_off_by = "the loader";

    struct cpu_frame *r = &d->vcpu.regs;
    r->eip = boot.entry;
    r->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    r->ebx = boot.mbi_gpa;
    r->esp = boot.mbi_gpa;
    r->eflags = 0x2;
    r->cs = BOOT_CS | 1;
    r->ds = r->es = r->fs = r->gs = r->ss = BOOT_DS | 1;

    sched_add(d);
    printk("d%u%s%s%s: multiboot kernel under trap-and-emulate (te), %u MiB, entry %#x; "
           "CR4.UMIP %s\n", d->id, d->name[0] ? " (" : "", d->name, d->name[0] ? ")" : "",
           mb, boot.entry, te_umip_available ? "on: SGDT, SIDT, SLDT, SMSW and STR trap"
                                          : "not available");
    return 0;
}
