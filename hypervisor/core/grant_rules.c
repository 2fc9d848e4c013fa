/* grant_rules: grant tables v1, the decisions (see grant_rules.h). */
#include "core/grant_rules.h"

#include <pv86/errno.h>
#include <pv86/xen.h>
#include <string.h>

/* The shared entry's flags and domid as one word: what Xen's cmpxchg
 * works on (flags low, domid high on x86). */
typedef uint32_t __attribute__((may_alias)) gnt_word_t;

static uint32_t word_of(uint16_t flags, uint16_t domid)
{
    return (uint32_t)flags | ((uint32_t)domid << 16);
}

int gnt_set_status(struct grant_entry_v1 *e, const struct gnt_active *act, uint16_t ldomid,
                   int readonly, int mapflag)
{
    gnt_word_t *w = (gnt_word_t *)(void *)e;
    uint16_t mask = GTF_type_mask | (mapflag ? GTF_sub_page : 0);
    uint32_t seen = __atomic_load_n(w, __ATOMIC_SEQ_CST);
    for (unsigned tries = 0;; tries++) {
        uint16_t flags = (uint16_t)seen, domid = (uint16_t)(seen >> 16);
        if (!act->pin && ((flags & mask) != GTF_permit_access || domid != ldomid))
            return GNTST_general_error;        /* Xen: "Bad flags or dom" */
        uint16_t nflags = flags | GTF_reading;
        if (!readonly) {
            nflags |= GTF_writing;
            if (flags & GTF_readonly)
                return GNTST_general_error;    /* "write-pin a r/o grant entry" */
        }
        uint32_t expect = seen;
        if (__atomic_compare_exchange_n(w, &expect, word_of(nflags, domid), 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return GNTST_okay;
        if (tries == 4)
            return GNTST_general_error;        /* "Shared grant entry is unstable" */
        seen = expect;
    }
}

void gnt_reduce_status(struct grant_entry_v1 *e, const struct gnt_active *act, int readonly)
{
    if (!e)
        return;                                /* the owner is gone */
    if (!readonly && !(act->pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)))
        __atomic_fetch_and(&e->flags, (uint16_t)~GTF_writing, __ATOMIC_SEQ_CST);
    if (!act->pin)
        __atomic_fetch_and(&e->flags, (uint16_t)~GTF_reading, __ATOMIC_SEQ_CST);
}

int gnt_frame_get(const struct mm_ops *mm, uint16_t owner, uint32_t mfn, int writable)
{
    struct page_info *pg = mm->page(mm->ctx, mfn);
    if (!pg || pg->owner != owner)
        return -1;
    page_get(pg);
    if (writable && page_get_type(pg, PGT_writable)) {
        page_put(pg);
        return -2;
    }
    return 0;
}

void gnt_frame_put(const struct mm_ops *mm, uint32_t mfn, int writable)
{
    struct page_info *pg = mm->page(mm->ctx, mfn);
    if (!pg)
        return;
    if (writable)
        page_put_type(pg);
    page_put(pg);
}

int gnt_maptrack_get(struct gnt_table *lt)
{
    for (unsigned h = 0; h < GNT_MAPTRACK_MAX; h++) {
        if (!lt->maptrack[h].used) {
            memset(&lt->maptrack[h], 0, sizeof(lt->maptrack[h]));
            lt->maptrack[h].used = 1;
            return (int)h;
        }
    }
    return -1;
}

void gnt_maptrack_put(struct gnt_table *lt, uint32_t handle)
{
    if (handle < GNT_MAPTRACK_MAX)
        memset(&lt->maptrack[handle], 0, sizeof(lt->maptrack[handle]));
}

static struct grant_entry_v1 *shared_of(struct gnt_table *t, uint32_t ref)
{
    return t->dying ? NULL : gnt_entry(t, ref);
}

/* The pin a map of these flags adds (host and device maps add their own). */
static uint32_t pin_of(uint32_t flags)
{
    int ro = (flags & GNTMAP_readonly) != 0;
    uint32_t pin = 0;
    if (flags & GNTMAP_device_map)
        pin += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    if (flags & GNTMAP_host_map)
        pin += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    return pin;
}

static void released(const struct gnt_ops *o, uint32_t mfn)
{
    if (o->frame_released)
        o->frame_released(o->ctx, mfn);
}

int gnt_map(const struct gnt_ops *o, struct gnt_table *lt, struct gnt_table *rt,
            struct gnttab_map_grant_ref *op)
{
    uint32_t flags = op->flags;
    int ro = (flags & GNTMAP_readonly) != 0;
    int rc;

    op->status = GNTST_okay;
    if (!(flags & (GNTMAP_device_map | GNTMAP_host_map)))
        return op->status = GNTST_bad_gntref;          /* Xen: "Bad flags in grant map op" */
    if (!rt || rt->dying)
        return op->status = GNTST_bad_domain;
    int handle = gnt_maptrack_get(lt);
    if (handle < 0)
        return op->status = GNTST_no_device_space;     /* "Failed to obtain maptrack handle" */
    if (op->ref >= gnt_nr_entries(rt)) {
        gnt_maptrack_put(lt, (uint32_t)handle);
        return op->status = GNTST_bad_gntref;
    }
    struct gnt_active *act = &rt->active[op->ref];
    struct grant_entry_v1 *e = gnt_entry(rt, op->ref);
    if (act->pin && (act->domid != lt->domid || (act->pin & GNTPIN_overflow))) {
        gnt_maptrack_put(lt, (uint32_t)handle);
        return op->status = GNTST_general_error;       /* "Bad domain, or counter overflow" */
    }
    if (!act->pin || (!ro && !(act->pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)))) {
        rc = gnt_set_status(e, act, lt->domid, ro, 1);
        if (rc != GNTST_okay) {
            gnt_maptrack_put(lt, (uint32_t)handle);
            return op->status = (int16_t)rc;
        }
        if (!act->pin) {
            /* get_paged_frame: the entry's frame must be the granter's RAM. */
            struct page_info *pg = o->mm->page(o->mm->ctx, e->frame);
            if (!pg || pg->owner != rt->domid) {
                gnt_reduce_status(e, act, ro);
                gnt_maptrack_put(lt, (uint32_t)handle);
                return op->status = GNTST_bad_page;
            }
            act->domid = lt->domid;
            act->mfn = e->frame;
        }
    }
    act->pin += pin_of(flags);
    uint32_t mfn = act->mfn;

    /* The frame's references: one general for the first kind of map, a
     * second when both are asked; a writable type per writable kind. */
    unsigned refs = 0, types = 0;
    rc = GNTST_okay;
    if (gnt_frame_get(o->mm, rt->domid, mfn, 0)) {
        rc = GNTST_general_error;                       /* "Could not pin grant frame" */
        goto undo;
    }
    refs++;
    if ((flags & GNTMAP_device_map) && !ro) {
        struct page_info *pg = o->mm->page(o->mm->ctx, mfn);
        if (page_get_type(pg, PGT_writable)) { rc = GNTST_general_error; goto undo; }
        types++;
    }
    if (flags & GNTMAP_host_map) {
        if (flags & GNTMAP_device_map) {
            if (gnt_frame_get(o->mm, rt->domid, mfn, 0)) { rc = GNTST_general_error; goto undo; }
            refs++;
        }
        if (!ro) {
            struct page_info *pg = o->mm->page(o->mm->ctx, mfn);
            if (page_get_type(pg, PGT_writable)) { rc = GNTST_general_error; goto undo; }
            types++;
        }
        rc = o->pte_install(o->ctx, op->host_addr, mfn, flags);
        if (rc != GNTST_okay)
            goto undo;
    }
    struct gnt_maptrack *mt = &lt->maptrack[handle];
    mt->domid = rt->domid;
    mt->ref = op->ref;
    mt->flags = flags & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly);
    op->dev_bus_addr = (uint64_t)mfn << PAGE_SHIFT;
    op->handle = (uint32_t)handle;
    return op->status = GNTST_okay;

