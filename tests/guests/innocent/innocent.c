/*
 * innocent: the domain that runs beside every hostile one. It fills 1 MiB
 * of its memory with a pattern from a seeded PRNG, then checks it every
 * 20 ms until the attacker says it is done (an event on the port it offers
 * domain `peer`, default 1) or `max_ms` (default 5000) pass, and prints the
 * checksum at both ends. The pattern's checksum is known: any change to the
 * innocent's memory, or an attacker that stopped it, shows. It keeps a
 * secret in its x87 registers too (fpu_secret.h) and checks them at every
 * wake-up: they must come back unchanged, whatever ran meanwhile.
 * With xs=1 it also uses xenstore at every wake-up (xs.c) and says at the
 * end how many round trips it made and the longest (tests/guests/xsatk.sh).
 */
#include "fpu_secret.h"
#include "guest.h"
#include "xs.h"

static uint64_t secret[8], xsecret[16];
static int sse;

/* 1 if the x87 registers still hold the secret; reloads it either way. */
static int fpu_intact(uint64_t *first)
{
    uint64_t got[8];
    uint16_t cw = fpu_secret_read(got);
    int same = cw == FPU_SECRET_CW;
    for (int i = 0; i < 8; i++)
        same &= got[i] == secret[i];
    *first = got[0];
    fpu_secret_load(secret, FPU_SECRET_CW);
    if (sse) {
        uint64_t x[16];
        fpu_xmm_read(x);
        for (int i = 0; i < 16; i++)
            same &= x[i] == xsecret[i];
    }
    return same;
}

#define PAGES 256u
#define WORDS (PAGES * 4096u / 4u)

static uint32_t checksum(void)
{
    const volatile uint32_t *m = (const uint32_t *)GUEST_SCRATCH_VA;
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < WORDS; i++)
        h = (h ^ m[i]) * 16777619u;
    return h;
}

int guest_main(void)
{
    uint32_t x = cmdline_num("seed", 1) | 1, max_ms = cmdline_num("max_ms", 5000);
    volatile uint32_t *m = (uint32_t *)GUEST_SCRATCH_VA;
    for (uint32_t i = 0; i < WORDS; i++) {      /* xorshift32 */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        m[i] = x;
    }
    uint32_t sum = checksum();
    for (int i = 0; i < 8; i++)
        secret[i] = FPU_SECRET(1, i);
    fpu_secret_load(secret, FPU_SECRET_CW);
    sse = fpu_has_sse();
    for (int i = 0; i < 16; i++)
        xsecret[i] = FPU_SECRET(1, 8 + i);
    if (sse)
        fpu_xmm_write(xsecret);
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)cmdline_num("peer", 1), 0 };
    int32_t rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    printf("innocent: %u pages, checksum %#x, waiting on port %u (%d)\n", PAGES, (unsigned)sum,
           (unsigned)a.port, (int)rc);
    int xs = (int)cmdline_num("xs", 0);
    unsigned xs_rounds = 0, xs_failed = 0;
    uint64_t xs_longest = 0;
    if (xs)
        innocent_xs_init();
    uint64_t start = system_time_ns();
    unsigned checks = 0;
    int signalled = 0;
    for (;;) {
        uint64_t now = system_time_ns();
        if (now - start > (uint64_t)max_ms * 1000000u)
            break;
        if (rc == 0)
            poll_port(a.port, now + 20000000u);
        else
            hv_sched_op(SCHEDOP_yield, NULL);
        checks++;
        if (checksum() != sum) {
            printf("innocent: memory changed after %u checks\n", checks);
            return 1;
        }
        uint64_t st0;
        if (!fpu_intact(&st0)) {
            printf("innocent: x87%s registers changed after %u checks (st0 %#x%08x)\n",
                   sse ? " or SSE" : "",
                   checks, (unsigned)(st0 >> 32), (unsigned)st0);
            return 1;
        }
        if (rc == 0 && (shared_info->evtchn_pending[a.port / 32] & (1u << (a.port % 32)))) {
            signalled = 1;
            break;
        }
        uint64_t took;
        if (xs && !xs_failed) {
            if (innocent_xs_round(xs_rounds + 1, &took) == 0) {
                xs_rounds++;
                if (took > xs_longest)
                    xs_longest = took;
            } else {
                xs_failed = xs_rounds + 1;
            }
        }
    }
    if (xs && xs_failed)
        printf("innocent: xenstore: round trip %u not answered right\n", xs_failed);
    else if (xs)
        printf("innocent: xenstore: %u round trips, every answer right, longest %u us\n",
               xs_rounds, (unsigned)(xs_longest / 1000));
    printf("innocent: x87%s registers intact after %u checks\n", sse ? " and SSE" : "", checks);
    printf("innocent: checksum %#x %s\n", (unsigned)checksum(),
           signalled ? "after the attacker's signal" : "after max_ms without a signal");
    return 0;
}
