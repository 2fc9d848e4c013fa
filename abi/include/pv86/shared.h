/*
 * pv86 ABI: the pages a PV domain shares with the hypervisor:
 * start_info (given to the kernel in ESI at entry), shared_info (holds
 * vcpu_info, event-channel bitmaps and the wallclock; its machine address is
 * in start_info.shared_info and the guest maps it itself), and the console
 * ring. Offsets are those of Xen's x86_32 PAE interface.
 */
#ifndef PV86_SHARED_H
#define PV86_SHARED_H

#include "abi.h"

/* ---- start_info: one page, filled by the domain builder ----
 * As Xen's builders fill it: d1 as Xen's dom0 builder (flags
 * SIF_PRIVILEGED|SIF_INITDOMAIN, console.dom0 0/0: no VGA, first_p2m_pfn
 * 2^order of the pages the bootstrap mapping covers, nr_p2m_frames 0), a
 * domU as Xen's domU builder (flags 0, console.domU its ring and event
 * channel, first_p2m_pfn and nr_p2m_frames 0). Both get a xenstore page
 * (store_evtchn 0 unless the run has the xenstore domain, docs/xenstore.md),
 * mod_start = mod_len = 0 (no initial module), the bootstrap tables of Xen's dom0 builder (an L3, four
 * L2s, L1s for [virt_base rounded down to 2 MiB, the mapping's end)) and
 * the command line after the image's file name. Layout in pfns from
 * virt_base: the image (and BSD_SYMTAB's table), the p2m list, start_info,
 * xenstore, console, page tables, boot stack. */
#define XEN_START_INFO_MAGIC  "xen-3.0-x86_32p"
#define MAX_GUEST_CMDLINE     1024
#define SIF_PRIVILEGED        (1u << 0)  /* may use privileged operations */
#define SIF_INITDOMAIN        (1u << 1)  /* the initial domain */
#define SIF_MOD_START_PFN     (1u << 3)  /* mod_start is a pfn (never: no module) */

struct start_info {
    char     magic[32];        /*    0: "xen-3.0-x86_32p" */
    uint32_t nr_pages;         /*   32: pages of RAM the domain owns */
    uint32_t shared_info;      /*   36: machine address of shared_info */
    uint32_t flags;            /*   40: SIF_* */
    uint32_t store_mfn;        /*   44: xenstore ring frame */
    uint32_t store_evtchn;     /*   48 */
    union {
        struct {
            uint32_t mfn;      /*   52: console ring frame (domU) */
            uint32_t evtchn;   /*   56 */
        } domU;
        struct {
            uint32_t info_off; /*   52: initial domain: VGA info, 0 = none */
            uint32_t info_size;/*   56 */
        } dom0;
    } console;
    uint32_t pt_base;          /*   60: VA of the bootstrap L3 */
    uint32_t nr_pt_frames;     /*   64: frames of bootstrap page tables */
    uint32_t mfn_list;         /*   68: VA of the p2m list (4 bytes a pfn) */
    uint32_t mod_start;        /*   72: VA of the initial module, 0 = none */
    uint32_t mod_len;          /*   76 */
    char     cmd_line[MAX_GUEST_CMDLINE]; /* 80: NUL-terminated */
    uint32_t first_p2m_pfn;    /* 1104 */
    uint32_t nr_p2m_frames;    /* 1108 */
};
PV86_STATIC_ASSERT(sizeof(struct start_info) == 1112, "start_info is 1112 bytes");
PV86_CHECK_OFFSET(struct start_info, nr_pages, 32);
PV86_CHECK_OFFSET(struct start_info, shared_info, 36);
PV86_CHECK_OFFSET(struct start_info, console, 52);
PV86_CHECK_OFFSET(struct start_info, pt_base, 60);
PV86_CHECK_OFFSET(struct start_info, mfn_list, 68);
PV86_CHECK_OFFSET(struct start_info, cmd_line, 80);
PV86_CHECK_OFFSET(struct start_info, first_p2m_pfn, 1104);

