/*
 * The xenstore operations, as xenstored answers them: argument checks,
 * path canonicalisation and validation, permissions, quotas, transactions.
 */
#include "xs_internal.h"

struct req {
    struct xs_store *st;
    struct xs_conn *c;
    const struct xsd_sockmsg *hdr;
    const char *data;
    uint32_t len;
    struct xs_trans *tx;                /* NULL: the main tree */
    struct xs_tree *t;
};

static void reply(struct req *r, const void *data, uint32_t len)
{
    (void)queue_msg(r->c, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, data, len, NULL, 0, false);
}
static void ack(struct req *r) { reply(r, "OK", 3); }
static void send_error(struct req *r, int e)
{
    const char *name = xs_error_name(e);
    (void)queue_msg(r->c, XS_ERROR, r->hdr->req_id, r->hdr->tx_id, name, xs_strlen(name) + 1,
                    NULL, 0, false);
}

/* ---- arguments ---- */

/* length of the NUL-terminated string at off, its NUL included; 0 if none */
static uint32_t str_at(const struct req *r, uint32_t off)
{
    for (uint32_t i = off; i < r->len; i++)
        if (r->data[i] == 0)
            return i - off + 1;
    return 0;
}

/* up to max NUL-terminated strings, as xenstored's get_strings */
static uint32_t get_strings(const struct req *r, const char **vec, uint32_t max)
{
    uint32_t off = 0, n = 0;
    while (n < max) {
        uint32_t l = str_at(r, off);
        if (!l)
            break;
        vec[n++] = r->data + off;
        off += l;
    }
    return n;
}

/* exactly one string, its NUL the payload's last byte */
static const char *onearg(const struct req *r)
{
    if (r->len == 0 || str_at(r, 0) != r->len)
        return NULL;
    return r->data;
}

static bool parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint32_t)(*s - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static uint32_t fmt_uint(char *dst, uint32_t v)
{
    char tmp[12];
    uint32_t n = 0, i = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n)
        dst[i++] = tmp[--n];
    dst[i] = 0;
    return i;
}

/* ---- paths ---- */

static bool valid_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '/' || ch == '_' || ch == '@';
}

/* bytes of a leading "/local/domain/<up to 5 digits>/" (0 if none) */
static uint32_t local_prefix(const char *p)
{
    static const char pre[] = "/local/domain/";
    uint32_t i = 0;
    for (; pre[i]; i++)
        if (p[i] != pre[i])
            return 0;
    uint32_t d = 0;
    while (p[i + d] >= '0' && p[i + d] <= '9' && d < 6)
        d++;
    if (d == 0 || d > 5 || p[i + d] != '/')
        return 0;
    return i + d + 1;
}

/* name as the connection gave it -> absolute path in out; XSE_EINVAL if invalid */
static int canonicalize(const struct xs_conn *c, const char *name, bool special, char *out)
{
    uint32_t n = 0, len = xs_strlen(name);
    if (name[0] != '/' && !(special && name[0] == '@')) {
        static const char pre[] = "/local/domain/";
        for (uint32_t i = 0; pre[i]; i++)
            out[n++] = pre[i];
        n += fmt_uint(out + n, c->domid);
        out[n++] = '/';
    }
    if (n + len > XENSTORE_ABS_PATH_MAX)
        return XSE_EINVAL;
    xs_memcpy(out + n, name, len + 1);
    n += len;
    if (n > 1 && out[n - 1] == '/')
        return XSE_EINVAL;              /* no trailing slash but "/" */
    for (uint32_t i = 0; i < n; i++) {
        if (!valid_char(out[i]))
            return XSE_EINVAL;
        if (out[i] == '/' && out[i + 1] == '/')
            return XSE_EINVAL;
    }
    if (n - local_prefix(out) > XENSTORE_REL_PATH_MAX)
        return XSE_EINVAL;
    if (out[0] == '@' && n < 2)
        return XSE_EINVAL;
    return XS_OK;
}

