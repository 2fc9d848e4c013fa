/*
 * rules: the hw mode's pure decisions (see rules.h).
 */
#include "hw/rules.h"
#include "arch/x86/x86dec.h"

#include <string.h>

#define EFLAGS_IF_BIT  (1u << 9)
#define EFER_SCE_BIT   (1ull << 0)
#define EFER_LME_BIT   (1ull << 8)
#define EFER_NXE_BIT   (1ull << 11)
#define EFER_SVME_BIT  (1ull << 12)
#define EFER_FFXSR_BIT (1ull << 14)
#define CR4_DE_BIT     (1u << 3)
#define DR7_FIXED_1_BIT 0x400u

void hw_vmcb_control_init(struct svm_control *c, uint32_t iopm_pa, uint32_t msrpm_pa,
                          uint32_t asid, uint64_t ncr3)
{
    memset(c, 0, sizeof(*c));
    c->cr_read = 1u << 8;                      /* CR8: the LAPIC's TPR (HW_ACT_CR8) */
    c->cr_write = 1u << 8;
    c->dr_read = HW_DR_INTERCEPT;
    c->dr_write = HW_DR_WRITE_INTERCEPT;
    c->intercept1 = HW_INTERCEPT1;
    c->intercept2 = HW_INTERCEPT2;
    c->iopm_pa = iopm_pa;
    c->msrpm_pa = msrpm_pa;
    c->asid = asid;
    c->tlb_control = SVM_TLB_FLUSH_ALL;        /* the first run; hw.c clears it after */
    c->int_ctl = SVM_V_INTR_MASKING;
    c->np_enable = SVM_NP_ENABLE;
    c->n_cr3 = ncr3;
}

enum hw_action hw_exit_action(uint64_t code64)
{
    if (code64 == (uint64_t)-1)
        return HW_ACT_INVALID;               /* the APM's -1; QEMU stores 32 bits of it */
    if (code64 >> 32)
        return HW_ACT_UNKNOWN;
    uint32_t code = (uint32_t)code64;
    if ((code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_READ_DR0 + 4) ||
        (code >= SVM_EXIT_WRITE_DR0 && code < SVM_EXIT_WRITE_DR0 + 8 &&
         (HW_DR_WRITE_INTERCEPT & (1u << (code - SVM_EXIT_WRITE_DR0)))))
        return HW_ACT_DR;
    if (code == SVM_EXIT_READ_CR0 + 8 || code == SVM_EXIT_WRITE_CR0 + 8)
        return HW_ACT_CR8;
    if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32 &&
        (HW_VIRQ_FAULTS & (1u << (code - SVM_EXIT_EXCP_BASE))))
        return HW_ACT_EXCEPTION;
    switch (code) {
    case SVM_EXIT_INTR: case SVM_EXIT_NMI: case SVM_EXIT_SMI:
        return HW_ACT_NONE;
    case SVM_EXIT_VINTR:    return HW_ACT_WINDOW;
    case SVM_EXIT_CPUID:    return HW_ACT_CPUID;
    case SVM_EXIT_HLT:      return HW_ACT_HLT;
    case SVM_EXIT_MWAIT:    return HW_ACT_MWAIT;
    case SVM_EXIT_MONITOR:  return HW_ACT_MONITOR;
    case SVM_EXIT_INVD:     return HW_ACT_INVD;
    case SVM_EXIT_IOIO:     return HW_ACT_IOIO;
    case SVM_EXIT_MSR:      return HW_ACT_MSR;
    case SVM_EXIT_NPF:      return HW_ACT_NPF;
    case SVM_EXIT_VMRUN: case SVM_EXIT_VMMCALL: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI: case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_XSETBV:
    case SVM_EXIT_INVLPGA:
        return HW_ACT_UD;
    case SVM_EXIT_SHUTDOWN:    return HW_ACT_SHUTDOWN;
    case SVM_EXIT_TASK_SWITCH: return HW_ACT_TASK_SWITCH;
    case SVM_EXIT_INIT:        return HW_ACT_INIT;
    case SVM_EXIT_INVALID:     return HW_ACT_INVALID;
    default:                   return HW_ACT_UNKNOWN;
    }
}

int hw_action_touches_platform(enum hw_action act)
{
    switch (act) {
    case HW_ACT_CPUID: case HW_ACT_DR: case HW_ACT_INVD: case HW_ACT_MONITOR: case HW_ACT_UD:
    case HW_ACT_HLT: case HW_ACT_MWAIT: case HW_ACT_NONE: case HW_ACT_MSR:
        return 0;
    default:
        return 1;                     /* ports, MMIO, a window, and the ends */
    }
}

