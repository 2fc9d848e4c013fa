/*
 * vgdt: the shadow GDT (see vgdt.h).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "bt/layout.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "vm/deliver.h"
#include "vm/pcrules.h"
#include "vm/vcpu.h"
#include "vm/vgdt.h"
#include "vm/vmem.h"

/* ---- the shadow GDT ----
 * The CPU reads a GDT entry at every segment load; the hypervisor shows the shadow
 * of the guest's, filled lazily: all entries are null after lgdt, and an
 * entry is read from the guest's GDT (through its page tables, as the CPU
 * reads it) at its first use: when a fault names it (vx_gdt_fault_fill,
 * and the instruction runs again) or when the hypervisor reads it. So a guest
 * writing an entry after lgdt and before it uses it is seen, as on the
 * CPU; a write to an entry already used is seen after the next lgdt only
 * (nothing traces writes to the guest's GDT). lgdt costs only the
 * pages that had entries filled. */

/* 1 if entry index is one the hypervisor keeps in this domain's shadow:
 * its own (vx_gdt_reserved) and, for a bt domain, the translated code's
 * (bt/layout.h). */
static int gdt_kept(const struct vx_cpu *x, unsigned index)
{
    return vx_gdt_reserved(index) || (x->bt && (index == BT_CS_SEL >> 3 || index == BT_GS_SEL >> 3));
}

static uint64_t *gdt_slot(const struct vx_cpu *x, unsigned index)
{
    return (uint64_t *)mfn_to_virt(x->gdt_mfn[index / 512]) + index % 512;
}

static int gdt_is_filled(const struct vx_cpu *x, unsigned index)
{
    return (x->gdt_filled[index / 32] >> (index % 32)) & 1;
}

/* Entry index (not reserved, within the guest's limit) from the guest's
 * GDT into the shadow: 1, or 0 (nothing filled) after injecting the #PF
 * of the accessed bit's write when fault is set.
 *
 * The accessed bit: the CPU sets it in the guest's descriptor (byte 5,
 * SDM Vol. 3, 3.4.5.1) when it loads a present code or data descriptor
 * with A clear. The shadow's A is always set (the shadow GDT is read-only
 * where the CPU runs), so the CPU never writes it; the fill, which comes
 * at the entry's first load (the fault that names it, or a load the
 * hypervisor makes for the guest: iret, far return, a gate's CS, mov ss),
 * writes it into the guest's own descriptor instead, through the guest's
 * tables as the CPU's supervisor write. Where they refuse that write
 * (a read-only GDT page under CR0.WP) the CPU's load would #PF: so does
 * the load that faulted here (fault set); the hypervisor's own loads
 * leave A clear. Limits: a guest that clears A again in an entry already
 * filled sees it set again only after its next lgdt. */
static int gdt_fill_as(struct vcpu *v, unsigned index, int fault, uint64_t *out)
{
    struct vx_cpu *x = vx_of(v);
    uint64_t desc;
    uint32_t at = x->gdt_base + index * 8;
    if (vx_copy_linear(v, at, &desc, 8, 0))
        vx_crash(v, "GDT entry %#x (at %#x) is not mapped", index * 8, at);
    if (vx_desc_sets_accessed(desc)) {
        uint8_t access = (uint8_t)((desc | VX_DESC_A) >> 40);
        uint32_t fva, ferr;
        if (vx_copy_linear_as(v, at + 5, &access, 1, 1, 0, &fva, &ferr) == 0)
            desc |= VX_DESC_A;
        else if (fault) {
            x->cr2 = fva;
            vx_inject(v, TRAP_PF, 1, ferr);
            return 0;
        }
    }
    uint64_t shadow = vx_desc_shadow(desc);
    *gdt_slot(x, index) = shadow;
    x->gdt_filled[index / 32] |= 1u << (index % 32);
    x->gdt_pages_used |= (uint16_t)(1u << (index / 512));
    x->gdt_fills++;
    *out = shadow;
    return 1;
}

static uint64_t gdt_fill(struct vcpu *v, unsigned index)
{
    uint64_t shadow = 0;
    gdt_fill_as(v, index, 0, &shadow);
    return shadow;
}