/* the node at path with the wanted permission; *idx or an error as xenstored
 * (a missing node: EACCES if its nearest ancestor lacks the permission) */
static int get_node(struct req *r, const char *path, unsigned want, uint16_t *idx)
{
    uint16_t i = tree_lookup(r->t, path);
    if (i == XS_NIL) {
        uint16_t near = tree_nearest(r->t, path);
        return (node_perm(r->c, r->t, near) & want) == want ? XSE_ENOENT : XSE_EACCES;
    }
    if ((node_perm(r->c, r->t, i) & want) != want)
        return XSE_EACCES;
    *idx = i;
    return XS_OK;
}

/* ---- changes: fired now, or logged for the commit ---- */

static int log_change(struct req *r, const char *path, bool rm)
{
    struct xs_trans *tx = r->tx;
    char kind = rm ? 'r' : 'w';
    uint32_t len = xs_strlen(path);
    for (uint32_t at = 0; at < tx->log_used; at += xs_strlen(tx->log + at + 1) + 2)
        if (tx->log[at] == kind && xs_streq(tx->log + at + 1, path))
            return XS_OK;
    if (len + 2 > XS_TRANS_LOG - tx->log_used)
        return XSE_ENOSPC;
    tx->log[tx->log_used] = kind;
    xs_memcpy(tx->log + tx->log_used + 1, path, len + 1);
    tx->log_used += len + 2;
    return XS_OK;
}

static bool log_room(const struct req *r, const char *path)
{
    return !r->tx || xs_strlen(path) + 2 <= XS_TRANS_LOG - r->tx->log_used;
}

static void changed(struct req *r, const char *path)
{
    if (r->tx) {
        (void)log_change(r, path, false);
        return;
    }
    r->st->generation++;
    fire_watches(r->st, r->t, path, false);
}

/* ---- quotas ---- */

static void owned(const struct xs_tree *t, uint16_t domid, uint32_t *nodes, uint32_t *bytes)
{
    *nodes = *bytes = 0;
    for (uint32_t i = 0; i < XS_MAX_NODES; i++)
        if (t->node[i].used && tree_perms(t, (uint16_t)i)[0].domid == domid) {
            (*nodes)++;
            *bytes += tree_blob_size(&t->node[i]);
        }
}

/* may the connection add `add` nodes and `bytes` bytes? */
static int quota_ok(const struct req *r, uint32_t add, uint32_t bytes)
{
    if (r->c->priv)
        return XS_OK;
    uint32_t n, b;
    owned(r->t, r->c->domid, &n, &b);
    if (n + add > XS_QUOTA_NODES || b + bytes > XS_QUOTA_BYTES)
        return XSE_ENOSPC;
    return XS_OK;
}

static int create(struct req *r, const char *path, uint32_t vlen, uint16_t *idx, uint16_t *first)
{
    uint32_t bytes, add = tree_missing(r->t, path, &bytes);
    int e = quota_ok(r, add, bytes + vlen + add * (XS_MAX_PERMS * 4u + 3u));
    if (e)
        return e;
    return tree_create(r->t, r->st->scratch, path, r->c->priv ? XS_NIL : r->c->domid, idx, first);
}

/* ---- the operations ---- */

static int do_read(struct req *r)
{
    const char *a = onearg(r);
    uint16_t idx;
    int e;
    if (!a)
        return XSE_EINVAL;
    if ((e = canonicalize(r->c, a, false, r->st->path)) || (e = get_node(r, r->st->path, XS_PERM_READ, &idx)))
        return e;
    reply(r, tree_value(r->t, idx), r->t->node[idx].val_len);
    return XS_OK;
}

