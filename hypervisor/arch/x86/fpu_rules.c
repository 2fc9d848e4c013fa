/* fpu_rules: who owns the FPU and what #NM means (fpu_rules.h). Pure. */
#include "arch/x86/fpu_rules.h"

unsigned fpu_take(struct fpu_track *t, int v, int v_used, int owner_alive)
{
    unsigned what = 0;
    if (t->owner == v)
        return 0;                       /* its registers are in the CPU */
    if (t->owner != FPU_NO_OWNER && owner_alive)
        what |= FPU_SAVE_OWNER;
    what |= v_used ? FPU_LOAD_OWN : FPU_LOAD_CLEAN;
    t->owner = v;
    return what;
}

void fpu_drop(struct fpu_track *t, int v)
{
    if (t->owner == v)
        t->owner = FPU_NO_OWNER;
}

int fpu_real_ts(const struct fpu_track *t, int v, uint32_t vcr0)
{
    return t->owner != v || (vcr0 & (FPU_CR0_TS | FPU_CR0_EM)) != 0;
}

static int is_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3:
        return 1;
    default:
        return 0;
    }
}

enum fpu_nm_action fpu_nm_decide(uint32_t vcr0, const uint8_t *insn, size_t n, size_t *len)
{
    int ts = (vcr0 & FPU_CR0_TS) != 0, em = (vcr0 & FPU_CR0_EM) != 0;
    int mp = (vcr0 & FPU_CR0_MP) != 0;
    size_t i = 0;

    *len = 0;
    if (!ts && !em)
        return FPU_NM_RESUME;
    while (i < n && i < 14 && is_prefix(insn[i]))
        i++;
    if (i >= n)                          /* unreadable: the CPU's #NM stands */
        return FPU_NM_GUEST_NM;
    uint8_t op = insn[i];
    if (op == 0x9B) {
        if (ts && mp)
            return FPU_NM_GUEST_NM;
        *len = i + 1;
        return FPU_NM_RUN_WAIT;
    }
    if (op >= 0xD8 && op <= 0xDF)
        return FPU_NM_GUEST_NM;
    if (op == 0x0F && i + 1 < n) {
        uint8_t op2 = insn[i + 1];
        if (op2 == 0xAE && i + 2 < n && ((insn[i + 2] >> 3) & 7) <= 1)
            return FPU_NM_GUEST_NM;      /* fxsave, fxrstor */
        return em ? FPU_NM_GUEST_UD : FPU_NM_GUEST_NM;
    }
    return FPU_NM_GUEST_NM;
}

int fpu_pv_cr0_write_ok(uint32_t val, uint32_t real_cr0)
{
    return ((val ^ real_cr0) & ~FPU_CR0_TS) == 0;
}

uint32_t fpu_pv_cr0_read(uint32_t real_cr0, uint32_t vcr0)
{
    return (real_cr0 & ~FPU_CR0_TS) | (vcr0 & FPU_CR0_TS);
}

int fpu_is_clts(const uint8_t *b, size_t n)
{
    return n >= 2 && b[0] == 0x0F && b[1] == 0x06;
}
