/* Internals shared by store.c (connections, queues, watches) and ops.c. */
#ifndef XENSTORE_XS_INTERNAL_H
#define XENSTORE_XS_INTERNAL_H

#include "tree.h"

int conn_slot(const struct xs_store *st, const struct xs_conn *c);
/* queue one message; events are dropped (false) past the quota or when only
 * the reply reserve is left; a reply always fits (xs_request checks first) */
bool queue_msg(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
               const void *a, uint32_t alen, const void *b, uint32_t blen, bool event);
unsigned perm_for(const struct xs_conn *c, const struct xs_perm *p, uint32_t n);
unsigned node_perm(const struct xs_conn *c, const struct xs_tree *t, uint16_t idx);
/* watch events for a change of path judged on tree t; rm: also watches below */
void fire_watches(struct xs_store *st, const struct xs_tree *t, const char *path, bool rm);
void drop_watches(struct xs_store *st, int slot);
void drop_transactions(struct xs_store *st, int slot);

#endif