static int do_write(struct req *r)
{
    const char *vec[1];
    uint16_t idx;
    int e;
    if (get_strings(r, vec, 1) != 1)
        return XSE_EINVAL;
    uint32_t off = xs_strlen(vec[0]) + 1, vlen = r->len - off;
    const char *path = r->st->path;
    if ((e = canonicalize(r->c, vec[0], false, r->st->path)))
        return e;
    if (!r->c->priv && vlen > XS_QUOTA_VALUE)
        return XSE_ENOSPC;
    if (!log_room(r, path))
        return XSE_ENOSPC;
    e = get_node(r, path, XS_PERM_WRITE, &idx);
    if (e == XS_OK) {
        const struct xs_node *n = &r->t->node[idx];
        uint32_t grow = vlen > n->val_len ? vlen - n->val_len : 0;
        if (tree_perms(r->t, idx)[0].domid == r->c->domid && (e = quota_ok(r, 0, grow)))
            return e;
    }
    uint16_t first = XS_NIL;
    if (e == XSE_ENOENT) {
        if ((e = create(r, path, vlen, &idx, &first)))
            return e;
    } else if (e) {
        return e;
    }
    if ((e = tree_set_value(r->t, r->st->scratch, idx, r->data + off, vlen))) {
        if (first != XS_NIL)
            tree_remove(r->t, first);   /* all or nothing */
        return e;
    }
    changed(r, path);
    ack(r);
    return XS_OK;
}

static int do_mkdir(struct req *r)
{
    const char *a = onearg(r);
    uint16_t idx;
    int e;
    if (!a)
        return XSE_EINVAL;
    if ((e = canonicalize(r->c, a, false, r->st->path)))
        return e;
    e = get_node(r, r->st->path, XS_PERM_WRITE, &idx);
    if (e == XSE_ENOENT) {
        if (!log_room(r, r->st->path))
            return XSE_ENOSPC;
        if ((e = create(r, r->st->path, 0, &idx, NULL)))
            return e;
        changed(r, r->st->path);
    } else if (e) {
        return e;
    }
    ack(r);
    return XS_OK;
}

static int do_rm(struct req *r)
{
    const char *a = onearg(r);
    uint16_t idx;
    int e;
    if (!a)
        return XSE_EINVAL;
    if ((e = canonicalize(r->c, a, false, r->st->path)))
        return e;
    char *path = r->st->path;
    e = get_node(r, path, XS_PERM_WRITE, &idx);
    if (e == XSE_ENOENT) {
        /* fine if the parent exists, as xenstored */
        uint32_t len = xs_strlen(path);
        while (len > 1 && path[len - 1] != '/')
            len--;
        xs_memcpy(r->st->path2, path, len);
        r->st->path2[len > 1 ? len - 1 : 1] = 0;
        if (tree_lookup(r->t, r->st->path2) == XS_NIL)
            return XSE_ENOENT;
        ack(r);
        return XS_OK;
    }
    if (e)
        return e;
    if (idx == 0)
        return XSE_EINVAL;              /* cannot remove "/" */
    if (r->tx) {
        if ((e = log_change(r, path, true)))
            return e;
    } else {
        r->st->generation++;
        fire_watches(r->st, r->t, path, true);  /* judged on the tree before */
    }
    tree_remove(r->t, idx);
    ack(r);
    return XS_OK;
}

static int do_directory(struct req *r)
{
    const char *a = onearg(r);
    uint16_t idx;
    int e;
    if (!a)
        return XSE_EINVAL;
    if ((e = canonicalize(r->c, a, false, r->st->path)) || (e = get_node(r, r->st->path, XS_PERM_READ, &idx)))
        return e;
    uint32_t n = 0;
    for (uint16_t ch = r->t->node[idx].child; ch != XS_NIL; ch = r->t->node[ch].sibling) {
        uint32_t l = r->t->node[ch].name_len;
        if (n + l + 1 > XENSTORE_PAYLOAD_MAX)
            return XSE_E2BIG;
        xs_memcpy(r->st->reply + n, tree_name(r->t, ch), l);
        r->st->reply[n + l] = 0;
        n += l + 1;
    }
    reply(r, r->st->reply, n);
    return XS_OK;
}

