/* gwalk: see gwalk.h. */
#include "vm/gwalk.h"

#define E_P    0x001ull
#define E_RW   0x002ull
#define E_US   0x004ull
#define E_A    0x020ull
#define E_D    0x040ull
#define E_PS   0x080ull
#define E_XD   (1ull << 63)
#define E_ADDR 0x000FFFFFFFFFF000ull

static unsigned clamp_maxphy(unsigned m)
{
    return m < 32 ? 32 : m > 52 ? 52 : m;
}

uint64_t gwalk_pdpte_reserved(uint64_t e, unsigned maxphy)
{
    if (!(e & E_P))
        return 0;
    return e & (0x1E6ull | ~0ull << clamp_maxphy(maxphy));   /* 2:1, 8:5, 63:M */
}

/* The state of one walk. */
struct walk {
    gwalk_mem_fn mem;
    void *ctx;
    struct gwalk *w;
    uint32_t error;                /* the error code's W, U and I/D bits */
    int set_ad;
};

static int fault(struct walk *k, uint32_t bits)
{
    k->w->error = k->error | bits;
    return GWALK_FAULT;
}

/* The entry at gpa, or NULL (w->table_gpa then says where). */
static void *at(struct walk *k, uint64_t gpa)
{
    void *p = k->mem(k->ctx, gpa);
    if (!p)
        k->w->table_gpa = gpa;
    return p;
}

static void set32(const struct walk *k, uint32_t *p, uint32_t bits)
{
    if (k->set_ad && (*p & bits) != bits)
        *p |= bits;
}

static void set64(const struct walk *k, uint64_t *p, uint64_t bits)
{
    if (k->set_ad && (*p & bits) != bits)
        *p |= bits;
}

/* The rights check of the leaf, once the entries are known (SDM 4.6):
 * 0 if the access may go on, else the fault. rights: RW and US of every
 * level ANDed, XD of any level ORed. */
static int check(const struct gwalk_cpu *c, struct walk *k, unsigned access, uint64_t rights)
{
    int user = (access & GWALK_USER) != 0, write = (access & GWALK_WRITE) != 0;
    int fetch = !write && (access & GWALK_FETCH);
    int upage = (rights & E_US) != 0;
    int smap_blocks = !user && upage && (c->cr4 & GWALK_CR4_SMAP) && !(access & GWALK_AC);

    if (user && !upage)
        return fault(k, GWALK_PF_P);
    if (fetch) {
        if ((rights & E_XD) || (!user && upage && (c->cr4 & GWALK_CR4_SMEP)))
            return fault(k, GWALK_PF_P);
    } else if (smap_blocks) {
        return fault(k, GWALK_PF_P);
    } else if (write && !(rights & E_RW) && (user || (c->cr0 & GWALK_CR0_WP))) {
        return fault(k, GWALK_PF_P);
    }
    k->w->writable = (rights & E_RW) != 0;
    k->w->user = upage;
    k->w->nx = (rights & E_XD) != 0;
    return GWALK_OK;
}

static int walk32(const struct gwalk_cpu *c, struct walk *k, uint32_t va, unsigned access)
{
    struct gwalk *w = k->w;
    uint32_t *pde = at(k, (c->cr3 & 0xFFFFF000u) + (va >> 22) * 4);
    if (!pde)
        return GWALK_BAD_TABLE;
    if (!(*pde & E_P))
        return fault(k, 0);
    if ((*pde & E_PS) && (c->cr4 & GWALK_CR4_PSE)) {
        /* 4 MiB: bits 20:13 are address bits 39:32 (PSE-36), as many as
         * MAXPHYADDR allows (40 at most); the rest of 21:13 is reserved. */
        unsigned m = clamp_maxphy(c->maxphy);
        if (m > 40)
            m = 40;
        uint32_t high = ((1u << (m - 32)) - 1) << 13;
        if (*pde & (0x3FE000u & ~high))
            return fault(k, GWALK_PF_P | GWALK_PF_RSVD);
        int rc = check(c, k, access, *pde);
        if (rc)
            return rc;
        set32(k, pde, (uint32_t)(E_A | ((access & GWALK_WRITE) ? E_D : 0)));
        w->gpa = ((uint64_t)(*pde & high) << 19) | (*pde & 0xFFC00000u) | (va & 0x3FFFFF);
        w->page_shift = 22;
        w->dirty = (*pde & E_D) != 0;
        return GWALK_OK;
    }
    set32(k, pde, (uint32_t)E_A);
    uint32_t *pte = at(k, (*pde & 0xFFFFF000u) + ((va >> 12) & 1023) * 4);
    if (!pte)
        return GWALK_BAD_TABLE;
    if (!(*pte & E_P))
        return fault(k, 0);
    int rc = check(c, k, access, *pde & *pte & (E_RW | E_US));
    if (rc)
        return rc;
    set32(k, pte, (uint32_t)(E_A | ((access & GWALK_WRITE) ? E_D : 0)));
    w->gpa = (*pte & 0xFFFFF000u) | (va & 0xFFF);
    w->page_shift = 12;
    w->dirty = (*pte & E_D) != 0;
    return GWALK_OK;
}

