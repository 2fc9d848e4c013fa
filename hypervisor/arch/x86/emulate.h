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

/* mov between a control register and a general register (0F 20 / 0F 22,
 * register operand). */
struct mov_cr {
    int to_cr;      /* 1: mov %reg,%crN; 0: mov %crN,%reg */
    int cr;         /* N */
    int reg;        /* 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi */
    int len;        /* instruction length */
};
int emul_decode_mov_cr(const uint8_t *b, size_t n, struct mov_cr *out);

/* The CPUID a PV guest gets: host values with what a PV kernel must not use
 * removed, the hypervisor bit set, and the Xen leaves at 0x40000000.
 * regs: in/out eax, ebx, ecx, edx (the host's answer for leaf/subleaf). */
void emul_cpuid_filter(uint32_t leaf, uint32_t subleaf, uint32_t regs[4],
                       uint32_t version);

#endif
