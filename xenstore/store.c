/*
 * pv86's xenstore: connections, their output queues and watches.
 * The operations are in ops.c, the tree in tree.c.
 */
#include "xs_internal.h"

int conn_slot(const struct xs_store *st, const struct xs_conn *c)
{
    return (int)(c - st->conn);
}

struct xs_conn *xs_conn_find(struct xs_store *st, uint16_t domid)
{
    for (int i = 0; i < XS_MAX_CONN; i++)
        if (st->conn[i].used && st->conn[i].domid == domid)
            return &st->conn[i];
    return NULL;
}

void xs_init(struct xs_store *st, const struct xs_hooks *hooks)
{
    st->generation = 0;
    if (hooks)
        st->hooks = *hooks;
    else
        st->hooks = (struct xs_hooks){ NULL, NULL, NULL };
    for (int i = 0; i < XS_MAX_CONN; i++)
        st->conn[i].used = false;
    for (int i = 0; i < XS_MAX_WATCHES; i++)
        st->watch[i].used = false;
    for (int i = 0; i < XS_MAX_TRANS; i++)
        st->trans[i].used = false;
    tree_init(&st->tree, XS_DOMID_LOCAL);
    (void)xs_conn_add(st, XS_DOMID_LOCAL, true);
}

int xs_conn_add(struct xs_store *st, uint16_t domid, bool priv)
{
    if (xs_conn_find(st, domid))
        return XSE_EEXIST;
    for (int i = 0; i < XS_MAX_CONN; i++) {
        struct xs_conn *c = &st->conn[i];
        if (c->used)
            continue;
        c->used = true;
        c->priv = priv;
        c->ignored = false;
        c->domid = domid;
        c->next_tx = 1;
        c->mfn = c->port = 0;
        c->out_head = c->out_tail = 0;
        c->msg_head = c->msg_tail = 0;
        c->events_queued = c->events_dropped = 0;
        return XS_OK;
    }
    return XSE_ENOSPC;
}

void drop_watches(struct xs_store *st, int slot)
{
    for (int i = 0; i < XS_MAX_WATCHES; i++)
        if (st->watch[i].used && st->watch[i].conn == slot)
            st->watch[i].used = false;
}

void drop_transactions(struct xs_store *st, int slot)
{
    for (int i = 0; i < XS_MAX_TRANS; i++)
        if (st->trans[i].used && st->trans[i].conn == slot)
            st->trans[i].used = false;
}

void xs_conn_remove(struct xs_store *st, uint16_t domid)
{
    struct xs_conn *c = xs_conn_find(st, domid);
    if (!c)
        return;
    drop_watches(st, conn_slot(st, c));
    drop_transactions(st, conn_slot(st, c));
    c->used = false;
}

void xs_conn_ignore(struct xs_store *st, uint16_t domid)
{
    struct xs_conn *c = xs_conn_find(st, domid);
    if (!c)
        return;
    drop_watches(st, conn_slot(st, c));
    drop_transactions(st, conn_slot(st, c));
    c->ignored = true;
    c->out_head = c->out_tail;
    c->msg_head = c->msg_tail;
    c->events_queued = 0;
}

/* ---- output queue ---- */

uint32_t xs_out_pending(const struct xs_conn *c)
{
    return c->out_tail - c->out_head;
}

bool xs_can_take_request(const struct xs_conn *c)
{
    return XS_OUTQ_BYTES - xs_out_pending(c) >= XS_REPLY_RESERVE &&
           c->msg_tail - c->msg_head < XS_OUTQ_MSGS;
}

static void out_put(struct xs_conn *c, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    for (uint32_t i = 0; i < n; i++)
        c->out[(c->out_tail + i) % XS_OUTQ_BYTES] = s[i];
    c->out_tail += n;
}

bool queue_msg(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
               const void *a, uint32_t alen, const void *b, uint32_t blen, bool event)
{
    uint32_t size = (uint32_t)sizeof(struct xsd_sockmsg) + alen + blen;
    uint32_t room = XS_OUTQ_BYTES - xs_out_pending(c);
    uint32_t msgs = c->msg_tail - c->msg_head;
    if (event && (c->events_queued >= XS_QUOTA_EVENTS || room < size + XS_REPLY_RESERVE ||
                  msgs + 1 >= XS_OUTQ_MSGS)) {
        c->events_dropped++;
        return false;
    }
    if (room < size || msgs >= XS_OUTQ_MSGS)      /* cannot happen for replies */
        return false;
    struct xsd_sockmsg h = { type, req_id, tx_id, alen + blen };
    out_put(c, &h, sizeof(h));
    out_put(c, a, alen);
    out_put(c, b, blen);
    c->msg_end[c->msg_tail % XS_OUTQ_MSGS] = c->out_tail;
    c->msg_event[c->msg_tail % XS_OUTQ_MSGS] = event;
    c->msg_tail++;
    if (event)
        c->events_queued++;
    return true;
}

