/*
 * rules: the hw mode's decisions, pure (no hardware, no core/), compiled
 * into the hypervisor and into tests/unit/test_svm*.c: the intercepts a
 * VMCB gets, what each #VMEXIT does, whether a pending interrupt can be
 * injected now, what CPUID the guest sees, how an IOIO exit reads, and
 * what each MSR is to the guest.
 */
#ifndef HV_HW_RULES_H
#define HV_HW_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/svm.h"

/* ---- intercepts (docs/hw.md has the table and the reasons) ---- */
#define HW_INTERCEPT1 (SVM_I1_INTR | SVM_I1_NMI | SVM_I1_SMI | SVM_I1_INIT | SVM_I1_CPUID | \
                       SVM_I1_INVD | SVM_I1_HLT | SVM_I1_IOIO | SVM_I1_MSR |                \
                       SVM_I1_TASK_SWITCH | SVM_I1_SHUTDOWN | SVM_I1_INVLPGA)
#define HW_INTERCEPT2 (SVM_I2_VMRUN | SVM_I2_VMMCALL | SVM_I2_VMLOAD | SVM_I2_VMSAVE |       \
                       SVM_I2_STGI | SVM_I2_CLGI | SVM_I2_SKINIT | SVM_I2_MONITOR |          \
                       SVM_I2_MWAIT | SVM_I2_XSETBV)
/* DR0-3, read and written: the CPU's are shared with every other domain
 * (VMRUN switches DR6 and DR7 only), so the guest's live in its state. */
#define HW_DR_INTERCEPT 0x000Fu
/* Writes also to DR7 and to DR5 (its alias while CR4.DE is clear): QEMU's
 * TCG arms a breakpoint only when a mov to DR7 runs, and its VMRUN and
 * #VMEXIT load DR7 without disarming, so a DR7 the guest wrote itself left
 * its breakpoints armed in the hypervisor and in every other domain (an
 * instruction breakpoint there fired without end). */
#define HW_DR_WRITE_INTERCEPT (HW_DR_INTERCEPT | (1u << 5) | (1u << 7))
/* A mov to DR5 or DR7 (dr): 0 with the DR7 the VMCB gets in *dr7 (bit 10
 * always set, as the CPU keeps it); -1 for the CPU's #UD (DR5 with the
 * guest's CR4.DE set). */
int hw_dr7_write(unsigned dr, uint32_t cr4, uint32_t val, uint32_t *dr7);
/* A fresh VMCB's control area: the intercepts, the permission maps, the
 * ASID, V_INTR_MASKING, nested paging with root ncr3, a full TLB flush. */
void hw_vmcb_control_init(struct svm_control *c, uint32_t iopm_pa, uint32_t msrpm_pa,
                          uint32_t asid, uint64_t ncr3);

/* ---- what an exit does ---- */
enum hw_action {
    HW_ACT_NONE,          /* INTR, NMI, SMI: the host's; the guest resumes */
    HW_ACT_WINDOW,        /* VINTR: the interrupt window opened */
    HW_ACT_CPUID,
    HW_ACT_HLT,           /* block until an interrupt (1 byte) */
    HW_ACT_MWAIT,         /* as HLT (3 bytes) */
    HW_ACT_MONITOR,       /* nothing to arm (3 bytes) */
    HW_ACT_INVD,          /* as WBINVD: nothing to do (2 bytes) */
    HW_ACT_IOIO,
    HW_ACT_MSR,
    HW_ACT_DR,            /* mov from/to DR0-3: the guest's own copies (3 bytes) */
    HW_ACT_NPF,           /* nested page fault: MMIO, or outside every device */
    HW_ACT_CR8,           /* lock mov to or from CR0 (AMD's CR8 alias): the LAPIC's TPR */
    HW_ACT_EXCEPTION,     /* #TS #NP #SS #GP #PF, intercepted only while a V_IRQ is
                           * offered (HW_VIRQ_FAULTS): given to the guest again */
    HW_ACT_UD,            /* the SVM instructions (INVLPGA too), XSETBV: #UD as on a CPU
                           * without them */
    HW_ACT_SHUTDOWN,      /* triple fault: crash */
    HW_ACT_TASK_SWITCH,   /* crash: pv86 does not emulate hardware task switches */
    HW_ACT_INIT,          /* crash: a single vCPU has no one to send it */
    HW_ACT_INVALID,       /* VMRUN refused the guest state: crash */
    HW_ACT_UNKNOWN,       /* an exit nothing asked for: crash with its number */
};
enum hw_action hw_exit_action(uint64_t code);
/* Can handling an exit of this action change the virtual PC's interrupt
 * line? (Then the platform is asked again before the next entry; the
 * tick and the APIC MSR mark their own changes.) */
