/*
 * difftest: x86dec (hypervisor/arch/x86/x86dec.c) against libzydis and
 * objdump, on the host, in 32-bit protected mode.
 *
 *   difftest [-v] [--elf FILE]... [--random N] [--seed S]
 *
 * --elf: every instruction of FILE's executable sections, at the
 * boundaries objdump -d gives (its instruction lengths are the oracle for
 * the length); zydis gives the class. --random: N byte sequences of 16
 * bytes from a fixed-seed generator, half of them starting with a run of
 * legacy prefixes; for each, valid/invalid and (when valid) length and
 * class are compared with zydis.
 *
 * Every accepted difference is in the table `accepted` below, with its
 * reason (docs/decoder.md lists the same). Any other disagreement is
 * printed and makes the exit status 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "arch/x86/x86dec.h"

static int verbose;
static ZydisDecoder zdec;

/* ---- zydis's instruction as an x86_class: the one mapping table */
struct zmap { ZydisMnemonic mn; enum x86_class cls; };
static const struct zmap zmap[] = {
    { ZYDIS_MNEMONIC_IRETD, X86C_IRET }, { ZYDIS_MNEMONIC_IRET, X86C_IRET },
    { ZYDIS_MNEMONIC_INT, X86C_INT }, { ZYDIS_MNEMONIC_INT1, X86C_INT },
    { ZYDIS_MNEMONIC_INT3, X86C_INT }, { ZYDIS_MNEMONIC_INTO, X86C_INT },
    { ZYDIS_MNEMONIC_CLI, X86C_CLI }, { ZYDIS_MNEMONIC_STI, X86C_STI },
    { ZYDIS_MNEMONIC_PUSHF, X86C_PUSHF }, { ZYDIS_MNEMONIC_PUSHFD, X86C_PUSHF },
    { ZYDIS_MNEMONIC_POPF, X86C_POPF }, { ZYDIS_MNEMONIC_POPFD, X86C_POPF },
    { ZYDIS_MNEMONIC_LDS, X86C_SEG_WRITE }, { ZYDIS_MNEMONIC_LES, X86C_SEG_WRITE },
    { ZYDIS_MNEMONIC_LFS, X86C_SEG_WRITE }, { ZYDIS_MNEMONIC_LGS, X86C_SEG_WRITE },
    { ZYDIS_MNEMONIC_LSS, X86C_SEG_WRITE },
    { ZYDIS_MNEMONIC_SGDT, X86C_DESC_READ }, { ZYDIS_MNEMONIC_SIDT, X86C_DESC_READ },
    { ZYDIS_MNEMONIC_SLDT, X86C_DESC_READ }, { ZYDIS_MNEMONIC_STR, X86C_DESC_READ },
    { ZYDIS_MNEMONIC_SMSW, X86C_DESC_READ },
    { ZYDIS_MNEMONIC_LAR, X86C_DESC_CHECK }, { ZYDIS_MNEMONIC_LSL, X86C_DESC_CHECK },
    { ZYDIS_MNEMONIC_VERR, X86C_DESC_CHECK }, { ZYDIS_MNEMONIC_VERW, X86C_DESC_CHECK },
    { ZYDIS_MNEMONIC_LGDT, X86C_PRIV }, { ZYDIS_MNEMONIC_LIDT, X86C_PRIV },
    { ZYDIS_MNEMONIC_LLDT, X86C_PRIV }, { ZYDIS_MNEMONIC_LTR, X86C_PRIV },
    { ZYDIS_MNEMONIC_LMSW, X86C_PRIV }, { ZYDIS_MNEMONIC_CLTS, X86C_PRIV },
    { ZYDIS_MNEMONIC_INVLPG, X86C_PRIV }, { ZYDIS_MNEMONIC_INVD, X86C_PRIV },
    { ZYDIS_MNEMONIC_WBINVD, X86C_PRIV }, { ZYDIS_MNEMONIC_RDMSR, X86C_PRIV },
    { ZYDIS_MNEMONIC_WRMSR, X86C_PRIV }, { ZYDIS_MNEMONIC_HLT, X86C_PRIV },
    { ZYDIS_MNEMONIC_RDPMC, X86C_PRIV }, { ZYDIS_MNEMONIC_MONITOR, X86C_PRIV },
    { ZYDIS_MNEMONIC_MWAIT, X86C_PRIV }, { ZYDIS_MNEMONIC_CLAC, X86C_PRIV },
    { ZYDIS_MNEMONIC_STAC, X86C_PRIV }, { ZYDIS_MNEMONIC_XSETBV, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMRUN, X86C_PRIV }, { ZYDIS_MNEMONIC_VMMCALL, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMLOAD, X86C_PRIV }, { ZYDIS_MNEMONIC_VMSAVE, X86C_PRIV },
    { ZYDIS_MNEMONIC_STGI, X86C_PRIV }, { ZYDIS_MNEMONIC_CLGI, X86C_PRIV },
    { ZYDIS_MNEMONIC_SKINIT, X86C_PRIV }, { ZYDIS_MNEMONIC_INVLPGA, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMCALL, X86C_PRIV }, { ZYDIS_MNEMONIC_VMLAUNCH, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMRESUME, X86C_PRIV }, { ZYDIS_MNEMONIC_VMXOFF, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMREAD, X86C_PRIV }, { ZYDIS_MNEMONIC_VMWRITE, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMPTRLD, X86C_PRIV }, { ZYDIS_MNEMONIC_VMPTRST, X86C_PRIV },
    { ZYDIS_MNEMONIC_VMCLEAR, X86C_PRIV }, { ZYDIS_MNEMONIC_VMXON, X86C_PRIV },
    { ZYDIS_MNEMONIC_INVEPT, X86C_PRIV }, { ZYDIS_MNEMONIC_INVVPID, X86C_PRIV },
    { ZYDIS_MNEMONIC_INVPCID, X86C_PRIV },
    { ZYDIS_MNEMONIC_IN, X86C_IO }, { ZYDIS_MNEMONIC_OUT, X86C_IO },
    { ZYDIS_MNEMONIC_INSB, X86C_IO }, { ZYDIS_MNEMONIC_INSW, X86C_IO },
    { ZYDIS_MNEMONIC_INSD, X86C_IO }, { ZYDIS_MNEMONIC_OUTSB, X86C_IO },
    { ZYDIS_MNEMONIC_OUTSW, X86C_IO }, { ZYDIS_MNEMONIC_OUTSD, X86C_IO },
    { ZYDIS_MNEMONIC_SYSENTER, X86C_SYSTEM }, { ZYDIS_MNEMONIC_SYSEXIT, X86C_SYSTEM },
    { ZYDIS_MNEMONIC_SYSCALL, X86C_SYSTEM }, { ZYDIS_MNEMONIC_SYSRET, X86C_SYSTEM },
    { ZYDIS_MNEMONIC_RSM, X86C_SYSTEM },
    { ZYDIS_MNEMONIC_CPUID, X86C_CPUID },
    { ZYDIS_MNEMONIC_UD0, X86C_INVALID }, { ZYDIS_MNEMONIC_UD1, X86C_INVALID },
    { ZYDIS_MNEMONIC_UD2, X86C_INVALID },
    { ZYDIS_MNEMONIC_LOOP, X86C_LOOP_REL }, { ZYDIS_MNEMONIC_LOOPE, X86C_LOOP_REL },
    { ZYDIS_MNEMONIC_LOOPNE, X86C_LOOP_REL }, { ZYDIS_MNEMONIC_JCXZ, X86C_LOOP_REL },
    { ZYDIS_MNEMONIC_JECXZ, X86C_LOOP_REL },
};

