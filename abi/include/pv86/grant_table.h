/*
 * pv86 ABI: grant_table_op(cmd, void *uop, count), grant tables version 1,
 * laid out as Xen's public grant_table.h for x86_32 (xen_pfn_t and guest
 * handles are 32 bits; 64-bit fields lie at multiples of 8, so -m32 and
 * -m64 agree). docs/grant-tables.md says what pv86 does with each.
 *
 *   MAP_GRANT_REF 0   uop: count x gnttab_map_grant_ref. IN host_addr (a VA
 *                     of the caller's current address space), flags
 *                     (GNTMAP_host_map required; GNTMAP_readonly), ref, dom;
 *                     OUT status, handle, dev_bus_addr (the frame's machine
 *                     address). Preemptible: continued at the next entry.
 *   UNMAP_GRANT_REF 1 count x gnttab_unmap_grant_ref: IN host_addr (0: the
 *                     host mapping is left), dev_bus_addr, handle; OUT status.
 *   SETUP_TABLE 2     count 1: IN dom (DOMID_SELF), nr_frames, frame_list
 *                     (a VA of nr_frames 32-bit frame numbers); OUT status,
 *                     the list: the table's frames, mapped by the owner.
 *   DUMP_TABLE 3, SWAP_GRANT_REF 11, CACHE_FLUSH 12: -ENOSYS in pv86.
 *   TRANSFER 4        count x gnttab_transfer: OUT status GNTST_general_error.
 *   COPY 5            count x gnttab_copy: source/dest by grant ref
 *                     (GNTCOPY_*_gref) or, with domid DOMID_SELF, by frame.
 *   QUERY_SIZE 6      count 1: OUT nr_frames, max_nr_frames, status.
 *   UNMAP_AND_REPLACE 7  count x gnttab_unmap_and_replace.
 *   SET_VERSION 8     IN/OUT version: 1 -> 0; 2 -> -ENOSYS (v1 only);
 *                     others -EINVAL; version gets 1 back in every case.
 *   GET_STATUS_FRAMES 9  count 1: v1 has no status frames: nr_frames 0 is
 *                     GNTST_okay, more GNTST_general_error.
 *   GET_VERSION 10    IN dom; OUT version (1).
 * Per-entry results are in status (GNTST_*); the call itself returns 0,
 * -EFAULT (an argument it cannot read or write), -EINVAL (count not 1 where
 * it must be) or -ENOSYS.
 */
#ifndef PV86_GRANT_TABLE_H
#define PV86_GRANT_TABLE_H

#include "abi.h"
#include "xen.h"

#define GNTTABOP_map_grant_ref        0
#define GNTTABOP_unmap_grant_ref      1
#define GNTTABOP_setup_table          2
#define GNTTABOP_dump_table           3
#define GNTTABOP_transfer             4
#define GNTTABOP_copy                 5
#define GNTTABOP_query_size           6
#define GNTTABOP_unmap_and_replace    7
#define GNTTABOP_set_version          8
#define GNTTABOP_get_status_frames    9
#define GNTTABOP_get_version          10
#define GNTTABOP_swap_grant_ref       11
#define GNTTABOP_cache_flush          12
/* The command's low 12 bits; the rest carry a continuation's progress. */
#define GNTTABOP_CONTINUATION_ARG_SHIFT 12
#define GNTTABOP_CMD_MASK ((1u << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1)

/* Reserved entries (Xen's, for the toolstack). */
#define GNTTAB_RESERVED_CONSOLE   0
#define GNTTAB_RESERVED_XENSTORE  1
#define GNTTAB_NR_RESERVED_ENTRIES 8

/* grant_entry_v1.flags */
#define GTF_invalid             0x0000u
#define GTF_permit_access       0x0001u
#define GTF_accept_transfer     0x0002u
#define GTF_transitive          0x0003u
#define GTF_type_mask           0x0003u
#define GTF_readonly            0x0004u  /* [guest] read-only access */
#define GTF_reading             0x0008u  /* [hypervisor] mapped or copied for reading */
#define GTF_writing             0x0010u  /* [hypervisor] mapped or copied for writing */
#define GTF_PWT                 0x0020u
#define GTF_PCD                 0x0040u
#define GTF_PAT                 0x0080u
#define GTF_sub_page            0x0100u
#define GTF_transfer_committed  0x0004u
#define GTF_transfer_completed  0x0008u

/* gnttab_map_grant_ref.flags */
#define GNTMAP_device_map       (1u << 0)
#define GNTMAP_host_map         (1u << 1)
#define GNTMAP_readonly         (1u << 2)
#define GNTMAP_application_map  (1u << 3)
#define GNTMAP_contains_pte     (1u << 4)
#define GNTMAP_can_fail         (1u << 5)

/* gnttab_copy.flags */
#define GNTCOPY_source_gref     (1u << 0)
#define GNTCOPY_dest_gref       (1u << 1)
#define GNTCOPY_can_fail        (1u << 2)

