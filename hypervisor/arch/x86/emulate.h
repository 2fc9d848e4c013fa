/*
 * emulate: decoding of the few instructions the hypervisor emulates for a
 * PV guest, and the CPUID view it gives. Pure.
 */
#ifndef HV_ARCH_X86_EMULATE_H
#define HV_ARCH_X86_EMULATE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of "ud2; .ascii \"xen\"; cpuid". */
#define XEN_FORCED_CPUID_LEN 7

/* 1 if b[0..n) starts with the forced-emulation prefix (ud2; "xen"). */
int emul_has_xen_prefix(const uint8_t *b, size_t n);
/* 1 if b[0..n) is the prefix followed by cpuid (0F A2). */
int emul_is_forced_cpuid(const uint8_t *b, size_t n);

/* Legacy prefixes (SDM Vol. 2, 2.1.1): operand size 66, address size 67,
 * LOCK F0, REPNE F2, REP F3, segment overrides 26 2E 36 3E 64 65, in any
 * order and number. An instruction is at most X86_MAX_INSN_LEN bytes
 * (longer: #GP(0)). Every decoder of guest instructions starts here. */
#define X86_MAX_INSN_LEN 15
enum { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS };
struct x86_prefixes {
    unsigned len;   /* prefix bytes */
    int opsize16;   /* 66 seen */
    int addr16;     /* 67 seen */
    int lock;       /* F0 seen */
    int rep;        /* the last of F2/F3: 0xF2, 0xF3, or 0 */
    int seg;        /* the last segment override (X86_SEG_*), or -1 */
};
/* The prefixes at b[0..n); returns their count (p->len). It stops at the
 * first other byte, at n, or at X86_MAX_INSN_LEN bytes. */
unsigned emul_prefixes(const uint8_t *b, size_t n, struct x86_prefixes *p);

/* ModRM, SIB and displacement (SDM Vol. 2, 2.1.5), 32-bit or (67)
 * 16-bit addressing: bx+si, bx+di, bp+si, bp+di, si, di, bp (disp16 alone
 * with mod 0), bx. The register numbers are 0 eax .. 7 edi (16-bit: their
 * low halves). */
struct x86_memop {
    int addr16;            /* 16-bit addressing */
    int base, index;       /* registers, or -1 */
    unsigned scale;        /* 1, 2, 4 or 8 (1 with addr16) */
    int32_t disp;          /* sign-extended */
};
struct x86_modrm {
    int reg;               /* the reg field */
    int mod_reg;           /* mod 3: the r/m operand is register rm */
    int rm;                /* that register (with mod_reg only) */
    struct x86_memop mem;  /* the memory operand (base = index = -1 with mod_reg) */
};
/* Decode the ModRM (+ SIB, displacement) at b[0..n): its length, or 0 if
 * the bytes end first. */
unsigned emul_modrm(const uint8_t *b, size_t n, int addr16, struct x86_modrm *o);
/* The memory operand's offset in its segment, given eax..edi in that
 * order: disp + base + index * scale, modulo 2^32 (2^16 with addr16). */
uint32_t emul_effective_address(const struct x86_memop *m, const uint32_t gpr[8]);

/* mov between a control register and a general register (0F 20 / 0F 22,
 * register operand), after any prefixes: 66, F2, F3 and segment
 * overrides change nothing; LOCK (#UD on Intel, CR8 on AMD) and more than
 * 15 bytes are not this instruction. */
struct mov_cr {
    int to_cr;      /* 1: mov %reg,%crN; 0: mov %crN,%reg */
    int cr;         /* N */
    int reg;        /* 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi */
    int len;        /* instruction length, prefixes included */
};
int emul_decode_mov_cr(const uint8_t *b, size_t n, struct mov_cr *out);

/* The CPUID a PV guest gets: host values with what a PV kernel must not use
 * removed, the hypervisor bit set, and the Xen leaves at 0x40000000.
 * regs: in/out eax, ebx, ecx, edx (the host's answer for leaf/subleaf). */
void emul_cpuid_filter(uint32_t leaf, uint32_t subleaf, uint32_t regs[4],
                       uint32_t version);

/* CR4 of a PV guest (Xen's pv_fixup_guest_cr4): the guest controls TSD,
 * DE, FSGSBASE and OSXSAVE, each only if the CPUID it is shown has the
 * feature (leaf1: its filtered leaf 1; leaf7_ebx: leaf 7's EBX), and sees
 * the hypervisor's PAE, MCE, OSFXSR and OSXMMEXCPT. A write never faults:
 * the other bits are dropped. */
#define EMUL_PV_CR4_GUEST_MASK ((1u << 2) | (1u << 3) | (1u << 16) | (1u << 18))
#define EMUL_PV_CR4_VISIBLE    ((1u << 5) | (1u << 6) | (1u << 9) | (1u << 10))
/* The guest-controlled bits a write of val leaves. */
uint32_t emul_pv_cr4_bits(uint32_t val, const uint32_t leaf1[4], uint32_t leaf7_ebx);
/* What mov from %cr4 reads. */
uint32_t emul_pv_cr4_view(uint32_t guest_bits, uint32_t real_cr4);

#endif
