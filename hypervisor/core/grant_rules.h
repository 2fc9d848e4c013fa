/*
 * grant_rules: the decisions of grant tables v1, as Xen's
 * xen/common/grant_table.c makes them (map_grant_ref, unmap_common and
 * unmap_common_complete, acquire/release_grant_for_copy, gnttab_copy_buf,
 * _set_status_v1, setup_table, set_version, get_status_frames), with the
 * same GNTST_ answers in the same order. Pure: frames are reached through
 * struct mm_ops, the mapper's page tables through struct gnt_ops; no
 * hypervisor global. core/grant.c connects it to the domains and the guest.
 *
 * References (docs/grant-tables.md): a host mapping holds what an L1 entry
 * of that kind holds (one general reference on the granter's frame, plus a
 * writable type reference unless read-only), so the PTE it installs is
 * released like any other entry if the guest drops it by other means; a
 * device mapping holds the same without a PTE; a copy holds them for the
 * copy only. While any is held the granter's frame is never freed or
 * reused, and a writable one can never become a page table.
 */
#ifndef HV_CORE_GRANT_RULES_H
#define HV_CORE_GRANT_RULES_H

#include <pv86/grant_table.h>
#include <stdint.h>

#include "mm/pte.h"

#define GNT_MAX_FRAMES        4       /* pv86's max_grant_frames */
#define GNT_ENTRIES_PER_FRAME 512     /* 4096 / sizeof(grant_entry_v1) */
#define GNT_MAX_ENTRIES       (GNT_MAX_FRAMES * GNT_ENTRIES_PER_FRAME)
#define GNT_MAPTRACK_MAX      256     /* handles per mapping domain */

/* Xen's pin counts, one byte each: host writable/readonly, device w/r. */
#define GNTPIN_hstw_inc   0x00000001u
#define GNTPIN_hstr_inc   0x00000100u
#define GNTPIN_devw_inc   0x00010000u
#define GNTPIN_devr_inc   0x01000000u
#define GNTPIN_hstw_mask  0x000000FFu
#define GNTPIN_hstr_mask  0x0000FF00u
#define GNTPIN_devw_mask  0x00FF0000u
#define GNTPIN_devr_mask  0xFF000000u
#define GNTPIN_overflow   0x80808080u

/* An entry in use: who pinned it and which frame (hypervisor-private). */
struct gnt_active {
    uint32_t pin;
    uint16_t domid;
    uint16_t _pad;
    uint32_t mfn;
};

/* A mapping domain's record of one map (its handle is the index). */
struct gnt_maptrack {
    uint32_t flags;     /* GNTMAP_host_map / device_map / readonly; 0: free */
    uint16_t domid;     /* the granter */
    uint8_t  used;      /* allocated (flags are set last) */
    uint8_t  _pad;
    uint32_t ref;
};

/* One domain's table: its shared frames (NULL once the owner is gone:
 * nothing writes them any more), the active entries, its maptrack. */
struct gnt_table {
    struct grant_entry_v1 *shared[GNT_MAX_FRAMES];
    uint32_t frame_mfn[GNT_MAX_FRAMES];
    uint32_t nr_frames;
    uint16_t domid;
    uint8_t  dying;
    struct gnt_active active[GNT_MAX_ENTRIES];
    struct gnt_maptrack maptrack[GNT_MAPTRACK_MAX];
};

static inline uint32_t gnt_nr_entries(const struct gnt_table *t)
{
    return t->nr_frames * GNT_ENTRIES_PER_FRAME;
}

struct gnt_ops {
    const struct mm_ops *mm;
    /* Install a host mapping of mfn at va in the mapper's current address
     * space (read-only, user-accessible per flags); the entry it replaces
     * is released. GNTST_okay or GNTST_general_error (no L1 there). */
    int (*pte_install)(void *ctx, uint64_t va, uint32_t mfn, uint32_t flags);
    /* Clear the entry at va, which must map mfn with RW as !readonly; its
     * references pass to the caller. GNTST_okay or GNTST_general_error. */
    int (*pte_remove)(void *ctx, uint64_t va, uint32_t mfn, int readonly);
    /* The table of domain domid (DOMID_SELF is resolved by the caller), or
     * NULL when there is no such domain. */
    struct gnt_table *(*table)(void *ctx, uint16_t domid);
    /* Optional: the granter's frame lost a reference (a dead granter's
     * frame may then be freed). */
    void (*frame_released)(void *ctx, uint32_t mfn);
    void *ctx;
};

