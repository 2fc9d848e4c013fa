/*
 * vcpu: the virtual CPU's build (see vcpu.h).
 */
#include <multiboot/multiboot.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/panic.h"
#include "mm/mm.h"
#include "vm/vcpu.h"
#include "vm/vgdt.h"
#include "vm/walk.h"

static void console_put(void *ctx, char c)
{
    const struct domain *d = ctx;
    console_guest_write(d->id, &c, 1);
}

/* A frame for d; its builder counted them before taking any. */
static void alloc(struct domain *d, uint32_t *mfn)
{
    if (mm_alloc_frame(d->id, mfn))
        panic("frame allocator ran dry after its count said otherwise");
}

void vx_build(struct domain *d, struct vx_cpu *x, uint32_t nr_pages)
{
    /* Shadow GDT: 16 pages, all mapped (the CPU's limit is 0xFFFF while a
     * domain runs: te_switch_in), with the hypervisor's entries in page
     * 14 and the boot GDT a multiboot loader leaves (flat code and data).
     * Never a page a guest can write: the guest's own GDT is read at each
     * entry's first use (vx_gdt_entry). */
    uint64_t *sw_l1 = mfn_to_virt(d->switcher_l1_mfn);
    for (unsigned i = 0; i < VX_GDT_PAGES; i++) {
        alloc(d, &x->gdt_mfn[i]);
        sw_l1[l1_index(SW_GDT_VA) + i] = ((uint64_t)x->gdt_mfn[i] << PAGE_SHIFT) |
                                         _PAGE_PRESENT | _PAGE_ACCESSED;
    }
    vx_gdt_hv_entries(x);
    uint64_t *gdt = mfn_to_virt(x->gdt_mfn[0]);
    gdt[VX_BOOT_CS >> 3] = vx_desc_shadow(0x00CF9A000000FFFFull);
    gdt[VX_BOOT_DS >> 3] = vx_desc_shadow(0x00CF92000000FFFFull);
    x->gdt_filled[0] = (1u << (VX_BOOT_CS >> 3)) | (1u << (VX_BOOT_DS >> 3));
    x->gdt_pages_used = 1;
    for (unsigned i = 0; i < 4; i++) {
        alloc(d, &x->sl2_mfn[i]);
        d->vcpu.pdpt[i] = ((uint64_t)x->sl2_mfn[i] << PAGE_SHIFT) | _PAGE_PRESENT;
    }
    mm_fill_hypervisor_slots(mfn_to_virt(x->sl2_mfn[3]), d->switcher_l1_mfn);
    for (unsigned i = 0; i < VX_SL1_POOL; i++) {
        alloc(d, &x->sl1_mfn[i]);
        x->sl1_lo[i] = 0;                       /* unknown contents: cleared whole */
        x->sl1_hi[i] = 511;
    }
    for (unsigned i = 0; i * VX_PROT_BITS_PER_FRAME < nr_pages; i++) {
        alloc(d, &x->prot_mfn[i]);
        memset(mfn_to_virt(x->prot_mfn[i]), 0, PAGE_SIZE);
        alloc(d, &x->track_mfn[i]);
        memset(mfn_to_virt(x->track_mfn[i]), 0, PAGE_SIZE);
    }

    vplatform_reset(&x->plat, console_put, d, (uint64_t)nr_pages << PAGE_SHIFT);
    x->cr0 = CR0_PE | CR0_ET;
    x->dr[6] = VX_DR6_INIT;
    x->dr[7] = VX_DR7_INIT;
    /* MAXPHYADDR as the guest's CPUID (not intercepted) reports it; 36
     * without leaf 0x80000008 (SDM Vol. 3, 4.1.4). */
    uint32_t ext[4];
    cpuid_count(0x80000000u, 0, ext);
    x->maxphy = 36;
    if (ext[0] >= 0x80000008u) {
        cpuid_count(0x80000008u, 0, ext);
        x->maxphy = ext[0] & 0xFF;
    }
    x->vif_off_by = "the loader";
    d->vcpu.vx = x;
}

void vx_boot_regs(struct cpu_frame *r, uint32_t entry, uint32_t mbi)
{
    r->eip = entry;
    r->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    r->ebx = mbi;
    r->esp = mbi;
    r->eflags = 0x2;
    r->cs = VX_BOOT_CS | 1;
    r->ds = r->es = r->fs = r->gs = r->ss = VX_BOOT_DS | 1;
}
