/*
 * vmem: the te guest's memory as its CPU sees it (through its own page
 * tables), and the delivery of exceptions and interrupts through the
 * guest's IDT as a CPU would deliver them in ring 0.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "bt/layout.h"
#include "mm/mm.h"
#include "te/priv.h"

static uint64_t *entry_at(void *ctx, uint64_t gpa)
{
    const struct te_state *t = ctx;
    return (gpa & 7) ? NULL : gpmem_ptr(&t->mem, gpa);
}

/* Translate va for an access (TE_ACC_*): TE_WALK_OK with w filled (with
 * paging off: the same address, every right), or TE_WALK_FAULT with the
 * guest's #PF error code in w->error. A guest table or page outside its
 * memory crashes the domain. */
int te_translate(struct vcpu *v, uint32_t va, unsigned access, struct te_walk *w)
{
    struct te_state *t = te_of(v);
    *w = (struct te_walk){ .gpa = va, .writable = 1, .user = 1, .dirty = 1 };
    if (te_paging_on(t)) {
        int rc = te_walk_pae(entry_at, t, t->pdpte, (t->cr0 & CR0_WP) != 0, t->maxphy, va,
                             access, w);
        if (rc == TE_WALK_BAD_TABLE)
            domain_crash(v->domain, "te: a page table for %#x is outside the guest's %u MiB",
                         va, t->mem.nr_pages >> 8);
        if (rc == TE_WALK_FAULT)
            return TE_WALK_FAULT;
    }
    if (w->gpa >= (uint64_t)t->mem.nr_pages << PAGE_SHIFT)
        domain_crash(v->domain, "te: %#x is guest-physical %#llx, beyond the guest's %u MiB",
                     va, (unsigned long long)w->gpa, t->mem.nr_pages >> 8);
    return TE_WALK_OK;
}

/* ---- delivering exceptions and interrupts through the guest's IDT ---- */

/* Copy to/from guest linear memory with the rights of ring 3 (user) or of
 * the guest kernel. 0, or -1 at the first page the guest's tables refuse:
 * its address and #PF error code in *fault_va and *fault_error. */
int te_copy_linear_as(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                          int user, uint32_t *fault_va, uint32_t *fault_error)
{
    struct te_state *t = te_of(v);
    uint8_t *p = buf;
    while (len) {
        uint32_t chunk = PAGE_SIZE - (va & 0xFFF);
        if (chunk > len)
            chunk = len;
        struct te_walk w;
        unsigned acc = (write ? TE_ACC_WRITE : 0) | (user ? TE_ACC_USER : 0);
        if (te_translate(v, va, acc, &w) != TE_WALK_OK) {
            *fault_va = va;
            *fault_error = w.error;
            return -1;
        }
        uint8_t *g = gpmem_ptr(&t->mem, w.gpa);
        if (write)
            memcpy(g, p, chunk);
        else
            memcpy(p, g, chunk);
        p += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

/* For an emulated instruction: 0, or 1 after injecting the guest's #PF. */
int te_access_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                         int user)
{
    uint32_t fva, err;
    if (te_copy_linear_as(v, va, buf, len, write, user, &fva, &err) == 0)
        return 0;
    te_of(v)->cr2 = fva;
    te_inject(v, TRAP_PF, 1, err);
    return 1;
}

/* As the guest kernel, injecting nothing: 0 or -1. */
int te_copy_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write)
{
    uint32_t fva, err;
    return te_copy_linear_as(v, va, buf, len, write, 0, &fva, &err);
}

/* ---- the shadow GDT ----
 * The CPU reads a GDT entry at every segment load; te shows it the shadow
 * of the guest's, filled lazily: all entries are null after lgdt, and an
 * entry is read from the guest's GDT (through its page tables, as the CPU
 * reads it) at its first use: when a fault names it (te_gdt_fault_fill,
 * and the instruction runs again) or when te itself reads it. So a guest
 * writing an entry after lgdt and before it uses it is seen, as on the
 * CPU; a write to an entry already used is seen after the next lgdt only
 * (te does not trace writes to the guest's GDT). lgdt costs only the
 * pages that had entries filled. */

/* 1 if entry index is one the hypervisor keeps in this domain's shadow:
 * its own (te_gdt_reserved) and, for a bt domain, the translated code's
 * (bt/layout.h). */
static int gdt_kept(const struct te_state *t, unsigned index)
{
    return te_gdt_reserved(index) || (t->bt && (index == BT_CS_SEL >> 3 || index == BT_GS_SEL >> 3));
}

static uint64_t *gdt_slot(const struct te_state *t, unsigned index)
{
    return (uint64_t *)mfn_to_virt(t->gdt_mfn[index / 512]) + index % 512;
}

static int gdt_is_filled(const struct te_state *t, unsigned index)
{
    return (t->gdt_filled[index / 32] >> (index % 32)) & 1;
}

/* Entry index (not reserved, within the guest's limit) from the guest's
 * GDT into the shadow. */
