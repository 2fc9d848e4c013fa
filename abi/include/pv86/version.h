/*
 * pv86 ABI: xen_version(cmd, void *arg).
 *   XENVER_version         arg unused; returns (major << 16) | minor
 *   XENVER_extraversion    OUT char[16]
 *   XENVER_compile_info    OUT struct xen_compile_info
 *   XENVER_capabilities    OUT char[1024], e.g. "xen-3.0-x86_32p"
 *   XENVER_changeset       OUT char[64]
 *   XENVER_platform_parameters  OUT struct xen_platform_parameters
 *   XENVER_get_features    IN submap_idx, OUT submap; submap_idx other than
 *                          0 -EINVAL. Submap 0, as Xen answers a PV guest, of
 *                          what pv86 implements: pae_pgdir_above_4gb while
 *                          vm_assist(pae_extended_cr3) is on,
 *                          mmu_pt_update_preserve_ad, direct_mapped, and dom0
 *                          for the initial domain (d1)
 *   XENVER_pagesize        arg must be NULL (else -EINVAL); returns 4096
 * Returns -EFAULT when arg cannot be written, -ENOSYS for other commands.
 */
#ifndef PV86_VERSION_H
#define PV86_VERSION_H

#include "abi.h"

#define XENVER_version              0
#define XENVER_extraversion         1
#define XENVER_compile_info         2
#define XENVER_capabilities         3
#define XENVER_changeset            4
#define XENVER_platform_parameters  5
#define XENVER_get_features         6
#define XENVER_pagesize             7

#define XEN_EXTRAVERSION_LEN   16
#define XEN_CAPABILITIES_LEN   1024
#define XEN_CHANGESET_LEN      64

struct xen_compile_info {
    char compiler[64];          /*   0 */
    char compile_by[16];        /*  64 */
    char compile_domain[32];    /*  80 */
    char compile_date[32];      /* 112 */
};
PV86_STATIC_ASSERT(sizeof(struct xen_compile_info) == 144, "xen_compile_info is 144 bytes");

struct xen_platform_parameters {
    uint32_t virt_start;        /* 0: HYPERVISOR_VIRT_START */
};
PV86_STATIC_ASSERT(sizeof(struct xen_platform_parameters) == 4, "platform_parameters is 4 bytes");

struct xen_feature_info {
    uint32_t submap_idx;        /* 0: IN: which 32-bit group of features */
    uint32_t submap;            /* 4: OUT: XENFEAT_* bits of that group */
};
PV86_STATIC_ASSERT(sizeof(struct xen_feature_info) == 8, "feature_info is 8 bytes");

/* Feature bits (submap 0); the same names appear in the FEATURES ELF note. */
#define XENFEAT_writable_page_tables        0
#define XENFEAT_writable_descriptor_tables  1
#define XENFEAT_auto_translated_physmap     2
#define XENFEAT_supervisor_mode_kernel      3
#define XENFEAT_pae_pgdir_above_4gb         4
#define XENFEAT_mmu_pt_update_preserve_ad   5
#define XENFEAT_highmem_assist              6
#define XENFEAT_gnttab_map_avail_bits       7
#define XENFEAT_hvm_callback_vector         8
#define XENFEAT_hvm_safe_pvclock            9
#define XENFEAT_hvm_pirqs                  10
#define XENFEAT_dom0                       11
#define XENFEAT_grant_map_identity         12
#define XENFEAT_memory_op_vnode_supported  13
#define XENFEAT_ARM_SMCCC_supported        14
#define XENFEAT_linux_rsdp_unrestricted    15
#define XENFEAT_not_direct_mapped          16
#define XENFEAT_direct_mapped              17
#define XENFEAT_runstate_phys_area         18
#define XENFEAT_vcpu_time_phys_area        19
#define XENFEAT_NR_SUBMAPS                  1

#endif /* PV86_VERSION_H */
