/*
 * debugreg: a PV guest's debug registers, as Xen keeps them for a 32-bit PV
 * guest (xen/arch/x86/pv/misc-hypercalls.c set_debugreg, x86emul_read_dr,
 * x86_merge_dr6 and x86_adj_dr{6,7}_rsvd). The rules are pure (host-tested
 * in tests/unit/test_debugreg.c); debugreg_hw.c does what they say with
 * the real registers.
 *
 * What the guest sees:
 *   DR0-3   any address whose 4 bytes end at or below HYPERVISOR_VIRT_START
 *           (else -EPERM: the x86_32 Xen rule, see docs/xen-deviations.md);
 *   DR4/DR5 aliases of DR6/DR7 while the guest's CR4.DE is clear, else
 *           -ENODEV (#UD for a mov);
 *   DR6     bits 4-11 and 16-31 read as 1, bit 12 as 0 (RTM and BLD, when
 *           the CPU has them, are the guest's to write); the status a #DB
 *           leaves is merged in: B0-B3 replaced, every other bit kept;
 *   DR7     bit 10 reads as 1, bits 12, 14, 15 (and 11 without RTM) as 0;
 *           GD (bit 13) -EPERM; an I/O breakpoint (R/W 10b) that is
 *           enabled -EPERM unless CR4.DE, then emulated by the hypervisor
 *           (never loaded), its enable bits kept apart and shown on reads;
 *   other registers -ENODEV.
 */
#ifndef HV_ARCH_X86_DEBUGREG_H
#define HV_ARCH_X86_DEBUGREG_H

#include <stddef.h>
#include <stdint.h>

#define DR6_B0          (1u << 0)
#define DR6_BP_MASK     0x0000000Fu     /* B0-B3: breakpoint n matched */
#define DR6_BLD         (1u << 11)      /* bus-lock detect (inverted) */
#define DR6_BD          (1u << 13)      /* debug register access (GD) */
#define DR6_BS          (1u << 14)      /* single step */
#define DR6_BT          (1u << 15)      /* task switch */
#define DR6_RTM         (1u << 16)      /* #DB inside an RTM region (inverted) */
#define DR6_KNOWN_MASK  (DR6_BP_MASK | DR6_BLD | DR6_BD | DR6_BS | DR6_BT | DR6_RTM)
#define DR6_DEFAULT     0xFFFF0FF0u     /* what DR6 holds with nothing to report */
#define DR6_ZEROS       0x00001000u     /* bits always 0 */

#define DR7_ACTIVE_MASK 0x000000FFu     /* L0 G0 .. L3 G3 */
#define DR7_RTM         (1u << 11)
#define DR7_GD          (1u << 13)      /* general detect: the guest may not */
#define DR7_DEFAULT     0x00000400u     /* bit 10 reads as 1 */
#define DR7_ZEROS       0x0000D000u     /* bits 12, 14, 15 always 0 */
#define DR7_RW_SHIFT    16              /* R/W and LEN of breakpoint n: 4 bits at 16 + 4n */
#define DR7_RW_EXEC     0
#define DR7_RW_WRITE    1
#define DR7_RW_IO       2
#define DR7_RW_ACCESS   3

/* The last address a 4-byte breakpoint may start at: it ends at or below
 * HYPERVISOR_VIRT_START (0xF5800000, the hypervisor area). */
#define DR_ADDR_MAX     (0xF5800000u - 4)

/* What the CPU offers the guest that changes the reserved bits. */
struct debugreg_cpu {
    int rtm;        /* CPUID.7.0:EBX.RTM */
    int bld;        /* bus-lock detect (never offered to a PV guest) */
};

/* One vCPU's debug registers. */
struct debugreg_vcpu {
    uint32_t dr[4];         /* DR0-3 */
    uint32_t dr6;           /* the DR6 the guest reads (Xen's v->arch.dr6) */
    uint32_t dr7;           /* the DR7 the CPU gets while the guest runs */
    uint32_t dr7_emul;      /* enable bits of the I/O breakpoints (emulated) */
    uint32_t hw_dr6;        /* what the CPU's DR6 holds for this vCPU */
};

/* The state of a new vCPU: DR0-3 zero, DR6 and DR7 at their defaults. */
void debugreg_init(struct debugreg_vcpu *d);