static uint64_t gdt_fill(struct vcpu *v, unsigned index)
{
    struct te_state *t = te_of(v);
    uint64_t desc;
    uint32_t at = t->gdt_base + index * 8;
    if (te_copy_linear(v, at, &desc, 8, 0))
        domain_crash(v->domain, "te: GDT entry %#x (at %#x) is not mapped", index * 8, at);
    uint64_t shadow = te_desc_shadow(desc);
    *gdt_slot(t, index) = shadow;
    t->gdt_filled[index / 32] |= 1u << (index % 32);
    t->gdt_pages_used |= (uint16_t)(1u << (index / 512));
    t->gdt_fills++;
    return shadow;
}

/* The hypervisor's entries in a te domain's GDT page 14 (te_gdt_reserved),
 * from the hypervisor's GDT page: its code, data and TSS; its LDT entry
 * stays null (a te domain has no LDT: ldt_load(0)). */
void te_gdt_hv_entries(struct te_state *t)
{
    const uint64_t *hv = mfn_to_virt(mm_hv_gdt_mfn());
    for (unsigned i = FIRST_RESERVED_GDT_ENTRY; i < FIRST_RESERVED_GDT_ENTRY + 512; i++)
        if (te_gdt_reserved(i))
            *gdt_slot(t, i) = i == HV_LDT_SEL >> 3 ? 0 : hv[i - FIRST_RESERVED_GDT_ENTRY];
}

uint64_t te_gdt_entry(struct vcpu *v, unsigned index)
{
    struct te_state *t = te_of(v);
    if (index < TE_GDT_ENTRIES && gdt_is_filled(t, index))
        return *gdt_slot(t, index);             /* (the boot GDT's have no guest copy) */
    if (index == 0 || !te_gdt_within(index, t->gdt_limit))
        return 0;
    if (gdt_kept(t, index)) {
        /* The CPU sees the hypervisor's entry: right only if the guest's
         * own is null too. */
        uint64_t desc;
        if (te_copy_linear(v, t->gdt_base + index * 8, &desc, 8, 0) == 0 && desc == 0)
            return 0;
        if (!te_gdt_reserved(index))
            domain_crash(v->domain, "bt: GDT entry %#x is the translated code's (bt keeps "
                         "%#x and %#x): a guest descriptor there is not supported", index * 8,
                         BT_CS_SEL & ~3u, BT_GS_SEL & ~3u);
        domain_crash(v->domain, "te: GDT entry %#x is the hypervisor's (it keeps %#x, %#x, "
                     "%#x and %#x): a guest descriptor there is not supported", index * 8,
                     HV_CS, HV_DS, HV_TSS_SEL, HV_LDT_SEL);
    }
    return gdt_fill(v, index);
}

int te_gdt_fault_fill(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    unsigned index = te_gdt_fault_index(v->regs.vector, v->regs.error, t->gdt_limit);
    if (!index || gdt_is_filled(t, index) || gdt_kept(t, index))
        return 0;
    gdt_fill(v, index);
    return 1;
}

void te_gdt_load(struct vcpu *v, uint32_t base, uint16_t limit)
{
    struct te_state *t = te_of(v);
    for (unsigned p = 0; p < TE_GDT_PAGES; p++) {
        if (!(t->gdt_pages_used & (1u << p)))
            continue;
        if (p == FIRST_RESERVED_GDT_ENTRY / 512) {
            /* Never cleared, not even for a moment: an NMI (the watchdog's)
             * taken now goes through the hypervisor's CS in this page. */
            for (unsigned i = p * 512; i < (p + 1) * 512; i++)
                if (!gdt_kept(t, i))
                    *gdt_slot(t, i) = 0;
        } else {
            memset(mfn_to_virt(t->gdt_mfn[p]), 0, PAGE_SIZE);
        }
        memset(&t->gdt_filled[p * 512 / 32], 0, 512 / 8);
    }
    t->gdt_pages_used = 0;
    t->gdt_base = base;
    t->gdt_limit = limit;
}

void te_gdt_fill_current(struct vcpu *v)
{
    const struct te_state *t = te_of(v);
    const struct cpu_frame *r = &v->regs;
    const uint32_t sel[6] = { r->cs, r->ss, r->ds, r->es, r->fs, r->gs };
    for (unsigned i = 0; i < 6; i++) {
        unsigned index = (sel[i] & 0xFFFF) >> 3;
        if (!(sel[i] & 4) && index && !gdt_is_filled(t, index))
            (void)te_gdt_entry(v, index);
    }
}

/* Deliver vector vec through the guest's IDT as the CPU would in ring 0. */
void te_shadow_start(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    if (!t->shadow) {
        t->shadow_tf = (v->regs.eflags & EFLAGS_TF) != 0;
        t->shadow = 1;
        t->shadow_ms = 0;
    }
    v->regs.eflags |= EFLAGS_TF;
}

void te_shadow_end(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    if (!t->shadow)
        return;
    v->regs.eflags = (v->regs.eflags & ~EFLAGS_TF) | (t->shadow_tf ? EFLAGS_TF : 0);
    t->shadow = 0;
}

