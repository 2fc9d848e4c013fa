/* msr: Xen's PV MSR emulation as one table (msr.h). Pure. */
#include "arch/x86/msr.h"

#include <string.h>

#define V_ANY 0xFFFFu
#define V_IC  (MSR_VENDOR_INTEL | MSR_VENDOR_CENTAUR)
#define V_ICS (MSR_VENDOR_INTEL | MSR_VENDOR_CENTAUR | MSR_VENDOR_SHANGHAI)
#define V_AH  (MSR_VENDOR_AMD | MSR_VENDOR_HYGON)
#define V_IAH (MSR_VENDOR_INTEL | MSR_VENDOR_AMD | MSR_VENDOR_HYGON)

enum rd {
    R_GP = 0,       /* #GP(0) */
    R_ZERO,         /* reads as 0 (Xen: RAZ, or vPMU off) */
    R_CONST,        /* row's value */
    R_HOST,         /* the host's value */
    R_TSC,          /* the TSC (Xen without vtsc: rdtsc) */
    R_MISC_ENABLE,  /* the host's, with Xen's guest_misc_enable */
    R_EFER,         /* guest_efer */
    R_MFE,          /* the vCPU's MISC_FEATURES_ENABLES */
    R_FAM10H,       /* 0 on AMD families 0x10-0x16, else #GP */
};
enum wr {
    W_GP = 0,       /* #GP(0) */
    W_DROP,         /* accepted, nothing changes */
    W_EFER,         /* only the value it reads */
    W_UCODE,        /* Intel: 0 only (the SDM's "write 0, cpuid, read") */
    W_MFE,          /* 0 only (no CPUID faulting offered), kept */
    W_FAM10H,       /* dropped on AMD families 0x10-0x16, else #GP */
};

static const struct msr_row {
    uint32_t first, last;
    uint16_t rv, wv;        /* vendors for the read and the write rows */
    uint8_t rd, wr;
    uint64_t value;
} rows[] = {
    { 0x00000010, 0x00000010, V_ANY, 0, R_TSC, W_GP, 0 },
    { 0x00000017, 0x00000017, MSR_VENDOR_INTEL, 0, R_HOST, W_GP, 0 },  /* PLATFORM_ID */
    /* APIC_BASE: enabled, at 0xfee00000, vCPU 0 the BSP */
    { 0x0000001b, 0x0000001b, V_ANY, 0, R_CONST, W_GP, 0xFEE00900u },
    { 0x0000003a, 0x0000003a, V_ICS, 0, R_CONST, W_GP, 1 },  /* FEATURE_CONTROL: locked */
    { 0x0000008b, 0x0000008b, MSR_VENDOR_INTEL | MSR_VENDOR_AMD, MSR_VENDOR_INTEL,
      R_HOST, W_UCODE, 0 },                                  /* UCODE_REV / PATCHLEVEL */
    { 0x000000c1, 0x000000c8, MSR_VENDOR_INTEL, MSR_VENDOR_INTEL, R_ZERO, W_DROP, 0 },
    { 0x000000ce, 0x000000ce, V_ANY, 0, R_ZERO, W_GP, 0 },   /* PLATFORM_INFO */
    { 0x000000e7, 0x000000e8, 0, V_IAH, R_GP, W_DROP, 0 },   /* MPERF, APERF */
    { 0x00000140, 0x00000140, V_ANY, V_ANY, R_MFE, W_MFE, 0 },
    { 0x00000186, 0x00000189, MSR_VENDOR_INTEL, MSR_VENDOR_INTEL, R_ZERO, W_DROP, 0 },
    { 0x00000198, 0x00000198, V_IC, 0, R_ZERO, W_GP, 0 },    /* PERF_STATUS */
    { 0x00000199, 0x00000199, V_IC, V_IC, R_ZERO, W_DROP, 0 },  /* PERF_CTL */
    { 0x0000019a, 0x0000019a, 0, MSR_VENDOR_INTEL, R_GP, W_DROP, 0 },  /* THERM_CONTROL */
    { 0x0000019c, 0x0000019c, MSR_VENDOR_INTEL, 0, R_ZERO, W_GP, 0 },  /* THERM_STATUS */
    { 0x000001a0, 0x000001a0, V_ICS, V_ICS, R_MISC_ENABLE, W_DROP, 0 },
    { 0x000001b0, 0x000001b0, 0, MSR_VENDOR_INTEL, R_GP, W_DROP, 0 },  /* ENERGY_PERF_BIAS */
    { 0x00000277, 0x00000277, V_ANY, 0, R_CONST, W_GP, XEN_MSR_PAT },
    { 0x00000309, 0x0000030b, MSR_VENDOR_INTEL, MSR_VENDOR_INTEL, R_ZERO, W_DROP, 0 },
    { 0x00000345, 0x00000345, V_ANY, 0, R_ZERO, W_GP, 0 },   /* PERF_CAPABILITIES */
    { 0x0000038d, 0x00000390, MSR_VENDOR_INTEL, MSR_VENDOR_INTEL, R_ZERO, W_DROP, 0 },
    { 0x40000000, 0x40000000, V_ANY, 0, R_ZERO, W_GP, 0 },   /* Xen's hypercall page MSR */
    { 0xc0000080, 0xc0000080, V_ANY, V_ANY, R_EFER, W_EFER, 0 },
    { 0xc0010000, 0xc0010007, V_AH, V_AH, R_ZERO, W_DROP, 0 },  /* K7 EVNTSEL/PERFCTR */
    { 0xc0010015, 0xc0010015, V_AH, V_AH, R_ZERO, W_DROP, 0 },  /* HWCR */
    { 0xc001001f, 0xc001001f, V_ANY, V_ANY, R_ZERO, W_DROP, 0 },  /* NB_CFG */
    { 0xc0010041, 0xc0010042, MSR_VENDOR_AMD, V_AH, R_ZERO, W_DROP, 0 },  /* FID/VID */
    { 0xc0010058, 0xc0010058, MSR_VENDOR_AMD, MSR_VENDOR_AMD, R_FAM10H, W_FAM10H, 0 },
    { 0xc0010061, 0xc001006b, MSR_VENDOR_AMD, V_AH, R_ZERO, W_DROP, 0 },  /* P-states */
    { 0xc0010200, 0xc001020b, V_AH, V_AH, R_ZERO, W_DROP, 0 },  /* fam15h PMU */
    { 0xc0011029, 0xc0011029, V_AH, V_AH, R_CONST, W_DROP, 2 }, /* DE_CFG: LFENCE serialises */
};