static int do_get_perms(struct req *r)
{
    const char *a = onearg(r);
    uint16_t idx;
    int e;
    if (!a)
        return XSE_EINVAL;
    if ((e = canonicalize(r->c, a, false, r->st->path)) || (e = get_node(r, r->st->path, XS_PERM_READ, &idx)))
        return e;
    const struct xs_perm *p = tree_perms(r->t, idx);
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->t->node[idx].nperms; i++) {
        static const char letter[4] = { 'n', 'r', 'w', 'b' };
        r->st->reply[n++] = letter[p[i].perm & 3];
        n += fmt_uint(r->st->reply + n, p[i].domid) + 1;
    }
    reply(r, r->st->reply, n);
    return XS_OK;
}

static int do_set_perms(struct req *r)
{
    const char *vec[XS_MAX_PERMS + 2];
    struct xs_perm p[XS_MAX_PERMS];
    uint16_t idx;
    int e;
    uint32_t n = get_strings(r, vec, XS_MAX_PERMS + 2);
    if (n < 2)
        return XSE_EINVAL;
    uint32_t np = n - 1;
    if (np > XS_MAX_PERMS || (!r->c->priv && np > XS_QUOTA_PERMS))
        return XSE_ENOSPC;
    for (uint32_t i = 0; i < np; i++) {
        const char *s = vec[i + 1];
        uint32_t id;
        unsigned bits;
        switch (s[0]) {
        case 'n': bits = XS_PERM_NONE; break;
        case 'r': bits = XS_PERM_READ; break;
        case 'w': bits = XS_PERM_WRITE; break;
        case 'b': bits = XS_PERM_READ | XS_PERM_WRITE; break;
        default: return XSE_EINVAL;
        }
        if (!parse_uint(s + 1, 0xffff, &id))
            return XSE_EINVAL;
        p[i] = (struct xs_perm){ (uint16_t)id, (uint8_t)bits, 0 };
    }
    if ((e = canonicalize(r->c, vec[0], false, r->st->path)))
        return e;
    if ((e = get_node(r, r->st->path, XS_PERM_WRITE | XS_PERM_OWNER, &idx)))
        return e;
    /* an unprivileged domain may not give its node away */
    if (!r->c->priv && p[0].domid != tree_perms(r->t, idx)[0].domid)
        return XSE_EPERM;
    if (!log_room(r, r->st->path))
        return XSE_ENOSPC;
    if ((e = tree_set_perms(r->t, r->st->scratch, idx, p, np)))
        return e;
    changed(r, r->st->path);
    ack(r);
    return XS_OK;
}

static int do_watch(struct req *r)
{
    const char *vec[2];
    if (get_strings(r, vec, 2) != 2)
        return XSE_EINVAL;
    char *path = r->st->path;
    int e = canonicalize(r->c, vec[0], true, path);
    if (e)
        return e;
    bool relative = vec[0][0] != '/' && vec[0][0] != '@';
    uint32_t plen = xs_strlen(path), tlen = xs_strlen(vec[1]);
    int slot = conn_slot(r->st, r->c), free_w = -1;
    for (int i = 0; i < XS_MAX_WATCHES; i++) {
        struct xs_watch *w = &r->st->watch[i];
        if (!w->used) {
            if (free_w < 0)
                free_w = i;
            continue;
        }
        if (w->conn == slot && xs_streq(w->str, path) && xs_streq(w->str + w->path_len + 1, vec[1]))
            return XSE_EEXIST;
    }
    if (!r->c->priv && xs_watch_count(r->st, r->c->domid) >= XS_QUOTA_WATCHES)
        return XSE_E2BIG;
    if (plen + tlen > XS_WATCH_STR_MAX)
        return XSE_E2BIG;
    if (free_w < 0)
        return XSE_ENOSPC;
    struct xs_watch *w = &r->st->watch[free_w];
    w->used = true;
    w->conn = (uint8_t)slot;
    w->path_len = (uint16_t)plen;
    w->token_len = (uint16_t)tlen;
    w->prefix_len = relative ? (uint16_t)(plen - xs_strlen(vec[0])) : 0;
    xs_memcpy(w->str, path, plen + 1);
    xs_memcpy(w->str + plen + 1, vec[1], tlen + 1);
    ack(r);
    /* fired once up front, as xenstored */
    const char *shown = w->str + w->prefix_len;
    (void)queue_msg(r->c, XS_WATCH_EVENT, 0, 0, shown, xs_strlen(shown) + 1,
                    w->str + plen + 1, tlen + 1, true);
    return XS_OK;
}