/* The hypervisor's entries in a ring-1 guest's shadow GDT page 14 (vx_gdt_reserved),
 * from the hypervisor's GDT page: its code, data and TSS; its LDT entry
 * stays null (such a domain has no LDT: ldt_load(0)). */
void vx_gdt_hv_entries(struct vx_cpu *x)
{
    const uint64_t *hv = mfn_to_virt(mm_hv_gdt_mfn());
    for (unsigned i = FIRST_RESERVED_GDT_ENTRY; i < FIRST_RESERVED_GDT_ENTRY + 512; i++)
        if (vx_gdt_reserved(i))
            *gdt_slot(x, i) = i == HV_LDT_SEL >> 3 ? 0 : hv[i - FIRST_RESERVED_GDT_ENTRY];
}

uint64_t vx_gdt_entry(struct vcpu *v, unsigned index)
{
    struct vx_cpu *x = vx_of(v);
    if (index < VX_GDT_ENTRIES && gdt_is_filled(x, index))
        return *gdt_slot(x, index);             /* (the boot GDT's have no guest copy) */
    if (index == 0 || !vx_gdt_within(index, x->gdt_limit))
        return 0;
    if (gdt_kept(x, index)) {
        /* The CPU sees the hypervisor's entry: right only if the guest's
         * own is null too. */
        uint64_t desc;
        if (vx_copy_linear(v, x->gdt_base + index * 8, &desc, 8, 0) == 0 && desc == 0)
            return 0;
        if (!vx_gdt_reserved(index))
            vx_crash(v, "GDT entry %#x is the translated code's (bt keeps %#x and %#x): a "
                     "guest descriptor there is not supported", index * 8, BT_CS_SEL & ~3u,
                     BT_GS_SEL & ~3u);
        vx_crash(v, "GDT entry %#x is the hypervisor's (it keeps %#x, %#x, "
                     "%#x and %#x): a guest descriptor there is not supported", index * 8,
                     HV_CS, HV_DS, HV_TSS_SEL, HV_LDT_SEL);
    }
    return gdt_fill(v, index);
}

int vx_gdt_fault_fill(struct vcpu *v)
{
    struct vx_cpu *x = vx_of(v);
    unsigned index = vx_gdt_fault_index(v->regs.vector, v->regs.error, x->gdt_limit);
    if (!index || gdt_is_filled(x, index) || gdt_kept(x, index))
        return 0;
    uint64_t shadow;
    gdt_fill_as(v, index, 1, &shadow);
    return 1;                                   /* filled, or the #PF injected */
}

void vx_gdt_load(struct vcpu *v, uint32_t base, uint16_t limit)
{
    struct vx_cpu *x = vx_of(v);
    for (unsigned p = 0; p < VX_GDT_PAGES; p++) {
        if (!(x->gdt_pages_used & (1u << p)))
            continue;
        if (p == FIRST_RESERVED_GDT_ENTRY / 512) {
            /* Never cleared, not even for a moment: an NMI (the watchdog's)
             * taken now goes through the hypervisor's CS in this page. */
            for (unsigned i = p * 512; i < (p + 1) * 512; i++)
                if (!gdt_kept(x, i))
                    *gdt_slot(x, i) = 0;
        } else {
            memset(mfn_to_virt(x->gdt_mfn[p]), 0, PAGE_SIZE);
        }
        memset(&x->gdt_filled[p * 512 / 32], 0, 512 / 8);
    }
    x->gdt_pages_used = 0;
    x->gdt_base = base;
    x->gdt_limit = limit;
}

void vx_gdt_fill_current(struct vcpu *v)
{
    const struct vx_cpu *x = vx_of(v);
    const struct cpu_frame *r = &v->regs;
    const uint32_t sel[6] = { r->cs, r->ss, r->ds, r->es, r->fs, r->gs };
    for (unsigned i = 0; i < 6; i++) {
        unsigned index = (sel[i] & 0xFFFF) >> 3;
        if (!(sel[i] & 4) && index && !gdt_is_filled(x, index))
            (void)vx_gdt_entry(v, index);
    }
}
