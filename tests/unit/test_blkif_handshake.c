/* Unit tests: the block driver's XenbusState handshake (blk/handshake.c)
 * over a fake store, and over a store that answers every call with an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include "handshake.h"

#define FE "device/vbd/51712"
#define BE "backend/vbd/2/51712"

static struct { char path[64], val[64]; } keys[64];
static unsigned nkeys, writes;
static char watched[4][64];
static unsigned nwatch;

static int fs_read(void *ctx, const char *path, char *buf, size_t size)
{
    (void)ctx;
    for (unsigned i = 0; i < nkeys; i++)
        if (!strcmp(keys[i].path, path)) {
            size_t n = strlen(keys[i].val);
            if (n + 1 > size)
                return -XEN_E2BIG;
            memcpy(buf, keys[i].val, n + 1);
            return (int)n;
        }
    return -XEN_ENOENT;
}
static int fs_write(void *ctx, const char *path, const char *value)
{
    (void)ctx;
    writes++;
    for (unsigned i = 0; i < nkeys; i++)
        if (!strcmp(keys[i].path, path)) {
            snprintf(keys[i].val, sizeof(keys[i].val), "%s", value);
            return 0;
        }
    assert_true(nkeys < 64);
    snprintf(keys[nkeys].path, 64, "%s", path);
    snprintf(keys[nkeys].val, 64, "%s", value);
    nkeys++;
    return 0;
}
static int fs_watch(void *ctx, const char *path, const char *token)
{
    (void)ctx; (void)token;
    assert_true(nwatch < 4);
    snprintf(watched[nwatch++], 64, "%s", path);
    return 0;
}
static const struct xenbus fake = { fs_read, fs_write, fs_watch, NULL };

static const char *get(const char *path)
{
    static char buf[64];
    return fs_read(NULL, path, buf, sizeof(buf)) < 0 ? NULL : buf;
}
static void set(const char *path, const char *v) { fs_write(NULL, path, v); }

static unsigned connects;
static uint32_t got_ref, got_port;
static int connect_rc;
static int on_connect(void *ctx, uint32_t ref, uint32_t port)
{
    (void)ctx;
    connects++;
    got_ref = ref;
    got_port = port;
    return connect_rc;
}

static int setup(void **state)
{
    (void)state;
    nkeys = writes = nwatch = connects = 0;
    connect_rc = 0;
    set(FE "/backend", BE);             /* what the toolstack writes */
    set(BE "/frontend", FE);
    return 0;
}

static struct blkfront_hs fh;
static struct blkback_hs bh;

static void test_handshake(void **state)
{
    (void)state;
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 16384, 0, on_connect, NULL), BLKHS_WAITING);
    assert_string_equal(get(BE "/state"), "2");
    assert_string_equal(watched[0], FE "/state");
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_WAITING);
    assert_string_equal(watched[1], BE "/state");
    assert_string_equal(get(FE "/ring-ref"), "8");
    assert_string_equal(get(FE "/event-channel"), "5");
    assert_string_equal(get(FE "/protocol"), "x86_32-abi");
    assert_string_equal(get(FE "/state"), "3");
    assert_null(get(BE "/sectors"));
    assert_int_equal(blkback_hs_step(&bh), BLKHS_CONNECTED);
    assert_int_equal(connects, 1);
    assert_int_equal(got_ref, 8);
    assert_int_equal(got_port, 5);
    assert_string_equal(get(BE "/sectors"), "16384");
    assert_string_equal(get(BE "/info"), "0");
    assert_string_equal(get(BE "/sector-size"), "512");
    assert_string_equal(get(BE "/state"), "4");
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_CONNECTED);
    assert_string_equal(get(FE "/state"), "4");
    assert_int_equal(fh.sectors, 16384);
    assert_int_equal(fh.sector_size, 512);
    assert_int_equal(fh.info, 0);
    /* more watch events change nothing */
    unsigned w = writes;
    assert_int_equal(blkback_hs_step(&bh), BLKHS_CONNECTED);
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_CONNECTED);
    assert_int_equal(writes, w);
    assert_int_equal(connects, 1);
    /* the frontend goes away: the backend disconnects */
    set(FE "/state", "5");
    assert_int_equal(blkback_hs_step(&bh), BLKHS_FAILED);
    assert_string_equal(bh.why, "the frontend closed");
    assert_string_equal(get(BE "/state"), "5");
}

static void test_frontend_first(void **state)
{
    (void)state;
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 77, 3), BLKHS_WAITING);
    assert_string_equal(get(FE "/state"), "1");
    assert_null(get(FE "/ring-ref"));
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_WAITING);
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 100, 4, on_connect, NULL),
                     BLKHS_WAITING);
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_WAITING);
    assert_string_equal(get(FE "/state"), "3");
    assert_int_equal(blkback_hs_step(&bh), BLKHS_CONNECTED);
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_CONNECTED);
    assert_int_equal(fh.info, 4);
    assert_int_equal(got_ref, 77);
}

static void backend_refuses(const char *key, const char *val, const char *why)
{
    setup(NULL);
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 100, 0, on_connect, NULL), BLKHS_WAITING);
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_WAITING);
    if (val)
        set(key, val);
    else
        for (unsigned i = 0; i < nkeys; i++)
            if (!strcmp(keys[i].path, key))
                keys[i].path[0] = '\0';          /* removed */
    assert_int_equal(blkback_hs_step(&bh), BLKHS_FAILED);
    assert_string_equal(bh.why, why);
    assert_int_equal(connects, 0);
    assert_string_equal(get(BE "/state"), "5");
    assert_null(get(BE "/sectors"));
    assert_int_equal(blkback_hs_step(&bh), BLKHS_FAILED);      /* stays failed */
    assert_int_equal(connects, 0);
    /* the frontend sees Closing and gives up */
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_FAILED);
    assert_string_equal(fh.why, "the backend closed");
    assert_string_equal(get(FE "/state"), "6");
}

