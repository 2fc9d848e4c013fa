/*
 * svm: the CPU side of the hw mode (svm.h): does the CPU have SVM with
 * nested paging, and turning it on: EFER.SVME, the host-save page
 * (VM_HSAVE_PA), the host's VMSAVE area and the permission maps every hw
 * vCPU shares (all ports and all MSRs intercepted).
 */
#include "arch/x86/svm.h"

#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"

/* Physical pages: the hypervisor image is identity mapped, so each one's
 * address is its physical address. */
static uint8_t host_save_area[4096] __attribute__((aligned(4096)));     /* VM_HSAVE_PA */
uint8_t svm_host_save[4096] __attribute__((aligned(4096)));             /* VMSAVE/VMLOAD */
static uint8_t iopm[SVM_IOPM_SIZE] __attribute__((aligned(4096)));
static uint8_t msrpm[SVM_MSRPM_SIZE] __attribute__((aligned(4096)));

static struct svm_caps caps;
static int asked, enabled;

const struct svm_caps *svm_caps(void)
{
    if (asked)
        return &caps;
    asked = 1;
    uint32_t r[4];
    cpuid_count(0x80000000u, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext < 0x80000001u) {
        caps.why = "the CPU has no SVM (QEMU: -cpu max)";
        return &caps;
    }
    cpuid_count(0x80000001u, 0, r);
    if (!(r[2] & CPUID_80000001_ECX_SVM)) {
        caps.why = "the CPU has no SVM (QEMU: -cpu max)";
        return &caps;
    }
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        caps.why = "SVM is disabled (VM_CR.SVMDIS)";
        return &caps;
    }
    caps.svm = 1;
    if (max_ext < 0x8000000Au) {
        caps.why = "the CPU has no nested paging (CPUID 0x8000000A)";
        return &caps;
    }
    cpuid_count(0x8000000Au, 0, r);
    caps.nr_asids = r[1];
    caps.npt = (r[3] & CPUID_8000000A_EDX_NP) != 0;
    if (!caps.npt)
        caps.why = "the CPU has SVM but no nested paging (CPUID 0x8000000A EDX.NP)";
    else if (caps.nr_asids < 2)
        caps.why = "the CPU has no guest ASID";
    return &caps;
}

int svm_enable(void)
{
    if (enabled)
        return 0;
    const struct svm_caps *c = svm_caps();
    if (!c->svm || !c->npt || c->nr_asids < 2)
        return -1;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, (uint32_t)(uintptr_t)host_save_area);
    memset(iopm, 0xFF, sizeof(iopm));
    memset(msrpm, 0xFF, sizeof(msrpm));
    enabled = 1;
    return 0;
}

uint32_t svm_iopm_pa(void) { return (uint32_t)(uintptr_t)iopm; }
uint32_t svm_msrpm_pa(void) { return (uint32_t)(uintptr_t)msrpm; }
