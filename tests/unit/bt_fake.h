/* A fake guest for bt's translator and cache tests: GUEST_PAGES pages of
 * guest code at GUEST_VA (frame GUEST_GPFN0 + page), each readable or not,
 * an optional forced-callout address, and a hex helper. */
#ifndef TESTS_UNIT_BT_FAKE_H
#define TESTS_UNIT_BT_FAKE_H

#include <stdlib.h>
#include <string.h>

#include "bt/translate.h"

#define GUEST_VA     0xC0100000u
#define GUEST_PAGES  8u
#define GUEST_GPFN0  0x100u

struct fake_guest {
    uint8_t mem[GUEST_PAGES * 4096u];
    int unreadable[GUEST_PAGES];
    uint32_t forced[4];
    unsigned nforced;
    uint32_t frames[16];      /* code_frame calls */
    unsigned nframes;
    unsigned fetches;
};

static size_t fake_fetch(void *ctx, uint32_t va, uint8_t *buf, size_t n, uint32_t *gpfn)
{
    struct fake_guest *g = ctx;
    size_t got = 0;
    g->fetches++;
    if (n > 16)
        return 0;
    *gpfn = 0xFFFFFFFFu;
    while (got < n) {
        uint32_t a = va + (uint32_t)got;
        if (a < GUEST_VA || a - GUEST_VA >= sizeof g->mem || g->unreadable[(a - GUEST_VA) >> 12])
            break;
        if (got == 0)
            *gpfn = GUEST_GPFN0 + ((a - GUEST_VA) >> 12);
        buf[got] = g->mem[a - GUEST_VA];
        got++;
    }
    return got;
}

static int fake_force(void *ctx, uint32_t eip)
{
    struct fake_guest *g = ctx;
    for (unsigned i = 0; i < g->nforced; i++)
        if (g->forced[i] == eip)
            return 1;
    return 0;
}

static void fake_frame(void *ctx, uint32_t gpfn)
{
    struct fake_guest *g = ctx;
    if (g->nframes < 16)
        g->frames[g->nframes++] = gpfn;
}

static struct bt_env fake_env(struct fake_guest *g)
{
    return (struct bt_env){ .ctx = g, .fetch = fake_fetch, .force_callout = fake_force,
                            .code_frame = fake_frame };
}

/* "0f 01 d8" -> out; the byte count */
static size_t hex_to(uint8_t *out, const char *s)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        char t[3] = { s[0], s[1], 0 };
        out[n++] = (uint8_t)strtoul(t, NULL, 16);
        s += 2;
    }
    return n;
}

/* Put hex code into the guest at va: its length. */
static size_t put_code(struct fake_guest *g, uint32_t va, const char *s)
{
    return hex_to(&g->mem[va - GUEST_VA], s);
}

#endif
