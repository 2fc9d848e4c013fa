/* bounce: the exception frame Xen's 32-bit create_bounce_frame puts on the
 * guest kernel's stack, as pure decisions: inline, since every bounce runs
 * them (traps.c), and host-tested (tests/unit/test_bounce.c). */
#ifndef HV_ARCH_X86_BOUNCE_H
#define HV_ARCH_X86_BOUNCE_H

#include <stdint.h>

#include "arch/x86/traps.h"

#define BOUNCE_MAX_WORDS 6

/* EFLAGS bits (cpu.h has them too, but it is the hypervisor's only). */
#define BOUNCE_TF   (1u << 8)
#define BOUNCE_IF   (1u << 9)
#define BOUNCE_IOPL (3u << 12)
#define BOUNCE_NT   (1u << 14)
#define BOUNCE_RF   (1u << 16)
#define BOUNCE_VM   (1u << 17)

/* How many words the frame for an event interrupting r has: [error,] EIP,
 * CS, EFLAGS and, from ring 2 or 3 (desc_ring_is_outer), ESP and SS. */
static inline unsigned bounce_frame_words(const struct cpu_frame *r, int has_error)
{
    return 3u + (has_error != 0) + ((r->cs & 2) ? 2u : 0u);
}

/* The EFLAGS image: the interrupted EFLAGS without IF, IOPL and VM; IF =
 * !upcall_mask (the virtual IF); viopl: the virtual IOPL bits to show
 * (VMASST_TYPE_architectural_iopl), else 0. TF, RF and NT stay, as in
 * Xen's compat bounce frame: an iret resumes a single step, RF steps past
 * an instruction breakpoint, and the guest sees the NT it set (the handler
 * itself runs without it, and no exit of the hypervisor's ever has it). */
static inline uint32_t bounce_eflags(uint32_t eflags, uint8_t upcall_mask, uint32_t viopl)
{
    eflags &= ~(BOUNCE_IF | BOUNCE_IOPL | BOUNCE_VM);
    if (!upcall_mask)
        eflags |= BOUNCE_IF;
    return eflags | viopl;
}

/* Write the frame's bounce_frame_words(r, has_error) words to out[],
 * lowest address first: [error,] EIP, CS | upcall_mask << 16, EFLAGS,
 * [ESP, SS]. */
static inline __attribute__((always_inline)) void bounce_frame_build(const struct cpu_frame *r, uint8_t upcall_mask,
                                      uint32_t viopl, int has_error, uint32_t error,
                                      uint32_t *out)
{
    if (has_error)
        *out++ = error;
    out[0] = r->eip;
    out[1] = (r->cs & 0xFFFF) | ((uint32_t)upcall_mask << 16);
    out[2] = bounce_eflags(r->eflags, upcall_mask, viopl);
    if (r->cs & 2) {                    /* desc_ring_is_outer */
        out[3] = r->esp;
        out[4] = r->ss & 0xFFFF;
    }
}

/* The handler's EFLAGS: the interrupted one without TF, NT, VM and RF. */
static inline uint32_t bounce_handler_eflags(uint32_t eflags)
{
    return eflags & ~(BOUNCE_TF | BOUNCE_NT | BOUNCE_VM | BOUNCE_RF);
}

/* 1 if the CPU pushes an error code for exception vector v (8, 10-14, 17,
 * 21); vectors from 32 up (int n) have none. */
static inline int bounce_vector_has_error(unsigned v)
{
    return v < 32 && ((0x00227D00u >> v) & 1);
}

#endif
