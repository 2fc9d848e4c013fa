/*
 * fpu_rules: the decisions behind lazy FPU switching, pure (host-tested in
 * tests/unit/test_fpu.c). fpu.c does what they say with the real CPU.
 *
 * One vCPU at a time owns the FPU: its x87/MMX/SSE registers are the ones
 * in the CPU. Every other vCPU runs with CR0.TS set, so its first FPU
 * instruction raises #NM; the hypervisor then saves the owner's registers
 * into the owner's save area, loads the new vCPU's (or a clean state the
 * first time) and makes it the owner. A vCPU's virtual CR0 (TS for a PV
 * guest, set with fpu_taskswitch or clts; TS, EM and MP for a te guest)
 * decides whether that #NM is then the guest's own as well.
 */
#ifndef HV_ARCH_X86_FPU_RULES_H
#define HV_ARCH_X86_FPU_RULES_H

#include <stddef.h>
#include <stdint.h>

#define FPU_CR0_MP (1u << 1)
#define FPU_CR0_EM (1u << 2)
#define FPU_CR0_TS (1u << 3)
#define FPU_VCR0_BITS (FPU_CR0_MP | FPU_CR0_EM | FPU_CR0_TS)

#define FPU_NO_OWNER (-1)

/* Who owns the FPU: a vCPU number (the domain's slot) or FPU_NO_OWNER. */
struct fpu_track {
    int owner;
};

/* What to do when vCPU `v` takes the FPU (bits). */
#define FPU_SAVE_OWNER 1u   /* save the owner's registers into its area */
#define FPU_LOAD_OWN   2u   /* load v's saved registers */
#define FPU_LOAD_CLEAN 4u   /* v never used the FPU: load the clean state */

/* v takes the FPU: returns FPU_* bits and makes v the owner. The owner's
 * registers are saved only if it still lives (owner_alive): a dead
 * domain's state is dropped, never saved, and never loaded into another
 * (each vCPU only ever loads its own area). v_used: v has a saved area. */
unsigned fpu_take(struct fpu_track *t, int v, int v_used, int owner_alive);
/* The owner is gone (its domain ended): nobody owns the FPU. */
void fpu_drop(struct fpu_track *t, int v);
/* Must the real CR0.TS be set while v runs? Yes unless v owns the FPU and
 * its virtual CR0 lets FPU instructions run (TS and EM clear). */
int fpu_real_ts(const struct fpu_track *t, int v, uint32_t vcr0);

/* A te guest's #NM, once its own registers are loaded: what the guest's
 * virtual CR0 (vcr0: TS, EM, MP) makes of the instruction at EIP (insn,
 * n bytes; n may be 0 if it could not be read). Intel SDM vol. 3 table 2-2
 * and the instructions' fault lists:
 *   x87 (D8-DF):              #NM if EM or TS
 *   WAIT/FWAIT (9B):          #NM if TS and MP, otherwise it runs
 *   MMX/SSE (0F xx):          #UD if EM, else #NM if TS
 *   FXSAVE/FXRSTOR (0F AE /0, /1): #NM if EM or TS */
enum fpu_nm_action {
    FPU_NM_RESUME,          /* the guest may use the FPU: run it again */
    FPU_NM_GUEST_NM,        /* deliver #NM to the guest */
    FPU_NM_GUEST_UD,        /* deliver #UD to the guest */
    FPU_NM_RUN_WAIT,        /* a WAIT the guest's CR0 lets run while TS/EM
                             * keep the real TS set: emulate it */
};
/* For FPU_NM_RUN_WAIT, *len is the instruction's length. */
enum fpu_nm_action fpu_nm_decide(uint32_t vcr0, const uint8_t *insn, size_t n, size_t *len);

/* PV guests (Xen's emulation): a mov to CR0 may change TS only. */
int fpu_pv_cr0_write_ok(uint32_t val, uint32_t real_cr0);
/* What a PV guest reads from CR0: the real one with its virtual TS. */
uint32_t fpu_pv_cr0_read(uint32_t real_cr0, uint32_t vcr0);

/* 1 if b[0..n) is clts (0F 06); its length is 2. */
int fpu_is_clts(const uint8_t *b, size_t n);

#endif