undo:
    while (types--)
        page_put_type(o->mm->page(o->mm->ctx, mfn));
    while (refs--)
        page_put(o->mm->page(o->mm->ctx, mfn));
    act->pin -= pin_of(flags);
    gnt_reduce_status(shared_of(rt, op->ref), act, ro);
    gnt_maptrack_put(lt, (uint32_t)handle);
    released(o, mfn);
    return op->status = (int16_t)rc;
}

int gnt_unmap(const struct gnt_ops *o, struct gnt_table *lt, uint64_t host_addr,
              uint64_t dev_bus_addr, uint32_t handle)
{
    if (handle >= GNT_MAPTRACK_MAX)
        return GNTST_bad_handle;                         /* "Bad handle" */
    struct gnt_maptrack *mt = &lt->maptrack[handle];
    if (!mt->flags)
        return GNTST_bad_handle;                         /* "Zero flags for handle" */
    struct gnt_table *rt = o->table(o->ctx, mt->domid);
    if (!rt || mt->ref >= gnt_nr_entries(rt))
        return GNTST_bad_handle;                         /* never: tables outlive their maps */
    struct gnt_active *act = &rt->active[mt->ref];
    uint32_t mfn = act->mfn, flags = mt->flags, done = 0;
    int ro = (flags & GNTMAP_readonly) != 0;

    if (dev_bus_addr && dev_bus_addr != (uint64_t)mfn << PAGE_SHIFT)
        return GNTST_bad_dev_addr;
    if (host_addr && (flags & GNTMAP_host_map)) {
        int rc = o->pte_remove(o->ctx, host_addr, mfn, ro);
        if (rc != GNTST_okay)
            return rc;
        mt->flags &= ~GNTMAP_host_map;
        done |= GNTMAP_host_map;
    }
    if (dev_bus_addr && (flags & GNTMAP_device_map)) {
        mt->flags &= ~GNTMAP_device_map;
        done |= GNTMAP_device_map;
    }
    uint32_t ref = mt->ref;
    if (!(mt->flags & (GNTMAP_device_map | GNTMAP_host_map)))
        gnt_maptrack_put(lt, handle);
    /* unmap_common_complete */
    if (done & GNTMAP_device_map) {
        gnt_frame_put(o->mm, mfn, !ro);
        act->pin -= ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    }
    if (done & GNTMAP_host_map) {
        gnt_frame_put(o->mm, mfn, !ro);
        act->pin -= ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    }
    if (done) {
        gnt_reduce_status(shared_of(rt, ref), act, ro);
        released(o, mfn);
    }
    return GNTST_okay;
}