int hw_action_touches_platform(enum hw_action act);
/* "cpuid", "ioio", "npf", ...; "exit 0x%x" cases give NULL. */
const char *hw_exit_name(uint64_t code);
/* The counter index of an exit code: 0..SVM_EXIT_CODES-1 itself, NPF and
 * INVALID their own, everything else HW_EXIT_OTHER. */
#define HW_EXIT_NPF_IDX     SVM_EXIT_CODES
#define HW_EXIT_INVALID_IDX (SVM_EXIT_CODES + 1)
#define HW_EXIT_OTHER       (SVM_EXIT_CODES + 2)
#define HW_EXIT_COUNTERS    (SVM_EXIT_CODES + 3)
unsigned hw_exit_index(uint64_t code);

/* mov from/to a debug register (0F 21 /r, 0F 23 /r; the CPU takes the
 * ModRM's mod as 11): 1 with the DR (reg field), the GPR (r/m), the
 * direction and the length with prefixes; 0 if it is not one. */
struct hw_mov_dr { unsigned dr, gpr, len; int write; };
int hw_decode_mov_dr(const uint8_t *b, size_t n, struct hw_mov_dr *out);
/* CR8 in 32-bit code: lock mov to or from CR0 (AMD's alias, CPUID
 * 0x80000001 ECX bit 4, which QEMU's -cpu max has). 1 and *out when b
 * holds one (legacy prefixes, LOCK among them; 0F 20/22; ModRM reg 0). */
struct hw_mov_cr8 { unsigned gpr, len; int write; };
int hw_decode_mov_cr8(const uint8_t *b, size_t n, struct hw_mov_cr8 *out);

/* ---- HLT ---- */
enum hw_hlt {
    HW_HLT_BLOCK,         /* wait for an interrupt */
    HW_HLT_RESUME,        /* an event is being injected: deliver it, no halt */
    HW_HLT_FOREVER,       /* IF clear: nothing can wake the vCPU (pv86 gives no NMI):
                           * halted for ever, as on bare QEMU (Xen's HVM would take
                           * it down and power off: a success a test suite would
                           * read where bare QEMU gives it a timeout) */
};
/* A HLT exit with the guest's rflags and the VMCB's EVENTINJ (as Xen's
 * hvm_hlt: an event pending first, then IF). */
enum hw_hlt hw_hlt_decide(uint32_t rflags, uint32_t event_inj);

/* ---- interrupts ---- */
enum hw_inject {
    HW_INJ_NONE,          /* nothing pending (or an event is being re-injected with none) */
    HW_INJ_NOW,           /* EVENTINJ the vector */
    HW_INJ_WINDOW,        /* IF clear or in a shadow, or EVENTINJ busy: V_IRQ + VINTR */
};
/* pending: the platform's vector or -1; rflags and int_state the guest's;
 * event_inj the VMCB's (VALID: an event of the last exit goes in first). */
enum hw_inject hw_inject_decide(int pending, uint32_t rflags, uint64_t int_state,
                                uint32_t event_inj);
/* An event the exit interrupted (EXITINTINFO): what to put in EVENTINJ to
 * deliver it again, or 0. Software interrupts (int n, int3, into) are not
 * re-injected: EIP is still on the instruction, which runs again. */