static int walk_pae(const struct gwalk_cpu *c, struct walk *k, uint32_t va, unsigned access)
{
    struct gwalk *w = k->w;
    unsigned m = clamp_maxphy(c->maxphy);
    int nxe = c->nxe != 0;
    uint64_t rsvd = (~0ull << m) & (nxe ? ~E_XD : ~0ull);      /* 62:M, and 63 without NXE */
    uint64_t l3e;

    if (c->pdpte) {
        l3e = c->pdpte[va >> 30];
    } else {
        /* Read at each walk: QEMU checks 63:M only (and sets bit 5, which
         * the SDM and the APM reserve: not done here). */
        uint64_t *p = at(k, (c->cr3 & 0xFFFFFFE0u) + (va >> 30) * 8);
        if (!p)
            return GWALK_BAD_TABLE;
        l3e = *p;
        if ((l3e & E_P) && (l3e & ~0ull << m))
            return fault(k, GWALK_PF_P | GWALK_PF_RSVD);
    }
    if (!(l3e & E_P))
        return fault(k, 0);
    uint64_t *l2e = at(k, (l3e & E_ADDR) + ((va >> 21) & 511) * 8);
    if (!l2e)
        return GWALK_BAD_TABLE;
    if (!(*l2e & E_P))
        return fault(k, 0);
    if ((*l2e & rsvd) || ((*l2e & E_PS) && (*l2e & 0x1FE000ull)))
        return fault(k, GWALK_PF_P | GWALK_PF_RSVD);
    uint64_t *leaf = l2e, rights = *l2e & (E_RW | E_US | E_XD);
    unsigned shift = 21;
    if (!(*l2e & E_PS)) {
        set64(k, l2e, E_A);
        leaf = at(k, (*l2e & E_ADDR) + ((va >> 12) & 511) * 8);
        if (!leaf)
            return GWALK_BAD_TABLE;
        if (!(*leaf & E_P))
            return fault(k, 0);
        if (*leaf & rsvd)
            return fault(k, GWALK_PF_P | GWALK_PF_RSVD);
        rights = (rights & *leaf & (E_RW | E_US)) | ((rights | *leaf) & E_XD);
        shift = 12;
    }
    int rc = check(c, k, access, rights);
    if (rc)
        return rc;
    set64(k, leaf, E_A | ((access & GWALK_WRITE) ? E_D : 0));
    w->gpa = (*leaf & E_ADDR & ~((1ull << shift) - 1)) | (va & ((1u << shift) - 1));
    w->page_shift = shift;
    w->dirty = (*leaf & E_D) != 0;
    return GWALK_OK;
}

int gwalk(const struct gwalk_cpu *c, gwalk_mem_fn mem, void *ctx, uint32_t va,
          unsigned access, struct gwalk *w)
{
    *w = (struct gwalk){ 0 };
    if (!(c->cr0 & GWALK_CR0_PG)) {
        *w = (struct gwalk){ .gpa = va, .writable = 1, .user = 1, .dirty = 1 };
        return GWALK_OK;
    }
    int pae = (c->cr4 & GWALK_CR4_PAE) != 0;
    int write = (access & GWALK_WRITE) != 0;
    struct walk k = { mem, ctx, w, 0, (access & GWALK_SET_AD) != 0 };
    k.error = (write ? GWALK_PF_W : 0) | ((access & GWALK_USER) ? GWALK_PF_U : 0);
    if (!write && (access & GWALK_FETCH) &&
        ((pae && c->nxe) || (c->cr4 & GWALK_CR4_SMEP)))
        k.error |= GWALK_PF_ID;
    return pae ? walk_pae(c, &k, va, access) : walk32(c, &k, va, access);
}