static int has_regclass(const ZydisDecodedInstruction *z, const ZydisDecodedOperand *ops,
                        ZydisRegisterClass rc, int only_first)
{
    for (unsigned i = 0; i < z->operand_count_visible; i++) {
        if (only_first && i > 0)
            break;
        if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
            ZydisRegisterGetClass(ops[i].reg.value) == rc)
            return 1;
    }
    return 0;
}

static enum x86_class zclass(const ZydisDecodedInstruction *z, const ZydisDecodedOperand *ops)
{
    for (size_t i = 0; i < sizeof(zmap) / sizeof(zmap[0]); i++)
        if (zmap[i].mn == z->mnemonic)
            return zmap[i].cls;
    int far = z->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
    int rel = z->operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
              ops[0].imm.is_relative;
    switch (z->mnemonic) {
    case ZYDIS_MNEMONIC_JMP:
        return far ? X86C_JMP_FAR : rel ? X86C_JMP_REL : X86C_JMP_IND;
    case ZYDIS_MNEMONIC_CALL:
        return far ? X86C_CALL_FAR : rel ? X86C_CALL_REL : X86C_CALL_IND;
    case ZYDIS_MNEMONIC_RET:
        return far ? X86C_RET_FAR : X86C_RET;
    case ZYDIS_MNEMONIC_MOV:
        if (has_regclass(z, ops, ZYDIS_REGCLASS_CONTROL, 0) ||
            has_regclass(z, ops, ZYDIS_REGCLASS_DEBUG, 0))
            return X86C_PRIV;
        if (has_regclass(z, ops, ZYDIS_REGCLASS_SEGMENT, 1))
            return X86C_SEG_WRITE;
        if (has_regclass(z, ops, ZYDIS_REGCLASS_SEGMENT, 0))
            return X86C_SEG_READ;
        return X86C_PLAIN;
    case ZYDIS_MNEMONIC_PUSH:
        return has_regclass(z, ops, ZYDIS_REGCLASS_SEGMENT, 1) ? X86C_SEG_READ : X86C_PLAIN;
    case ZYDIS_MNEMONIC_POP:
        return has_regclass(z, ops, ZYDIS_REGCLASS_SEGMENT, 1) ? X86C_SEG_WRITE : X86C_PLAIN;
    default:
        break;
    }
    if (z->meta.category == ZYDIS_CATEGORY_COND_BR)
        return X86C_JCC_REL;
    return X86C_PLAIN;
}