const char *hw_exit_name(uint64_t code)
{
    static const char *const dr[8] = { "dr0_read", "dr1_read", "dr2_read", "dr3_read",
                                       "dr0_write", "dr1_write", "dr2_write", "dr3_write" };
    if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_READ_DR0 + 4)
        return dr[code - SVM_EXIT_READ_DR0];
    if (code >= SVM_EXIT_WRITE_DR0 && code < SVM_EXIT_WRITE_DR0 + 4)
        return dr[4 + code - SVM_EXIT_WRITE_DR0];
    if (code == SVM_EXIT_READ_CR0 + 8)
        return "cr8_read";
    if (code == SVM_EXIT_WRITE_CR0 + 8)
        return "cr8_write";
    static const char *const exc[5] = { "ts", "np", "ss", "gp", "pf" };
    if (code >= SVM_EXIT_EXCP_BASE + 10 && code <= SVM_EXIT_EXCP_BASE + 14)
        return exc[code - SVM_EXIT_EXCP_BASE - 10];
    if (code == SVM_EXIT_WRITE_DR0 + 5)
        return "dr5_write";
    if (code == SVM_EXIT_WRITE_DR0 + 7)
        return "dr7_write";
    switch (code) {
    case SVM_EXIT_INTR:     return "intr";
    case SVM_EXIT_NMI:      return "nmi";
    case SVM_EXIT_SMI:      return "smi";
    case SVM_EXIT_INIT:     return "init";
    case SVM_EXIT_VINTR:    return "vintr";
    case SVM_EXIT_CPUID:    return "cpuid";
    case SVM_EXIT_INVD:     return "invd";
    case SVM_EXIT_HLT:      return "hlt";
    case SVM_EXIT_IOIO:     return "ioio";
    case SVM_EXIT_MSR:      return "msr";
    case SVM_EXIT_TASK_SWITCH: return "task_switch";
    case SVM_EXIT_SHUTDOWN: return "shutdown";
    case SVM_EXIT_VMRUN:    return "vmrun";
    case SVM_EXIT_VMMCALL:  return "vmmcall";
    case SVM_EXIT_VMLOAD:   return "vmload";
    case SVM_EXIT_VMSAVE:   return "vmsave";
    case SVM_EXIT_STGI:     return "stgi";
    case SVM_EXIT_CLGI:     return "clgi";
    case SVM_EXIT_SKINIT:   return "skinit";
    case SVM_EXIT_INVLPGA:  return "invlpga";
    case SVM_EXIT_MONITOR:  return "monitor";
    case SVM_EXIT_MWAIT:    return "mwait";
    case SVM_EXIT_XSETBV:   return "xsetbv";
    case SVM_EXIT_NPF:      return "npf";
    case (uint64_t)-1:
    case SVM_EXIT_INVALID:  return "invalid";
    default:                return NULL;
    }
}

unsigned hw_exit_index(uint64_t code)
{
    if (code < SVM_EXIT_CODES)
        return (unsigned)code;
    if (code == SVM_EXIT_NPF)
        return HW_EXIT_NPF_IDX;
    if (code == SVM_EXIT_INVALID || code == (uint64_t)-1)
        return HW_EXIT_INVALID_IDX;
    return HW_EXIT_OTHER;
}

int hw_decode_mov_dr(const uint8_t *b, size_t n, struct hw_mov_dr *o)
{
    size_t i = 0;
    while (i < n && i < 13) {                  /* legacy prefixes but LOCK (the CPU's #UD) */
        uint8_t p = b[i];
        if (p == 0x26 || p == 0x2E || p == 0x36 || p == 0x3E || p == 0x64 || p == 0x65 ||
            p == 0x66 || p == 0x67 || p == 0xF2 || p == 0xF3)
            i++;
        else
            break;
    }
    if (i + 3 > n || b[i] != 0x0F || (b[i + 1] != 0x21 && b[i + 1] != 0x23))
        return 0;
    o->write = b[i + 1] == 0x23;
    o->dr = (b[i + 2] >> 3) & 7;
    o->gpr = b[i + 2] & 7;
    o->len = (unsigned)i + 3;
    return 1;
}

int hw_decode_mov_cr8(const uint8_t *b, size_t n, struct hw_mov_cr8 *o)
{
    struct x86_insn x;
    /* x86dec: LOCK mov to/from CR0 is CR8 (the mod bits are ignored, as by
     * the CPU) */
    if (!x86_decode(b, n, &x) || x.fault != X86F_NONE || !x.lock || x.map != X86M_0F ||
        (x.opcode != 0x20 && x.opcode != 0x22) || x.reg != 0)
        return 0;
    o->write = x.opcode == 0x22;
    o->gpr = x.rm;
    o->len = x.len;
    return 1;
}

