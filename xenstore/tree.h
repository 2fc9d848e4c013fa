/* The store's tree on fixed pools (internal to xenstore/: store.c, tree.c). */
#ifndef XENSTORE_TREE_H
#define XENSTORE_TREE_H

#include "store.h"

/* freestanding helpers (no libc in the xenstore domain) */
static inline uint32_t xs_strlen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
static inline void xs_memcpy(void *d, const void *s, uint32_t n)
{ uint8_t *dd = d; const uint8_t *ss = s; while (n--) *dd++ = *ss++; }
static inline void xs_memmove(void *d, const void *s, uint32_t n)
{
    uint8_t *dd = d; const uint8_t *ss = s;
    if (dd < ss) { while (n--) *dd++ = *ss++; }
    else { while (n--) dd[n] = ss[n]; }
}
static inline int xs_memcmp(const void *a, const void *b, uint32_t n)
{
    const uint8_t *x = a, *y = b;
    for (uint32_t i = 0; i < n; i++) if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}
static inline bool xs_streq(const char *a, const char *b)
{ while (*a && *a == *b) { a++; b++; } return *a == *b; }

void tree_init(struct xs_tree *t, uint16_t owner);
void tree_copy(struct xs_tree *dst, const struct xs_tree *src);
/* the node at an absolute path ("/" is node 0), or XS_NIL */
uint16_t tree_lookup(const struct xs_tree *t, const char *path);
/* the deepest existing node on path (at least "/") */
uint16_t tree_nearest(const struct xs_tree *t, const char *path);
/* create path and missing parents (perms inherited from the parent, owner
 * replaced by new_owner unless it is XS_NIL); *idx the node, *first the
 * topmost node created (XS_NIL if none; NULL: not wanted); XSE_* */
int tree_create(struct xs_tree *t, uint8_t *scratch, const char *path,
                uint32_t new_owner, uint16_t *idx, uint16_t *first);
int tree_set_value(struct xs_tree *t, uint8_t *scratch, uint16_t idx,
                   const void *val, uint32_t len);
int tree_set_perms(struct xs_tree *t, uint8_t *scratch, uint16_t idx,
                   const struct xs_perm *p, uint32_t n);
/* nodes path would add (0 if it exists); their name bytes in *bytes */
uint32_t tree_missing(const struct xs_tree *t, const char *path, uint32_t *bytes);
/* remove idx (not the root) and everything under it */
void tree_remove(struct xs_tree *t, uint16_t idx);

const struct xs_perm *tree_perms(const struct xs_tree *t, uint16_t idx);
const char *tree_name(const struct xs_tree *t, uint16_t idx);
const uint8_t *tree_value(const struct xs_tree *t, uint16_t idx);
uint32_t tree_blob_size(const struct xs_node *n);

#endif /* XENSTORE_TREE_H */