/* ---- the accepted differences: where zydis (or objdump) is not what the
 * reference CPU (QEMU 7.2 TCG, the Intel SDM) does. One table; each entry
 * says which disagreement it explains and why. */
struct outcome {
    const uint8_t *b;
    struct x86_insn m;            /* x86dec */
    int zok;                      /* zydis decoded it */
    ZyanStatus zst;
    ZydisDecodedInstruction z;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    enum x86_class zcls;
    const char *bad;              /* the disagreement */
};

struct accepted {
    const char *what;
    int (*match)(const struct outcome *o);
    const char *why;
    unsigned long count;
};

static int same_len(const struct outcome *o)
{
    return o->m.fault == X86F_GP || o->m.len == o->z.length;
}

static int zydis_only(const struct outcome *o)
{
    return o->zok && o->zcls != X86C_INVALID && o->m.fault != X86F_NONE;
}

static int ext_in(const struct outcome *o, const ZydisISAExt *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (o->z.meta.isa_ext == set[i])
            return 1;
    return 0;
}

/* AVX-512 (EVEX, and its VEX-encoded mask instructions) */
static int m_avx512(const struct outcome *o)
{
    static const ZydisISAExt set[] = { ZYDIS_ISA_EXT_AVX512EVEX, ZYDIS_ISA_EXT_AVX512VEX };
    return zydis_only(o) && ext_in(o, set, sizeof(set) / sizeof(set[0])) && same_len(o);
}

/* AMD's XOP, FMA4 and TBM */
static int m_amd_xop(const struct outcome *o)
{
    static const ZydisISAExt set[] = { ZYDIS_ISA_EXT_XOP, ZYDIS_ISA_EXT_FMA4, ZYDIS_ISA_EXT_TBM };
    return zydis_only(o) && ext_in(o, set, sizeof(set) / sizeof(set[0]));
}

/* the other extensions x86dec leaves out (docs/decoder.md) */
static int m_other_ext(const struct outcome *o)
{
    static const ZydisISAExt set[] = {
        ZYDIS_ISA_EXT_RTM, ZYDIS_ISA_EXT_SGX, ZYDIS_ISA_EXT_SGX_ENCLV, ZYDIS_ISA_EXT_SMX,
        ZYDIS_ISA_EXT_CET, ZYDIS_ISA_EXT_ENQCMD, ZYDIS_ISA_EXT_MOVDIR, ZYDIS_ISA_EXT_KEYLOCKER,
        ZYDIS_ISA_EXT_KEYLOCKER_WIDE, ZYDIS_ISA_EXT_XSAVEC, ZYDIS_ISA_EXT_XSAVES,
        ZYDIS_ISA_EXT_SERIALIZE, ZYDIS_ISA_EXT_WAITPKG, ZYDIS_ISA_EXT_PADLOCK,
        ZYDIS_ISA_EXT_CLZERO, ZYDIS_ISA_EXT_MONITORX, ZYDIS_ISA_EXT_RDPRU, ZYDIS_ISA_EXT_MCOMMIT,
        ZYDIS_ISA_EXT_SNP, ZYDIS_ISA_EXT_TDX, ZYDIS_ISA_EXT_UINTR, ZYDIS_ISA_EXT_HRESET,
        ZYDIS_ISA_EXT_TSX_LDTRK, ZYDIS_ISA_EXT_PCONFIG, ZYDIS_ISA_EXT_AMD_INVLPGB,
        ZYDIS_ISA_EXT_VMFUNC, ZYDIS_ISA_EXT_AMX_BF16, ZYDIS_ISA_EXT_AMX_INT8,
        ZYDIS_ISA_EXT_AMX_TILE, ZYDIS_ISA_EXT_AVX_VNNI, ZYDIS_ISA_EXT_PT,
    };
    return zydis_only(o) && ext_in(o, set, sizeof(set) / sizeof(set[0])) && same_len(o);
}

