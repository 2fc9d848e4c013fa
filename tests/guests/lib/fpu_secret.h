/*
 * fpu_secret: the values the FPU tests keep in x87 registers, and how a spy
 * recognises them. Owner o (1 the innocent domain, 2 and 3 pvguest's two
 * processes) keeps FPU_SECRET(o, i) in st(i). Every secret has 0x5EC2E7 in
 * its top 24 bits, so a spy that finds such a value in its own registers,
 * read as an integer (fistp) or as MMX (the 64-bit significand, which for
 * these values is the integer shifted left by one), has seen another's.
 */
#ifndef PV86_GUEST_FPU_SECRET_H
#define PV86_GUEST_FPU_SECRET_H

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

#endif
