/*
 * pv86 ABI: physdev_op (hypercall 33) and the legacy physdev_op_compat
 * (hypercall 19), Xen's numbering and x86_32 layouts. pv86 gives no domain
 * physical devices (the hypervisor keeps the whole machine), so every
 * sub-op answers as Xen answers an unprivileged guest; d1 included.
 *
 *   physdev_op(cmd, arg)          EBX cmd, ECX pointer to the cmd's struct
 *   physdev_op_compat(op)         EBX pointer to struct physdev_op
 *
 * Sub-ops (IN/OUT fields below; -XEN_EFAULT whenever arg cannot be read):
 *   set_iopl        IN iopl (0-3, else -EINVAL): the vCPU's virtual IOPL
 *   set_iobitmap    IN bitmap, nr_ports (<= 65536, the 8 KiB at bitmap
 *                   below the hypervisor area, else -EINVAL): a TSS-style
 *                   I/O bitmap in guest memory (bit clear = port allowed)
 *   irq_status_query IN irq (< PHYSDEV_NR_PIRQS, else -EINVAL);
 *                   OUT flags = XENIRQSTAT_needs_eoi
 *   eoi             IN irq: 0 for a pirq got from get_free_pirq, else -EINVAL
 *   get_free_pirq   IN type; OUT pirq (GSI: 16-23 first; others from 55
 *                   down to 24); -ENOSPC when none is left
 *   pirq_eoi_gmfn_v1/v2 IN gmfn: an own frame that can be writable
 *                   (-EINVAL otherwise) is registered once (-EBUSY again)
 *   IRQ_UNMASK_NOTIFY 0
 *   map_pirq, unmap_pirq, apic_read/write, alloc_irq_vector, manage_pci_*,
 *   pci_device_add/remove, setup_gsi, prepare/release_msix,
 *   pci_mmcfg_reserved, dbgp_op: -EPERM (after Xen's own argument checks)
 *   restore_msi, restore_msi_ext: -ENODEV (no such device)
 *   anything else: -ENOSYS
 *
 * What the virtual IOPL gives (Xen's PV emulation): the real EFLAGS.IOPL
 * is always 0, so in/out/ins/outs and cli/sti trap and are emulated. A
 * ring-1 kernel may do port I/O when its virtual IOPL is 1 or more (any
 * value with VMASST_TYPE_architectural_iopl, which also makes iret's
 * EFLAGS.IOPL set it and bounce frames show it), ring 2 and 3 code when it
 * is 3; or through the set_iobitmap bitmap. Otherwise #GP(0). The ports
 * themselves are pv86's: reads all ones, writes dropped, except the RTC
 * index (0x70, 7 bits, reads back) and CONFIG_ADDRESS (0xcf8, dword only).
 * cli/sti are skipped: the event mask does not change.
 * Also emulated in ring 1, as Xen: mov from CR0 (TS virtual), CR2, CR3 (the
 * L3's machine frame), CR4 (TSD, FSGSBASE, OSXSAVE as set, if CPUID has
 * them; PAE, OSFXSR, OSXMMEXCPT); mov to CR0 (TS only), CR2, CR4 (any
 * value, the rest dropped); rdtsc/rdtscp under CR4.TSD; wbinvd (ignored);
 * rdmsr/wrmsr of the MSRs Xen emulates for PV (APIC_BASE 0xfee00900, PAT
 * 0x0000050100070406, EFER, TSC, MISC_ENABLE, PLATFORM_INFO, ...), #GP(0)
 * for the rest (docs/xen-deviations.md).
 */
#ifndef PV86_PHYSDEV_H
#define PV86_PHYSDEV_H

#include "abi.h"
#include "xen.h"

#define __HYPERVISOR_physdev_op_compat   19

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY       4
#define PHYSDEVOP_irq_status_query        5
#define PHYSDEVOP_set_iopl                6
#define PHYSDEVOP_set_iobitmap            7
#define PHYSDEVOP_apic_read               8
#define PHYSDEVOP_apic_write              9
#define PHYSDEVOP_alloc_irq_vector       10
#define PHYSDEVOP_free_irq_vector        11
#define PHYSDEVOP_eoi                    12
#define PHYSDEVOP_map_pirq               13
#define PHYSDEVOP_unmap_pirq             14
#define PHYSDEVOP_manage_pci_add         15
#define PHYSDEVOP_manage_pci_remove      16
#define PHYSDEVOP_pirq_eoi_gmfn_v1       17
#define PHYSDEVOP_restore_msi            19
#define PHYSDEVOP_manage_pci_add_ext     20
#define PHYSDEVOP_setup_gsi              21
#define PHYSDEVOP_get_free_pirq          23
#define PHYSDEVOP_pci_mmcfg_reserved     24
#define PHYSDEVOP_pci_device_add         25
#define PHYSDEVOP_pci_device_remove      26
#define PHYSDEVOP_restore_msi_ext        27
#define PHYSDEVOP_pirq_eoi_gmfn_v2       28
#define PHYSDEVOP_dbgp_op                29
#define PHYSDEVOP_prepare_msix           30
#define PHYSDEVOP_release_msix           31