/* 0F 0D and 0F 18 /0-/3 with a register operand */
static int m_prefetch_reg(const struct outcome *o)
{
    return zydis_only(o) && o->z.mnemonic == ZYDIS_MNEMONIC_NOP && o->m.map == X86M_0F &&
           (o->m.opcode == 0x0D || (o->m.opcode == 0x18 && o->m.reg < 4)) && o->m.mod == 3 &&
           same_len(o);
}

/* F6/F7 /1 */
static int m_test_alias(const struct outcome *o)
{
    return zydis_only(o) && o->z.mnemonic == ZYDIS_MNEMONIC_TEST && o->m.map == X86M_ONE &&
           (o->m.opcode == 0xF6 || o->m.opcode == 0xF7) && o->m.reg == 1;
}

/* LOCK mov to/from CR0: CR8 */
static int m_cr8(const struct outcome *o)
{
    return o->m.fault == X86F_NONE && o->zst == ZYDIS_STATUS_ILLEGAL_LOCK &&
           o->m.map == X86M_0F && (o->m.opcode == 0x20 || o->m.opcode == 0x22) && o->m.reg == 0;
}

/* 0F 01 register forms and 0F AE forms with 66/F2/F3 that QEMU runs */
static int m_prefix_ignored(const struct outcome *o)
{
    if (o->m.fault != X86F_NONE || o->zst != ZYDIS_STATUS_DECODING_ERROR || o->m.map != X86M_0F)
        return 0;
    int p66 = 0;
    for (unsigned i = 0; i < o->m.npfx; i++)
        if (o->b[i] == 0x66)
            p66 = 1;
    if (!p66 && !o->m.rep)
        return 0;
    return (o->m.opcode == 0x01 && o->m.mod == 3) || o->m.opcode == 0xAE;
}

/* 3E before an indirect jmp/call */
static int m_notrack(const struct outcome *o)
{
    return o->bad && !strcmp(o->bad, "segment differs") && o->m.seg == 3 &&
           (o->z.attributes & ZYDIS_ATTRIB_HAS_NOTRACK);
}

/* 66 and F3 on 0F AE /6 with memory */
static int m_clwb_f3(const struct outcome *o)
{
    return o->bad && !strncmp(o->bad, "memory access differs", 21) && o->m.map == X86M_0F &&
           o->m.opcode == 0xAE && o->m.reg == 6 && o->m.rep == 0xF3 &&
           o->z.mnemonic == ZYDIS_MNEMONIC_CLRSSBSY;
}

static struct accepted accepted[] = {
    { "AVX-512", m_avx512,
      "EVEX and the VEX-encoded AVX-512 mask instructions: QEMU 7.2 TCG has no AVX-512 "
      "(x86dec: #UD, its length still checked)", 0 },
    { "XOP/FMA4/TBM", m_amd_xop,
      "AMD's XOP, FMA4, TBM (8F with mmmmm >= 8, and VEX forms): not in QEMU 7.2 nor Intel; "
      "x86dec: 8F /1-/7 and these VEX forms are #UD", 0 },
    { "extension left out", m_other_ext,
      "an extension QEMU 7.2 TCG does not implement (RTM SGX SMX CET ENQCMD MOVDIR KEYLOCKER "
      "XSAVEC XSAVES SERIALIZE WAITPKG PADLOCK CLZERO MONITORX RDPRU ... ): #UD "
      "(length checked)", 0 },
    { "prefetch with a register", m_prefetch_reg,
      "0F 0D and 0F 18 /0-/3 with mod = 3: QEMU 7.2 raises #UD (a prefetch needs memory); "
      "zydis decodes the hint nop", 0 },
    { "F6/F7 /1", m_test_alias,
      "the CPUs' undocumented alias of test: QEMU 7.2 raises #UD", 0 },
    { "lock mov cr0 = cr8", m_cr8,
      "AMD's CR8 alias (CPUID 0x80000001 ECX.CR8LEG, which QEMU has): zydis refuses the LOCK", 0 },
    { "prefix ignored", m_prefix_ignored,
      "0F 01 register forms (monitor mwait clac stac the SVM ones rdtscp ...) and 0F AE "
      "(fxsave fxrstor ldmxcsr stmxcsr, the fences) with 66/F2/F3: QEMU 7.2 runs them, "
      "zydis refuses them", 0 },
    { "notrack", m_notrack,
      "3E before an indirect jmp/call: zydis reads CET's notrack and drops the DS override "
      "the CPU applies (x86dec: seg DS)", 0 },
    { "66 F3 0F AE /6", m_clwb_f3,
      "QEMU 7.2 takes 66 first (clwb); zydis F3 (CET's clrssbsy, left out)", 0 },
    { NULL, NULL, NULL, 0 },
};

