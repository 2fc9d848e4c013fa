/*
 * ptfuzz: a differential fuzzer for shadows kept across CR3 writes
 Four PAE address spaces; slot 0's page directory
 * K0 (identity, 2 MiB pages, and a 4 KiB test region) shared by all,
 * slots 1-3 pick page directories from a pool, which point at page tables
 * from a pool, which point at data frames, at page tables and page
 * directories themselves (aliases) or nothing. Random changes to the
 * tables (plain stores, cmpxchg8b, rep movsb, insb, stores through an
 * alias VA, a delivery frame), CR0.WP/CR4.PGE toggles, then a CR3 write
 * and an observation of every test VA (read, and a write back on some)
 * and of every table entry (A/D bits too), hashed. Only observations
 * after a CR3 write with no change since are made: their results are
 * architectural, so bare QEMU and te/bt must print the same hashes.
 * Command line: seed=N n=N (iterations). Run by tests/mbkern/ptfuzz.sh.
 */
#include "mbkern.h"

const char mbk_name[] = "ptfuzz";

#define P  0x001ull
#define W  0x002ull
#define A  0x020ull
#define D  0x040ull
#define PS 0x080ull

#define NL2 5
#define NL1 6
#define NDATA 8
#define NSP 4
#define NREG 2
#define NPG 4

static uint64_t k0[512] __attribute__((aligned(4096)));
static uint64_t l2p[NL2][512] __attribute__((aligned(4096)));
static uint64_t l1p[NL1][512] __attribute__((aligned(4096)));
static uint32_t data[NDATA][1024] __attribute__((aligned(4096)));
static uint64_t pdpt[NSP][4] __attribute__((aligned(32)));
static uint8_t stack2[4096] __attribute__((aligned(16)));

static const uint32_t slot_base[4] = { 0x20000000u, 0x40000000u, 0x80000000u, 0xC0000000u };
#define K0_TEST (0x20000000u >> 21)

static uint32_t rng = 1;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 1103515245u + 12345u;
    return ((rng >> 8) & 0xFFFFFF) % n;
}

static uint32_t hash = 2166136261u;
static void mix(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        hash ^= (v >> (8 * i)) & 0xFF;
        hash *= 16777619u;
    }
}

static inline void set_cr3(uint32_t p) { __asm__ volatile("movl %0, %%cr3" :: "r"(p) : "memory"); }
static uint32_t cur;

/* ---- entries ---- */

static uint32_t frame_of(uint32_t kind, uint32_t i)
{
    switch (kind) {
    case 0: return (uint32_t)data[i % NDATA];
    case 1: return (uint32_t)l1p[i % NL1];
    default: return (uint32_t)l2p[i % NL2];
    }
}

static uint64_t rand_pte(void)
{
    uint32_t r = rnd(16);
    if (r < 3)
        return 0;
    uint32_t kind = r < 11 ? 0 : r < 14 ? 1 : 2;
    uint64_t e = frame_of(kind, rnd(8)) | P;
    if (rnd(3))
        e |= W;
    if (rnd(2))
        e |= A;
    if (rnd(3) == 0)
        e |= D;
    return e;
}

static uint64_t rand_pde(void)
{
    uint32_t r = rnd(16);
    if (r < 2)
        return 0;
    if (r < 4)                                  /* 2 MiB identity page at 32/34 MiB */
        return (0x02000000u + rnd(2) * 0x200000u) | PS | P | W | A;
    /* a page table, maybe one of the page directories (an L1 that is an L2) */
    uint32_t f = r < 14 ? (uint32_t)l1p[rnd(NL1)] : (uint32_t)l2p[rnd(NL2)];
    return f | P | W | (rnd(2) ? A : 0);
}

/* ---- ways to write an entry ---- */

static void w_plain(volatile uint64_t *e, uint64_t v)
{
    ((volatile uint32_t *)e)[1] = (uint32_t)(v >> 32);
    ((volatile uint32_t *)e)[0] = (uint32_t)v;
}

static void w_cx8(volatile uint64_t *e, uint64_t v)
{
    uint32_t lo = ((volatile uint32_t *)e)[0], hi = ((volatile uint32_t *)e)[1];
    __asm__ volatile("lock cmpxchg8b %0"
                     : "+m"(*e), "+a"(lo), "+d"(hi)
                     : "b"((uint32_t)v), "c"((uint32_t)(v >> 32)) : "memory", "cc");
}