static int do_unwatch(struct req *r)
{
    const char *vec[2];
    if (get_strings(r, vec, 2) != 2)
        return XSE_EINVAL;
    int e = canonicalize(r->c, vec[0], true, r->st->path);
    if (e)
        return e;
    int slot = conn_slot(r->st, r->c);
    for (int i = 0; i < XS_MAX_WATCHES; i++) {
        struct xs_watch *w = &r->st->watch[i];
        if (w->used && w->conn == slot && xs_streq(w->str, r->st->path) &&
            xs_streq(w->str + w->path_len + 1, vec[1])) {
            w->used = false;
            ack(r);
            return XS_OK;
        }
    }
    return XSE_ENOENT;
}

static int do_transaction_start(struct req *r)
{
    if (r->tx)
        return XSE_EBUSY;               /* no nested transactions */
    int slot = conn_slot(r->st, r->c), free_t = -1;
    uint32_t mine = 0;
    for (int i = 0; i < XS_MAX_TRANS; i++) {
        if (r->st->trans[i].used)
            mine += r->st->trans[i].conn == slot;
        else if (free_t < 0)
            free_t = i;
    }
    if ((!r->c->priv && mine >= XS_QUOTA_TRANS) || free_t < 0)
        return XSE_ENOSPC;
    struct xs_trans *tx = &r->st->trans[free_t];
    tx->used = true;
    tx->conn = (uint8_t)slot;
    tx->id = r->c->next_tx++;
    if (r->c->next_tx == 0)
        r->c->next_tx = 1;
    tx->start_gen = r->st->generation;
    tx->log_used = 0;
    tree_copy(&tx->tree, &r->st->tree);
    char num[12];
    reply(r, num, fmt_uint(num, tx->id) + 1);
    return XS_OK;
}

static int do_transaction_end(struct req *r)
{
    const char *a = onearg(r);
    if (!a || (!xs_streq(a, "T") && !xs_streq(a, "F")))
        return XSE_EINVAL;
    struct xs_trans *tx = r->tx;
    if (!tx)
        return XSE_ENOENT;
    tx->used = false;
    if (a[0] == 'T' && tx->log_used) {
        if (tx->start_gen != r->st->generation)
            return XSE_EAGAIN;          /* someone committed since: retry */
        /* fire what changed: removals judged on the old tree, the rest on the new */
        for (uint32_t at = 0; at < tx->log_used; at += xs_strlen(tx->log + at + 1) + 2) {
            bool rm = tx->log[at] == 'r';
            fire_watches(r->st, rm ? &r->st->tree : &tx->tree, tx->log + at + 1, rm);
        }
        tree_copy(&r->st->tree, &tx->tree);
        r->st->generation++;
    }
    r->tx = NULL;
    ack(r);
    return XS_OK;
}

static int do_get_domain_path(struct req *r)
{
    const char *a = onearg(r);
    uint32_t id;
    if (!a || !parse_uint(a, 0xffff, &id))
        return XSE_EINVAL;
    static const char pre[] = "/local/domain/";
    char buf[32];
    uint32_t n = 0;
    for (; pre[n]; n++)
        buf[n] = pre[n];
    n += fmt_uint(buf + n, id);
    reply(r, buf, n + 1);
    return XS_OK;
}