/* set_debugreg(reg, value) with the guest's CR4.DE: 0, -XEN_EPERM (an
 * address, GD, an I/O breakpoint without DE), -XEN_ENODEV (DR4/DR5 with
 * DE, or no such register). 32-bit values: Xen's -EINVAL for bits above 31
 * cannot arise. On success the new value is in *d; what the CPU must be
 * told follows from debugreg_active and the registers. */
int32_t debugreg_set(struct debugreg_vcpu *d, const struct debugreg_cpu *cpu,
                     uint32_t reg, uint32_t value, int cr4_de);

/* get_debugreg(reg) / mov from DRn: 0 and *value, or -XEN_ENODEV. */
int32_t debugreg_get(const struct debugreg_vcpu *d, uint32_t reg, int cr4_de,
                     uint32_t *value);

/* Xen's x86_merge_dr6: new status bits (positive polarity: set = happened)
 * into a DR6 value. B0-B3 are replaced, every other bit accumulates. */
uint32_t debugreg_merge_dr6(const struct debugreg_cpu *cpu, uint32_t dr6, uint32_t pending);

/* The CPU's DR6 after a #DB, as the new status bits (positive polarity,
 * known bits only). */
uint32_t debugreg_pending(uint32_t hw_dr6);

/* Nonzero if DR7 enables a breakpoint the CPU must watch. */
static inline uint32_t debugreg_active(const struct debugreg_vcpu *d)
{
    return d->dr7 & DR7_ACTIVE_MASK;
}

/* The I/O breakpoints an access of len bytes at port matches (Xen's
 * check_guest_io_breakpoint): B0-B3 bits for DR6, 0 without CR4.DE. For the
 * port I/O emulation, which then raises #DB after the instruction. */
uint32_t debugreg_io_match(const struct debugreg_vcpu *d, uint32_t port, uint32_t len,
                           int cr4_de);

/* A mov to or from a debug register (0F 21 /r: DRn to a register, 0F 23 /r:
 * a register to DRn), after any legacy prefixes (66, F2, F3 and segment
 * overrides change nothing; LOCK is #UD on the CPU, so never this). The
 * CPU ignores the mod bits: the operand is always a register. */
struct mov_dr {
    int to_dr;      /* 1: mov %reg,%drN */
    int dr;         /* N, 0-7 */
    int reg;        /* 0 eax .. 7 edi */
    int len;        /* bytes, prefixes included */
};
int debugreg_decode_mov(const uint8_t *b, size_t n, struct mov_dr *out);

/* ---- the hypervisor's side (debugreg_hw.c) ---- */
struct vcpu;
struct cpu_frame;

/* At boot: what the CPU offers (RTM). */
void debugreg_boot(void);
/* The vCPU is about to run instead of another: its DR0-3 and DR6 into the
 * CPU when it has something enabled, and the DR7 the switcher loads at
 * every exit (0: none, the common case). */
void debugreg_switch_to(struct vcpu *v);
/* hw guests: their DR0-3 into the CPU (VMRUN loads their DR6 and DR7). */
void debugreg_load_dr03(const uint32_t dr[4]);
/* The domain stops: nothing of it is loaded again. */
void debugreg_vcpu_stop(struct vcpu *v);
/* #DB from the guest: its DR6 merged, the exception bounced. */
void debugreg_guest_trap(struct vcpu *v);
/* A #DB not delivered from the CPU's DR6: reset the CPU's DR6. */
void debugreg_discard_dr6(void);
/* #GP(0) in ring 1 at insn: a mov to or from DRn, emulated (Xen's
 * read_dr/write_dr: #UD or #GP(0) as Xen raises them). 1 if it was one. */
int debugreg_emulate(struct vcpu *v, const uint8_t *insn, size_t n);
/* An instruction the hypervisor emulated has retired: RF is clear, and
 * with TF the guest gets the single-step #DB (DR6.BS) after it, as Xen's
 * pv_emul_instruction_done gives it. */
void debugreg_insn_retired(struct vcpu *v);
/* #DB in the hypervisor's own context (switcher.S): never fatal. */
void hv_debug_trap(struct cpu_frame *f);
/* The hypervisor option test-hv-debug: #DBs of its own, survived. */
void debugreg_selftest(void);

#endif
