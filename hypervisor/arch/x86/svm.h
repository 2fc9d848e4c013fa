/*
 * svm: AMD's Secure Virtual Machine extensions (AMD64 APM vol. 2, ch. 15):
 * the VMCB, the intercept and exit-code numbers, and the hypervisor's use of
 * the CPU for them (svm.c: detection, EFER.SVME, VM_HSAVE_PA, the host
 * areas; svm_switch.S: the world switch). Each field is named once, at its
 * offset, with a _Static_assert; the layout is the APM's (Appendix B).
 *
 * Pure where it can be: this header includes only <stdint.h>, so the
 * decisions over it (hw/rules.c) compile on the host too.
 */
#ifndef HV_ARCH_X86_SVM_H
#define HV_ARCH_X86_SVM_H

/* struct svm_gprs (below): the guest's registers VMRUN does not keep, as
 * svm_switch.S reaches them. */
#define SVM_GPR_EBX 0
#define SVM_GPR_ECX 4
#define SVM_GPR_EDX 8
#define SVM_GPR_ESI 12
#define SVM_GPR_EDI 16
#define SVM_GPR_EBP 20

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* ---- a segment in the state-save area (APM Table B-2) ---- */
struct svm_seg {
    uint16_t sel;
    uint16_t attrib;        /* descriptor bits 40-47 in 0-7, bits 52-55 in 8-11 */
    uint32_t limit;         /* expanded: in bytes, granularity applied */
    uint64_t base;
};
_Static_assert(sizeof(struct svm_seg) == 16, "VMCB segment is 16 bytes");

/* ---- the control area, offsets 0x000-0x3FF (APM Table B-1) ---- */
struct svm_control {
    uint16_t cr_read, cr_write;         /* 0x000 */
    uint16_t dr_read, dr_write;         /* 0x004 */
    uint32_t exceptions;                /* 0x008: bit n: exception n */
    uint32_t intercept1;                /* 0x00C: SVM_I1_* */
    uint32_t intercept2;                /* 0x010: SVM_I2_* */
    uint8_t _pad0[0x03C - 0x014];
    uint16_t pause_threshold;           /* 0x03C */
    uint16_t pause_count;               /* 0x03E */
    uint64_t iopm_pa;                   /* 0x040 */
    uint64_t msrpm_pa;                  /* 0x048 */
    uint64_t tsc_offset;                /* 0x050 */
    uint32_t asid;                      /* 0x058 */
    uint8_t tlb_control;                /* 0x05C: SVM_TLB_* */
    uint8_t _pad1[3];
    uint32_t int_ctl;                   /* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING */
    uint32_t int_vector;                /* 0x064: V_INTR_VECTOR */
    uint64_t int_state;                 /* 0x068: bit 0 interrupt shadow */
    uint64_t exit_code;                 /* 0x070 */
    uint64_t exit_info1;                /* 0x078 */
    uint64_t exit_info2;                /* 0x080 */
    uint32_t exit_int_info;             /* 0x088: an event the exit interrupted */
    uint32_t exit_int_info_err;         /* 0x08C */
    uint64_t np_enable;                 /* 0x090: bit 0 nested paging */
    uint8_t _pad2[0x0A8 - 0x098];
    uint32_t event_inj;                 /* 0x0A8: SVM_EVT_* */
    uint32_t event_inj_err;             /* 0x0AC */
    uint64_t n_cr3;                     /* 0x0B0: nested page table root */
    uint64_t lbr_ctl;                   /* 0x0B8 */
    uint32_t clean;                     /* 0x0C0: VMCB clean bits (QEMU: none) */
    uint32_t _pad3;
    uint64_t next_rip;                  /* 0x0C8: QEMU does not save it */
    uint8_t insn_len;                   /* 0x0D0: decode assists (QEMU: none) */
    uint8_t insn_bytes[15];
    uint8_t _pad4[0x400 - 0x0E0];
};

