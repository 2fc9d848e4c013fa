/* emulate: instruction decoding and the CPUID filter (see emulate.h). */
#include "arch/x86/emulate.h"
#include "arch/x86/x86dec.h"

#include <pv86/xen.h>
#include <string.h>

static const uint8_t xen_prefix[5] = XEN_EMULATE_PREFIX_BYTES;

int emul_has_xen_prefix(const uint8_t *b, size_t n)
{
    return n >= sizeof(xen_prefix) && memcmp(b, xen_prefix, sizeof(xen_prefix)) == 0;
}

int emul_is_forced_cpuid(const uint8_t *b, size_t n)
{
    return n >= XEN_FORCED_CPUID_LEN && emul_has_xen_prefix(b, n) &&
           b[5] == 0x0F && b[6] == 0xA2;
}

unsigned emul_prefixes(const uint8_t *b, size_t n, struct x86_prefixes *p)
{
    static const int8_t seg_of[256] = {
        [0x26] = X86_SEG_ES + 1, [0x2E] = X86_SEG_CS + 1, [0x36] = X86_SEG_SS + 1,
        [0x3E] = X86_SEG_DS + 1, [0x64] = X86_SEG_FS + 1, [0x65] = X86_SEG_GS + 1,
    };
    unsigned i = 0;
    memset(p, 0, sizeof(*p));
    p->seg = -1;
    for (; i < n && i < X86_MAX_INSN_LEN; i++) {
        uint8_t c = b[i];
        if (c == 0x66)
            p->opsize16 = 1;
        else if (c == 0x67)
            p->addr16 = 1;
        else if (c == 0xF0)
            p->lock = 1;
        else if (c == 0xF2 || c == 0xF3)
            p->rep = c;
        else if (seg_of[c])
            p->seg = seg_of[c] - 1;
        else
            break;
    }
    p->len = i;
    return i;
}

static int32_t le32(const uint8_t *b)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return (int32_t)v;
}

static unsigned modrm16(const uint8_t *b, size_t n, struct x86_memop *m)
{
    static const int8_t base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };   /* bx bx bp bp si di bp bx */
    static const int8_t index[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };  /* si di si di */
    unsigned mod = b[0] >> 6, rm = b[0] & 7;
    m->base = base[rm];
    m->index = index[rm];
    if (mod == 0 && rm == 6) {
        m->base = -1;
        mod = 2;                              /* disp16 alone */
    }
    if (mod == 0)
        return 1;
    if (mod == 1) {
        if (n < 2)
            return 0;
        m->disp = (int8_t)b[1];
        return 2;
    }
    if (n < 3)
        return 0;
    m->disp = (int16_t)(b[1] | b[2] << 8);
    return 3;
}

unsigned emul_modrm(const uint8_t *b, size_t n, int addr16, struct x86_modrm *o)
{
    struct x86_memop *m = &o->mem;
    if (n < 1)
        return 0;
    unsigned mod = b[0] >> 6, rm = b[0] & 7, len = 1;
    o->reg = (b[0] >> 3) & 7;
    o->mod_reg = mod == 3;
    o->rm = o->mod_reg ? (int)rm : 0;
    m->addr16 = addr16;
    m->base = m->index = -1;
    m->scale = 1;
    m->disp = 0;
    if (mod == 3)
        return 1;
    if (addr16)
        return modrm16(b, n, m);
    if (rm == 4) {                            /* SIB */
        if (n < 2)
            return 0;
        uint8_t sib = b[1];
        len = 2;
        m->scale = 1u << (sib >> 6);
        if (((sib >> 3) & 7) != 4)            /* index 4: none */
            m->index = (sib >> 3) & 7;
        if ((sib & 7) == 5 && mod == 0) {     /* no base: disp32 */
            if (n < 6)
                return 0;
            m->disp = le32(b + 2);
            return 6;
        }
        m->base = sib & 7;
    } else if (rm == 5 && mod == 0) {         /* disp32 alone */
        if (n < 5)
            return 0;
        m->disp = le32(b + 1);
        return 5;
    } else {
        m->base = (int)rm;
    }
    if (mod == 1) {
        if (n < len + 1)
            return 0;
        m->disp = (int8_t)b[len];
        return len + 1;
    }
    if (mod == 2) {
        if (n < len + 4)
            return 0;
        m->disp = le32(b + len);
        return len + 4;
    }
    return len;
}

uint32_t emul_effective_address(const struct x86_memop *m, const uint32_t gpr[8])
{
    uint32_t a = (uint32_t)m->disp;
    if (m->addr16) {
        if (m->base >= 0)
            a += gpr[m->base] & 0xFFFF;
        if (m->index >= 0)
            a += gpr[m->index] & 0xFFFF;
        return a & 0xFFFF;
    }
    if (m->base >= 0)
        a += gpr[m->base];
    if (m->index >= 0)
        a += gpr[m->index] * m->scale;
    return a;
}

