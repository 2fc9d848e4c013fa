/*
 * bthostile's generated-code attacks (tests/mbkern/bthostile.c):
 *   tcfill  3 MiB of distinct code blocks (bt's translation cache is 2 MiB,
 *           bt/layout.h), each 26 arithmetic instructions on eax and edx
 *           and a ret, called one after another; then the first 2048
 *           again; then 8192 in a stride across all. Every result is
 *           checked against the same arithmetic done in C.
 *   rets    8192 stubs (add an immediate to eax, ret) reached by one ret
 *           instruction 24576 times in a scattered order: a ret to many
 *           different addresses; then 128 stubs 64 KiB apart, which share
 *           one entry of bt's lookup table (indexed by the target's low 16
 *           bits, bt/layout.h), 4096 rets among them.
 */
#include "mbkern.h"

void attack_tcfill(void);
void attack_rets(void);

static uint32_t rng = 0x12345678;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* ---- tcfill ---- */

#define STRIDE 80u
#define GEN_SIZE (3u << 20)
#define NBLOCKS (GEN_SIZE / STRIDE)
static uint8_t gen[GEN_SIZE] __attribute__((aligned(4096)));

struct group { uint32_t a, b, c, d, e; uint8_t r; };
static struct group groups[NBLOCKS][2];

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static uint8_t *emit_group(uint8_t *p, const struct group *g)
{
    *p++ = 0x05, p = put32(p, g->a);                 /* addl $a, %eax */
    *p++ = 0x35, p = put32(p, g->b);                 /* xorl $b, %eax */
    *p++ = 0x69, *p++ = 0xC0, p = put32(p, g->c);    /* imull $c, %eax, %eax */
    *p++ = 0xC1, *p++ = 0xC0, *p++ = g->r;           /* roll $r, %eax */
    *p++ = 0x2D, p = put32(p, g->d);                 /* subl $d, %eax */
    *p++ = 0x81, *p++ = 0xF2, p = put32(p, g->e);    /* xorl $e, %edx */
    *p++ = 0x01, *p++ = 0xC2;                        /* addl %eax, %edx */
    return p;
}

static void sim_group(const struct group *g, uint32_t *eax, uint32_t *edx)
{
    uint32_t x = *eax;
    x += g->a;
    x ^= g->b;
    x *= g->c;
    x = x << g->r | x >> (32 - g->r);
    x -= g->d;
    *edx ^= g->e;
    *edx += x;
    *eax = x;
}

static void run_block(unsigned i, uint32_t *eax, uint32_t *edx)
{
    uint32_t a = *eax, d = *edx;
    __asm__ volatile("call *%2" : "+a"(a), "+d"(d) : "r"(gen + i * STRIDE) : "ecx", "memory", "cc");
    *eax = a, *edx = d;
}

static void sim_block(unsigned i, uint32_t *eax, uint32_t *edx)
{
    sim_group(&groups[i][0], eax, edx);
    sim_group(&groups[i][1], eax, edx);
}

/* calls n blocks, the k-th being (first + k * step) % NBLOCKS; 1 if the
 * results are the simulation's */
static int pass(unsigned first, unsigned step, unsigned n, uint32_t seed, uint32_t *sum)
{
    uint32_t ea = seed, ed = 0, sa = seed, sd = 0;
    unsigned bad = 0;
    for (unsigned k = 0, i = first; k < n; k++, i = (i + step) % NBLOCKS) {
        run_block(i, &ea, &ed);
        sim_block(i, &sa, &sd);
        if (ea != sa || ed != sd) {
            bad++;
            ea = sa, ed = sd;
        }
    }
    *sum = ea ^ ed;
    if (bad)
        mbk_printf("# %u blocks gave other results\n", bad);
    return bad == 0;
}