/* ---- the state-save area, offsets 0x400-0xFFF (APM Table B-2) ---- */
struct svm_save {
    struct svm_seg es, cs, ss, ds, fs, gs;      /* 0x400-0x45F */
    struct svm_seg gdtr, ldtr, idtr, tr;        /* 0x460-0x49F */
    uint8_t _pad0[0x4CB - 0x4A0];
    uint8_t cpl;                                /* 0x4CB */
    uint32_t _pad1;
    uint64_t efer;                              /* 0x4D0 */
    uint8_t _pad2[0x548 - 0x4D8];
    uint64_t cr4;                               /* 0x548 */
    uint64_t cr3;                               /* 0x550 */
    uint64_t cr0;                               /* 0x558 */
    uint64_t dr7;                               /* 0x560 */
    uint64_t dr6;                               /* 0x568 */
    uint64_t rflags;                            /* 0x570 */
    uint64_t rip;                               /* 0x578 */
    uint8_t _pad3[0x5D8 - 0x580];
    uint64_t rsp;                               /* 0x5D8 */
    uint8_t _pad4[0x5F8 - 0x5E0];
    uint64_t rax;                               /* 0x5F8 */
    uint64_t star;                              /* 0x600 */
    uint64_t lstar;                             /* 0x608 */
    uint64_t cstar;                             /* 0x610 */
    uint64_t sfmask;                            /* 0x618 */
    uint64_t kernel_gs_base;                    /* 0x620 */
    uint64_t sysenter_cs;                       /* 0x628 */
    uint64_t sysenter_esp;                      /* 0x630 */
    uint64_t sysenter_eip;                      /* 0x638 */
    uint64_t cr2;                               /* 0x640 */
    uint8_t _pad5[0x668 - 0x648];
    uint64_t g_pat;                             /* 0x668: the guest's PAT under NPT */
    uint64_t dbgctl;                            /* 0x670 */
    uint64_t br_from, br_to;                    /* 0x678, 0x680 */
    uint64_t last_excp_from, last_excp_to;      /* 0x688, 0x690 */
    uint8_t _pad6[0x1000 - 0x698];
};

struct svm_vmcb {
    struct svm_control c;
    struct svm_save s;
};