int emul_decode_mov_cr(const uint8_t *b, size_t n, struct mov_cr *out)
{
    struct x86_insn x;
    /* x86dec: always a register operand (the CPU ignores the mod bits);
     * LOCK (CR8 on AMD), CR1 and CR5-CR7 (#UD), over 15 bytes: not this */
    if (!x86_decode(b, n, &x) || x.fault != X86F_NONE || x.lock || x.map != X86M_0F ||
        (x.opcode != 0x20 && x.opcode != 0x22))
        return 0;
    out->to_cr = x.opcode == 0x22;
    out->cr = x.reg;
    out->reg = x.rm;
    out->len = x.len;
    return 1;
}

/* CPUID.1 bits a PV guest must not rely on. */
#define EDX_VME     (1u << 1)
#define EDX_DE      (1u << 2)
#define EDX_PSE     (1u << 3)
#define EDX_MCE     (1u << 7)
#define EDX_APIC    (1u << 9)
#define EDX_MTRR    (1u << 12)
#define EDX_PGE     (1u << 13)
#define EDX_MCA     (1u << 14)
#define EDX_PSE36   (1u << 17)
#define EDX_DS      (1u << 21)
#define EDX_ACPI    (1u << 22)
#define EDX_TM      (1u << 29)
#define EDX_PBE     (1u << 31)
#define ECX_MONITOR (1u << 3)
#define ECX_DSCPL   (1u << 4)
#define ECX_VMX     (1u << 5)
#define ECX_SMX     (1u << 6)
#define ECX_EST     (1u << 7)
#define ECX_TM2     (1u << 8)
#define ECX_X2APIC  (1u << 21)
#define ECX_HYPERVISOR (1u << 31)
#define EXT_ECX_SVM (1u << 2)
#define EXT_EDX_SYSCALL (1u << 11)

void emul_cpuid_filter(uint32_t leaf, uint32_t subleaf, uint32_t regs[4],
                       uint32_t version)
{
    (void)subleaf;
    if (leaf >= XEN_CPUID_LEAF_BASE && leaf < XEN_CPUID_LEAF_BASE + 0x100) {
        regs[0] = regs[1] = regs[2] = regs[3] = 0;
        switch (leaf - XEN_CPUID_LEAF_BASE) {
        case 0:
            regs[0] = XEN_CPUID_LEAF_BASE + 2;      /* highest Xen leaf */
            memcpy(&regs[1], "XenV", 4);
            memcpy(&regs[2], "MMXe", 4);
            memcpy(&regs[3], "nVMM", 4);
            break;
        case 1:
            regs[0] = version;                      /* major << 16 | minor */
            break;
        case 2:
            break;    /* 0 hypercall pages through MSRs: PV guests use the note */
        }
        return;
    }
    if (leaf == 1) {
        regs[2] &= ~(ECX_MONITOR | ECX_DSCPL | ECX_VMX | ECX_SMX | ECX_EST |
                     ECX_TM2 | ECX_X2APIC);
        regs[2] |= ECX_HYPERVISOR;
        regs[3] &= ~(EDX_VME | EDX_DE | EDX_PSE | EDX_MCE | EDX_APIC | EDX_MTRR |
                     EDX_PGE | EDX_MCA | EDX_PSE36 | EDX_DS | EDX_ACPI | EDX_TM |
                     EDX_PBE);
    } else if (leaf == 0x80000001u) {
        regs[2] &= ~EXT_ECX_SVM;
        regs[3] &= ~EXT_EDX_SYSCALL;    /* pv86 never enables it (sysenter.c) */
    }
}

/* ---- CR4 (Xen's pv_fixup_guest_cr4) ---- */
#define CR4_TSD_BIT      (1u << 2)
#define CR4_DE_BIT       (1u << 3)
#define CR4_FSGSBASE_BIT (1u << 16)
#define CR4_OSXSAVE_BIT  (1u << 18)
#define EDX_TSC          (1u << 4)
#define ECX_XSAVE        (1u << 26)
#define EBX7_FSGSBASE    (1u << 0)

uint32_t emul_pv_cr4_bits(uint32_t val, const uint32_t leaf1[4], uint32_t leaf7_ebx)
{
    uint32_t allowed = EMUL_PV_CR4_GUEST_MASK;
    if (!(leaf1[3] & EDX_TSC))
        allowed &= ~CR4_TSD_BIT;
    if (!(leaf1[3] & EDX_DE))
        allowed &= ~CR4_DE_BIT;
    if (!(leaf7_ebx & EBX7_FSGSBASE))
        allowed &= ~CR4_FSGSBASE_BIT;
    if (!(leaf1[2] & ECX_XSAVE))
        allowed &= ~CR4_OSXSAVE_BIT;
    return val & allowed;
}

uint32_t emul_pv_cr4_view(uint32_t guest_bits, uint32_t real_cr4)
{
    return (guest_bits & EMUL_PV_CR4_GUEST_MASK) | (real_cr4 & EMUL_PV_CR4_VISIBLE);
}