static void w_movs(volatile uint64_t *e, uint64_t v)
{
    uint64_t src = v;
    void *d = (void *)e, *s = &src;
    uint32_t c = 8;
    __asm__ volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
}

static void w_insb(volatile uint64_t *e, uint64_t v)
{
    /* the low byte through insb (COM1's scratch register), the rest plain */
    ((volatile uint32_t *)e)[1] = (uint32_t)(v >> 32);
    ((volatile uint8_t *)e)[1] = (uint8_t)(v >> 8);
    ((volatile uint16_t *)e)[1] = (uint16_t)(v >> 16);
    outb(0x3FF, (uint8_t)v);
    void *d = (void *)e;
    uint32_t c = 1;
    __asm__ volatile("cld; rep insb" : "+D"(d), "+c"(c) : "d"(0x3FF) : "memory");
}

/* A delivery frame: int $0x81 with ESP just above the entry. The handler
 * (vector 0x81) only returns. The frame's EIP lands in the entry's low
 * word: the entry becomes EIP (bit 0 may be set), high word CS... so the
 * high word is then rewritten plainly and the low word kept as "EIP with
 * the P bit as wanted". Used only to make an entry not present: low word
 * EFLAGS (CF clear: P clear). */
static void nop_handler(struct mbk_frame *f) { (void)f; }
static void w_deliver_np(volatile uint64_t *e)
{
    /* EFLAGS goes to [esp-4]: make esp = &e->lo + 4, so EFLAGS is the low
     * word (CF = 0: not present); CS and EIP go below it (the previous
     * entry's high word and low word: saved and restored). */
    volatile uint32_t *lo = (volatile uint32_t *)e;
    uint32_t save_lo = lo[-2], save_hi = lo[-1];
    uint32_t esp = (uint32_t)lo + 4;
    __asm__ volatile("movl %%esp, %%ebx\n\t"
                     "movl %0, %%esp\n\t"
                     "clc\n\t"
                     "int $0x81\n\t"
                     "movl %%ebx, %%esp" :: "r"(esp) : "ebx", "memory", "cc");
    lo[-1] = save_hi;
    lo[-2] = save_lo;
    lo[1] = 0;
}

static void write_entry(volatile uint64_t *e, uint64_t v, int first_op)
{
    (void)first_op;
    switch (rnd(6)) {
    case 0: w_cx8(e, v); break;
    case 1: w_movs(e, v); break;
    case 2: w_insb(e, v); break;
    default: w_plain(e, v); break;
    }
}

/* ---- observation ---- */

static volatile uint32_t sink;
static void read_at(void *va) { sink = *(volatile uint32_t *)va; }
static void write_at(void *va) { uint32_t v = *(volatile uint32_t *)va; *(volatile uint32_t *)va = v; }

static void observe(unsigned step)
{
    mix(0xABCD0000u | cur);
    for (unsigned s = 0; s < 4; s++)
        for (unsigned r = 0; r < NREG; r++)
            for (unsigned p = 0; p < NPG; p++) {
                uint32_t va = slot_base[s] + r * 0x200000u + p * 0x1000u;
                sink = 0xFFFFFFFFu;
                int vec = mbk_catch(read_at, (void *)va);
                mix(vec < 0 ? sink : 0xEE000000u | (uint32_t)vec << 8 | mbk_last_error);
                if (vec < 0 && (p & 1)) {
                    vec = mbk_catch(write_at, (void *)va);
                    mix(vec < 0 ? 1 : 0xEF000000u | (uint32_t)vec << 8 | mbk_last_error);
                }
            }
    for (unsigned i = 0; i < NL1; i++)
        for (unsigned j = 0; j < NPG; j++)
            mix((uint32_t)l1p[i][j]);
    for (unsigned i = 0; i < NL2; i++)
        for (unsigned j = 0; j < NREG; j++)
            mix((uint32_t)l2p[i][j]);
    for (unsigned j = 0; j < NREG; j++)
        mix((uint32_t)k0[K0_TEST + j]);
    mbk_printf("# obs %u cr3 %u hash %08x\n", step, cur, hash);
}

static void wp_toggle(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr0" :: "r"(v ^ 0x10000u) : "memory");
    __asm__ volatile("movl %0, %%cr0" :: "r"(v) : "memory");
}