int hw_dr7_write(unsigned dr, uint32_t cr4, uint32_t val, uint32_t *dr7)
{
    if (dr != 5 && dr != 7)
        return -1;
    if (dr == 5 && (cr4 & CR4_DE_BIT))
        return -1;                    /* no alias with the debugging extensions */
    *dr7 = val | DR7_FIXED_1_BIT;
    return 0;
}

enum hw_hlt hw_hlt_decide(uint32_t rflags, uint32_t event_inj)
{
    if (event_inj & SVM_EVT_VALID)
        return HW_HLT_RESUME;
    return (rflags & EFLAGS_IF_BIT) ? HW_HLT_BLOCK : HW_HLT_FOREVER;
}

enum hw_inject hw_inject_decide(int pending, uint32_t rflags, uint64_t int_state,
                                uint32_t event_inj)
{
    if (pending < 0)
        return HW_INJ_NONE;
    if ((event_inj & SVM_EVT_VALID) || !(rflags & EFLAGS_IF_BIT) || (int_state & SVM_INT_SHADOW))
        return HW_INJ_WINDOW;
    return HW_INJ_NOW;
}

uint32_t hw_reinject(uint32_t info)
{
    if (!(info & SVM_EVT_VALID))
        return 0;
    uint32_t type = info & SVM_EVT_TYPE_MASK;
    if (type == SVM_EVT_INTR || type == SVM_EVT_EXCEPTION)
        return info & (SVM_EVT_VALID | SVM_EVT_TYPE_MASK | SVM_EVT_ERR_VALID | SVM_EVT_VECTOR);
    return 0;                         /* int n / int3 / into run again; NMIs: none are given */
}

int hw_virq_taken(int v_irq, uint64_t exit_code)
{
    if (!v_irq)
        return 1;                     /* the CPU clears V_IRQ when it takes it */
    /* Offered with IF set and no shadow, a V_IRQ is the first thing the
     * guest does; one of these exceptions before it is cleared is its
     * delivery faulting. */
    return hw_exit_action(exit_code) == HW_ACT_EXCEPTION;
}

/* CPUID bits the guest must not see: SVM itself (pv86 runs no nested
 * guest), and XSAVE with what needs it (XCR0 and the upper register
 * halves are not switched between domains: fxsave covers what they may
 * use), PKU (PKRU is not switched either). */
#define C1_ECX_HIDE   ((1u << 12) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29)) /* FMA XSAVE OSXSAVE AVX F16C */
#define C7_EBX_HIDE   ((1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | \
                       (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31))   /* AVX2, AVX-512 */
#define C7_ECX_HIDE   ((1u << 3) | (1u << 4))                             /* PKU OSPKE */

void hw_cpuid_filter(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    switch (leaf) {
    case 1:
        r[2] &= ~C1_ECX_HIDE;
        break;
    case 7:
        if (subleaf == 0) {
            r[1] &= ~C7_EBX_HIDE;
            r[2] &= ~C7_ECX_HIDE;
        }
        break;
    case 0xD:
        r[0] = r[1] = r[2] = r[3] = 0;
        break;
    case 0x80000001u:
        r[2] &= ~CPUID_80000001_ECX_SVM;
        break;
    case 0x8000000Au:
        r[0] = r[1] = r[2] = r[3] = 0;
        break;
    default:
        break;
    }
}

int hw_ioio_decode(uint64_t info1, struct hw_ioio *o)
{
    uint32_t i = (uint32_t)info1;
    o->port = (uint16_t)(info1 >> 16);
    o->in = (i & SVM_IOIO_IN) != 0;
    o->str = (i & SVM_IOIO_STR) != 0;
    o->rep = (i & SVM_IOIO_REP) != 0;
    if (i & SVM_IOIO_SZ32)
        o->size = 4;
    else if (i & SVM_IOIO_SZ16)
        o->size = 2;
    else if (i & SVM_IOIO_SZ8)
        o->size = 1;
    else
        return -1;
    o->addr_size = (i & SVM_IOIO_A16) ? 2 : 4;
    o->seg = (i >> SVM_IOIO_SEG_SHIFT) & 7;
    if (o->seg > 5)
        return -1;
    return 0;
}