uint32_t hw_reinject(uint32_t exit_int_info);
/* The exceptions an interrupt's delivery can raise (a gate not present or
 * beyond the IDT's limit, a bad code segment, the stack): intercepted while
 * a V_IRQ is offered. QEMU leaves V_IRQ set when the delivery faults and
 * delivers it again after the fault's handler; a CPU has consumed it. */
#define HW_VIRQ_FAULTS ((1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14))
/* After the exit of an entry that offered a V_IRQ (v_irq: int_ctl still
 * has V_IRQ): 1 if the CPU took it, its delivery or not complete. */
int hw_virq_taken(int v_irq, uint64_t exit_code);

/* ---- CPUID: the host's (QEMU's) answer with SVM and what the guest
 * cannot have hidden (docs/hw.md). ---- */
void hw_cpuid_filter(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);

/* ---- IOIO ---- */
struct hw_ioio {
    uint16_t port;
    unsigned size;        /* 1, 2, 4 */
    int in, str, rep;
    unsigned addr_size;   /* 2 or 4 (string forms) */
    unsigned seg;         /* string outs: the source segment, 0 ES .. 5 GS (3 DS) */
};
/* 0, or -1 if the information is not one a CPU gives (no size). */
int hw_ioio_decode(uint64_t info1, struct hw_ioio *out);
/* What EXITINFO1 holds only with decode assists (QEMU has none): the
 * segment of a string out and the address size, from the instruction's
 * prefixes (cs32: CS.D). 1 and io->seg, io->addr_size set if b is an
 * ins/outs (6C-6F); 0 otherwise (io unchanged). */
int hw_string_io_prefixes(const uint8_t *b, size_t n, int cs32, struct hw_ioio *io);

/* ---- MSRs ---- */
enum hw_msr_kind {
    HW_MSR_ZERO,          /* QEMU has no such MSR: reads 0, writes dropped (as its TCG;
                           * the TSC MSR too, 0x10: QEMU 7.2's TCG has none, measured) */
    HW_MSR_EFER,          /* the VMCB's, SVME hidden */
    HW_MSR_SYSENTER_CS, HW_MSR_SYSENTER_ESP, HW_MSR_SYSENTER_EIP,
    HW_MSR_STAR,
    HW_MSR_PAT,           /* the VMCB's G_PAT */
    HW_MSR_APIC_BASE,     /* the platform's LAPIC */
    HW_MSR_STORE,         /* a register of the vCPU's own, first the host's value */
    HW_MSR_HOST,          /* the host's value, read-only (writes dropped, as QEMU) */
};
enum hw_msr_kind hw_msr_kind(uint32_t msr);
/* HW_MSR_STORE: the slot in the vCPU's store, else -1. */
#define HW_MSR_STORE_SLOTS 30
int hw_msr_store_slot(uint32_t msr);
/* Which host MSRs the hypervisor may read for a guest (HW_MSR_HOST reads
 * and the store's first values) without a #GP of its own. QEMU's TCG
 * never faults an RDMSR; elsewhere only what CPUID says the CPU has. */
struct hw_host_cpu {
    int tcg;              /* CPUID 0x40000000: "TCGTCGTCGTCG" */
    int intel;            /* vendor GenuineIntel */
    int mtrr, mca;        /* CPUID 1 EDX bits 12, 14 */
    unsigned mc_banks;    /* MCG_CAP bits 7:0 (with mca) */
    int mcg_ctl;          /* MCG_CAP bit 8 */
};
int hw_msr_host_readable(uint32_t msr, const struct hw_host_cpu *c);

/* The EFER after a guest's WRMSR of val over old, as QEMU: only SCE, LME,
 * FFXSR and NXE change, where the CPU has them (ext_edx: CPUID
 * 0x80000001 EDX); SVME stays set (the guest runs with it, its reads never
 * see it). */
uint64_t hw_efer_write(uint64_t old, uint64_t val, uint32_t ext_edx);
/* What RDMSR EFER gives the guest. */
uint64_t hw_efer_read(uint64_t vmcb_efer);

#endif