void attack_tcfill(void)
{
    for (unsigned i = 0; i < NBLOCKS; i++) {
        uint8_t *p = gen + i * STRIDE;
        for (unsigned h = 0; h < 2; h++) {
            struct group *g = &groups[i][h];
            g->a = next(), g->b = next(), g->c = next() | 1, g->d = next(), g->e = next();
            g->r = (uint8_t)(1 + next() % 31);
            p = emit_group(p, g);
        }
        *p++ = 0xC3;                                 /* ret */
        while (p < gen + (i + 1) * STRIDE)
            *p++ = 0xCC;
    }
    mbk_printf("# %u blocks of %u bytes, %u bytes of code\n", NBLOCKS, STRIDE, NBLOCKS * STRIDE);
    uint32_t s1, s2, s3;
    int ok1 = pass(0, 1, NBLOCKS, 1, &s1);
    int ok2 = pass(0, 1, 2048, 2, &s2);
    int ok3 = pass(7, 4099, 8192, 3, &s3);
    mbk_printf("# checksums 0x%x 0x%x 0x%x\n", s1, s2, s3);
    report(ok1, "%u distinct blocks (3 MiB) run in order: every result right", NBLOCKS);
    report(ok2, "the first 2048 again: every result right");
    report(ok3, "8192 blocks in a stride of 4099 across all: every result right");
}

/* ---- rets ---- */

#define NSTUBS 8192u
#define STUB 16u
static uint8_t stubs[NSTUBS * STUB] __attribute__((aligned(4096)));
static uint32_t stub_k[NSTUBS];

/* ret_to: eax in and out, edx the address the ret goes to; the code there
 * ends in a ret that comes back to 1: */
__asm__(".text\n"
        ".globl bt_ret_to\n"
        "bt_ret_to:\n"
        "  pushl $1f\n"
        "  pushl %edx\n"
        "  ret\n"
        "1: ret\n");

/* 128 stubs 64 KiB apart: the same low 16 bits */
#define NFAR 128u
#define FAR_STRIDE 0x10000u
static uint8_t farstubs[NFAR * FAR_STRIDE] __attribute__((aligned(FAR_STRIDE)));
static uint32_t far_k[NFAR];

static uint32_t ret_to(uint32_t eax, const uint8_t *target)
{
    __asm__ volatile("call bt_ret_to" : "+a"(eax) : "d"(target) : "ecx", "memory", "cc");
    return eax;
}

static void put_stub(uint8_t *p, uint32_t k)        /* addl $k, %eax; ret */
{
    p[0] = 0x05;
    put32(p + 1, k);
    p[5] = 0xC3;
}

void attack_rets(void)
{
    for (unsigned i = 0; i < NSTUBS; i++) {
        uint8_t *p = stubs + i * STUB;
        stub_k[i] = next();
        put_stub(p, stub_k[i]);
        for (unsigned j = 6; j < STUB; j++)
            p[j] = 0xCC;
    }
    uint32_t eax = 0, want = 0;
    unsigned bad = 0;
    for (unsigned j = 0; j < 3 * NSTUBS; j++) {
        unsigned i = (j * 2731u + 17u) % NSTUBS;
        uint32_t before = eax;
        eax = ret_to(eax, stubs + i * STUB);
        want += stub_k[i];
        if (eax != before + stub_k[i])
            bad++;
    }
    mbk_printf("# rets: sum 0x%x\n", eax);
    report(bad == 0 && eax == want, "one ret to %u different addresses, %u times: each reached its stub",
           NSTUBS, 3 * NSTUBS);

    for (unsigned i = 0; i < NFAR; i++)
        put_stub(farstubs + i * FAR_STRIDE + 0x123, far_k[i] = next());
    eax = 0, want = 0, bad = 0;
    for (unsigned j = 0; j < 4096; j++) {
        unsigned i = (j * 37u + j / 128u) % NFAR;
        uint32_t before = eax;
        eax = ret_to(eax, farstubs + i * FAR_STRIDE + 0x123);
        want += far_k[i];
        if (eax != before + far_k[i])
            bad++;
    }
    mbk_printf("# rets 64 KiB apart: sum 0x%x\n", eax);
    report(bad == 0 && eax == want, "a ret to %u addresses with the same low 16 bits, 4096 times: each reached its stub",
           NFAR);
}
