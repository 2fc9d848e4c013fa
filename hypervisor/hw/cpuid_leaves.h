/*
 * cpuid_leaves: the hypervisor CPUID range of the hw mode, as Xen and KVM
 * offer one (leaves 0x40000000-0x400000FF, which no x86 CPU defines). A
 * kernel that knows about it reads pv86's #VMEXIT counters from it; one
 * that does not never asks, so nothing changes for it. On bare QEMU the
 * range holds no pv86 signature (TCG answers "TCGTCGTCGTCG" or zeros), so
 * a program that finds none prints no exit figures.
 *
 *   leaf 0x40000000: EAX = 0x40000001, the last leaf of the range;
 *                    EBX, ECX, EDX = "pv86", " hw\0", "\0\0\0\0"
 *                    (the 12-byte signature "pv86 hw", NUL-padded)
 *   leaf 0x40000001, ECX = an SVM exit code (APM vol. 2, appendix C):
 *                    EAX = the #VMEXITs counted with that code (0 for a
 *                          code not counted by itself),
 *                    EBX = every #VMEXIT counted, all codes (modulo 2^32),
 *                    ECX = N: codes 0 .. N-1 are counted one by one, and
 *                          NPF (0x400) too,
 *                    EDX = the next code above ECX's with a nonzero count,
 *                          or 0xFFFFFFFF when there is none: a reader
 *                          walks only the codes that occurred.
 *   leaves 0x40000002-0x400000FF: all zero.
 *
 * The counts are the domain's, since it started, and include the CPUID
 * exit that reads them when the hypervisor counts an exit before handling
 * it: a reader subtracts its own reads (pvguest/user/hvexits.c does).
 *
 * This header is freestanding C (stdint only): pvguest's programs include
 * it for the leaf numbers and the signature.
 */
#ifndef HV_HW_CPUID_LEAVES_H
#define HV_HW_CPUID_LEAVES_H

#include <stdint.h>

#define HW_CPUID_HV_BASE      0x40000000u
#define HW_CPUID_HV_EXITS     0x40000001u
#define HW_CPUID_HV_LAST      0x400000FFu   /* the range pv86 answers */
#define HW_CPUID_SIG_EBX      0x36387670u   /* "pv86" */
#define HW_CPUID_SIG_ECX      0x00776820u   /* " hw\0" */
#define HW_CPUID_SIG_EDX      0x00000000u
#define HW_CPUID_NO_NEXT      0xFFFFFFFFu
#define HW_CPUID_CODE_NPF     0x400u        /* SVM's nested page fault */

/* The answer to CPUID (leaf, subleaf) from the hypervisor range, into
 * out[0..3] = EAX, EBX, ECX, EDX. The hypervisor's counter table, as the
 * hw mode keeps it (hw/rules.h, hw_exit_index): nr entries; entry c counts
 * exit code c for c < ncodes; entry ncodes, when ncodes < nr, counts NPF;
 * any further entries (VMRUN failures, codes nothing asked for) count
 * towards the total only. exit_counts may be NULL when nr is 0. Returns 1
 * when leaf is in 0x40000000-0x400000FF (out filled), 0 otherwise (out
 * untouched: the caller answers as for any other leaf). */
int hw_cpuid_hv_leaf(const uint32_t *exit_counts, unsigned nr, unsigned ncodes,
                     uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