static const char *ZydisStatusName(ZyanStatus st)
{
    switch (st) {
    case ZYDIS_STATUS_NO_MORE_DATA: return "no-more-data";
    case ZYDIS_STATUS_DECODING_ERROR: return "decoding-error";
    case ZYDIS_STATUS_INSTRUCTION_TOO_LONG: return "too-long";
    case ZYDIS_STATUS_BAD_REGISTER: return "bad-register";
    case ZYDIS_STATUS_ILLEGAL_LOCK: return "illegal-lock";
    case ZYDIS_STATUS_ILLEGAL_LEGACY_PFX: return "illegal-legacy-pfx";
    case ZYDIS_STATUS_ILLEGAL_REX: return "illegal-rex";
    case ZYDIS_STATUS_INVALID_MAP: return "invalid-map";
    case ZYDIS_STATUS_MALFORMED_EVEX: return "malformed-evex";
    case ZYDIS_STATUS_MALFORMED_MVEX: return "malformed-mvex";
    case ZYDIS_STATUS_INVALID_MASK: return "invalid-mask";
    default: return "fail";
    }
}

/* ---- the fields the translator uses: relative targets and the ModRM
 * memory operand (registers, scale, displacement, segment override, access) */
static int gpr_id(ZydisRegister r)
{
    if (r == ZYDIS_REGISTER_NONE)
        return -1;
    ZydisRegisterClass c = ZydisRegisterGetClass(r);
    if (c != ZYDIS_REGCLASS_GPR32 && c != ZYDIS_REGCLASS_GPR16)
        return -2;
    return ZydisRegisterGetId(r);
}

/* instructions whose memory operand is an address, not data, or whose
 * access zydis reports by another convention */
static int access_unmodelled(const struct outcome *o)
{
    switch (o->z.mnemonic) {
    case ZYDIS_MNEMONIC_LEA: case ZYDIS_MNEMONIC_NOP: case ZYDIS_MNEMONIC_INVLPG:
    case ZYDIS_MNEMONIC_PREFETCH: case ZYDIS_MNEMONIC_PREFETCHW: case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCHT0: case ZYDIS_MNEMONIC_PREFETCHT1: case ZYDIS_MNEMONIC_PREFETCHT2:
    case ZYDIS_MNEMONIC_CLFLUSH: case ZYDIS_MNEMONIC_CLFLUSHOPT: case ZYDIS_MNEMONIC_CLWB:
    case ZYDIS_MNEMONIC_PREFETCHWT1:
        return 1;
    default:
        return 0;
    }
}

static const char *fields_differ(const struct outcome *o, uint32_t eip)
{
    const struct x86_insn *m = &o->m;
    for (unsigned i = 0; i < o->z.operand_count; i++) {
        const ZydisDecodedOperand *op = &o->ops[i];
        if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative) {
            ZyanU64 t;
            if (!m->rel_size)
                return "zydis has a relative operand, x86dec none";
            if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&o->z, op, eip, &t)) &&
                (uint32_t)t != x86_branch_target(m, eip))
                return "branch target differs";
        }
        if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && m->has_modrm && m->has_mem &&
            op->visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT &&
            (op->mem.type == ZYDIS_MEMOP_TYPE_MEM || op->mem.type == ZYDIS_MEMOP_TYPE_AGEN)) {
            int base = gpr_id(op->mem.base), index = gpr_id(op->mem.index);
            if (base == -2 || index == -2)
                return "zydis's memory operand has an unexpected register";
            if (base != m->base || index != m->index)
                return "memory operand registers differ";
            if (index >= 0 && op->mem.scale != m->scale)
                return "scale differs";
            if ((int32_t)op->mem.disp.value != m->disp && !(m->addr16 && m->base < 0 &&
                (uint16_t)op->mem.disp.value == (uint16_t)m->disp))
                return "displacement differs";
            if (m->seg >= 0 && op->mem.type == ZYDIS_MEMOP_TYPE_MEM && op->mem.segment != ZydisRegisterEncode(ZYDIS_REGCLASS_SEGMENT,
                                                                      (ZyanU8)m->seg))
                return "segment differs";
            if (!access_unmodelled(o) && op->mem.type == ZYDIS_MEMOP_TYPE_MEM) {
                unsigned want = ((op->actions & ZYDIS_OPERAND_ACTION_MASK_READ) ? X86_MEM_READ : 0) |
                                ((op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ? X86_MEM_WRITE : 0);
                if (want != m->mem_access) {
                    static char why[64];
                    snprintf(why, sizeof(why), "memory access differs (zydis %u, x86dec %u)",
                             want, m->mem_access);
                    return why;
                }
            }
            break;
        }
    }
    return NULL;
}