unsigned gnt_release_mappings(const struct gnt_ops *o, struct gnt_table *lt)
{
    unsigned n = 0;
    for (uint32_t h = 0; h < GNT_MAPTRACK_MAX; h++) {
        struct gnt_maptrack *mt = &lt->maptrack[h];
        if (!mt->flags) {
            gnt_maptrack_put(lt, h);
            continue;
        }
        struct gnt_table *rt = o->table(o->ctx, mt->domid);
        if (rt && mt->ref < gnt_nr_entries(rt)) {
            struct gnt_active *act = &rt->active[mt->ref];
            int ro = (mt->flags & GNTMAP_readonly) != 0;
            if (mt->flags & GNTMAP_device_map) {
                gnt_frame_put(o->mm, act->mfn, !ro);
                act->pin -= ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
            }
            if (mt->flags & GNTMAP_host_map)
                act->pin -= ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
            gnt_reduce_status(shared_of(rt, mt->ref), act, ro);
            if (mt->flags & GNTMAP_device_map)
                released(o, act->mfn);
        }
        gnt_maptrack_put(lt, h);
        n++;
    }
    return n;
}

void gnt_refs_on_frame(const struct gnt_table *t, uint32_t mfn, uint32_t *count,
                       uint32_t *type_count)
{
    uint32_t c = 0, tc = 0;
    for (uint32_t r = 0; r < gnt_nr_entries(t); r++) {
        const struct gnt_active *a = &t->active[r];
        if (!a->pin || a->mfn != mfn)
            continue;
        for (unsigned s = 0; s < 32; s += 8) {
            uint32_t pins = (a->pin >> s) & 0xFF;
            c += pins;
            if (s == 0 || s == 16)              /* hstw, devw */
                tc += pins;
        }
    }
    *count = c;
    *type_count = tc;
}

/* ---- copy ---- */

struct copy_buf {
    struct gnt_table *rt;    /* the grant's table, or NULL: a local frame */
    uint32_t ref, mfn;
    int held;                /* references (and a pin) taken */
};