/* status values */
#define GNTST_okay               0
#define GNTST_general_error     (-1)
#define GNTST_bad_domain        (-2)
#define GNTST_bad_gntref        (-3)
#define GNTST_bad_handle        (-4)
#define GNTST_bad_virt_addr     (-5)
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page          (-9)
#define GNTST_bad_copy_arg      (-10)
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)

#ifndef __ASSEMBLER__
typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

struct grant_entry_v1 {
    uint16_t flags;          /* 0: GTF_* */
    domid_t  domid;          /* 2: who may use it */
    uint32_t frame;          /* 4: the granted frame (a PV guest's MFN) */
};
PV86_STATIC_ASSERT(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 is 8 bytes");

struct gnttab_map_grant_ref {
    uint64_t host_addr;      /* 0 */
    uint32_t flags;          /* 8: GNTMAP_* */
    grant_ref_t ref;         /* 12 */
    domid_t  dom;            /* 16 */
    int16_t  status;         /* 18: OUT */
    grant_handle_t handle;   /* 20: OUT */
    uint64_t dev_bus_addr;   /* 24: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref is 32 bytes");
PV86_CHECK_OFFSET(struct gnttab_map_grant_ref, handle, 20);
PV86_CHECK_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;      /* 0 */
    uint64_t dev_bus_addr;   /* 8 */
    grant_handle_t handle;   /* 16 */
    int16_t  status;         /* 20: OUT */
    uint16_t _pad0;          /* 22 */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_unmap_grant_ref) == 24, "unmap_grant_ref is 24 bytes");

struct gnttab_setup_table {
    domid_t  dom;            /* 0 */
    uint16_t _pad0;          /* 2 */
    uint32_t nr_frames;      /* 4 */
    int16_t  status;         /* 8: OUT */
    uint16_t _pad1;          /* 10 */
    uint32_t frame_list;     /* 12: VA of uint32_t[nr_frames] (ulong handle) */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_setup_table) == 16, "setup_table is 16 bytes");

struct gnttab_dump_table {
    domid_t  dom;            /* 0 */
    int16_t  status;         /* 2: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_dump_table) == 4, "dump_table is 4 bytes");

struct gnttab_transfer {
    uint32_t mfn;            /* 0: xen_pfn_t */
    domid_t  domid;          /* 4 */
    uint16_t _pad0;          /* 6 */
    grant_ref_t ref;         /* 8 */
    int16_t  status;         /* 12: OUT */
    uint16_t _pad1;          /* 14 */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_transfer) == 16, "transfer is 16 bytes");

struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;     /* GNTCOPY_*_gref */
        uint32_t gmfn;       /* else: a frame of the caller (domid DOMID_SELF) */
    } u;                     /* 0 */
    domid_t  domid;          /* 4 */
    uint16_t offset;         /* 6 */
};
struct gnttab_copy {
    struct gnttab_copy_ptr source;  /* 0 */
    struct gnttab_copy_ptr dest;    /* 8 */
    uint16_t len;            /* 16 */
    uint16_t flags;          /* 18: GNTCOPY_* */
    int16_t  status;         /* 20: OUT */
    uint16_t _pad0;          /* 22 */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_copy) == 24, "copy is 24 bytes");
PV86_CHECK_OFFSET(struct gnttab_copy, len, 16);

struct gnttab_query_size {
    domid_t  dom;            /* 0 */
    uint16_t _pad0;          /* 2 */
    uint32_t nr_frames;      /* 4: OUT */
    uint32_t max_nr_frames;  /* 8: OUT */
    int16_t  status;         /* 12: OUT */
    uint16_t _pad1;          /* 14 */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_query_size) == 16, "query_size is 16 bytes");

struct gnttab_unmap_and_replace {
    uint64_t host_addr;      /* 0 */
    uint64_t new_addr;       /* 8 */
    grant_handle_t handle;   /* 16 */
    int16_t  status;         /* 20: OUT */
    uint16_t _pad0;          /* 22 */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_unmap_and_replace) == 24, "unmap_and_replace is 24 bytes");

struct gnttab_set_version {
    uint32_t version;        /* 0: IN/OUT */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_set_version) == 4, "set_version is 4 bytes");

struct gnttab_get_status_frames {
    uint32_t nr_frames;      /* 0 */
    domid_t  dom;            /* 4 */
    int16_t  status;         /* 6: OUT */
    uint32_t frame_list;     /* 8: VA of uint64_t[nr_frames] */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_get_status_frames) == 12, "get_status_frames is 12 bytes");

struct gnttab_get_version {
    domid_t  dom;            /* 0 */
    uint16_t _pad0;          /* 2 */
    uint32_t version;        /* 4: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct gnttab_get_version) == 8, "get_version is 8 bytes");
#endif

#endif /* PV86_GRANT_TABLE_H */