/* The shared entry behind ref (ref < gnt_nr_entries, shared present). */
static inline struct grant_entry_v1 *gnt_entry(struct gnt_table *t, uint32_t ref)
{
    return &t->shared[ref / GNT_ENTRIES_PER_FRAME][ref % GNT_ENTRIES_PER_FRAME];
}

/* _set_status_v1: set GTF_reading (and GTF_writing unless readonly) in the
 * shared entry with cmpxchg on flags+domid, checking first (when nothing
 * pins it yet) that it is GTF_permit_access for ldomid (and, for a map,
 * not GTF_sub_page), and that a writer does not pin a GTF_readonly one.
 * Five tries against a guest changing it meanwhile. GNTST_okay or
 * GNTST_general_error. */
int gnt_set_status(struct grant_entry_v1 *e, const struct gnt_active *act, uint16_t ldomid,
                   int readonly, int mapflag);
/* reduce_status_for_pin: clear GTF_writing once no writer pins the entry,
 * GTF_reading once nothing does. */
void gnt_reduce_status(struct grant_entry_v1 *e, const struct gnt_active *act, int readonly);

/* Frame references for a map or copy of mfn owned by `owner`: general,
 * plus writable type when `writable`. 0, -1 (not owner's / no RAM), -2
 * (type conflict: a page table or descriptor frame). */
int gnt_frame_get(const struct mm_ops *mm, uint16_t owner, uint32_t mfn, int writable);
void gnt_frame_put(const struct mm_ops *mm, uint32_t mfn, int writable);

/* Maptrack handles: the lowest free one, or -1 (GNTST_no_device_space). */
int gnt_maptrack_get(struct gnt_table *lt);
void gnt_maptrack_put(struct gnt_table *lt, uint32_t handle);

/*
 * map_grant_ref of op (its IN fields) by domain lt->domid, from the
 * granter's table rt (NULL: no such domain, GNTST_bad_domain). Writes
 * status, handle and dev_bus_addr into op as Xen does; returns op->status.
 */
int gnt_map(const struct gnt_ops *o, struct gnt_table *lt, struct gnt_table *rt,
            struct gnttab_map_grant_ref *op);

/*
 * unmap_grant_ref (new_addr 0) or unmap_and_replace (new_addr != 0: pv86
 * answers GNTST_general_error, see docs/grant-tables.md) of handle by the
 * domain of lt. host_addr 0 leaves the host mapping, dev_bus_addr 0 the
 * device one. Returns the GNTST_ status.
 */
int gnt_unmap(const struct gnt_ops *o, struct gnt_table *lt, uint64_t host_addr,
              uint64_t dev_bus_addr, uint32_t handle);

/* One gnttab_copy by the domain of lt (op->status set and returned). */
int gnt_copy(const struct gnt_ops *o, struct gnt_table *lt, struct gnttab_copy *op);

/* The domain of lt is going: every map it holds of others' grants is
 * dropped (pins and status flags; device maps' references; a host map's
 * references stay with its PTE, released with its page tables, as Xen's
 * gnttab_release_mappings for PV). Returns the number of maps dropped. */
unsigned gnt_release_mappings(const struct gnt_ops *o, struct gnt_table *lt);

/* The references the maps and copies of others still hold on frame mfn
 * of table t (every pin of an entry naming it): general and type. */
void gnt_refs_on_frame(const struct gnt_table *t, uint32_t mfn, uint32_t *count,
                       uint32_t *type_count);

/* setup_table's limit: GNTST_okay or GNTST_general_error (more than
 * GNT_MAX_FRAMES). set_version: 0, -XEN_ENOSYS (2: v1 only), -XEN_EINVAL;
 * *version becomes 1. get_status_frames: GNTST_okay for 0 frames, else
 * GNTST_general_error (v1 has none). */
int gnt_setup_check(uint32_t nr_frames);
int gnt_set_version(uint32_t *version);
int gnt_status_frames_check(uint32_t nr_frames);

#endif