static int do_introduce(struct req *r)
{
    const char *vec[3];
    uint32_t id, mfn, port;
    if (get_strings(r, vec, 3) != 3 || !parse_uint(vec[0], XS_DOMID_MAX, &id) ||
        !parse_uint(vec[1], 0xffffffffu, &mfn) || !parse_uint(vec[2], 0xffffffu, &port))
        return XSE_EINVAL;
    if (id == XS_DOMID_LOCAL || id == r->c->domid)
        return XSE_EINVAL;
    struct xs_conn *c = xs_conn_find(r->st, (uint16_t)id);
    bool fresh = !c;
    if (r->st->hooks.introduce) {
        int e = r->st->hooks.introduce(r->st->hooks.ctx, (uint16_t)id, mfn, port);
        if (e)
            return e;
    }
    if (fresh) {
        int e = xs_conn_add(r->st, (uint16_t)id, false);
        if (e)
            return e;
        c = xs_conn_find(r->st, (uint16_t)id);
    }
    c->mfn = mfn;
    c->port = port;
    if (fresh)
        xs_fire_special(r->st, "@introduceDomain");
    ack(r);
    return XS_OK;
}

static int do_release(struct req *r)
{
    const char *a = onearg(r);
    uint32_t id;
    if (!a || !parse_uint(a, 0xffff, &id) || id == XS_DOMID_LOCAL)
        return XSE_EINVAL;
    if (!xs_conn_find(r->st, (uint16_t)id))
        return XSE_ENOENT;
    xs_conn_remove(r->st, (uint16_t)id);
    if (r->st->hooks.release)
        r->st->hooks.release(r->st->hooks.ctx, (uint16_t)id);
    xs_fire_special(r->st, "@releaseDomain");
    if (r->c->used)
        ack(r);
    return XS_OK;
}

static int do_is_introduced(struct req *r)
{
    const char *a = onearg(r);
    uint32_t id;
    if (!a || !parse_uint(a, 0xffff, &id))
        return XSE_EINVAL;
    reply(r, xs_conn_find(r->st, (uint16_t)id) ? "T" : "F", 2);
    return XS_OK;
}

static int do_reset_watches(struct req *r)
{
    int slot = conn_slot(r->st, r->c);
    drop_watches(r->st, slot);
    drop_transactions(r->st, slot);
    ack(r);
    return XS_OK;
}