const uint8_t *xs_out_peek(const struct xs_conn *c, uint32_t *n)
{
    uint32_t pending = xs_out_pending(c);
    uint32_t at = c->out_head % XS_OUTQ_BYTES;
    uint32_t contiguous = XS_OUTQ_BYTES - at;
    *n = pending < contiguous ? pending : contiguous;
    return &c->out[at];
}

void xs_out_consume(struct xs_conn *c, uint32_t n)
{
    uint32_t pending = xs_out_pending(c);
    if (n > pending)
        n = pending;
    c->out_head += n;
    while (c->msg_head != c->msg_tail &&
           (int32_t)(c->out_head - c->msg_end[c->msg_head % XS_OUTQ_MSGS]) >= 0) {
        if (c->msg_event[c->msg_head % XS_OUTQ_MSGS])
            c->events_queued--;
        c->msg_head++;
    }
}

/* ---- permissions ---- */

unsigned perm_for(const struct xs_conn *c, const struct xs_perm *p, uint32_t n)
{
    const unsigned all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
    if (c->priv || p[0].domid == c->domid)
        return all;
    for (uint32_t i = 1; i < n; i++)
        if (p[i].domid == c->domid)
            return p[i].perm;
    return p[0].perm;
}

unsigned node_perm(const struct xs_conn *c, const struct xs_tree *t, uint16_t idx)
{
    return perm_for(c, tree_perms(t, idx), t->node[idx].nperms);
}

/* ---- watches ---- */

/* child is parent or below it ("/" is everyone's parent) */
static bool is_child(const char *child, const char *parent)
{
    if (parent[0] == '/' && parent[1] == 0)
        return child[0] == '/';
    uint32_t len = xs_strlen(parent);
    for (uint32_t i = 0; i < len; i++)
        if (child[i] != parent[i])
            return false;
    return child[len] == '/' || child[len] == 0;
}

/* as xenstored: the watcher may read the node or its parent */
static bool watch_permitted(const struct xs_conn *c, const struct xs_tree *t, const char *path)
{
    uint16_t idx = tree_lookup(t, path);
    if (idx == XS_NIL)
        return false;
    if (node_perm(c, t, idx) & XS_PERM_READ)
        return true;
    uint16_t parent = t->node[idx].parent;
    return parent != XS_NIL && (node_perm(c, t, parent) & XS_PERM_READ);
}

static void send_event(struct xs_conn *c, const struct xs_watch *w, const char *path)
{
    const char *shown = path + w->prefix_len;
    uint32_t plen = xs_strlen(shown) + 1;
    (void)queue_msg(c, XS_WATCH_EVENT, 0, 0, shown, plen,
                    w->str + w->path_len + 1, w->token_len + 1u, true);
}

void fire_watches(struct xs_store *st, const struct xs_tree *t, const char *path, bool rm)
{
    for (int i = 0; i < XS_MAX_WATCHES; i++) {
        struct xs_watch *w = &st->watch[i];
        if (!w->used || w->str[0] != '/')
            continue;
        struct xs_conn *c = &st->conn[w->conn];
        const char *ev;
        if (is_child(path, w->str))
            ev = path;
        else if (rm && is_child(w->str, path))
            ev = w->str;                /* a watched node below the removed one */
        else
            continue;
        if (watch_permitted(c, t, ev))
            send_event(c, w, ev);
    }
}

void xs_fire_special(struct xs_store *st, const char *name)
{
    /* @introduceDomain / @releaseDomain: privileged watchers only (docs/xenstore.md) */
    for (int i = 0; i < XS_MAX_WATCHES; i++) {
        struct xs_watch *w = &st->watch[i];
        if (w->used && st->conn[w->conn].priv && xs_streq(w->str, name))
            send_event(&st->conn[w->conn], w, name);
    }
}

uint32_t xs_watch_count(const struct xs_store *st, uint16_t domid)
{
    uint32_t n = 0;
    for (int i = 0; i < XS_MAX_WATCHES; i++)
        if (st->watch[i].used && st->conn[st->watch[i].conn].domid == domid)
            n++;
    return n;
}

uint32_t xs_node_count(const struct xs_store *st)
{
    return st->tree.nodes_used;
}

uint32_t xs_owned_nodes(const struct xs_store *st, uint16_t domid)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < XS_MAX_NODES; i++)
        if (st->tree.node[i].used && tree_perms(&st->tree, (uint16_t)i)[0].domid == domid)
            n++;
    return n;
}
