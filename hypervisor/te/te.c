/*
 * te: trap-and-emulate of an unmodified multiboot kernel (see te.h).
 *
 * The loader. The hypervisor plays the multiboot loader: the ELF's
 * segments go to their physical addresses in the guest's memory, a
 * multiboot information block (memory size, command line) to 0x8000, and
 * the kernel starts in protected mode without paging, EAX = 0x2BADB002,
 * EBX = that block, CS and DS flat (selectors 0x08 and 0x10 of the boot
 * GDT, RPL 1), the virtual IF clear.
 *
 * Entry. Every exception and `int n` of the guest comes here (the CPU's
 * IDT is the hypervisor's). A #GP in ring 1 is a privileged instruction to
 * emulate; a #PF may be only a missing shadow entry; the rest goes to the
 * guest through its own IDT, with the frame a CPU would have pushed in
 * ring 0 (the CS in it has RPL 0, so the guest's iret traps and restores
 * its IF).
 */
#include "te/te.h"

#include <multiboot/multiboot.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/elf_xen.h"
#include "core/panic.h"
#include "mm/mm.h"
#include "lib/format.h"
#include "te/walk.h"

#define MB(x)          ((uint32_t)(x) << 20)
#define MBI_GPA        0x8000u
#define MBI_CMDLINE    0x8100u
#define BOOT_CS        0x08
#define BOOT_DS        0x10
#define CR0_ET         (1u << 4)
#define CR0_TS         (1u << 3)
#define CR4_UMIP       (1u << 11)
#define CR4_VME_PVI    0x3u
#define EFLAGS_ARITH   0x00240DD5u   /* CF PF AF ZF SF DF OF AC ID: a guest's own */
#define ROOT_DS_LIMIT  0xFFFFFFFFu

static int umip_available;

static struct te_state *te_of(struct vcpu *v) { return &v->domain->te; }
static int ring_of(const struct vcpu *v) { return (v->regs.cs & 3) == 3 ? 1 : 0; }

/* ---- guest memory ---- */

static uint32_t p2m(const struct te_state *t, uint32_t pfn)
{
    const uint32_t *page = mfn_to_virt(t->p2m_frames[pfn / 1024]);
    return page[pfn % 1024];
}

/* A guest-physical address -> hypervisor pointer, or NULL outside its RAM. */
static void *gpa_ptr(const struct te_state *t, uint64_t gpa)
{
    if (gpa >= (uint64_t)t->nr_pages << PAGE_SHIFT)
        return NULL;
    return (uint8_t *)mfn_to_virt(p2m(t, (uint32_t)(gpa >> PAGE_SHIFT))) + (gpa & 0xFFF);
}

static uint64_t *entry_at(void *ctx, uint64_t gpa)
{
    return (gpa & 7) ? NULL : gpa_ptr(ctx, gpa);
}

static int paging_on(const struct te_state *t) { return (t->cr0 & CR0_PG) != 0; }

/* Translate va for an access (TE_ACC_*): TE_WALK_OK with w filled (with
 * paging off: the same address, every right), or TE_WALK_FAULT with the
 * guest's #PF error code in w->error. A guest table or page outside its
 * memory crashes the domain. */
static int translate(struct vcpu *v, uint32_t va, unsigned access, struct te_walk *w)
{
    struct te_state *t = te_of(v);
    *w = (struct te_walk){ .gpa = va, .writable = 1, .user = 1, .dirty = 1 };
    if (paging_on(t)) {
        int rc = te_walk_pae(entry_at, t, t->pdpte, (t->cr0 & CR0_WP) != 0, va, access, w);
        if (rc == TE_WALK_BAD_TABLE)
            domain_crash(v->domain, "te: a page table for %#x is outside the guest's %u MiB",
                         va, t->nr_pages >> 8);
        if (rc == TE_WALK_FAULT)
            return TE_WALK_FAULT;
    }
    if (w->gpa >= (uint64_t)t->nr_pages << PAGE_SHIFT)
        domain_crash(v->domain, "te: %#x is guest-physical %#llx, beyond the guest's %u MiB",
                     va, (unsigned long long)w->gpa, t->nr_pages >> 8);
    return TE_WALK_OK;
}

/* ---- delivering exceptions and interrupts through the guest's IDT ---- */

static void inject(struct vcpu *v, unsigned vec, int has_error, uint32_t error);