#define XENIRQSTAT_needs_eoi   (1u << 0)
#define XENIRQSTAT_shared      (1u << 1)

#define MAP_PIRQ_TYPE_MSI       0
#define MAP_PIRQ_TYPE_GSI       1
#define MAP_PIRQ_TYPE_UNKNOWN   2
#define MAP_PIRQ_TYPE_MSI_SEG   3
#define MAP_PIRQ_TYPE_MULTI_MSI 4

/* Pirqs a domain has (Xen: 24 GSIs of the machine's IO-APIC + 32). */
#define PHYSDEV_NR_PIRQS   56
#define PHYSDEV_NR_GSIS    24
#define PHYSDEV_IOBMP_BYTES 8192

struct physdev_set_iopl {
    uint32_t iopl;              /* 0 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_set_iopl) == 4, "physdev_set_iopl is 4 bytes");

struct physdev_set_iobitmap {
    uint32_t bitmap;            /* 0: guest virtual address */
    uint32_t nr_ports;          /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_set_iobitmap) == 8, "physdev_set_iobitmap is 8 bytes");

struct physdev_irq_status_query {
    uint32_t irq;               /* 0: IN */
    uint32_t flags;             /* 4: OUT, XENIRQSTAT_* */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_irq_status_query) == 8, "irq_status_query is 8 bytes");

struct physdev_eoi {
    uint32_t irq;               /* 0 */
};

struct physdev_pirq_eoi_gmfn {
    uint32_t gmfn;              /* 0: a machine frame of the caller */
};

struct physdev_apic {
    uint32_t apic_physbase;     /* 0 */
    uint32_t reg;               /* 4 */
    uint32_t value;             /* 8: IN or OUT */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_apic) == 12, "physdev_apic is 12 bytes");

struct physdev_irq {
    uint32_t irq;               /* 0 */
    uint32_t vector;            /* 4 */
};

struct physdev_map_pirq {
    domid_t  domid;             /*  0 */
    uint16_t _pad0;             /*  2 */
    int32_t  type;              /*  4 */
    int32_t  index;             /*  8 */
    int32_t  pirq;              /* 12: IN or OUT */
    int32_t  bus;               /* 16 */
    int32_t  devfn;             /* 20 */
    int32_t  entry_nr;          /* 24 */
    uint32_t table_base[2];     /* 28: a uint64_t, 4-byte aligned on x86_32 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_map_pirq) == 36, "physdev_map_pirq is 36 bytes");

struct physdev_unmap_pirq {
    domid_t  domid;             /* 0 */
    uint16_t _pad0;             /* 2 */
    int32_t  pirq;              /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_unmap_pirq) == 8, "physdev_unmap_pirq is 8 bytes");

struct physdev_manage_pci {
    uint8_t bus, devfn;         /* 0 */
};

struct physdev_manage_pci_ext {
    uint8_t  bus, devfn;        /*  0 */
    uint16_t _pad0;             /*  2 */
    uint32_t is_extfn;          /*  4: 0 or 1, else -EINVAL */
    uint32_t is_virtfn;         /*  8: 0 or 1, else -EINVAL */
    uint8_t  physfn_bus, physfn_devfn; /* 12 */
    uint16_t _pad1;             /* 14 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_manage_pci_ext) == 16, "manage_pci_ext is 16 bytes");

struct physdev_setup_gsi {
    int32_t gsi;                /* 0: < PHYSDEV_NR_GSIS, else -EINVAL */
    uint8_t triggering;         /* 4 */
    uint8_t polarity;           /* 5 */
    uint16_t _pad0;             /* 6 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_setup_gsi) == 8, "physdev_setup_gsi is 8 bytes");

struct physdev_get_free_pirq {
    int32_t  type;              /* 0: IN */
    uint32_t pirq;              /* 4: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_get_free_pirq) == 8, "get_free_pirq is 8 bytes");

#define XEN_PCI_DEV_EXTFN   0x1
#define XEN_PCI_DEV_VIRTFN  0x2
#define XEN_PCI_DEV_PXM     0x4

struct physdev_pci_device_add {
    uint16_t seg;               /*  0 */
    uint8_t  bus, devfn;        /*  2 */
    uint32_t flags;             /*  4: XEN_PCI_DEV_*; PXM: a uint32_t follows */
    uint8_t  physfn_bus, physfn_devfn; /* 8 */
    uint16_t _pad0;             /* 10 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_pci_device_add) == 12, "pci_device_add is 12 bytes");

struct physdev_pci_device {
    uint16_t seg;               /* 0 */
    uint8_t  bus, devfn;        /* 2 */
};

/* physdev_op_compat's argument: the command, then its struct. */
struct physdev_op {
    uint32_t cmd;               /* 0 */
    union {
        struct physdev_irq_status_query irq_status_query;
        struct physdev_set_iopl set_iopl;
        struct physdev_set_iobitmap set_iobitmap;
        struct physdev_apic apic_op;
        struct physdev_irq irq_op;
    } u;                        /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct physdev_op) == 16, "physdev_op is 16 bytes");

#endif
