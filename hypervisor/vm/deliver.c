/*
 * deliver: exceptions and interrupts through the guest's IDT as a CPU
 * would deliver them in ring 0, `int n`, and the interrupt shadow (see
 * deliver.h).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "vm/deliver.h"
#include "vm/pcrules.h"
#include "vm/vcpu.h"
#include "vm/vgdt.h"
#include "vm/vmem.h"

/* Deliver vector vec through the guest's IDT as the CPU would in ring 0. */
void vx_intr_shadow_start(struct vcpu *v)
{
    struct vx_cpu *x = vx_of(v);
    if (!x->shadow) {
        x->shadow_tf = (v->regs.eflags & EFLAGS_TF) != 0;
        x->shadow = 1;
        x->shadow_ms = 0;
    }
    v->regs.eflags |= EFLAGS_TF;
}

void vx_intr_shadow_end(struct vcpu *v)
{
    struct vx_cpu *x = vx_of(v);
    if (!x->shadow)
        return;
    v->regs.eflags = (v->regs.eflags & ~EFLAGS_TF) | (x->shadow_tf ? EFLAGS_TF : 0);
    x->shadow = 0;
}

/* ext: the event is external to the program (an interrupt, or an
 * exception: its delivery faulting sets EXT in the error code). */
static void deliver(struct vcpu *v, unsigned vec, int has_error, uint32_t error, int ext)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t gate[2];

    vx_intr_shadow_end(v);                           /* the frame holds the guest's own TF */
    if ((uint32_t)vec * 8 + 7 > x->idt_limit)
        vx_crash(v, "vector %u is beyond the guest's IDT (limit %#x): the CPU "
                     "would shut down", vec, x->idt_limit);
    if (vx_copy_linear(v, x->idt_base + vec * 8, gate, 8, 0))
        vx_crash(v, "the guest's IDT at %#x is not mapped", x->idt_base);
    unsigned type = (gate[1] >> 8) & 0x1F;
    if (!(gate[1] & 0x8000) && (type == 0x0E || type == 0x0F)) {
        /* A gate not present: #NP naming the IDT entry (SDM Vol. 3,
         * 6.13), or #DF where the first event was a contributory
         * exception or a #PF (6.15, table 6-5); at #DF: shutdown. */
        switch (vx_gate_np_action(vec)) {
        case VX_GATE_NP:
            deliver(v, VX_TRAP_NP, 1, vec * 8 + 2 + (ext ? 1 : 0), 1);
            return;
        case VX_GATE_DF:
            deliver(v, TRAP_DF, 1, 0, 1);
            return;
        default:
            vx_crash(v, "vector %u: its gate is not present: the CPU would shut down", vec);
            return;
        }
    }
    if (!(gate[1] & 0x8000) || (type != 0x0E && type != 0x0F))
        vx_crash(v, "vector %u: gate %08x:%08x is not a present 32-bit interrupt "
                     "or trap gate (task gates are not supported)", vec, gate[1], gate[0]);
    uint16_t sel = (uint16_t)(gate[0] >> 16);
    uint32_t eip = (gate[0] & 0xFFFF) | (gate[1] & 0xFFFF0000u);
    uint64_t cd = vx_gdt_entry(v, sel >> 3);
    if (!(sel & 4) && vx_desc_is_ring1(cd))
        vx_crash(v, "vector %u: its handler's code segment %#x is a ring-1 segment: te "
                     "runs the guest's ring 0 in ring 1 and cannot give it a ring 1 of its own",
                     vec, sel);
    if ((sel & 4) || !(cd & (1ull << 47)) || !(cd & (1ull << 43)))
        vx_crash(v, "vector %u: gate selector %#x is not a present code segment",
                     vec, sel);
    unsigned target = (unsigned)((cd >> 45) & 3);  /* the CPU's ring: 1 for the guest kernel */
    if ((cd & (1ull << 42)) && target < (r->cs & 3))
        target = r->cs & 3;                         /* conforming: the same ring */
    if (target > (r->cs & 3))
        vx_crash(v, "vector %u: its handler's code segment (DPL %u in the shadow "
                     "GDT) cannot be entered from ring %u", vec, target, r->cs & 3);
    int switch_stack = target < (r->cs & 3);        /* to a more privileged ring */
    uint32_t ss = r->ss, sp = r->esp, words[7], n = 0;

    if (switch_stack) {
        /* To a more privileged ring: the stack from the guest's TSS, its
         * ESP0/SS0 for the guest's ring 0, ESP2/SS2 for ring 2. */
        uint32_t ss_esp[2], at = target == 1 ? 4 : 20;
        if (!x->tss_base && !x->tr)
            vx_crash(v, "interrupt from ring %u before the guest loaded a TSS",
                         r->cs & 3);
        if (vx_copy_linear(v, x->tss_base + at, ss_esp, 8, 0))
            vx_crash(v, "the guest's TSS at %#x is not mapped", x->tss_base);
        sp = ss_esp[0];
        ss = (ss_esp[1] & 0xFFFC) | target;
    }
    uint32_t vflags = (r->eflags & ~(EFLAGS_IF | EFLAGS_IOPL)) | (x->vif ? EFLAGS_IF : 0) |
                      (x->viopl << 12);
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
    if (vx_copy_linear(v, sp, mem, n * 4, 1))
        vx_crash(v, "cannot push the frame for vector %u at %#x:%#x: the CPU "
                     "would shut down", vec, ss & 0xFFFF, sp + n * 4);
    if (type == 0x0E && x->vif) {
        x->vif = 0;
        x->vif_off_eip = r->eip;
        x->vif_off_by = "an interrupt gate";
    }
    x->injected++;
    x->halted = 0;
    r->ss = ss;
    r->esp = sp;
    r->cs = (sel & ~3u) | target;
    r->eip = eip;
    r->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
}

void vx_deliver(struct vcpu *v, unsigned vec, int has_error, uint32_t error)
{
    deliver(v, vec, has_error, error, 1);
}

void vx_inject(struct vcpu *v, unsigned vec, int has_error, uint32_t error)
{
    if (vec == TRAP_PF)
        vx_of(v)->guest_faults++;
    deliver(v, vec, has_error, error, 1);
}

/* `int n` at the current EIP, len bytes long: the gate's DPL decides. */
void vx_soft_int(struct vcpu *v, unsigned n, uint32_t len)
{
    struct vx_cpu *x = vx_of(v);
    uint32_t gate[2];
    unsigned cpl = vx_guest_cpl(v->regs.cs);
    if ((uint32_t)n * 8 + 7 <= x->idt_limit && vx_copy_linear(v, x->idt_base + n * 8, gate, 8, 0) == 0 &&
        ((gate[1] >> 13) & 3) >= cpl) {
        v->regs.eip += len;
        deliver(v, n, 0, 0, 0);                    /* the program's own: EXT clear */
        return;
    }
    vx_inject(v, TRAP_GP, 1, n * 8 + 2);
}