void te_deliver(struct vcpu *v, unsigned vec, int has_error, uint32_t error)
{
    struct domain *d = v->domain;
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t gate[2];

    te_shadow_end(v);                           /* the frame holds the guest's own TF */
    if ((uint32_t)vec * 8 + 7 > t->idt_limit)
        domain_crash(d, "te: vector %u is beyond the guest's IDT (limit %#x): the CPU "
                     "would shut down", vec, t->idt_limit);
    if (te_copy_linear(v, t->idt_base + vec * 8, gate, 8, 0))
        domain_crash(d, "te: the guest's IDT at %#x is not mapped", t->idt_base);
    unsigned type = (gate[1] >> 8) & 0x1F;
    if (!(gate[1] & 0x8000) || (type != 0x0E && type != 0x0F))
        domain_crash(d, "te: vector %u: gate %08x:%08x is not a present 32-bit interrupt "
                     "or trap gate (task gates are not supported)", vec, gate[1], gate[0]);
    uint16_t sel = (uint16_t)(gate[0] >> 16);
    uint32_t eip = (gate[0] & 0xFFFF) | (gate[1] & 0xFFFF0000u);
    uint64_t cd = te_gdt_entry(v, sel >> 3);
    if (!(sel & 4) && te_desc_is_ring1(cd))
        domain_crash(d, "te: vector %u: its handler's code segment %#x is a ring-1 segment: te "
                     "runs the guest's ring 0 in ring 1 and cannot give it a ring 1 of its own",
                     vec, sel);
    if ((sel & 4) || !(cd & (1ull << 47)) || !(cd & (1ull << 43)))
        domain_crash(d, "te: vector %u: gate selector %#x is not a present code segment",
                     vec, sel);
    unsigned target = (unsigned)((cd >> 45) & 3);  /* the CPU's ring: 1 for the guest kernel */
    if ((cd & (1ull << 42)) && target < (r->cs & 3))
        target = r->cs & 3;                         /* conforming: the same ring */
    if (target > (r->cs & 3))
        domain_crash(d, "te: vector %u: its handler's code segment (DPL %u in the shadow "
                     "GDT) cannot be entered from ring %u", vec, target, r->cs & 3);
    int switch_stack = target < (r->cs & 3);        /* to a more privileged ring */
    uint32_t ss = r->ss, sp = r->esp, words[7], n = 0;

    if (switch_stack) {
        /* To a more privileged ring: the stack from the guest's TSS, its
         * ESP0/SS0 for the guest's ring 0, ESP2/SS2 for ring 2. */
        uint32_t ss_esp[2], at = target == 1 ? 4 : 20;
        if (!t->tss_base && !t->tr)
            domain_crash(d, "te: interrupt from ring %u before the guest loaded a TSS",
                         r->cs & 3);
        if (te_copy_linear(v, t->tss_base + at, ss_esp, 8, 0))
            domain_crash(d, "te: the guest's TSS at %#x is not mapped", t->tss_base);
        sp = ss_esp[0];
        ss = (ss_esp[1] & 0xFFFC) | target;
    }
    uint32_t vflags = (r->eflags & ~(EFLAGS_IF | EFLAGS_IOPL)) | (t->vif ? EFLAGS_IF : 0) |
                      (t->viopl << 12);
    if (switch_stack) {
        words[n++] = r->ss;
        words[n++] = r->esp;
    }
    words[n++] = vflags;
    words[n++] = (r->cs & 3) == 1 ? (r->cs & ~3u) : r->cs;   /* ring 1 shows as ring 0 */
    words[n++] = r->eip;
    if (has_error)
        words[n++] = error;
    /* Pushed in order from the top: reverse into memory order. */
    uint32_t mem[7];
    for (uint32_t i = 0; i < n; i++)
        mem[i] = words[n - 1 - i];
    sp -= n * 4;
    if (te_copy_linear(v, sp, mem, n * 4, 1))
        domain_crash(d, "te: cannot push the frame for vector %u at %#x:%#x: the CPU "
                     "would shut down", vec, ss & 0xFFFF, sp + n * 4);
    if (type == 0x0E && t->vif) {
        t->vif = 0;
        t->vif_off_eip = r->eip;
        t->vif_off_by = "an interrupt gate";
    }
    t->injected++;
    t->halted = 0;
    r->ss = ss;
    r->esp = sp;
    r->cs = (sel & ~3u) | target;
    r->eip = eip;
    r->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
}

void te_inject(struct vcpu *v, unsigned vec, int has_error, uint32_t error)
{
    if (vec == TRAP_PF)
        te_of(v)->guest_faults++;
    te_deliver(v, vec, has_error, error);
}

/* `int n` at the current EIP, len bytes long: the gate's DPL decides. */
void te_soft_int(struct vcpu *v, unsigned n, uint32_t len)
{
    struct te_state *t = te_of(v);
    uint32_t gate[2];
    unsigned cpl = te_guest_cpl(v->regs.cs);
    if ((uint32_t)n * 8 + 7 <= t->idt_limit && te_copy_linear(v, t->idt_base + n * 8, gate, 8, 0) == 0 &&
        ((gate[1] >> 13) & 3) >= cpl) {
        v->regs.eip += len;
        te_deliver(v, n, 0, 0);
        return;
    }
    te_inject(v, TRAP_GP, 1, n * 8 + 2);
}