/* ---- comparison */
static unsigned long n_insns, n_valid, n_bad, n_accepted;

static void hexdump(const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        printf("%02x ", b[i]);
}

/* Compare one instruction at b[0..n); want_len: objdump's length, or 0.
 * Returns x86dec's length (at least 1). */
static unsigned compare(const uint8_t *b, size_t n, unsigned want_len, const char *where,
                        uint32_t eip)
{
    struct outcome o;
    memset(&o, 0, sizeof(o));
    o.b = b;
    n_insns++;
    int r = x86_decode(b, n, &o.m);
    o.zst = ZydisDecoderDecodeFull(&zdec, b, n, &o.z, o.ops);
    o.zok = ZYAN_SUCCESS(o.zst);
    if (o.zok)
        o.zcls = zclass(&o.z, o.ops);
    const char *bad = NULL;
    int mok = r == 1 && o.m.fault == X86F_NONE;
    int zvalid = o.zok && o.zcls != X86C_INVALID;
    /* x86dec's own consistency: the same decode from exactly its bytes, 0
     * from fewer, the offsets inside the instruction */
    if (r == 1 && o.m.fault != X86F_GP) {
        struct x86_insn again;
        unsigned l = o.m.len;
        if (l == 0 || l > 15 || x86_decode(b, l, &again) != 1 || memcmp(&again, &o.m, sizeof(again)))
            bad = "x86dec decodes its own bytes differently";
        else if (x86_decode(b, l - 1, &again) != 0)
            bad = "x86dec decodes a cut instruction";
        else if ((o.m.has_modrm && o.m.modrm_off >= l) ||
                 (o.m.disp_size && (unsigned)(o.m.disp_off + o.m.disp_size) > l) ||
                 (o.m.imm_size &&
                  (unsigned)(o.m.imm_off + o.m.imm_size + o.m.imm2_size) > l) ||
                 (o.m.rel_size && (unsigned)(o.m.rel_off + o.m.rel_size) != l) ||
                 o.m.npfx >= l)
            bad = "x86dec's offsets are outside the instruction";
    }
    if (bad || (r != 1 && o.zst == ZYDIS_STATUS_NO_MORE_DATA)) {
        /* (both wanting more: the bytes, a section, end first) */
    } else if (r != 1)
        bad = "x86dec wants more bytes";
    else if (want_len && mok && o.m.len != want_len)
        bad = "length differs from objdump's";
    else if (mok != zvalid)
        bad = mok ? "x86dec valid, zydis invalid" : "x86dec invalid, zydis valid";
    else if (o.zok && r == 1 && o.m.fault != X86F_GP && o.m.len != o.z.length)
        bad = "length differs from zydis's";
    else if (mok && o.m.cls != o.zcls)
        bad = "class differs";
    else if (mok)
        bad = fields_differ(&o, eip);
    if (mok)
        n_valid++;
    o.bad = bad;
    if (bad) {
        for (size_t i = 0; accepted[i].match; i++)
            if (accepted[i].match(&o)) {
                accepted[i].count++;
                n_accepted++;
                if (verbose > 1) {
                    printf("accepted (%s): ", accepted[i].what);
                    hexdump(b, 15);
                    printf("\n");
                }
                bad = NULL;
                break;
            }
    }
    if (bad) {
        n_bad++;
        if (n_bad <= 200 || verbose) {
            char text[256] = "";
            if (o.zok) {
                ZydisFormatter f;
                ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_ATT);
                ZydisFormatterFormatInstruction(&f, &o.z, o.ops, o.z.operand_count_visible,
                                                text, sizeof(text), 0, NULL);
            }
            printf("DIFF %s: %s: ", where, bad);
            hexdump(b, n < 15 ? (unsigned)n : 15);
            printf("| x86dec r=%d len %u %s fault %u map %u op %02x | zydis %s len %u %s %s \"%s\"",
                   r, o.m.len, x86_class_name((enum x86_class)o.m.cls), o.m.fault, o.m.map,
                   o.m.opcode, o.zok ? "ok" : ZydisStatusName(o.zst), o.zok ? o.z.length : 0,
                   o.zok ? x86_class_name(o.zcls) : "-",
                   o.zok ? ZydisISAExtGetString(o.z.meta.isa_ext) : "-", text);
            if (want_len)
                printf(" | objdump len %u", want_len);
            printf("\n");
        }
    }
    return r == 1 && o.m.fault != X86F_GP && o.m.len ? o.m.len : 1;
}

