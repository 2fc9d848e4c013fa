/*
 * load: the te mode's multiboot loader. The hypervisor plays the multiboot
 * loader: the ELF's segments go to their physical addresses in the guest's
 * memory, a multiboot information block (memory size, command line) to
 * 0x8000, and the kernel starts in protected mode without paging,
 * EAX = 0x2BADB002, EBX = that block, CS and DS flat (selectors 0x08 and
 * 0x10 of the boot GDT, RPL 1), the virtual IF clear.
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

#define MB(x)          ((uint32_t)(x) << 20)
#define MBI_GPA        0x8000u
#define MBI_CMDLINE    0x8100u
#define BOOT_CS        0x08
#define BOOT_DS        0x10

int te_is_multiboot(const void *image, size_t size)
{
    return multiboot_header_flags(image, size) >= 0;
}

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
    const char *why;
    struct te_state *t = &d->te;
    uint32_t nr_pages = MB(mb) >> PAGE_SHIFT;

    if (elf_multiboot_parse(image, size, &info, &why)) {
        printk("d%u: cannot load the multiboot kernel: %s\n", d->id, why);
        return -XEN_EINVAL;
    }
    if (info.kend > MB(mb) || info.kstart < MB(1)) {
        printk("d%u: the kernel's segments (%#x-%#x) must lie between 1 MiB and the "
               "domain's %u MiB\n", d->id, info.kstart, info.kend, mb);
        return -XEN_ENOMEM;
    }
    /* p2m frames, shared_info, 4 shadow L2s, the L1 pool, the shadow GDT
     * and the switcher L1 with its entry-stack frame (mm_new_switcher_l1). */
    unsigned extra = TE_MAX_P2M_FRAMES + 1 + 4 + TE_SL1_POOL + 3;
    if (frame_allocator.nfree < nr_pages + extra) {
        printk("d%u: not enough free memory for %u MiB\n", d->id, mb);
        return -XEN_ENOMEM;
    }
    size_t len = strlen(cmdline);      /* domain_build checked it fits a page */
    uint32_t cpuid7[4];
    cpuid_count(0, 0, cpuid7);
    if (cpuid7[0] >= 7) {
        cpuid_count(7, 0, cpuid7);
        te_umip_available = (cpuid7[2] >> 2) & 1;
    }

    d->is_te = 1;
    d->nr_pages = t->nr_pages = nr_pages;
    for (uint32_t i = 0; i < (nr_pages + 1023) / 1024; i++)
        alloc(d, &t->p2m_frames[i]);
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        uint32_t mfn;
        alloc(d, &mfn);
        ((uint32_t *)mfn_to_virt(t->p2m_frames[pfn / 1024]))[pfn % 1024] = mfn;
    }
    for (unsigned i = 0; i < info.nsegs; i++) {
        const struct elf_xen_seg *s = &info.segs[i];
        for (uint32_t off = 0; off < s->filesz;) {
            uint32_t pa = s->vaddr + off, chunk = PAGE_SIZE - (pa & 0xFFF);
            if (chunk > s->filesz - off)
                chunk = s->filesz - off;
            memcpy(te_gpa_ptr(t, pa), (const uint8_t *)image + s->offset + off, chunk);
            off += chunk;
        }
    }

    /* The multiboot information block and the command line (the loader's
     * convention: the kernel's file name first). */
    multiboot_info_t *mbi = te_gpa_ptr(t, MBI_GPA);
    char *cl = te_gpa_ptr(t, MBI_CMDLINE);
    memcpy(cl, "kernel ", 7);
    memcpy(cl + 7, cmdline, len + 1);
    mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE;
    mbi->mem_lower = 640;
    mbi->mem_upper = mb * 1024 - 1024;
    mbi->cmdline = MBI_CMDLINE;

    /* What the generic code needs of every domain. */
    alloc(d, &d->shared_info_mfn);
    if (mm_new_switcher_l1(&d->switcher_l1_mfn))
        panic("out of memory building d%u", d->id);
    frame_table[d->shared_info_mfn].flags |= PGF_XENHEAP;
    d->shared_info = mfn_to_virt(d->shared_info_mfn);
    d->shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    d->vcpu.vcpu_info = &d->shared_info->vcpu_info[0];
    evtchn_init(&d->evtchn, d->id, d->shared_info);

    /* Shadow GDT (the boot GDT a multiboot loader leaves: flat code and
     * data), shadow L2s with the hypervisor's slots, the L1 pool. */
    alloc(d, &t->shadow_gdt_mfn);
    uint64_t *gdt = mfn_to_virt(t->shadow_gdt_mfn);
    gdt[BOOT_CS >> 3] = te_desc_shadow(0x00CF9A000000FFFFull);
    gdt[BOOT_DS >> 3] = te_desc_shadow(0x00CF92000000FFFFull);
    uint64_t *sw_l1 = mfn_to_virt(d->switcher_l1_mfn);
    sw_l1[l1_index(SW_GDT_VA)] = ((uint64_t)t->shadow_gdt_mfn << PAGE_SHIFT) |
                                 _PAGE_PRESENT | _PAGE_ACCESSED;
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
    r->eip = info.entry;
    r->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    r->ebx = MBI_GPA;
    r->esp = MBI_GPA;
    r->eflags = 0x2;
    r->cs = BOOT_CS | 1;
    r->ds = r->es = r->fs = r->gs = r->ss = BOOT_DS | 1;

    sched_add(d);
    printk("d%u%s%s%s: multiboot kernel under trap-and-emulate (te), %u MiB, entry %#x; "
           "CR4.UMIP %s\n", d->id, d->name[0] ? " (" : "", d->name, d->name[0] ? ")" : "",
           mb, info.entry, te_umip_available ? "on: SGDT, SIDT, SLDT, SMSW and STR trap"
                                          : "not available");
    return 0;
}
