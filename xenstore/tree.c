/*
 * The xenstore tree: nodes in a fixed array linked parent/child/sibling,
 * each node's permissions, name and value in one blob of a bump arena that
 * is compacted when full. No pointers inside, so a transaction copies it.
 */
#include "tree.h"

uint32_t tree_blob_size(const struct xs_node *n)
{
    /* blobs stay 4-byte aligned: the permissions at their start are read in place */
    return (n->nperms * (uint32_t)sizeof(struct xs_perm) + n->name_len + n->val_len + 3u) & ~3u;
}

const struct xs_perm *tree_perms(const struct xs_tree *t, uint16_t idx)
{
    return (const struct xs_perm *)(const void *)&t->arena[t->node[idx].off];
}
const char *tree_name(const struct xs_tree *t, uint16_t idx)
{
    const struct xs_node *n = &t->node[idx];
    return (const char *)&t->arena[n->off + n->nperms * sizeof(struct xs_perm)];
}
const uint8_t *tree_value(const struct xs_tree *t, uint16_t idx)
{
    const struct xs_node *n = &t->node[idx];
    return &t->arena[n->off + n->nperms * sizeof(struct xs_perm) + n->name_len];
}

void tree_init(struct xs_tree *t, uint16_t owner)
{
    t->arena_used = t->arena_garbage = 0;
    for (uint32_t i = 0; i < XS_MAX_NODES; i++)
        t->node[i].used = 0;
    struct xs_node *root = &t->node[0];
    root->parent = root->child = root->sibling = XS_NIL;
    root->name_len = root->val_len = 0;
    root->nperms = 1;
    root->used = 1;
    root->off = 0;
    struct xs_perm p = { owner, XS_PERM_NONE, 0 };
    xs_memcpy(t->arena, &p, sizeof(p));
    t->arena_used = sizeof(p);
    t->nodes_used = 1;
}

void tree_copy(struct xs_tree *dst, const struct xs_tree *src)
{
    dst->arena_used = src->arena_used;
    dst->arena_garbage = src->arena_garbage;
    dst->nodes_used = src->nodes_used;
    xs_memcpy(dst->node, src->node, sizeof(src->node));
    xs_memcpy(dst->arena, src->arena, src->arena_used);
}

/* Pack every live blob to the start of the arena (through scratch). */
static void compact(struct xs_tree *t, uint8_t *scratch)
{
    uint32_t at = 0;
    for (uint32_t i = 0; i < XS_MAX_NODES; i++) {
        struct xs_node *n = &t->node[i];
        if (!n->used)
            continue;
        uint32_t sz = tree_blob_size(n);
        xs_memcpy(scratch + at, t->arena + n->off, sz);
        n->off = at;
        at += sz;
    }
    xs_memcpy(t->arena, scratch, at);
    t->arena_used = at;
    t->arena_garbage = 0;
}

/* Room for size more bytes at arena_used (compacting); false if none. */
static bool reserve(struct xs_tree *t, uint8_t *scratch, uint32_t size)
{
    if (size <= XS_ARENA_BYTES - t->arena_used)
        return true;
    if (t->arena_garbage == 0)
        return false;
    compact(t, scratch);
    return size <= XS_ARENA_BYTES - t->arena_used;
}

/* Rebuild idx's blob with new perms and/or value (NULL: keep). */
static int rewrite(struct xs_tree *t, uint8_t *scratch, uint16_t idx,
                   const struct xs_perm *p, uint32_t np, const void *val, uint32_t vlen)
{
    struct xs_node *n = &t->node[idx];
    if (!p)
        np = n->nperms;
    if (!val)
        vlen = n->val_len;
    uint32_t size = (np * (uint32_t)sizeof(struct xs_perm) + n->name_len + vlen + 3u) & ~3u;
    if (!reserve(t, scratch, size))
        return XSE_ENOMEM;
    uint32_t old = n->off, at = t->arena_used;     /* n->off may have moved */
    uint8_t *dst = t->arena + at;
    uint32_t oldperm = n->nperms * (uint32_t)sizeof(struct xs_perm);
    if (p)
        xs_memcpy(dst, p, np * sizeof(struct xs_perm));
    else
        xs_memcpy(dst, t->arena + old, oldperm);
    dst += np * sizeof(struct xs_perm);
    xs_memcpy(dst, t->arena + old + oldperm, n->name_len);
    dst += n->name_len;
    if (val)
        xs_memcpy(dst, val, vlen);
    else
        xs_memcpy(dst, t->arena + old + oldperm + n->name_len, vlen);
    t->arena_garbage += tree_blob_size(n);
    t->arena_used += size;
    n->off = at;
    n->nperms = (uint8_t)np;
    n->val_len = (uint16_t)vlen;
    return XS_OK;
}

int tree_set_value(struct xs_tree *t, uint8_t *scratch, uint16_t idx,
                   const void *val, uint32_t len)
{
    static const uint8_t empty;
    return rewrite(t, scratch, idx, NULL, 0, val ? val : &empty, len);
}

int tree_set_perms(struct xs_tree *t, uint8_t *scratch, uint16_t idx,
                   const struct xs_perm *p, uint32_t n)
{
    return rewrite(t, scratch, idx, p, n, NULL, 0);
}

static uint16_t find_child(const struct xs_tree *t, uint16_t parent, const char *name, uint32_t len)
{
    for (uint16_t c = t->node[parent].child; c != XS_NIL; c = t->node[c].sibling)
        if (t->node[c].name_len == len && xs_memcmp(tree_name(t, c), name, len) == 0)
            return c;
    return XS_NIL;
}