/* ---- ELF kernels, at objdump's boundaries */
static int prefix_only(const char *text)
{
    static const char *const names[] = { "ds", "es", "cs", "ss", "fs", "gs", "data16", "addr16",
                                         "addr32", "data32", "lock", "rep", "repz", "repnz",
                                         "repe", "repne" };
    char word[16];
    int words = 0;
    while (*text) {
        while (*text == ' ' || *text == '\t' || *text == '\n')
            text++;
        if (!*text)
            break;
        size_t k = 0;
        while (*text && *text != ' ' && *text != '\t' && *text != '\n' && k < sizeof(word) - 1)
            word[k++] = *text++;
        word[k] = 0;
        int known = 0;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (!strcmp(word, names[i]))
                known = 1;
        if (!known)
            return 0;
        words++;
    }
    return words > 0;
}

static int run_elf(const char *path)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "objdump -d -w -z '%s'", path);
    FILE *p = popen(cmd, "r");
    if (!p) {
        perror("popen");
        return 1;
    }
    /* collect (address, bytes) per instruction; a section's instructions
     * are contiguous, so their bytes are the section's */
    size_t cap = 1 << 20, nbytes = 0, ni = 0, icap = 1 << 18;
    uint8_t *bytes = malloc(cap);
    unsigned *ioff = malloc(icap * sizeof(*ioff)), *ilen = malloc(icap * sizeof(*ilen));
    char line[4096], *bad_mn = NULL;
    unsigned long seen = 0, skipped = 0, prefix_runs = 0;
    unsigned pending = 0, pending_off = 0;
    uint64_t next_addr = 0, base_addr = 0;
    int have = 0;
    while (fgets(line, sizeof(line), p)) {
        char *s = line;
        while (*s == ' ')
            s++;
        char *colon = strchr(s, ':');
        if (!colon || colon[1] != '\t')
            continue;
        char *end;
        uint64_t addr = strtoull(s, &end, 16);
        if (end != colon)
            continue;
        char *q = colon + 2;
        unsigned len = 0;
        uint8_t ib[32];
        while (q[0] && q[1] && q[0] != '\t' && len < sizeof(ib)) {
            if (q[0] == ' ') {
                q++;
                continue;
            }
            char t[3] = { q[0], q[1], 0 };
            ib[len++] = (uint8_t)strtoul(t, NULL, 16);
            q += 2;
        }
        if (!len)
            continue;
        if (have && addr != next_addr) {
            /* a new section or a gap: flush what we have */
            for (size_t i = 0; i < ni; i++)
                compare(bytes + ioff[i], nbytes - ioff[i] < 15 ? nbytes - ioff[i] : 15,
                        ilen[i], path, (uint32_t)(base_addr + ioff[i]));
            nbytes = ni = 0;
            pending = 0;
        }
        if (!have || addr != next_addr)
            base_addr = addr;
        have = 1;
        next_addr = addr + len;
        /* no length oracle where objdump could not decode, or cut the
         * instruction at a symbol (".byte") */
        bad_mn = strstr(q, "(bad)");
        if (!bad_mn)
            bad_mn = strstr(q, ".byte");
        if (nbytes + len > cap || ni + 1 > icap) {
            cap *= 2;
            icap *= 2;
            bytes = realloc(bytes, cap);
            ioff = realloc(ioff, icap * sizeof(*ioff));
            ilen = realloc(ilen, icap * sizeof(*ilen));
        }
        memcpy(bytes + nbytes, ib, len);
        if (prefix_only(q)) {
            /* objdump prints a long prefix run as a line of its own: it
             * belongs to the next instruction */
            if (!pending)
                pending_off = (unsigned)nbytes;
            pending += len;
            prefix_runs++;
            nbytes += len;
            continue;
        }
        seen++;
        ioff[ni] = pending ? pending_off : (unsigned)nbytes;
        ilen[ni] = bad_mn ? 0 : len + pending;
        if (bad_mn)
            skipped++;
        ni++;
        pending = 0;
        nbytes += len;
    }
    for (size_t i = 0; i < ni; i++)
        compare(bytes + ioff[i], nbytes - ioff[i] < 15 ? nbytes - ioff[i] : 15, ilen[i], path,
                (uint32_t)(base_addr + ioff[i]));
    int st = pclose(p);
    free(bytes);
    free(ioff);
    free(ilen);
    printf("# %s: %lu instructions (%lu without objdump's length: \"(bad)\" or cut at a "
           "symbol; %lu prefix runs objdump printed apart)\n", path, seen, skipped, prefix_runs);
    if (st != 0 || seen == 0) {
        printf("# %s: objdump failed or found no code\n", path);
        return 1;
    }
    return 0;
}