int hw_string_io_prefixes(const uint8_t *b, size_t n, int cs32, struct hw_ioio *io)
{
    unsigned seg = 3, a16 = !cs32;             /* DS; the code segment's address size */
    for (size_t i = 0; i < n && i < 15; i++) {
        switch (b[i]) {
        case 0x26: seg = 0; break;
        case 0x2E: seg = 1; break;
        case 0x36: seg = 2; break;
        case 0x3E: seg = 3; break;
        case 0x64: seg = 4; break;
        case 0x65: seg = 5; break;
        case 0x67: a16 = cs32; break;
        case 0x66: case 0xF0: case 0xF2: case 0xF3: break;
        case 0x6C: case 0x6D: case 0x6E: case 0x6F:
            io->seg = seg;
            io->addr_size = a16 ? 2 : 4;
            return 1;
        default:
            return 0;
        }
    }
    return 0;
}

/* The MSRs QEMU's TCG keeps per CPU that mean nothing to the host while a
 * guest runs: the guest gets its own copies (first the host's values). */
static const uint32_t store_msrs[HW_MSR_STORE_SLOTS] = {
    0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,   /* MTRR phys base/mask 0-3 */
    0x208, 0x209, 0x20A, 0x20B, 0x20C, 0x20D, 0x20E, 0x20F,   /* 4-7 */
    0x250, 0x258, 0x259,                                      /* fixed 64K, 16K */
    0x268, 0x269, 0x26A, 0x26B, 0x26C, 0x26D, 0x26E, 0x26F,   /* fixed 4K */
    0x2FF,                                                    /* MTRR default type */
    0x17A,                                                    /* MCG_STATUS */
    0x1A0,                                                    /* MISC_ENABLE */
};

int hw_msr_store_slot(uint32_t msr)
{
    for (int i = 0; i < HW_MSR_STORE_SLOTS; i++)
        if (store_msrs[i] == msr)
            return i;
    return -1;
}

enum hw_msr_kind hw_msr_kind(uint32_t msr)
{
    switch (msr) {
    case 0x1B:        return HW_MSR_APIC_BASE;
    case 0x174:       return HW_MSR_SYSENTER_CS;
    case 0x175:       return HW_MSR_SYSENTER_ESP;
    case 0x176:       return HW_MSR_SYSENTER_EIP;
    case 0x277:       return HW_MSR_PAT;
    case 0xC0000080u: return HW_MSR_EFER;
    case 0xC0000081u: return HW_MSR_STAR;
    case 0xFE:        /* MTRRcap */
    case 0x179:       /* MCG_CAP */
    case 0x17B:       /* MCG_CTL: QEMU keeps 0 or ~0 only; the host's value stays */
    case 0x8B:        /* microcode revision */
    case 0x198:       /* PERF_STATUS */
    case 0x34:        /* SMI_COUNT */
        return HW_MSR_HOST;
    default:
        if (msr >= 0x400 && msr < 0x400 + 4 * 10)   /* MC0..MC9 banks (QEMU's 10) */
            return HW_MSR_HOST;
        return hw_msr_store_slot(msr) >= 0 ? HW_MSR_STORE : HW_MSR_ZERO;
    }
}

int hw_msr_host_readable(uint32_t msr, const struct hw_host_cpu *c)
{
    if (c->tcg)
        return 1;
    if ((msr >= 0x200 && msr <= 0x20F) || msr == 0x250 || msr == 0x258 || msr == 0x259 ||
        (msr >= 0x268 && msr <= 0x26F) || msr == 0x2FF || msr == 0xFE)
        return c->mtrr;
    if (msr == 0x179 || msr == 0x17A)
        return c->mca;
    if (msr == 0x17B)
        return c->mca && c->mcg_ctl;
    if (msr >= 0x400 && msr < 0x400 + 4 * 32)
        return c->mca && msr < 0x400 + 4 * c->mc_banks;
    if (msr == 0x1A0 || msr == 0x198 || msr == 0x34 || msr == 0x8B)
        return c->intel;      /* Intel's (AMD's patch level at 0x8B aside: not needed) */
    return 0;
}

uint64_t hw_efer_write(uint64_t old, uint64_t val, uint32_t ext_edx)
{
    uint64_t mask = 0;
    if (ext_edx & (1u << 11))
        mask |= EFER_SCE_BIT;
    if (ext_edx & (1u << 29))
        mask |= EFER_LME_BIT;
    if (ext_edx & (1u << 25))
        mask |= EFER_FFXSR_BIT;
    if (ext_edx & (1u << 20))
        mask |= EFER_NXE_BIT;
    return ((old & ~mask) | (val & mask)) | EFER_SVME_BIT;
}

uint64_t hw_efer_read(uint64_t vmcb_efer)
{
    return vmcb_efer & ~EFER_SVME_BIT;
}