/* Walk path; *rest points to the first component not found ("" if all). */
static uint16_t walk(const struct xs_tree *t, const char *path, const char **rest)
{
    uint16_t at = 0;
    const char *p = path;
    if (*p == '/')
        p++;
    while (*p) {
        uint32_t len = 0;
        while (p[len] && p[len] != '/')
            len++;
        uint16_t c = find_child(t, at, p, len);
        if (c == XS_NIL)
            break;
        at = c;
        p += len;
        if (*p == '/')
            p++;
    }
    *rest = p;
    return at;
}

uint16_t tree_lookup(const struct xs_tree *t, const char *path)
{
    const char *rest;
    uint16_t at = walk(t, path, &rest);
    return *rest ? XS_NIL : at;
}

uint16_t tree_nearest(const struct xs_tree *t, const char *path)
{
    const char *rest;
    return walk(t, path, &rest);
}

uint32_t tree_missing(const struct xs_tree *t, const char *path, uint32_t *bytes)
{
    const char *rest;
    (void)walk(t, path, &rest);
    uint32_t n = 0, b = 0;
    for (const char *p = rest; *p; ) {
        uint32_t len = 0;
        while (p[len] && p[len] != '/')
            len++;
        n++;
        b += len;
        p += len;
        if (*p == '/')
            p++;
    }
    *bytes = b;
    return n;
}

int tree_create(struct xs_tree *t, uint8_t *scratch, const char *path,
                uint32_t new_owner, uint16_t *idx, uint16_t *first)
{
    const char *rest;
    uint16_t at = walk(t, path, &rest);
    /* count what is missing first: all or nothing */
    uint32_t missing = 0, bytes = 0;
    for (const char *p = rest; *p; ) {
        uint32_t len = 0;
        while (p[len] && p[len] != '/')
            len++;
        missing++;
        bytes += len + XS_MAX_PERMS * (uint32_t)sizeof(struct xs_perm) + 3u;
        p += len;
        if (*p == '/')
            p++;
    }
    if (missing > (uint32_t)(XS_MAX_NODES - t->nodes_used))
        return XSE_ENOMEM;
    if (!reserve(t, scratch, bytes))
        return XSE_ENOMEM;
    uint16_t free_at = 1;
    if (first)
        *first = XS_NIL;
    while (*rest) {
        uint32_t len = 0;
        while (rest[len] && rest[len] != '/')
            len++;
        while (t->node[free_at].used)
            free_at++;
        struct xs_node *parent = &t->node[at], *n = &t->node[free_at];
        uint32_t np = parent->nperms, psz = np * (uint32_t)sizeof(struct xs_perm);
        uint8_t *dst = t->arena + t->arena_used;
        xs_memcpy(dst, t->arena + parent->off, psz);   /* inherit the parent's perms */
        if (new_owner != XS_NIL)
            ((struct xs_perm *)(void *)dst)->domid = (uint16_t)new_owner;
        xs_memcpy(dst + psz, rest, len);
        n->off = t->arena_used;
        t->arena_used += (psz + len + 3u) & ~3u;
        n->nperms = (uint8_t)np;
        n->name_len = (uint16_t)len;
        n->val_len = 0;
        n->used = 1;
        n->parent = at;
        n->child = n->sibling = XS_NIL;
        /* appended: DIRECTORY lists children in creation order, as xenstored */
        if (parent->child == XS_NIL) {
            parent->child = free_at;
        } else {
            uint16_t c = parent->child;
            while (t->node[c].sibling != XS_NIL)
                c = t->node[c].sibling;
            t->node[c].sibling = free_at;
        }
        t->nodes_used++;
        if (first && *first == XS_NIL)
            *first = free_at;
        at = free_at;
        rest += len;
        if (*rest == '/')
            rest++;
    }
    *idx = at;
    return XS_OK;
}

static void free_subtree(struct xs_tree *t, uint16_t idx)
{
    /* iterative: descend to a leaf, free it, climb; bounded by the node count */
    uint16_t top = t->node[idx].parent, at = idx;
    for (uint32_t guard = 0; guard < 2u * XS_MAX_NODES + 2 && at != top; guard++) {
        struct xs_node *n = &t->node[at];
        if (n->child != XS_NIL) {
            at = n->child;
            continue;
        }
        uint16_t parent = n->parent;
        if (parent != XS_NIL && t->node[parent].child == at)
            t->node[parent].child = n->sibling;
        t->arena_garbage += tree_blob_size(n);
        n->used = 0;
        t->nodes_used--;
        at = parent;
        if (at == top)
            break;
    }
}

void tree_remove(struct xs_tree *t, uint16_t idx)
{
    if (idx == 0 || idx >= XS_MAX_NODES || !t->node[idx].used)
        return;
    uint16_t parent = t->node[idx].parent;
    /* unlink from the parent's list, then free the subtree */
    if (t->node[parent].child == idx) {
        t->node[parent].child = t->node[idx].sibling;
    } else {
        uint16_t c = t->node[parent].child;
        while (c != XS_NIL && t->node[c].sibling != idx)
            c = t->node[c].sibling;
        if (c != XS_NIL)
            t->node[c].sibling = t->node[idx].sibling;
    }
    t->node[idx].sibling = XS_NIL;
    t->node[idx].parent = XS_NIL;
    free_subtree(t, idx);
}
