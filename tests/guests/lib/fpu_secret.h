/*
 * fpu_secret: the values the FPU tests keep in x87 registers, and how a spy
 * recognises them. Owner o (1 the innocent domain, 2 and 3 pvguest's two
 * processes) keeps FPU_SECRET(o, i) in st(i). Every secret has 0x5EC2E7 in
 * its top 24 bits, so a spy that finds such a value in its own registers,
 * read as an integer (fistp) or as MMX (the 64-bit significand, which for
 * these values is the integer shifted left by one), has seen another's.
 * With SSE the innocent keeps FPU_SECRET(1, 8..23) in xmm0..xmm7 too.
 */
#ifndef PV86_GUEST_FPU_SECRET_H
#define PV86_GUEST_FPU_SECRET_H

#include <pv86/hypercall.h>
#include <stdint.h>

#define FPU_SECRET(o, i) (0x5EC2E70000000000ull | ((uint64_t)(o) << 32) | \
                          ((uint64_t)(i) << 24) | 0xC0FFEEull)
#define FPU_SECRET_CW 0x0F7Fu     /* all exceptions masked, round toward zero */
#define FPU_IS_SECRET(v) (((v) >> 40) == 0x5EC2E7u)
#define FPU_IS_SECRET_MMX(m) (((m) >> 41) == 0x5EC2E7u)

/* Load secrets[0..7] into st(0..7) (fninit first) with control word cw. */
static inline void fpu_secret_load(const uint64_t *s, uint16_t cw)
{
    __asm__ __volatile__("fninit\n\tfldcw %0" : : "m"(cw));
    for (int i = 7; i >= 0; i--)
        __asm__ __volatile__("fildll %0" : : "m"(s[i]));
}

/* Store and pop st(0..7) into out[0..7] as integers, and return the
 * control word; the registers are then empty. */
static inline uint16_t fpu_secret_read(uint64_t *out)
{
    uint16_t cw;
    __asm__ __volatile__("fnstcw %0" : "=m"(cw));
    for (int i = 0; i < 8; i++)
        __asm__ __volatile__("fistpll %0" : "=m"(out[i]));
    return cw;
}

/* Read mm0..mm7 into out[0..7] (MMX aliases the x87 registers). */
static inline void fpu_mmx_read(uint64_t *out)
{
    __asm__ __volatile__("movq %%mm0, 0(%0)\n\tmovq %%mm1, 8(%0)\n\t"
                         "movq %%mm2, 16(%0)\n\tmovq %%mm3, 24(%0)\n\t"
                         "movq %%mm4, 32(%0)\n\tmovq %%mm5, 40(%0)\n\t"
                         "movq %%mm6, 48(%0)\n\tmovq %%mm7, 56(%0)"
                         : : "r"(out) : "memory");
}

/* Fill mm0..mm7 from in[0..7]. */
static inline void fpu_mmx_write(const uint64_t *in)
{
    __asm__ __volatile__("movq 0(%0), %%mm0\n\tmovq 8(%0), %%mm1\n\t"
                         "movq 16(%0), %%mm2\n\tmovq 24(%0), %%mm3\n\t"
                         "movq 32(%0), %%mm4\n\tmovq 40(%0), %%mm5\n\t"
                         "movq 48(%0), %%mm6\n\tmovq 56(%0), %%mm7"
                         : : "r"(in) : "memory");
}

/* SSE: xmm0..xmm7 as 16 64-bit halves (movups: SSE1, any alignment).
 * Usable when the CPU has FXSR and SSE: the hypervisor then sets
 * CR4.OSFXSR, as Xen does. */
static inline int fpu_has_sse(void)
{
    uint32_t r[4];
    hv_cpuid(1, 0, r);
    return (r[3] & (1u << 24)) && (r[3] & (1u << 25));
}

static inline void fpu_xmm_read(uint64_t *out)
{
    __asm__ __volatile__("movups %%xmm0, 0(%0)\n\tmovups %%xmm1, 16(%0)\n\t"
                         "movups %%xmm2, 32(%0)\n\tmovups %%xmm3, 48(%0)\n\t"
                         "movups %%xmm4, 64(%0)\n\tmovups %%xmm5, 80(%0)\n\t"
                         "movups %%xmm6, 96(%0)\n\tmovups %%xmm7, 112(%0)"
                         : : "r"(out) : "memory");
}

static inline void fpu_xmm_write(const uint64_t *in)
{
    __asm__ __volatile__("movups 0(%0), %%xmm0\n\tmovups 16(%0), %%xmm1\n\t"
                         "movups 32(%0), %%xmm2\n\tmovups 48(%0), %%xmm3\n\t"
                         "movups 64(%0), %%xmm4\n\tmovups 80(%0), %%xmm5\n\t"
                         "movups 96(%0), %%xmm6\n\tmovups 112(%0), %%xmm7"
                         : : "r"(in) : "memory");
}

#endif