/* acquire_grant_for_copy, or a local frame of the caller. */
static int copy_claim(const struct gnt_ops *o, struct gnt_table *lt, struct copy_buf *b,
                      const struct gnttab_copy_ptr *p, int is_gref, int readonly)
{
    if (is_gref) {
        struct gnt_table *rt = b->rt;
        if (p->u.ref >= gnt_nr_entries(rt))
            return GNTST_bad_gntref;
        struct gnt_active *act = &rt->active[p->u.ref];
        struct grant_entry_v1 *e = gnt_entry(rt, p->u.ref);
        if (act->pin && (act->domid != lt->domid || (act->pin & GNTPIN_overflow)))
            return GNTST_general_error;
        if (!act->pin || (!readonly && !(act->pin & (GNTPIN_devw_mask | GNTPIN_hstw_mask)))) {
            int rc = gnt_set_status(e, act, lt->domid, readonly, 0);
            if (rc != GNTST_okay)
                return rc;
            if (!act->pin) {
                struct page_info *pg = o->mm->page(o->mm->ctx, e->frame);
                if (!pg || pg->owner != rt->domid) {
                    gnt_reduce_status(e, act, readonly);
                    return GNTST_bad_page;
                }
                act->domid = lt->domid;
                act->mfn = e->frame;
            }
        }
        act->pin += readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
        b->ref = p->u.ref;
        b->mfn = act->mfn;
        if (gnt_frame_get(o->mm, rt->domid, b->mfn, 0)) {
            act->pin -= readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
            gnt_reduce_status(e, act, readonly);
            return GNTST_general_error;
        }
    } else {
        if (gnt_frame_get(o->mm, lt->domid, p->u.gmfn, 0))
            return GNTST_bad_page;                     /* "source frame invalid" */
        b->mfn = p->u.gmfn;
    }
    b->held = 1;
    if (!readonly) {
        struct page_info *pg = o->mm->page(o->mm->ctx, b->mfn);
        if (page_get_type(pg, PGT_writable))
            return GNTST_general_error;                /* "Could not get writable frame" */
        b->held = 2;
    }
    return GNTST_okay;
}

static void copy_release(const struct gnt_ops *o, struct copy_buf *b, int readonly)
{
    if (!b->held)
        return;
    gnt_frame_put(o->mm, b->mfn, b->held == 2);
    if (b->rt) {
        struct gnt_active *act = &b->rt->active[b->ref];
        act->pin -= readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
        gnt_reduce_status(shared_of(b->rt, b->ref), act, readonly);
    }
    released(o, b->mfn);
    b->held = 0;
}

static int copy_domain(const struct gnt_ops *o, struct gnt_table *lt, struct copy_buf *b,
                       const struct gnttab_copy_ptr *p, int is_gref)
{
    /* Only DOMID_SELF may name a frame directly. */
    if (p->domid != DOMID_SELF && !is_gref)
        return GNTST_permission_denied;
    struct gnt_table *t = p->domid == DOMID_SELF ? lt : o->table(o->ctx, p->domid);
    if (!t || t->dying)
        return GNTST_bad_domain;
    b->rt = is_gref ? t : NULL;
    return GNTST_okay;
}

int gnt_copy(const struct gnt_ops *o, struct gnt_table *lt, struct gnttab_copy *op)
{
    struct copy_buf src = { 0 }, dst = { 0 };
    int sg = (op->flags & GNTCOPY_source_gref) != 0, dg = (op->flags & GNTCOPY_dest_gref) != 0;
    int rc = copy_domain(o, lt, &src, &op->source, sg);
    if (rc == GNTST_okay)
        rc = copy_domain(o, lt, &dst, &op->dest, dg);
    if (rc == GNTST_okay)
        rc = copy_claim(o, lt, &src, &op->source, sg, 1);
    if (rc == GNTST_okay)
        rc = copy_claim(o, lt, &dst, &op->dest, dg, 0);
    if (rc == GNTST_okay) {
        if ((uint32_t)op->source.offset + op->len > PAGE_SIZE ||
            (uint32_t)op->dest.offset + op->len > PAGE_SIZE) {
            rc = GNTST_bad_copy_arg;                   /* "copy beyond page area" */
        } else {
            unsigned char *s = mm_ops_map(o->mm, src.mfn), *d = mm_ops_map(o->mm, dst.mfn);
            if (!s || !d)
                rc = GNTST_general_error;
            else
                memmove(d + op->dest.offset, s + op->source.offset, op->len);
        }
    }
    copy_release(o, &src, 1);
    copy_release(o, &dst, 0);
    return op->status = (int16_t)rc;
}

/* ---- table-wide operations ---- */

int gnt_setup_check(uint32_t nr_frames)
{
    return nr_frames > GNT_MAX_FRAMES ? GNTST_general_error : GNTST_okay;
}

int gnt_set_version(uint32_t *version)
{
    uint32_t want = *version;
    *version = 1;                              /* what the table stays at, in every case */
    if (want != 1 && want != 2)
        return -XEN_EINVAL;
    if (want == 2)
        return -XEN_ENOSYS;                    /* max_version 1: as before set_version */
    return 0;
}

int gnt_status_frames_check(uint32_t nr_frames)
{
    return nr_frames > 0 ? GNTST_general_error : GNTST_okay;   /* v1: no status frames */
}