/* ---- vcpu_time_info: system time = system_time +
 *   (((tsc - tsc_timestamp) << or >> |tsc_shift|) * tsc_to_system_mul) >> 32.
 * The writer makes version odd while it updates the record, even after
 * (read version, the fields, version again; retry if odd or changed). As in
 * Xen the record is a copy of the hypervisor's time stamp, which it renews
 * once a second: it is rewritten when the vCPU is scheduled in and, while
 * the vCPU runs, at each new stamp. So whenever the vCPU runs, tsc -
 * tsc_timestamp is under about a second of cycles: a guest may compute it
 * in 32 bits. The reading is the hypervisor's own system time exactly. ---- */
struct vcpu_time_info {
    uint32_t version;           /*  0 */
    uint32_t _pad0;             /*  4 */
    uint64_t tsc_timestamp;     /*  8 */
    uint64_t system_time;       /* 16: ns */
    uint32_t tsc_to_system_mul; /* 24 */
    int8_t   tsc_shift;         /* 28 */
    uint8_t  flags;             /* 29 */
    uint8_t  _pad1[2];          /* 30 */
};
PV86_STATIC_ASSERT(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info is 32 bytes");

struct arch_vcpu_info {
    uint32_t cr2;               /*  0: faulting address of the last #PF */
    uint32_t _pad[5];           /*  4 */
};
PV86_STATIC_ASSERT(sizeof(struct arch_vcpu_info) == 24, "arch_vcpu_info is 24 bytes");

/* ---- vcpu_info: the virtual interrupt flag lives here.
 * evtchn_upcall_mask != 0 means "events masked" (virtual IF clear). ---- */
struct vcpu_info {
    uint8_t  evtchn_upcall_pending; /*  0 */
    uint8_t  evtchn_upcall_mask;    /*  1 */
    uint8_t  _pad0[2];              /*  2 */
    uint32_t evtchn_pending_sel;    /*  4 */
    struct arch_vcpu_info arch;     /*  8 */
    struct vcpu_time_info time;     /* 32 */
};
PV86_STATIC_ASSERT(sizeof(struct vcpu_info) == 64, "vcpu_info is 64 bytes");
PV86_CHECK_OFFSET(struct vcpu_info, arch, 8);
PV86_CHECK_OFFSET(struct vcpu_info, time, 32);

#define XEN_LEGACY_MAX_VCPUS  32

struct arch_shared_info {
    uint32_t max_pfn;                       /*  0 */
    uint32_t pfn_to_mfn_frame_list_list;    /*  4 */
    uint32_t nmi_reason;                    /*  8 */
    uint32_t p2m_cr3;                       /* 12 */
    uint32_t p2m_vaddr;                     /* 16 */
    uint32_t p2m_generation;                /* 20 */
    uint32_t wc_sec_hi;                     /* 24 */
};
PV86_STATIC_ASSERT(sizeof(struct arch_shared_info) == 28, "arch_shared_info is 28 bytes");

/* wc_sec/wc_nsec (and arch.wc_sec_hi): the time of day (UTC, since 1970)
 * at system time 0, so now = wc + system time; wc_version odd while it
 * changes. As in Xen it is written when the domain is built (Xen rewrites
 * it only on a settime, which pv86 does not have). */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS]; /*    0 */
    uint32_t evtchn_pending[32];                      /* 2048 */
    uint32_t evtchn_mask[32];                         /* 2176 */
    uint32_t wc_version;                              /* 2304 */
    uint32_t wc_sec;                                  /* 2308 */
    uint32_t wc_nsec;                                 /* 2312 */
    struct arch_shared_info arch;                     /* 2316 */
};
PV86_STATIC_ASSERT(sizeof(struct shared_info) == 2344, "shared_info is 2344 bytes");
PV86_CHECK_OFFSET(struct shared_info, evtchn_pending, 2048);
PV86_CHECK_OFFSET(struct shared_info, evtchn_mask, 2176);
PV86_CHECK_OFFSET(struct shared_info, wc_version, 2304);
PV86_CHECK_OFFSET(struct shared_info, arch, 2316);

/* ---- The PV console ring (xencons_interface) ---- */
struct xencons_interface {
    char     in[1024];          /*    0 */
    char     out[2048];         /* 1024 */
    uint32_t in_cons;           /* 3072 */
    uint32_t in_prod;           /* 3076 */
    uint32_t out_cons;          /* 3080 */
    uint32_t out_prod;          /* 3084 */
};
PV86_STATIC_ASSERT(sizeof(struct xencons_interface) == 3088, "xencons_interface is 3088 bytes");

#endif /* PV86_SHARED_H */