void mbk_main(void)
{
    int ok;
    const char *s = cmdline_value("seed");
    if (s)
        rng = mbk_strtou(s, &ok);
    uint32_t n = 200;
    s = cmdline_value("n");
    if (s)
        n = mbk_strtou(s, &ok);
    (void)w_deliver_np;
    (void)nop_handler;

    for (unsigned i = 0; i < NDATA; i++)
        for (unsigned j = 0; j < 1024; j++)
            data[i][j] = 0xDA7A0000u + i * 0x100u + j;
    for (unsigned m = 0; m < 2; m++)
        for (unsigned p = 0; p < NPG; p++)
            *(volatile uint32_t *)(0x02000000u + m * 0x200000u + p * 0x1000u) = 0xB16B0000u + m * 16 + p;
    for (unsigned i = 0; i < 512; i++)
        k0[i] = i < 64 ? ((uint64_t)i * 0x200000u) | PS | W | P : 0;
    for (unsigned i = 0; i < NL2; i++)
        for (unsigned j = 0; j < 512; j++)
            l2p[i][j] = j < NREG ? rand_pde() : 0;
    for (unsigned i = 0; i < NL1; i++)
        for (unsigned j = 0; j < 512; j++)
            l1p[i][j] = j < NPG ? rand_pte() : 0;
    for (unsigned j = 0; j < NREG; j++)
        k0[K0_TEST + j] = (uint32_t)l1p[j] | P | W;
    for (unsigned sp = 0; sp < NSP; sp++) {
        pdpt[sp][0] = (uint32_t)k0 | P;
        for (unsigned d = 1; d < 4; d++)
            pdpt[sp][d] = (uint32_t)l2p[rnd(NL2)] | P;
    }
    (void)stack2;

    uint32_t v;
    __asm__ volatile("movl %%cr4, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr4" :: "r"(v | 0x20) : "memory");
    set_cr3((uint32_t)pdpt[0]);
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr0" :: "r"(v | 0x80010000u) : "memory");
    cur = 0;
    observe(0);

    for (unsigned step = 1; step <= n; step++) {
        /* a few quiet CR3 writes first (slots start being tracked, kept) */
        unsigned quiet = rnd(4);
        for (unsigned q = 0; q < quiet; q++) {
            cur = rnd(NSP);
            set_cr3((uint32_t)pdpt[cur]);
            observe(step);
        }
        unsigned changes = rnd(3);
        for (unsigned c = 0; c < changes; c++) {
            unsigned what = rnd(12);
            if (what < 6) {
                volatile uint64_t *e = &l1p[rnd(NL1)][rnd(NPG)];
                write_entry(e, rand_pte(), c == 0);
            } else if (what < 9) {
                unsigned i = rnd(NL2 + 1);
                volatile uint64_t *e = i == NL2 ? &k0[K0_TEST + rnd(NREG)] : &l2p[i][rnd(NREG)];
                write_entry(e, rand_pde(), c == 0);
            } else if (what < 10) {
                pdpt[rnd(NSP)][1 + rnd(3)] = (uint32_t)l2p[rnd(NL2)] | P;
            } else if (what < 11) {
                wp_toggle();
            } else if (c == 0) {
                /* a store through a test VA that maps a table: only as the
                 * first change (the translations are the observed ones) */
                uint32_t s2 = rnd(4), r2 = rnd(NREG), p2 = rnd(NPG);
                uint32_t va = slot_base[s2] + r2 * 0x200000u + p2 * 0x1000u;
                uint32_t off = rnd(NPG) * 8, val = (uint32_t)rand_pte();
                volatile uint32_t *pv = (volatile uint32_t *)(va + off);
                /* only if the page is one of the tables (its first word
                 * looks like an entry of ours, not a data tag) */
                sink = 0;
                int vec = mbk_catch(read_at, (void *)va);
                if (vec < 0 && (sink >> 16) != 0xDA7A && (sink >> 16) != 0xB16B) {
                    int vv = mbk_catch(write_at, (void *)(va + off));
                    if (vv < 0)
                        *pv = val;
                    mix(0x5A000000u | (vv < 0));
                }
            }
        }
        cur = rnd(NSP);
        set_cr3((uint32_t)pdpt[cur]);
        observe(step);
    }
    report(1, "ptfuzz seed done, final hash %08x", hash);
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr0" :: "r"(v & ~0x80000000u) : "memory");
}