#define F_PRIV 1                        /* privileged connections only */
#define F_NOTID 2                       /* the header's tx_id is not looked up */
static const struct {
    int (*fn)(struct req *);
    uint8_t flags;
} ops[XS_TYPE_COUNT] = {
    [XS_DIRECTORY] = { do_directory, 0 },
    [XS_READ] = { do_read, 0 },
    [XS_GET_PERMS] = { do_get_perms, 0 },
    [XS_WATCH] = { do_watch, F_NOTID },
    [XS_UNWATCH] = { do_unwatch, F_NOTID },
    [XS_TRANSACTION_START] = { do_transaction_start, 0 },
    [XS_TRANSACTION_END] = { do_transaction_end, 0 },
    [XS_INTRODUCE] = { do_introduce, F_PRIV | F_NOTID },
    [XS_RELEASE] = { do_release, F_PRIV | F_NOTID },
    [XS_GET_DOMAIN_PATH] = { do_get_domain_path, F_NOTID },
    [XS_WRITE] = { do_write, 0 },
    [XS_MKDIR] = { do_mkdir, 0 },
    [XS_RM] = { do_rm, 0 },
    [XS_SET_PERMS] = { do_set_perms, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { do_is_introduced, F_PRIV | F_NOTID },
    [XS_RESET_WATCHES] = { do_reset_watches, F_NOTID },
};

/* Operations xenstored has, for privileged connections only (its
 * XS_FLAG_PRIV), that pv86 does not implement: an unprivileged caller gets
 * xenstored's EACCES, a privileged one ENOSYS (docs/xenstore.md). */
static bool priv_only_unimplemented(uint32_t type)
{
    return type == XS_CONTROL || type == XS_RESUME || type == XS_SET_TARGET ||
           type == XS_SET_FEATURE || type == XS_GET_QUOTA || type == XS_SET_QUOTA;
}

int xs_request(struct xs_store *st, uint16_t domid, const struct xsd_sockmsg *hdr,
               const void *payload)
{
    struct xs_conn *c = xs_conn_find(st, domid);
    if (!c)
        return XSE_ENOENT;
    if (c->ignored)
        return XSE_EIO;
    if (!xs_can_take_request(c))
        return XSE_EBUSY;
    struct req r = { st, c, hdr, payload, hdr->len, NULL, &st->tree };
    int e;
    if (hdr->len > XENSTORE_PAYLOAD_MAX) {
        e = XSE_EINVAL;
    } else if (priv_only_unimplemented(hdr->type) && !c->priv) {
        e = XSE_EACCES;                 /* xenstored checks privilege first */
    } else if (hdr->type >= XS_TYPE_COUNT || !ops[hdr->type].fn) {
        e = XSE_ENOSYS;                 /* as xenstored: unknown operation */
    } else if ((ops[hdr->type].flags & F_PRIV) && !c->priv) {
        e = XSE_EACCES;
    } else {
        e = XS_OK;
        if (!(ops[hdr->type].flags & F_NOTID) && hdr->tx_id) {
            int slot = conn_slot(st, c);
            for (int i = 0; i < XS_MAX_TRANS; i++)
                if (st->trans[i].used && st->trans[i].conn == slot && st->trans[i].id == hdr->tx_id)
                    r.tx = &st->trans[i];
            if (!r.tx)
                e = XSE_ENOENT;
            else
                r.t = &r.tx->tree;
        }
        if (!e)
            e = ops[hdr->type].fn(&r);
    }
    if (e)
        send_error(&r, e);
    return XS_OK;
}

int xs_make_domain_home(struct xs_store *st, uint16_t domid, const char *name)
{
    char *p = st->path2;
    uint32_t n = 0;
    static const char pre[] = "/local/domain/";
    for (; pre[n]; n++)
        p[n] = pre[n];
    n += fmt_uint(p + n, domid);
    uint16_t home, idx;
    int e = tree_create(&st->tree, st->scratch, p, XS_NIL, &home, NULL);
    if (e)
        return e;
    /* the home: owned by the toolstack, readable by the domain */
    struct xs_perm ro[2] = { { XS_DOMID_LOCAL, XS_PERM_NONE, 0 }, { domid, XS_PERM_READ, 0 } };
    if ((e = tree_set_perms(&st->tree, st->scratch, home, ro, 2)))
        return e;
    static const char *const keys[] = { "name", "domid", "control", "control/shutdown",
                                        "data", "device" };
    for (uint32_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        uint32_t m = n;
        p[m++] = '/';
        uint32_t kl = xs_strlen(keys[k]);
        xs_memcpy(p + m, keys[k], kl + 1);
        if ((e = tree_create(&st->tree, st->scratch, p, XS_NIL, &idx, NULL)))
            return e;
        if (k == 0 && (e = tree_set_value(&st->tree, st->scratch, idx, name, xs_strlen(name))))
            return e;
        if (k == 1) {
            char num[12];
            if ((e = tree_set_value(&st->tree, st->scratch, idx, num, fmt_uint(num, domid))))
                return e;
        }
        if (k >= 2) {                   /* the domain's own: it owns them */
            struct xs_perm rw[1] = { { domid, XS_PERM_NONE, 0 } };
            if ((e = tree_set_perms(&st->tree, st->scratch, idx, rw, 1)))
                return e;
        }
    }
    st->generation++;
    p[n] = 0;
    fire_watches(st, &st->tree, p, false);
    return XS_OK;
}