static void test_backend_refuses(void **state)
{
    (void)state;
    const char *bad = "bad ring-ref or event-channel";
    backend_refuses(FE "/ring-ref", "12x", bad);
    backend_refuses(FE "/ring-ref", "", bad);
    backend_refuses(FE "/ring-ref", "-1", bad);
    backend_refuses(FE "/ring-ref", "4294967296", bad);
    backend_refuses(FE "/ring-ref", "99999999999999999999999", bad);
    backend_refuses(FE "/event-channel", NULL, bad);
    backend_refuses(FE "/event-channel", " 5", bad);
    backend_refuses(FE "/protocol", "x86_64-abi", "unsupported protocol");
    setup(NULL);
    connect_rc = -1;
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 100, 0, on_connect, NULL), BLKHS_WAITING);
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_WAITING);
    assert_int_equal(blkback_hs_step(&bh), BLKHS_FAILED);
    assert_string_equal(bh.why, "cannot connect the ring");
    assert_int_equal(connects, 1);
}

static void test_ring_ref_limits(void **state)
{
    (void)state;
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 100, 0, on_connect, NULL), BLKHS_WAITING);
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 4294967295u, 0), BLKHS_WAITING);
    assert_string_equal(get(FE "/ring-ref"), "4294967295");
    assert_int_equal(blkback_hs_step(&bh), BLKHS_CONNECTED);
    assert_int_equal(got_ref, 4294967295u);
    assert_int_equal(got_port, 0);
}

static void test_frontend_refuses(void **state)
{
    (void)state;
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 100, 0, on_connect, NULL), BLKHS_WAITING);
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_WAITING);
    assert_int_equal(blkback_hs_step(&bh), BLKHS_CONNECTED);
    set(BE "/sector-size", "4096");
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_FAILED);
    assert_string_equal(fh.why, "sector-size is not 512");
    assert_string_equal(get(FE "/state"), "6");
    setup(NULL);
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 100, 0, on_connect, NULL), BLKHS_WAITING);
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_WAITING);
    assert_int_equal(blkback_hs_step(&bh), BLKHS_CONNECTED);
    set(BE "/sectors", "lots");
    assert_int_equal(blkfront_hs_step(&fh), BLKHS_FAILED);
    assert_string_equal(fh.why, "bad sectors, info or sector-size");
    /* a backend state that is no state: waiting, not failing */
    setup(NULL);
    set(BE "/state", "9");
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_WAITING);
    assert_string_equal(get(FE "/state"), "1");
}

static int fail_read(void *ctx, const char *path, char *buf, size_t size)
{
    (void)ctx; (void)path; (void)buf; (void)size;
    return -XEN_ETIME;
}
static int fail_write(void *ctx, const char *path, const char *value)
{
    (void)ctx; (void)path; (void)value;
    return -XEN_ETIME;
}
static int fail_watch(void *ctx, const char *path, const char *token)
{
    (void)ctx; (void)path; (void)token;
    return -XEN_ETIME;
}
static const struct xenbus failing = { fail_read, fail_write, fail_watch, NULL };

static void test_no_paths(void **state)
{
    (void)state;
    nkeys = 0;
    assert_int_equal(blkfront_hs_start(&fh, &fake, FE, 8, 5), BLKHS_FAILED);
    assert_string_equal(fh.why, "no backend path");
    assert_int_equal(blkback_hs_start(&bh, &fake, BE, 1, 0, on_connect, NULL), BLKHS_FAILED);
    assert_string_equal(bh.why, "no frontend path");
    char longp[100];
    memset(longp, 'a', 99);
    longp[99] = '\0';
    assert_int_equal(blkfront_hs_start(&fh, &fake, longp, 8, 5), BLKHS_FAILED);
    assert_string_equal(fh.why, "device path too long");
    /* a store that fails every call (a store that timed out): the
     * handshake fails at once, never waits */
    assert_int_equal(blkfront_hs_start(&fh, &failing, FE, 8, 5), BLKHS_FAILED);
    assert_string_equal(fh.why, "no backend path");
    assert_int_equal(blkback_hs_start(&bh, &failing, BE, 1, 0, on_connect, NULL), BLKHS_FAILED);
    assert_string_equal(bh.why, "no frontend path");
}

static void test_parse(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(blkhs_parse_u64("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(blkhs_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(blkhs_parse_u64("18446744073709551616", UINT64_MAX, &v), -1);
    assert_int_equal(blkhs_parse_u64("11", 10, &v), -1);
    assert_int_equal(blkhs_parse_u64("10", 10, &v), 0);
    assert_int_equal(blkhs_parse_u64("", 10, &v), -1);
    assert_int_equal(blkhs_parse_u64("+1", 10, &v), -1);
    assert_int_equal(blkhs_parse_u64("000000000000000000001", UINT64_MAX, &v), -1);   /* 21 digits */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_handshake, setup),
        cmocka_unit_test_setup(test_frontend_first, setup),
        cmocka_unit_test_setup(test_backend_refuses, setup),
        cmocka_unit_test_setup(test_ring_ref_limits, setup),
        cmocka_unit_test_setup(test_frontend_refuses, setup),
        cmocka_unit_test_setup(test_no_paths, setup),
        cmocka_unit_test_setup(test_parse, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
