/*
 * grant: grant tables v1 of the PV domains (docs/grant-tables.md): the
 * grant_table_op hypercall, the tables' frames, teardown. The decisions
 * are core/grant_rules.c's.
 */
#ifndef HV_CORE_GRANT_H
#define HV_CORE_GRANT_H

#include <stdint.h>

struct domain;
struct vcpu;

int32_t do_grant_table_op(struct vcpu *v, uint32_t cmd, uint32_t uop, uint32_t count,
                          uint32_t a4, uint32_t a5);

/*
 * For the domain builder (once the domain's memory is set up, e.g. just
 * before its sched_add; also later): entry `ref` of d's grant table grants frame `gmfn` (d's own, a
 * PV machine frame number) to domain to_domid, read-only if `readonly`:
 * domid and frame are written, then flags = GTF_permit_access
 * (| GTF_readonly). As Xen's toolstack seeds GNTTAB_RESERVED_CONSOLE and
 * GNTTAB_RESERVED_XENSTORE. The table's first frame is made if it is not
 * there yet. Takes no reference: a map by to_domid takes its own. The
 * guest owns the entry afterwards (it may revoke it as any other).
 * 0; -XEN_EINVAL (ref beyond the table's first frame, gmfn not d's RAM,
 * d not a live PV domain); -XEN_ENOMEM (no frame for the table);
 * -XEN_EBUSY (the entry is in use: pinned by a map or copy).
 */
int grant_builder_reserve(struct domain *d, unsigned ref, uint16_t to_domid, uint32_t gmfn,
                          int readonly);

/* The domain is stopping: its maps of others' grants are dropped, and its
 * table's frames are no longer written (their references go with the
 * other guest pointers). Entries others still map stay pinned. */
void grant_domain_stop(struct domain *d);

/* The references others' maps and copies hold on frame mfn of domain dom
 * (teardown's count of what is left). */
void grant_refs_on_frame(uint16_t dom, uint32_t mfn, uint32_t *count, uint32_t *type_count);

/* Domain domid's table as it is, for the toolstack's dump (core/toolstack.c):
 * read only, no frame made; NULL for no such domain. */
struct gnt_table;
const struct gnt_table *grant_table_peek(uint16_t domid);

#endif
