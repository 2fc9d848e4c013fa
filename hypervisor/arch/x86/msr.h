/*
 * msr: the MSRs a PV guest kernel reads and writes with rdmsr/wrmsr, as
 * Xen 4.19 emulates them for a 32-bit PV guest that is neither the
 * hardware domain nor a cpufreq controller, with vPMU off
 * (xen/arch/x86/msr.c guest_rdmsr/guest_wrmsr and pv/emul-priv-op.c
 * read_msr/write_msr). One table, one row per MSR or range; everything
 * else raises #GP(0). Pure: the host's values come in struct msr_cpu and
 * through a callback, only for MSRs the table says the CPU has.
 */
#ifndef HV_ARCH_X86_MSR_H
#define HV_ARCH_X86_MSR_H

#include <stdint.h>

/* CPU vendors (bits, as Xen's X86_VENDOR_*). */
#define MSR_VENDOR_INTEL    (1u << 0)
#define MSR_VENDOR_AMD      (1u << 1)
#define MSR_VENDOR_CENTAUR  (1u << 2)
#define MSR_VENDOR_SHANGHAI (1u << 3)
#define MSR_VENDOR_HYGON    (1u << 4)
/* The vendor bit for a CPUID leaf 0 vendor string (EBX, EDX, ECX); 0 if
 * none of these. */
unsigned msr_vendor_of(const uint32_t leaf0[4]);

#define MSR_IA32_TSC                0x00000010u
#define MSR_IA32_PLATFORM_ID        0x00000017u
#define MSR_IA32_APIC_BASE          0x0000001bu
#define MSR_IA32_FEATURE_CONTROL    0x0000003au
#define MSR_IA32_UCODE_REV          0x0000008bu
#define MSR_INTEL_PLATFORM_INFO     0x000000ceu
#define MSR_INTEL_MISC_FEATURES_ENABLES 0x00000140u
#define MSR_IA32_SYSENTER_CS        0x00000174u
#define MSR_IA32_SYSENTER_ESP       0x00000175u
#define MSR_IA32_SYSENTER_EIP       0x00000176u
#define MSR_IA32_MISC_ENABLE        0x000001a0u
#define MSR_IA32_CR_PAT             0x00000277u
#define MSR_IA32_PERF_CAPABILITIES  0x00000345u
#define MSR_EFER                    0xc0000080u
#define MSR_AMD64_DE_CFG            0xc0011029u
#define MSR_K8_HWCR                 0xc0010015u

/* Xen's own PAT (XEN_MSR_PAT), which its PV guests read and run under:
 * WB, WT, UC-, UC, WC, WP, UC, UC. */
#define XEN_MSR_PAT 0x0000050100070406ull

/* MISC_ENABLE bits Xen changes in the guest's view. */
#define MISC_ENABLE_PERF_AVAIL      (1ull << 7)
#define MISC_ENABLE_BTS_UNAVAIL     (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL    (1ull << 12)
#define MISC_ENABLE_MONITOR_ENABLE  (1ull << 18)
#define MISC_ENABLE_XTPR_DISABLE    (1ull << 23)

#define EFER_SCE    (1ull << 0)
#define EFER_LME    (1ull << 8)
#define EFER_LMA    (1ull << 10)
#define EFER_NXE    (1ull << 11)
#define EFER_SVME   (1ull << 12)
#define EFER_LMSLE  (1ull << 13)
#define EFER_FFXSE  (1ull << 14)
#define EFER_AIBRSE (1ull << 21)

struct msr_cpu {
    unsigned vendor;        /* MSR_VENDOR_* */
    unsigned family;        /* CPUID family, extended family added */
    uint64_t efer;          /* the hypervisor's EFER */
    /* Reads of host MSRs the table names (MSR_IA32_PLATFORM_ID,
     * UCODE_REV, MISC_ENABLE, TSC); only called where the CPU has them. */
    uint64_t (*host)(void *ctx, uint32_t msr);
    void *ctx;
};

/* Per vCPU state the MSRs keep. */
struct msr_vcpu {
    uint64_t misc_features_enables;
};

/* 0 and *val, or -1: #GP(0). */
int msr_pv_read(const struct msr_cpu *c, const struct msr_vcpu *v, uint32_t vcpu_id,
                uint32_t msr, uint64_t *val);
/* 0 (done, or dropped as Xen drops it), or -1: #GP(0). */
int msr_pv_write(const struct msr_cpu *c, struct msr_vcpu *v, uint32_t msr, uint64_t val);

/* The EFER a 32-bit PV guest sees (Xen's guest_efer). */
uint64_t msr_guest_efer(const struct msr_cpu *c);

#endif
