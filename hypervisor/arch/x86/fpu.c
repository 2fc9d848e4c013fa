/*
 * fpu: lazy switching of the FPU between vCPUs (fpu.h, fpu_rules.h).
 * A vCPU is numbered by its domain's id; only the owner's registers are in
 * the CPU, every other vCPU runs with CR0.TS set until its first FPU
 * instruction raises #NM.
 */
#include "arch/x86/fpu.h"

#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/emulate.h"
#include "arch/x86/traps.h"
#include "core/domain.h"

#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE  (1u << 25)
#define FSW_ES          (1u << 7)     /* an unmasked x87 exception is pending */
#define VECTOR_MF       16            /* #MF x87 error */

static struct fpu_track track = { FPU_NO_OWNER };
static int has_fxsr;
static int real_ts = -1;              /* CR0.TS as last written; -1: unknown */
/* What a vCPU's first FPU instruction finds: what fninit leaves, with every
 * register zero (fninit alone keeps the last owner's register contents,
 * which fnsave and fxsave would then show) and MXCSR at its reset value. */
static uint8_t clean_area[FPU_AREA_SIZE] __attribute__((aligned(16)));

static void set_ts(int on)
{
    if (on == real_ts)
        return;
    uint32_t cr0 = read_cr0();
    write_cr0(on ? cr0 | CR0_TS : cr0 & ~CR0_TS);
    real_ts = on;
}

void fpu_init(void)
{
    uint32_t r[4];
    cpuid_count(1, 0, r);
    has_fxsr = (r[3] & CPUID1_EDX_FXSR) != 0;
    uint32_t cr4 = read_cr4();
    if (has_fxsr)
        cr4 |= CR4_OSFXSR;
    if (has_fxsr && (r[3] & CPUID1_EDX_SSE))
        cr4 |= CR4_OSXMMEXCPT;
    write_cr4(cr4);
    /* Native x87 errors (#MF), WAIT obeys TS, no emulation. */
    write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
    real_ts = 0;

    memset(clean_area, 0, sizeof(clean_area));
    uint16_t *w = (uint16_t *)clean_area;
    uint32_t *l = (uint32_t *)clean_area;
    if (has_fxsr) {
        w[0] = 0x037F;                  /* FCW; FSW 0, abridged FTW 0: all empty */
        l[6] = 0x1F80;                  /* MXCSR: every SIMD exception masked */
    } else {
        l[0] = 0xFFFF037Fu;             /* FNSAVE: FCW (high half reserved) */
        l[2] = 0xFFFFFFFFu;             /* FTW: all empty */
    }
}

static struct vcpu *vcpu_of(int id)
{
    struct domain *d = domain_by_id((uint16_t)id);
    return d ? &d->vcpu : NULL;
}

/* v's registers into the CPU, v the owner; real CR0.TS left clear. */
static void take(struct vcpu *v)
{
    int id = v->domain->id;
    struct vcpu *owner = track.owner == FPU_NO_OWNER ? NULL : vcpu_of(track.owner);
    int alive = owner && (owner->domain->state == DOM_RUNNABLE ||
                          owner->domain->state == DOM_BLOCKED);
    unsigned what = fpu_take(&track, id, v->fpu.used, alive);

    set_ts(0);
    if (what & FPU_SAVE_OWNER) {
        if (has_fxsr)
            fxsave(owner->fpu.area);
        else
            fnsave(owner->fpu.area);
        owner->fpu.used = 1;
    } else if (owner && owner != v) {
        owner->fpu.used = 0;            /* a dead domain's state is dropped */
    }
    if (what & (FPU_LOAD_OWN | FPU_LOAD_CLEAN)) {
        const void *src = (what & FPU_LOAD_OWN) ? v->fpu.area : clean_area;
        if (has_fxsr)
            fxrstor(src);
        else
            frstor(src);
    }
}

void fpu_switch_in(struct vcpu *v)
{
    set_ts(fpu_real_ts(&track, v->domain->id, v->fpu.vcr0));
}

void fpu_vcpu_stop(struct vcpu *v)
{
    fpu_drop(&track, v->domain->id);
    v->fpu.used = 0;
    set_ts(1);                          /* whoever runs next starts with #NM */
}

/* ---- PV guests ---- */

/* Xen's fpu_taskswitch: set or clear the virtual CR0.TS. */
static void taskswitch(struct vcpu *v, int set)
{
    if (set)
        v->fpu.vcr0 |= FPU_CR0_TS;
    else
        v->fpu.vcr0 &= ~FPU_CR0_TS;
    set_ts(fpu_real_ts(&track, v->domain->id, v->fpu.vcr0));
}

int32_t do_fpu_taskswitch(struct vcpu *v, uint32_t set, uint32_t a2, uint32_t a3,
                          uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    taskswitch(v, set != 0);
    return 0;
}

void fpu_device_not_available(struct vcpu *v)
{
    take(v);
    if (v->fpu.vcr0 & FPU_CR0_TS) {
        bounce_exception(v, TRAP_NM, 0, 0);
        v->fpu.vcr0 &= ~FPU_CR0_TS;
    }
    set_ts(fpu_real_ts(&track, v->domain->id, v->fpu.vcr0));
}

int fpu_emulate_cr0(struct vcpu *v, const uint8_t *insn, size_t n)
{
    struct mov_cr m;
    if (fpu_is_clts(insn, n)) {
        taskswitch(v, 0);
        v->regs.eip += 2;
        return 1;
    }
    if (!emul_decode_mov_cr(insn, n, &m) || m.cr != 0)
        return 0;
    uint32_t *reg = frame_reg(&v->regs, m.reg);
    if (m.to_cr) {
        if (!fpu_pv_cr0_write_ok(*reg, read_cr0()))
            return 0;
        taskswitch(v, (*reg & CR0_TS) != 0);
    } else {
        *reg = fpu_pv_cr0_read(read_cr0(), v->fpu.vcr0);
    }
    v->regs.eip += (uint32_t)m.len;
    return 1;
}

/* ---- hw guests ---- */

void fpu_hw_take(struct vcpu *v)
{
    if (track.owner == v->domain->id)
        set_ts(0);                      /* the common case: already its registers */
    else
        take(v);
}

/* ---- te guests ---- */

void fpu_te_cr0(struct vcpu *v, uint32_t cr0)
{
    v->fpu.vcr0 = cr0 & FPU_VCR0_BITS;
    set_ts(fpu_real_ts(&track, v->domain->id, v->fpu.vcr0));
}

int fpu_te_device_not_available(struct vcpu *v, uint32_t cr0, const uint8_t *insn, size_t n)
{
    size_t len;
    int vec = -1;
    v->fpu.vcr0 = cr0 & FPU_VCR0_BITS;
    take(v);
    switch (fpu_nm_decide(v->fpu.vcr0, insn, n, &len)) {
    case FPU_NM_RESUME:
        break;
    case FPU_NM_GUEST_NM:
        vec = TRAP_NM;
        break;
    case FPU_NM_GUEST_UD:
        vec = TRAP_UD;
        break;
    case FPU_NM_RUN_WAIT:               /* its registers are loaded, TS clear */
        if (fnstsw() & FSW_ES)
            vec = VECTOR_MF;
        else
            v->regs.eip += (uint32_t)len;
        break;
    }
    set_ts(fpu_real_ts(&track, v->domain->id, v->fpu.vcr0));
    return vec;
}
