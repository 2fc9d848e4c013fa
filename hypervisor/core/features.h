/*
 * features: what xen_version(XENVER_get_features) and vm_assist answer, as
 * Xen answers a 32-bit PV guest (xen/common/kernel.c get_features,
 * xen/common/domain.c do_vm_assist with PV32_VM_ASSIST_MASK). Pure
 * (host-tested in tests/unit/test_features.c).
 */
#ifndef HV_CORE_FEATURES_H
#define HV_CORE_FEATURES_H

#include <stdint.h>

/* Xen's PV32_VM_ASSIST_MASK: the assists a 32-bit PV guest may switch. */
#define VMASST_VALID_PV32 0x3Fu     /* types 0-5 */

/* Submap 0 for a PV domain with these vm_assist bits: pae_pgdir_above_4gb
 * while pae_extended_cr3 is on, mmu_pt_update_preserve_ad, direct_mapped,
 * dom0 for the initial domain. Xen's other PV bits announce interfaces pv86
 * does not implement (docs/xen-deviations.md). */
uint32_t features_submap0(uint32_t vm_assist, int initdomain);

/* The assists a domain starts with: Xen's builders set pae_extended_cr3
 * when libelf reads the PAE_MODE note as extended-cr3 ("yes") -- and the
 * toolstack's, for a domU, also as bimodal (a note containing "bimodal"). */
uint32_t vm_assist_initial(const char *pae_mode, int initdomain);

/* vm_assist(cmd, type) on *bits: 0, -XEN_EINVAL (type first), -XEN_ENOSYS. */
int32_t vm_assist_apply(uint32_t *bits, uint32_t cmd, uint32_t type);

#endif
