/*
 * priv: what the te mode's files share among themselves (not for core/):
 * the guest's memory and delivery (vmem.c), the shadow page tables
 * (shadow.c), the emulated instructions (emul.c), the loader (load.c) and
 * the running domain (te.c).
 */
#ifndef HV_TE_PRIV_H
#define HV_TE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "core/domain.h"
#include "te/te.h"
#include "te/rules.h"
#include "te/walk.h"

#define CR0_ET         (1u << 4)
#define CR0_TS         (1u << 3)
#define CR4_UMIP       (1u << 11)
#define CR4_VME_PVI    0x3u
#define CR4_PSE        (1u << 4)
#define CR4_DE         (1u << 3)
#define TE_TRAP_TS     10
#define TE_TRAP_NP     11
#define TE_TRAP_SS     12
#define EFLAGS_ARITH   0x00240DD5u   /* CF PF AF ZF SF DF OF AC ID: a guest's own */

extern int te_umip_available;          /* the CPU has CR4.UMIP (load.c asks) */

static inline struct te_state *te_dom(const struct domain *d) { return d->mode_state; }
static inline struct te_state *te_of(struct vcpu *v) { return te_dom(v->domain); }
/* 1 if the guest runs at CPL 3: user rights for paging. */
static inline int ring_of(const struct vcpu *v) { return (v->regs.cs & 3) == 3 ? 1 : 0; }
/* The te_state.emulated column of the guest's ring. */
static inline unsigned stats_ring(const struct vcpu *v)
{
    unsigned rpl = v->regs.cs & 3;
    return rpl == 3 ? 1 : rpl == 2 ? 2 : 0;
}
static inline int te_paging_on(const struct te_state *t) { return (t->cr0 & CR0_PG) != 0; }

/* ---- vmem.c: guest memory ---- */
int te_translate(struct vcpu *v, uint32_t va, unsigned access, struct te_walk *w);
int te_copy_linear_as(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                      int user, uint32_t *fault_va, uint32_t *fault_error);
/* For an emulated instruction: 0, or 1 after injecting the guest's #PF. */
int te_access_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                     int user);
/* As the guest kernel, injecting nothing: 0 or -1. */
int te_copy_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write);
/* ---- vmem.c: the shadow GDT ---- */
/* Shadow entry index as the CPU sees it now (filled from the guest's GDT
 * if it was not): 0 for the null entry and beyond the guest's limit. A
 * guest descriptor in an entry the hypervisor keeps crashes the domain. */
uint64_t te_gdt_entry(struct vcpu *v, unsigned index);
/* A fault naming a GDT entry not filled yet: fill it, 1 (the instruction
 * runs again); else 0. */
int te_gdt_fault_fill(struct vcpu *v);
/* lgdt: the guest's GDTR, every shadow entry dropped. */
void te_gdt_load(struct vcpu *v, uint32_t base, uint16_t limit);
/* Before every exit: the entries of the six segment registers filled, for
 * the exit reloads them all (the CPU would keep their descriptors; te
 * cannot, so they come from the guest's table as it is now). */
void te_gdt_fill_current(struct vcpu *v);
/* The hypervisor's entries into the shadow's page 14. */
void te_gdt_hv_entries(struct te_state *t);

/* ---- vmem.c: delivery through the guest's IDT ---- */
/* The interrupt shadow after sti (IF was 0) and mov/pop ss: no interrupt
 * before the next instruction has run. te single-steps that instruction
 * (EFLAGS.TF, the guest's own kept aside) and delivers nothing meanwhile. */
void te_shadow_start(struct vcpu *v);
/* The shadow is over: the guest's TF back. */
void te_shadow_end(struct vcpu *v);
void te_deliver(struct vcpu *v, unsigned vec, int has_error, uint32_t error);
void te_inject(struct vcpu *v, unsigned vec, int has_error, uint32_t error);
void te_soft_int(struct vcpu *v, unsigned n, uint32_t len);

/* ---- shadow.c ---- */
void te_shadow_flush_all(struct te_state *t);
void te_shadow_invlpg(struct te_state *t, uint32_t va);
/* Load the PDPTEs at cr3, as a PAE CPU does at a CR3 load: 0, or -1
 * (nothing changed) if one has reserved bits set: the caller's #GP(0). */
int te_load_pdptes(struct vcpu *v, uint32_t cr3);
void te_page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error);

/* ---- io.c ---- */
/* in/out: 0 (a write to the exit or power-off port ends the domain). */
int te_do_io(struct vcpu *v, const struct te_insn *in);
/* ins/outs (REP: with ECX, at most a batch per trap): 0 done, 1 after
 * injecting a #PF (the registers say how far it got), 2 to be continued
 * (EIP stays on the instruction). Segment bases of the source (outs) and
 * of ES (ins). */
int te_do_string_io(struct vcpu *v, const struct te_insn *in, uint32_t ds_base,
                    uint32_t es_base);
/* CPL > IOPL: 1 if the TSS's I/O bitmap allows the access. */
int te_io_permitted(struct vcpu *v, const struct te_insn *in);

/* ---- emul.c ---- */
void te_general_protection(struct vcpu *v);

#endif