#define SVM_CHECK(field, off) \
    _Static_assert(offsetof(struct svm_vmcb, field) == (off), "VMCB " #field " at " #off)
SVM_CHECK(c.cr_read, 0x000);
SVM_CHECK(c.cr_write, 0x002);
SVM_CHECK(c.dr_read, 0x004);
SVM_CHECK(c.dr_write, 0x006);
SVM_CHECK(c.exceptions, 0x008);
SVM_CHECK(c.intercept1, 0x00C);
SVM_CHECK(c.intercept2, 0x010);
SVM_CHECK(c.pause_threshold, 0x03C);
SVM_CHECK(c.pause_count, 0x03E);
SVM_CHECK(c.iopm_pa, 0x040);
SVM_CHECK(c.msrpm_pa, 0x048);
SVM_CHECK(c.tsc_offset, 0x050);
SVM_CHECK(c.asid, 0x058);
SVM_CHECK(c.tlb_control, 0x05C);
SVM_CHECK(c.int_ctl, 0x060);
SVM_CHECK(c.int_vector, 0x064);
SVM_CHECK(c.int_state, 0x068);
SVM_CHECK(c.exit_code, 0x070);
SVM_CHECK(c.exit_info1, 0x078);
SVM_CHECK(c.exit_info2, 0x080);
SVM_CHECK(c.exit_int_info, 0x088);
SVM_CHECK(c.exit_int_info_err, 0x08C);
SVM_CHECK(c.np_enable, 0x090);
SVM_CHECK(c.event_inj, 0x0A8);
SVM_CHECK(c.event_inj_err, 0x0AC);
SVM_CHECK(c.n_cr3, 0x0B0);
SVM_CHECK(c.lbr_ctl, 0x0B8);
SVM_CHECK(c.clean, 0x0C0);
SVM_CHECK(c.next_rip, 0x0C8);
SVM_CHECK(c.insn_len, 0x0D0);
SVM_CHECK(c.insn_bytes, 0x0D1);
SVM_CHECK(s.es, 0x400);
SVM_CHECK(s.cs, 0x410);
SVM_CHECK(s.ss, 0x420);
SVM_CHECK(s.ds, 0x430);
SVM_CHECK(s.fs, 0x440);
SVM_CHECK(s.gs, 0x450);
SVM_CHECK(s.gdtr, 0x460);
SVM_CHECK(s.ldtr, 0x470);
SVM_CHECK(s.idtr, 0x480);
SVM_CHECK(s.tr, 0x490);
SVM_CHECK(s.cpl, 0x4CB);
SVM_CHECK(s.efer, 0x4D0);
SVM_CHECK(s.cr4, 0x548);
SVM_CHECK(s.cr3, 0x550);
SVM_CHECK(s.cr0, 0x558);
SVM_CHECK(s.dr7, 0x560);
SVM_CHECK(s.dr6, 0x568);
SVM_CHECK(s.rflags, 0x570);
SVM_CHECK(s.rip, 0x578);
SVM_CHECK(s.rsp, 0x5D8);
SVM_CHECK(s.rax, 0x5F8);
SVM_CHECK(s.star, 0x600);
SVM_CHECK(s.lstar, 0x608);
SVM_CHECK(s.cstar, 0x610);
SVM_CHECK(s.sfmask, 0x618);
SVM_CHECK(s.kernel_gs_base, 0x620);
SVM_CHECK(s.sysenter_cs, 0x628);
SVM_CHECK(s.sysenter_esp, 0x630);
SVM_CHECK(s.sysenter_eip, 0x638);
SVM_CHECK(s.cr2, 0x640);
SVM_CHECK(s.g_pat, 0x668);
SVM_CHECK(s.dbgctl, 0x670);
SVM_CHECK(s.br_from, 0x678);
SVM_CHECK(s.br_to, 0x680);
SVM_CHECK(s.last_excp_from, 0x688);
SVM_CHECK(s.last_excp_to, 0x690);
_Static_assert(sizeof(struct svm_vmcb) == 4096, "a VMCB is one page");
#undef SVM_CHECK

/* ---- intercept vector 3 (offset 0x00C): bit = exit code - 0x60 ---- */
#define SVM_I1_INTR         (1u << 0)
#define SVM_I1_NMI          (1u << 1)
#define SVM_I1_SMI          (1u << 2)
#define SVM_I1_INIT         (1u << 3)
#define SVM_I1_VINTR        (1u << 4)
#define SVM_I1_CR0_SEL      (1u << 5)
#define SVM_I1_IDTR_READ    (1u << 6)
#define SVM_I1_GDTR_READ    (1u << 7)
#define SVM_I1_LDTR_READ    (1u << 8)
#define SVM_I1_TR_READ      (1u << 9)
#define SVM_I1_IDTR_WRITE   (1u << 10)
#define SVM_I1_GDTR_WRITE   (1u << 11)
#define SVM_I1_LDTR_WRITE   (1u << 12)
#define SVM_I1_TR_WRITE     (1u << 13)
#define SVM_I1_RDTSC        (1u << 14)
#define SVM_I1_RDPMC        (1u << 15)
#define SVM_I1_PUSHF        (1u << 16)
#define SVM_I1_POPF         (1u << 17)
#define SVM_I1_CPUID        (1u << 18)
#define SVM_I1_RSM          (1u << 19)
#define SVM_I1_IRET         (1u << 20)
#define SVM_I1_INTN         (1u << 21)
#define SVM_I1_INVD         (1u << 22)
#define SVM_I1_PAUSE        (1u << 23)
#define SVM_I1_HLT          (1u << 24)
#define SVM_I1_INVLPG       (1u << 25)
#define SVM_I1_INVLPGA      (1u << 26)
#define SVM_I1_IOIO         (1u << 27)
#define SVM_I1_MSR          (1u << 28)
#define SVM_I1_TASK_SWITCH  (1u << 29)
#define SVM_I1_FERR_FREEZE  (1u << 30)
#define SVM_I1_SHUTDOWN     (1u << 31)
/* ---- intercept vector 4 (offset 0x010): bit = exit code - 0x80 ---- */
#define SVM_I2_VMRUN        (1u << 0)
#define SVM_I2_VMMCALL      (1u << 1)
#define SVM_I2_VMLOAD       (1u << 2)
#define SVM_I2_VMSAVE       (1u << 3)
#define SVM_I2_STGI         (1u << 4)
#define SVM_I2_CLGI         (1u << 5)
#define SVM_I2_SKINIT       (1u << 6)
#define SVM_I2_RDTSCP       (1u << 7)
#define SVM_I2_ICEBP        (1u << 8)
#define SVM_I2_WBINVD       (1u << 9)
#define SVM_I2_MONITOR      (1u << 10)
#define SVM_I2_MWAIT        (1u << 11)
#define SVM_I2_MWAIT_ARMED  (1u << 12)
#define SVM_I2_XSETBV       (1u << 13)

/* ---- exit codes (APM Appendix C) ---- */
#define SVM_EXIT_READ_CR0   0x000     /* + n: mov from CRn */
#define SVM_EXIT_WRITE_CR0  0x010     /* + n: mov to CRn */
#define SVM_EXIT_READ_DR0   0x020     /* + n: mov from DRn */
#define SVM_EXIT_WRITE_DR0  0x030     /* + n: mov to DRn */
#define SVM_EXIT_EXCP_BASE  0x040     /* + vector: an intercepted exception */
#define SVM_EXIT_INTR       0x060
#define SVM_EXIT_NMI        0x061
#define SVM_EXIT_SMI        0x062
#define SVM_EXIT_INIT       0x063
#define SVM_EXIT_VINTR      0x064
#define SVM_EXIT_CR0_SEL    0x065
#define SVM_EXIT_RDTSC      0x06E
#define SVM_EXIT_RDPMC      0x06F
#define SVM_EXIT_PUSHF      0x070
#define SVM_EXIT_POPF       0x071
#define SVM_EXIT_CPUID      0x072
#define SVM_EXIT_RSM        0x073
#define SVM_EXIT_IRET       0x074
#define SVM_EXIT_SWINT      0x075
#define SVM_EXIT_INVD       0x076
#define SVM_EXIT_PAUSE      0x077
#define SVM_EXIT_HLT        0x078
#define SVM_EXIT_INVLPG     0x079
#define SVM_EXIT_INVLPGA    0x07A
#define SVM_EXIT_IOIO       0x07B
#define SVM_EXIT_MSR        0x07C
#define SVM_EXIT_TASK_SWITCH 0x07D
#define SVM_EXIT_FERR_FREEZE 0x07E
#define SVM_EXIT_SHUTDOWN   0x07F
#define SVM_EXIT_VMRUN      0x080
#define SVM_EXIT_VMMCALL    0x081
#define SVM_EXIT_VMLOAD     0x082
#define SVM_EXIT_VMSAVE     0x083
#define SVM_EXIT_STGI       0x084
#define SVM_EXIT_CLGI       0x085
#define SVM_EXIT_SKINIT     0x086
#define SVM_EXIT_RDTSCP     0x087
#define SVM_EXIT_ICEBP      0x088
#define SVM_EXIT_WBINVD     0x089
#define SVM_EXIT_MONITOR    0x08A
#define SVM_EXIT_MWAIT      0x08B
#define SVM_EXIT_MWAIT_ARMED 0x08C
#define SVM_EXIT_XSETBV     0x08D
#define SVM_EXIT_NPF        0x400
#define SVM_EXIT_INVALID    0xFFFFFFFFu   /* VMRUN refused the VMCB (-1) */
#define SVM_EXIT_CODES      0x8E          /* codes below this are counted one by one */

/* ---- EVENTINJ and EXITINTINFO (APM 15.20) ---- */
#define SVM_EVT_VECTOR      0xFFu
#define SVM_EVT_TYPE_SHIFT  8
#define SVM_EVT_TYPE_MASK   (7u << 8)
#define SVM_EVT_INTR        (0u << 8)     /* external interrupt */
#define SVM_EVT_NMI         (2u << 8)
#define SVM_EVT_EXCEPTION   (3u << 8)
#define SVM_EVT_SOFT        (4u << 8)     /* software interrupt (int n) */
#define SVM_EVT_ERR_VALID   (1u << 11)
#define SVM_EVT_VALID       (1u << 31)

/* ---- V_INTR fields of int_ctl ---- */
#define SVM_V_IRQ           (1u << 8)
#define SVM_V_INTR_PRIO_SHIFT 16
#define SVM_V_IGN_TPR       (1u << 20)
#define SVM_V_INTR_MASKING  (1u << 24)

#define SVM_INT_SHADOW      1u            /* int_state bit 0 */
#define SVM_TLB_NOTHING     0
#define SVM_TLB_FLUSH_ALL   1
#define SVM_NP_ENABLE       1u

/* ---- IOIO EXITINFO1 (APM 15.10.2) ---- */
#define SVM_IOIO_IN         (1u << 0)
#define SVM_IOIO_STR        (1u << 2)
#define SVM_IOIO_REP        (1u << 3)
#define SVM_IOIO_SZ8        (1u << 4)
#define SVM_IOIO_SZ16       (1u << 5)
#define SVM_IOIO_SZ32       (1u << 6)
#define SVM_IOIO_A16        (1u << 7)
#define SVM_IOIO_A32        (1u << 8)
#define SVM_IOIO_SEG_SHIFT  10            /* segment of a string out: 0 ES .. 5 GS */

/* ---- #NPF EXITINFO1 (error code) ---- */
#define SVM_NPF_PRESENT     (1u << 0)
#define SVM_NPF_WRITE       (1u << 1)
#define SVM_NPF_USER        (1u << 2)
#define SVM_NPF_FETCH       (1u << 4)

/* ---- the MSRs and CPUID bits ---- */
#define MSR_VM_CR           0xC0010114u
#define MSR_VM_HSAVE_PA     0xC0010117u
#define CPUID_80000001_ECX_SVM (1u << 2)
#define CPUID_8000000A_EDX_NP  (1u << 0)
#define VM_CR_SVMDIS        (1u << 4)

#define SVM_IOPM_SIZE       (3 * 4096)    /* every port, and one page more */
#define SVM_MSRPM_SIZE      (2 * 4096)

/* ---- the hypervisor's SVM (svm.c, svm_switch.S) ---- */
#ifdef PV86_HYPERVISOR
/* The guest's registers VMRUN does not keep in the VMCB (RAX, RSP and RIP
 * are in it). Offsets for svm_switch.S. */
struct svm_gprs {
    uint32_t ebx, ecx, edx, esi, edi, ebp;
};
_Static_assert(offsetof(struct svm_gprs, ebx) == SVM_GPR_EBX &&
               offsetof(struct svm_gprs, ecx) == SVM_GPR_ECX &&
               offsetof(struct svm_gprs, edx) == SVM_GPR_EDX &&
               offsetof(struct svm_gprs, esi) == SVM_GPR_ESI &&
               offsetof(struct svm_gprs, edi) == SVM_GPR_EDI &&
               offsetof(struct svm_gprs, ebp) == SVM_GPR_EBP, "svm_gprs layout");

struct svm_caps {
    int svm, npt;                 /* CPUID says so (and VM_CR does not forbid it) */
    uint32_t nr_asids;            /* CPUID 0x8000000A EBX */
    const char *why;              /* when not: what is missing */
};
/* Ask the CPU once (CPUID 0x80000001 ECX.SVM, 0x8000000A EDX.NP, VM_CR). */
const struct svm_caps *svm_caps(void);
/* Turn SVM on (EFER.SVME, VM_HSAVE_PA), once; 0, or -1 if the CPU has
 * none. The physical address of the all-intercepting IOPM and MSRPM. */
int svm_enable(void);
uint32_t svm_iopm_pa(void);
uint32_t svm_msrpm_pa(void);
/* Run the guest of vmcb (physical address vmcb_pa) with gprs from the top
 * of the hypervisor stack; at its #VMEXIT, gprs hold the guest's registers
 * again and svm_exit_handler runs (with GIF set, interrupts off). Never
 * returns. */
__attribute__((noreturn)) void svm_world_switch(uint32_t vmcb_pa, struct svm_gprs *gprs);
/* Called by svm_world_switch after each #VMEXIT (hw/exit.c). */
__attribute__((noreturn)) void svm_exit_handler(void);
#endif /* PV86_HYPERVISOR */
#endif /* __ASSEMBLER__ */

#endif