/* ---- random byte sequences */
static uint64_t rng;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void run_random(unsigned long count, uint64_t seed)
{
    static const uint8_t pfx[] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3 };
    static const uint8_t groups0f[] = { 0x00, 0x01, 0x0D, 0x18, 0x71, 0x72, 0x73, 0xAE, 0xBA, 0xC7,
                                        0x20, 0x22, 0x78, 0x79, 0x12, 0x16, 0xD6, 0xB8 };
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    for (unsigned long k = 0; k < count; k++) {
        uint8_t b[16];
        for (int i = 0; i < 16; i += 8) {
            uint64_t v = next_rand();
            memcpy(b + i, &v, 8);
        }
        uint64_t r = next_rand();
        if (r & 1) {
            unsigned np = 1 + (unsigned)((r >> 8) % 6);
            if (((r >> 16) & 15) == 0)
                np = 1 + (unsigned)((r >> 20) % 15);      /* sometimes up to 15 */
            for (unsigned i = 0; i < np; i++)
                b[i] = pfx[(r >> (24 + 3 * i)) % sizeof(pfx)];
        }
        unsigned at = (r & 1) ? 1 + (unsigned)((r >> 8) % 6) : 0;
        uint64_t t = next_rand();
        switch ((r >> 4) & 15) {
        case 0: case 1:                                      /* a 0F map */
            b[at] = 0x0F;
            if (((t >> 2) & 3) == 0)
                b[at + 1] = ((t >> 4) & 1) ? 0x38 : 0x3A;
            break;
        case 2:                                              /* a 0F group */
            b[at] = 0x0F;
            b[at + 1] = groups0f[(t >> 2) % sizeof(groups0f)];
            if ((t >> 10) & 1)
                b[at + 2] |= 0xC0;
            break;
        case 3:                                              /* VEX, 2 bytes */
            b[at] = 0xC5;
            b[at + 1] |= 0xC0;
            break;
        case 4:                                              /* VEX, 3 bytes, maps 1-3 */
            b[at] = 0xC4;
            b[at + 1] = (uint8_t)(0xC0 | (b[at + 1] & 0x20) | (1 + (t >> 2) % 3));
            break;
        case 5:                                              /* EVEX */
            if ((t >> 2) & 1) {
                b[at] = 0x62;
                b[at + 1] = (uint8_t)(0xC0 | (b[at + 1] & 0x33));
                b[at + 2] |= 4;
            }
            break;
        default:
            break;
        }
        /* at an address near a 64 KiB boundary half of the time (16-bit targets) */
        uint32_t eip = (uint32_t)(t >> 32);
        if (t & 1)
            eip = (eip & 0xFFFF0000u) | 0xFFF0u;
        compare(b, sizeof(b), 0, "random", eip);
    }
    printf("# random: %lu sequences from seed %" PRIu64 "\n", count, seed);
}

int main(int argc, char **argv)
{
    unsigned long random_n = 0;
    uint64_t seed = 1;
    int status = 0;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&zdec, ZYDIS_MACHINE_MODE_LEGACY_32,
                                       ZYDIS_STACK_WIDTH_32))) {
        fprintf(stderr, "difftest: zydis init failed\n");
        return 2;
    }
    /* QEMU 7.2 has no MPX: 0F 1A/1B are the hint nops */
    ZydisDecoderEnableMode(&zdec, ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE);
    /* nor CLDEMOTE: 0F 1C /0 is a hint nop */
    ZydisDecoderEnableMode(&zdec, ZYDIS_DECODER_MODE_CLDEMOTE, ZYAN_FALSE);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose++;
        else if (!strcmp(argv[i], "--elf") && i + 1 < argc)
            status |= run_elf(argv[++i]);
        else if (!strcmp(argv[i], "--random") && i + 1 < argc)
            random_n = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else {
            fprintf(stderr, "usage: difftest [-v] [--elf FILE]... [--random N] [--seed S]\n");
            return 2;
        }
    }
    if (random_n)
        run_random(random_n, seed);
    for (size_t i = 0; accepted[i].match; i++)
        if (accepted[i].count)
            printf("# accepted: %lu x %s\n", accepted[i].count, accepted[i].what);
    printf("# %lu instructions compared, %lu valid for x86dec, %lu accepted differences, "
           "%lu disagreements\n", n_insns, n_valid, n_accepted, n_bad);
    return status || n_bad ? 1 : 0;
}