static const struct msr_row *find(uint32_t msr)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (msr >= rows[i].first && msr <= rows[i].last)
            return &rows[i];
    return NULL;
}

unsigned msr_vendor_of(const uint32_t leaf0[4])
{
    static const struct { char id[13]; unsigned v; } ids[] = {
        { "GenuineIntel", MSR_VENDOR_INTEL }, { "AuthenticAMD", MSR_VENDOR_AMD },
        { "CentaurHauls", MSR_VENDOR_CENTAUR }, { "  Shanghai  ", MSR_VENDOR_SHANGHAI },
        { "HygonGenuine", MSR_VENDOR_HYGON },
    };
    char s[12];
    memcpy(s, &leaf0[1], 4);
    memcpy(s + 4, &leaf0[3], 4);
    memcpy(s + 8, &leaf0[2], 4);
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (memcmp(s, ids[i].id, 12) == 0)
            return ids[i].v;
    return 0;
}

uint64_t msr_guest_efer(const struct msr_cpu *c)
{
    uint64_t known = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | EFER_LMSLE |
                     EFER_FFXSE | EFER_AIBRSE;
    uint64_t v = c->efer & known & ~(EFER_SVME | EFER_AIBRSE);
    /* a 32-bit guest: no long mode; SCE is vendor-dependent (Intel: hidden) */
    v &= ~(EFER_LME | EFER_LMA | (c->vendor == MSR_VENDOR_INTEL ? EFER_SCE : 0));
    return v;
}

static int fam10h(const struct msr_cpu *c)
{
    return c->family >= 0x10 && c->family < 0x17;
}

int msr_pv_read(const struct msr_cpu *c, const struct msr_vcpu *v, uint32_t vcpu_id,
                uint32_t msr, uint64_t *val)
{
    const struct msr_row *r = find(msr);
    if (!r || !(r->rv & c->vendor) || r->rd == R_GP)
        return -1;
    switch (r->rd) {
    case R_ZERO:
        *val = 0;
        return 0;
    case R_CONST:
        *val = r->value;
        if (msr == MSR_IA32_APIC_BASE && vcpu_id != 0)
            *val &= ~0x100ull;                  /* only vCPU 0 is the BSP */
        return 0;
    case R_HOST:
    case R_TSC:
        *val = c->host(c->ctx, msr);
        return 0;
    case R_MISC_ENABLE:
        *val = (c->host(c->ctx, msr) & ~(MISC_ENABLE_PERF_AVAIL | MISC_ENABLE_MONITOR_ENABLE)) |
               MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL | MISC_ENABLE_XTPR_DISABLE;
        return 0;
    case R_EFER:
        *val = msr_guest_efer(c);
        return 0;
    case R_MFE:
        *val = v->misc_features_enables;
        return 0;
    case R_FAM10H:
        if (!fam10h(c))
            return -1;
        *val = 0;
        return 0;
    default:
        return -1;
    }
}

int msr_pv_write(const struct msr_cpu *c, struct msr_vcpu *v, uint32_t msr, uint64_t val)
{
    const struct msr_row *r = find(msr);
    if (!r || !(r->wv & c->vendor) || r->wr == W_GP)
        return -1;
    switch (r->wr) {
    case W_DROP:
        return 0;
    case W_EFER:
        return val == msr_guest_efer(c) ? 0 : -1;
    case W_UCODE:
        return val == 0 ? 0 : -1;
    case W_MFE:
        if (val)
            return -1;
        v->misc_features_enables = val;
        return 0;
    case W_FAM10H:
        return fam10h(c) ? 0 : -1;
    default:
        return -1;
    }
}