/* Copy to/from guest linear memory with the rights of ring 3 (user) or of
 * the guest kernel. 0, or -1 at the first page the guest's tables refuse:
 * its address and #PF error code in *fault_va and *fault_error. */
static int copy_linear_as(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
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
        if (translate(v, va, acc, &w) != TE_WALK_OK) {
            *fault_va = va;
            *fault_error = w.error;
            return -1;
        }
        uint8_t *g = gpa_ptr(t, w.gpa);
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
static int access_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                         int user)
{
    uint32_t fva, err;
    if (copy_linear_as(v, va, buf, len, write, user, &fva, &err) == 0)
        return 0;
    te_of(v)->cr2 = fva;
    inject(v, TRAP_PF, 1, err);
    return 1;
}

/* As the guest kernel, injecting nothing: 0 or -1. */
static int copy_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write)
{
    uint32_t fva, err;
    return copy_linear_as(v, va, buf, len, write, 0, &fva, &err);
}

static uint64_t shadow_gdt_entry(const struct te_state *t, unsigned index)
{
    return index < 512 ? ((const uint64_t *)mfn_to_virt(t->shadow_gdt_mfn))[index] : 0;
}

/* Deliver vector vec through the guest's IDT as the CPU would in ring 0. */
static void deliver(struct vcpu *v, unsigned vec, int has_error, uint32_t error)
{
    struct domain *d = v->domain;
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t gate[2];

    if ((uint32_t)vec * 8 + 7 > t->idt_limit)
        domain_crash(d, "te: vector %u is beyond the guest's IDT (limit %#x): the CPU "
                     "would shut down", vec, t->idt_limit);
    if (copy_linear(v, t->idt_base + vec * 8, gate, 8, 0))
        domain_crash(d, "te: the guest's IDT at %#x is not mapped", t->idt_base);
    unsigned type = (gate[1] >> 8) & 0x1F;
    if (!(gate[1] & 0x8000) || (type != 0x0E && type != 0x0F))
        domain_crash(d, "te: vector %u: gate %08x:%08x is not a present 32-bit interrupt "
                     "or trap gate (task gates are not supported)", vec, gate[1], gate[0]);
    uint16_t sel = (uint16_t)(gate[0] >> 16);
    uint32_t eip = (gate[0] & 0xFFFF) | (gate[1] & 0xFFFF0000u);
    uint64_t cd = shadow_gdt_entry(t, sel >> 3);
    if ((sel & 4) || !(cd & (1ull << 47)) || !(cd & (1ull << 43)))
        domain_crash(d, "te: vector %u: gate selector %#x is not a present code segment",
                     vec, sel);
    unsigned target = (unsigned)((cd >> 45) & 3);            /* 1 for the guest kernel */
    if (target == 2 || target > (r->cs & 3))
        domain_crash(d, "te: vector %u: its handler's code segment (DPL %u in the shadow "
                     "GDT) cannot be entered from ring %u", vec, target, r->cs & 3);
    int switch_stack = target < (r->cs & 3);            /* ring 3 -> the kernel */
    uint32_t ss = r->ss, sp = r->esp, words[7], n = 0;

    if (switch_stack) {
        /* To a more privileged ring: the stack from the guest's TSS. */
        uint32_t ss0_esp0[2];
        if (!t->tss_base && !t->tr)
            domain_crash(d, "te: interrupt from ring 3 before the guest loaded a TSS");
        if (copy_linear(v, t->tss_base + 4, ss0_esp0, 8, 0))
            domain_crash(d, "te: the guest's TSS at %#x is not mapped", t->tss_base);
        sp = ss0_esp0[0];
        ss = (ss0_esp0[1] & 0xFFFC) | target;
    }
    uint32_t vflags = (r->eflags & ~(EFLAGS_IF | EFLAGS_IOPL)) | (t->vif ? EFLAGS_IF : 0);
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
    if (copy_linear(v, sp, mem, n * 4, 1))
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

static void inject(struct vcpu *v, unsigned vec, int has_error, uint32_t error)
{
    if (vec == TRAP_PF)
        te_of(v)->guest_faults++;
    deliver(v, vec, has_error, error);
}

/* `int n` at the current EIP, len bytes long: the gate's DPL decides. */
static void soft_int(struct vcpu *v, unsigned n, uint32_t len)
{
    struct te_state *t = te_of(v);
    uint32_t gate[2];
    unsigned cpl = (v->regs.cs & 3) == 3 ? 3 : 0;
    if ((uint32_t)n * 8 + 7 <= t->idt_limit && copy_linear(v, t->idt_base + n * 8, gate, 8, 0) == 0 &&
        ((gate[1] >> 13) & 3) >= cpl) {
        v->regs.eip += len;
        deliver(v, n, 0, 0);
        return;
    }
    inject(v, TRAP_GP, 1, n * 8 + 2);
}

/* ---- the shadow page tables ---- */

static void shadow_flush_all(struct te_state *t)
{
    for (unsigned i = 0; i < t->sl1_used; i++) {
        uint64_t *l2 = mfn_to_virt(t->sl2_mfn[t->sl1_slot[i] / 512]);
        l2[t->sl1_slot[i] % 512] = 0;
    }
    t->sl1_used = 0;
    t->flushes++;
}

static void shadow_invlpg(struct te_state *t, uint32_t va)
{
    if (va >= HYPERVISOR_VIRT_START)
        return;
    uint64_t l2e = ((uint64_t *)mfn_to_virt(t->sl2_mfn[va >> 30]))[(va >> 21) & 511];
    if (l2e & _PAGE_PRESENT)
        ((uint64_t *)mfn_to_virt((uint32_t)(l2e >> PAGE_SHIFT)))[(va >> 12) & 511] = 0;
}

/* Load the PDPTEs from CR3, as a PAE CPU does at a CR3 write. */
static void load_pdptes(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    const uint64_t *p = gpa_ptr(t, t->cr3 & ~0x1Fu);
    if (!p)
        domain_crash(v->domain, "te: CR3 %#x is outside the guest's memory", t->cr3);
    memcpy(t->pdpte, p, sizeof(t->pdpte));
}

/* A page fault: a missing shadow entry is filled from the guest's tables;
 * anything the guest's tables refuse is the guest's own #PF. */
static void page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error)
{
    struct te_state *t = te_of(v);
    unsigned access = (hw_error & TE_ACC_WRITE) | ((v->regs.cs & 3) == 3 ? TE_ACC_USER : 0);
    struct te_walk w;

    if (translate(v, va, access, &w) != TE_WALK_OK) {
        t->cr2 = va;
        inject(v, TRAP_PF, 1, w.error);
        return;
    }
    if (va >= HYPERVISOR_VIRT_START)
        domain_crash(v->domain, "te: the guest maps %#x, inside the hypervisor's area "
                     "(from %#x)", va, HYPERVISOR_VIRT_START);
    uint64_t *l2 = mfn_to_virt(t->sl2_mfn[va >> 30]);
    unsigned slot = (va >> 21) & 511;
    if (!(l2[slot] & _PAGE_PRESENT)) {
        if (t->sl1_used == TE_SL1_POOL)
            shadow_flush_all(t);
        unsigned i = t->sl1_used++;
        memset(mfn_to_virt(t->sl1_mfn[i]), 0, PAGE_SIZE);
        t->sl1_slot[i] = (uint16_t)((va >> 30) * 512 + slot);
        l2[slot] = ((uint64_t)t->sl1_mfn[i] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
                   _PAGE_USER | _PAGE_ACCESSED;
    }
    /* User or supervisor as the guest says; writable only once the guest's
     * entry is dirty, so that the first write comes back here to set D. */
    uint64_t flags = _PAGE_PRESENT | _PAGE_ACCESSED;
    if (w.writable && w.dirty)
        flags |= _PAGE_RW | _PAGE_DIRTY;
    if (w.user)
        flags |= _PAGE_USER;
    uint64_t *l1 = mfn_to_virt((uint32_t)(l2[slot] >> PAGE_SHIFT));
    l1[(va >> 12) & 511] = ((uint64_t)p2m(t, (uint32_t)(w.gpa >> PAGE_SHIFT)) << PAGE_SHIFT) |
                           flags;
    t->shadow_fills++;
}

/* ---- the privileged instructions ---- */

static uint32_t ea(struct vcpu *v, const struct te_insn *in)
{
    const struct cpu_frame *r = &v->regs;
    uint32_t g[8] = { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi };
    return te_effective_address(in, g);
}

/* The 16-bit r/m operand: 0, or 1 after a #PF was injected. */
static int read_rm16(struct vcpu *v, const struct te_insn *in, uint16_t *val)
{
    if (in->mod_reg) {
        *val = (uint16_t)*frame_reg(&v->regs, in->rm);
        return 0;
    }
    return access_linear(v, ea(v, in), val, 2, 0, ring_of(v));
}

/* Store a 16-bit value (sldt, str, smsw): to a register zero-extended with
 * a 32-bit operand size (smsw: all of CR0), to memory two bytes. */
static int write_rm16(struct vcpu *v, const struct te_insn *in, uint32_t val32)
{
    uint16_t val = (uint16_t)val32;
    if (in->mod_reg) {
        uint32_t *r = frame_reg(&v->regs, in->rm);
        *r = in->opsize == 2 ? ((*r & 0xFFFF0000u) | val) : val32;
        return 0;
    }
    return access_linear(v, ea(v, in), &val, 2, 1, ring_of(v));
}

static void guest_write_cr0(struct vcpu *v, uint32_t val)
{
    struct te_state *t = te_of(v);
    struct domain *d = v->domain;
    if (!(val & CR0_PE))
        domain_crash(d, "te: CR0.PE cleared: real mode is not supported");
    if ((val & CR0_PG) && !(t->cr4 & CR4_PAE))
        domain_crash(d, "te: paging without CR4.PAE: only PAE guests are supported");
    if ((val & CR0_PG) && !(val & CR0_WP))
        domain_crash(d, "te: paging with CR0.WP clear is not supported");
    int was = paging_on(t);
    t->cr0 = val | CR0_ET;
    if (paging_on(t) != was) {
        if (paging_on(t))
            load_pdptes(v);
        shadow_flush_all(t);
    }
}

static void guest_write_cr4(struct vcpu *v, uint32_t val)
{
    struct te_state *t = te_of(v);
    if (val & CR4_VME_PVI)
        domain_crash(v->domain, "te: CR4.VME/PVI (virtual-8086 extensions) not supported");
    if (paging_on(t) && ((val ^ t->cr4) & CR4_PAE))
        domain_crash(v->domain, "te: CR4.PAE changed with paging on");
    t->cr4 = val;
    shadow_flush_all(t);
}

/* The 6-byte operand of lgdt/lidt: a 16-bit limit, then the base (24 bits
 * of it with a 16-bit operand size). 0, or 1 after a #PF was injected. */
static int read_table_pointer(struct vcpu *v, const struct te_insn *in, uint16_t *limit,
                              uint32_t *base)
{
    uint8_t b[6];
    if (access_linear(v, ea(v, in), b, 6, 0, 0))
        return 1;
    memcpy(limit, b, 2);
    memcpy(base, b + 2, 4);
    if (in->opsize == 2)
        *base &= 0xFFFFFF;
    return 0;
}

static int do_lgdt(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    uint16_t limit;
    uint32_t base;
    if (read_table_pointer(v, in, &limit, &base))
        return 1;
    if (limit >= PAGE_SIZE)
        domain_crash(v->domain, "te: a GDT of more than 512 descriptors (limit %#x) is "
                     "not supported", limit);
    uint64_t *shadow = mfn_to_virt(t->shadow_gdt_mfn);
    static uint64_t desc[512];                 /* one vCPU runs at a time */
    unsigned n = (limit + 1u) / 8;
    if (n && copy_linear(v, base, desc, n * 8, 0))
        domain_crash(v->domain, "te: the GDT at %#x is not readable at lgdt", base);
    for (unsigned i = 0; i < 512; i++)
        shadow[i] = i < n ? te_desc_shadow(desc[i]) : 0;
    t->gdt_base = base;
    t->gdt_limit = limit;
    return 0;
}

static int do_ltr(struct vcpu *v, uint16_t sel)
{
    struct te_state *t = te_of(v);
    uint32_t desc[2];
    uint32_t at = t->gdt_base + (sel & ~7u);
    if ((sel & 4) || (sel & ~7u) == 0 || (sel | 7u) > t->gdt_limit ||
        copy_linear(v, at, desc, 8, 0) || ((desc[1] >> 8) & 0x9F) != 0x89) {
        inject(v, TRAP_GP, 1, sel & ~3u);      /* not an available, present 32-bit TSS */
        return 1;
    }
    desc[1] |= 0x200;                          /* busy, as the CPU marks it */
    if (copy_linear(v, at + 4, &desc[1], 4, 1)) {
        inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    t->tr = sel;
    t->tss_base = desc_base(desc[0], desc[1]);
    return 0;
}

/* A data selector of RPL 0 for SS: the CPU refuses it in ring 1; the
 * compressed ring-1 copy of a ring-0 data segment is loaded instead. */
static int load_ss(struct vcpu *v, uint16_t sel)
{
    uint64_t dsc = shadow_gdt_entry(te_of(v), sel >> 3);
    int writable_data = (dsc & (1ull << 44)) && !(dsc & (1ull << 43)) && (dsc & (1ull << 41));
    if ((sel & 3) != 0 || (sel & 4) || !writable_data || ((dsc >> 45) & 3) != 1 ||
        !(dsc & (1ull << 47))) {
        inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    v->regs.ss = sel | 1;
    return 0;
}

/* iret or lret in ring 1 faulted: a return to RPL 0, that is to the guest
 * kernel itself. Pop as the CPU would for ring 0; an iret restores the
 * virtual IF from the popped EFLAGS. */
static int do_far_return(struct vcpu *v, int is_iret)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t w[5];
    unsigned n = is_iret ? 3 : 2;
    if (access_linear(v, r->esp, w, n * 4, 0, 0))
        return 1;
    uint16_t cs = (uint16_t)w[1];
    if ((cs & 3) == 3) {                       /* outward: ESP and SS follow */
        if (access_linear(v, r->esp + n * 4, &w[n], 8, 0, 0))
            return 1;
        r->esp = w[n];
        r->ss = w[n + 1] & 0xFFFF;
    } else if ((cs & 3) == 0) {
        r->esp += n * 4;
        cs |= 1;
    } else {
        inject(v, TRAP_GP, 1, cs & ~3u);
        return 1;
    }
    if (is_iret) {
        if (w[2] & EFLAGS_NT)
            domain_crash(v->domain, "te: iret with EFLAGS.NT (a task return) is not supported");
        r->eflags = (r->eflags & ~EFLAGS_ARITH & ~EFLAGS_TF) |
                    (w[2] & (EFLAGS_ARITH | EFLAGS_TF));
        if (!(w[2] & EFLAGS_IF) && t->vif) {
            t->vif_off_eip = r->eip;
            t->vif_off_by = "iret";
        }
        t->vif = (w[2] & EFLAGS_IF) != 0;
    }
    r->cs = cs;
    r->eip = w[0];
    return 0;
}

static int do_msr(struct vcpu *v, int write)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t msr = r->ecx;
    if (msr == 0x10) {                          /* IA32_TIME_STAMP_COUNTER */
        if (!write) {
            uint64_t tsc = rdtsc();
            r->eax = (uint32_t)tsc;
            r->edx = (uint32_t)(tsc >> 32);
        }
        return 0;                               /* writes are ignored */
    }
    if (msr >= 0x174 && msr <= 0x176) {         /* SYSENTER_CS/ESP/EIP */
        if (write)
            t->sysenter[msr - 0x174] = r->eax;
        else {
            r->eax = t->sysenter[msr - 0x174];
            r->edx = 0;
        }
        return 0;
    }
    inject(v, TRAP_GP, 1, 0);                   /* as a CPU does for an unknown MSR */
    return 1;
}

static int do_io(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t port = in->port >= 0 ? (uint16_t)in->port : (uint16_t)r->edx;
    uint32_t mask = in->opsize == 4 ? 0xFFFFFFFFu : (1u << (8 * in->opsize)) - 1;
    if (in->op == TE_IN) {
        uint32_t val = vplatform_in(&t->plat, port, in->opsize, time_now());
        r->eax = (r->eax & ~mask) | (val & mask);
        return 0;
    }
    vplatform_out(&t->plat, port, in->opsize, r->eax & mask, time_now());
    if (t->plat.request == VDEV_POWEROFF) {
        r->eip += in->len;
        domain_shutdown(v->domain, SHUTDOWN_poweroff);
    }
    if (t->plat.request == VDEV_EXIT) {
        printk("d%u: wrote %u to the exit port (isa-debug-exit)\n", v->domain->id,
               (unsigned)t->plat.exit_value);
        domain_shutdown(v->domain, t->plat.exit_value ? SHUTDOWN_crash : SHUTDOWN_poweroff);
    }
    return 0;
}

/* Up to 15 bytes at the guest's EIP (a supervisor fetch). */
static size_t fetch(struct vcpu *v, uint8_t *buf)
{
    uint32_t eip = v->regs.eip, first = PAGE_SIZE - (eip & 0xFFF);
    if (first > 15)
        first = 15;
    if (copy_linear(v, eip, buf, first, 0))
        return 0;
    if (first < 15 && copy_linear(v, eip + first, buf + first, 15 - first, 0) == 0)
        return 15;
    return first;
}

/* The UMIP-faulting reads: the virtual CPU's values. */
static int umip_read(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    switch (in->op) {
    case TE_SGDT:
    case TE_SIDT: {
        uint8_t b[6];
        uint16_t limit = in->op == TE_SGDT ? t->gdt_limit : t->idt_limit;
        uint32_t base = in->op == TE_SGDT ? t->gdt_base : t->idt_base;
        memcpy(b, &limit, 2);
        memcpy(b + 2, &base, 4);
        return access_linear(v, ea(v, in), b, 6, 1, ring_of(v));
    }
    case TE_SLDT: return write_rm16(v, in, t->ldtr);
    case TE_STR: return write_rm16(v, in, t->tr);
    default: return write_rm16(v, in, t->cr0);     /* smsw */
    }
}

/* Emulate in at ring 1 (the guest kernel). 1: done (or a fault injected),
 * 0: not an instruction the te mode emulates. */
static int emulate_kernel(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t sel;
    int faulted = 0;

    switch (in->op) {
    case TE_CLI:
        if (t->vif) {
            t->vif_off_eip = r->eip;
            t->vif_off_by = "cli";
        }
        t->vif = 0;
        break;
    case TE_STI:
        t->vif = 1;
        break;
    case TE_HLT:
        r->eip += in->len;
        if (!t->vif)
            domain_crash(v->domain, "te: hlt with interrupts off at eip %#x: the CPU would "
                         "stop for good", r->eip - in->len);
        t->halted = 1;
        return 1;
    case TE_MOV_FROM_CR: {
        uint32_t val;
        switch (in->reg) {
        case 0: val = t->cr0; break;
        case 2: val = t->cr2; break;
        case 3: val = t->cr3; break;
        case 4: val = t->cr4; break;
        default: inject(v, TRAP_UD, 0, 0); return 1;
        }
        *frame_reg(r, in->rm) = val;
        break;
    }
    case TE_MOV_TO_CR: {
        uint32_t val = *frame_reg(r, in->rm);
        switch (in->reg) {
        case 0: guest_write_cr0(v, val); break;
        case 2: t->cr2 = val; break;
        case 3:
            t->cr3 = val;
            if (paging_on(t))
                load_pdptes(v);
            shadow_flush_all(t);
            break;
        case 4: guest_write_cr4(v, val); break;
        default: inject(v, TRAP_UD, 0, 0); return 1;
        }
        break;
    }
    case TE_LMSW:
        faulted = read_rm16(v, in, &sel);
        if (!faulted)
            guest_write_cr0(v, (t->cr0 & ~0xEu) | (sel & 0xFu) | (t->cr0 & CR0_PE));
        break;
    case TE_CLTS:
        t->cr0 &= ~CR0_TS;
        break;
    case TE_LGDT:
        faulted = do_lgdt(v, in);
        break;
    case TE_LIDT:
        faulted = read_table_pointer(v, in, &t->idt_limit, &t->idt_base);
        break;
    case TE_LTR:
        faulted = read_rm16(v, in, &sel) || do_ltr(v, sel);
        break;
    case TE_LLDT:
        faulted = read_rm16(v, in, &sel);
        if (!faulted && (sel & ~3u))
            domain_crash(v->domain, "te: lldt %#x: LDTs are not supported", sel);
        if (!faulted)
            t->ldtr = 0;
        break;
    case TE_SGDT: case TE_SIDT: case TE_SLDT: case TE_STR: case TE_SMSW:
        faulted = umip_read(v, in);
        break;
    case TE_INVLPG:
        shadow_invlpg(t, ea(v, in));
        break;
    case TE_IN:
    case TE_OUT:
        faulted = do_io(v, in);
        break;
    case TE_IRET:
    case TE_LRET:
        if (do_far_return(v, in->op == TE_IRET) == 0)
            return 1;                           /* EIP is the popped one */
        faulted = 1;
        break;
    case TE_MOV_TO_SS:
        faulted = read_rm16(v, in, &sel) || load_ss(v, sel);
        break;
    case TE_POP_SS: {
        uint32_t w;
        faulted = access_linear(v, r->esp, &w, 4, 0, 0) || load_ss(v, (uint16_t)w);
        if (!faulted)
            r->esp += 4;
        break;
    }
    case TE_RDMSR:
    case TE_WRMSR:
        faulted = do_msr(v, in->op == TE_WRMSR);
        break;
    case TE_WBINVD:
    case TE_INVD:
        break;
    case TE_STRING_IO:
        domain_crash(v->domain, "te: ins/outs at eip %#x: string I/O is not supported", r->eip);
    default:
        return 0;
    }
    if (!faulted)
        r->eip += in->len;
    return 1;
}

static void general_protection(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint8_t insn[15];
    struct te_insn in;
    size_t n = fetch(v, insn);
    int decoded = n && te_decode(insn, n, &in);
    int user = (r->cs & 3) == 3;

    if ((r->error & 3) == 2) {                  /* int n through a gate of lower DPL */
        unsigned vec = (r->error >> 3) & 0xFF;
        if (decoded && (in.op == TE_INT || in.op == TE_INT3 || in.op == TE_INTO)) {
            t->emulated[in.op][user]++;
            soft_int(v, vec, in.len);
            return;
        }
    }
    if (decoded && r->error == 0 && user && !(t->cr4 & CR4_UMIP) &&
        (in.op == TE_SGDT || in.op == TE_SIDT || in.op == TE_SLDT || in.op == TE_STR ||
         in.op == TE_SMSW)) {
        t->emulated[in.op][1]++;                /* UMIP on the real CPU, not the guest's */
        if (umip_read(v, &in) == 0)
            r->eip += in.len;
        return;
    }
    if (decoded && !user && emulate_kernel(v, &in)) {
        t->emulated[in.op][0]++;
        return;
    }
    inject(v, TRAP_GP, 1, r->error);
}

void te_trap(struct vcpu *v, uint32_t cr2)
{
    struct cpu_frame *r = &v->regs;
    switch (r->vector) {
    case TRAP_PF:
        page_fault(v, cr2, r->error);
        return;
    case TRAP_GP:
        general_protection(v);
        return;
    case TRAP_BP:
    case TRAP_OF:
    case PV86_HYPERCALL_VECTOR:
        /* int3, into, int $0x82: gates the CPU let through; EIP is already
         * past the instruction, so back up for soft_int's DPL check. */
        r->eip -= r->vector == PV86_HYPERCALL_VECTOR ? 2 : 1;
        te_of(v)->emulated[r->vector == TRAP_BP ? TE_INT3 : r->vector == TRAP_OF ? TE_INTO
                                                                  : TE_INT][ring_of(v)]++;
        soft_int(v, r->vector, r->vector == PV86_HYPERCALL_VECTOR ? 2 : 1);
        return;
    case TRAP_NM: {                             /* the FPU, switched lazily (fpu.c) */
        uint8_t insn[15];
        int vec = fpu_te_device_not_available(v, te_of(v)->cr0, insn, fetch(v, insn));
        if (vec >= 0)
            inject(v, (unsigned)vec, 0, 0);
        return;
    }
    case TRAP_NMI:
    case TRAP_MC:
        printk("ignoring %s while running d%u\n", trap_name(r->vector), v->domain->id);
        return;
    case TRAP_DF:
        domain_crash(v->domain, "double fault at eip %#x", r->eip);
    default:
        inject(v, r->vector, vector_has_error(r->vector), r->error);
        return;
    }
}

/* ---- running ---- */

void te_set_umip(const struct domain *d)
{
    static int on = -1;
    int want = d->is_te && umip_available;
    if (want == on)
        return;
    uint32_t cr4 = read_cr4();
    write_cr4(want ? cr4 | CR4_UMIP : cr4 & ~CR4_UMIP);
    on = want;
}

static void watchdog_stop(struct domain *d)
{
    struct te_state *t = &d->te;
    struct cpu_frame *r = &d->vcpu.regs;
    console_flush(d->id);
    printk("d%u: te watchdog: IRQ %d has waited %u ms and the guest's interrupt flag "
           "stays clear\n", d->id, vpic_pending(&t->plat.pic), (unsigned)t->wd_ms);
    printk("d%u: te watchdog: IF was cleared by %s at eip %#x; the guest now runs in "
           "ring %u at eip %#x\n", d->id, t->vif_off_by ? t->vif_off_by : "the loader",
           t->vif_off_eip, (r->cs & 3) == 3 ? 3 : 0, r->eip);
    printk("d%u: te watchdog: POPF and IRET at CPL 1 leave IF alone without a fault "
           "(sensitive, not privileged): not equivalent to the native machine\n", d->id);
    domain_shutdown(d, SHUTDOWN_watchdog);
}

void te_before_exit(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    if (t->watchdog_fired)
        watchdog_stop(v->domain);
    vplatform_advance(&t->plat, time_now());
    fpu_te_cr0(v, t->cr0);                      /* its CR0.TS/EM/MP: real TS */
    if (t->vif && vpic_pending(&t->plat.pic) >= 0)
        deliver(v, (unsigned)vpic_ack(&t->plat.pic), 0, 0);
    if (t->halted) {
        v->domain->state = DOM_BLOCKED;         /* te_tick wakes it */
        schedule();
    }
}

void te_tick(struct domain *d, uint64_t now)
{
    struct te_state *t = &d->te;
    vplatform_advance(&t->plat, now);
    if (d == domain_by_id(1) && console_input_ready()) {
        char buf[VUART_RX_SIZE];
        size_t room = VUART_RX_SIZE - t->plat.uart.rx_len;
        size_t n = console_read(buf, room);
        vuart_receive(&t->plat.uart, buf, n);
        vplatform_advance(&t->plat, now);
    }
    int pending = vpic_pending(&t->plat.pic) >= 0;
    if (d->state == DOM_BLOCKED && t->vif && pending)
        sched_wake(d);
    if (d == current_domain && d->state == DOM_RUNNABLE && !t->vif && pending) {
        if (++t->wd_ms >= TE_WATCHDOG_MS)
            t->watchdog_fired = 1;
    } else {
        t->wd_ms = 0;
    }
}

void te_print_stats(struct domain *d)
{
    const struct te_state *t = &d->te;
    static const char *const ring_name[2] = { "ring 1, the guest kernel", "ring 3" };
    for (unsigned ring = 0; ring < 2; ring++) {
        char line[400];
        size_t n = 0;
        uint32_t total = 0;
        for (unsigned op = 1; op < TE_NR_OPS; op++) {
            if (!t->emulated[op][ring])
                continue;
            total += t->emulated[op][ring];
            int k = fmt_snprintf(line + n, sizeof(line) - n, ", %s %u", te_op_name(op),
                                 (unsigned)t->emulated[op][ring]);
            if (k > 0 && n + (size_t)k < sizeof(line))
                n += (size_t)k;
        }
        line[n] = '\0';
        printk("d%u te emulated in %s: %u%s\n", d->id, ring_name[ring], (unsigned)total, line);
    }
    printk("d%u te shadow paging: %u entries filled, %u guest page faults, %u flushes; "
           "%u interrupts and exceptions delivered\n", d->id, (unsigned)t->shadow_fills,
           (unsigned)t->guest_faults, (unsigned)t->flushes, (unsigned)t->injected);
}

/* ---- the loader ---- */

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
    unsigned extra = TE_MAX_P2M_FRAMES + 1 + 4 + TE_SL1_POOL + 2;
    if (frame_allocator.nfree < nr_pages + extra) {
        printk("d%u: not enough free memory for %u MiB\n", d->id, mb);
        return -XEN_ENOMEM;
    }
    size_t len = strlen(cmdline);      /* domain_build checked it fits a page */
    uint32_t cpuid7[4];
    cpuid_count(0, 0, cpuid7);
    if (cpuid7[0] >= 7) {
        cpuid_count(7, 0, cpuid7);
        umip_available = (cpuid7[2] >> 2) & 1;
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
            memcpy(gpa_ptr(t, pa), (const uint8_t *)image + s->offset + off, chunk);
            off += chunk;
        }
    }

    /* The multiboot information block and the command line (the loader's
     * convention: the kernel's file name first). */
    multiboot_info_t *mbi = gpa_ptr(t, MBI_GPA);
    char *cl = gpa_ptr(t, MBI_CMDLINE);
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

    vplatform_reset(&t->plat, console_put, d);
    t->cr0 = CR0_PE | CR0_ET;
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
           mb, info.entry, umip_available ? "on: SGDT, SIDT, SLDT, SMSW and STR trap"
                                          : "not available");
    return 0;
}
