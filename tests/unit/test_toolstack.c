/* Unit tests: the toolstack's pure rules (core/toolstack_rules.c): Xen's
 * CTRL-a switch, the line editor, the parser and its argument checks, and
 * the exact lines of each answer from a snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/toolstack_rules.h"

/* Feed a string through the switch; what reaches each side. */
static void feed(struct ts_switch *s, const char *in, size_t len, char *guest, char *ts,
                 unsigned *toggles)
{
    size_t g = 0, t = 0;
    for (size_t i = 0; i < len; i++) {
        char out[3];
        int toggled, to_ts = s->to_toolstack;
        unsigned n = ts_switch_byte(s, in[i], out, &toggled);
        assert_true(n <= 3);
        if (toggled) {
            assert_int_equal(n, 0);
            (*toggles)++;
        }
        for (unsigned k = 0; k < n; k++) {
            if (to_ts)
                ts[t++] = out[k];
            else
                guest[g++] = out[k];
        }
    }
    guest[g] = ts[t] = '\0';
}

static void test_switch(void **state)
{
    (void)state;
    struct ts_switch s = { 0, 0 };
    char g[64], t[64];
    unsigned toggles = 0;
    /* Three in a row switch; the bytes after go to the toolstack. */
    feed(&s, "ab\001\001\001list\n", 10, g, t, &toggles);
    assert_string_equal(g, "ab");
    assert_string_equal(t, "list\n");
    assert_int_equal(toggles, 1);
    assert_true(s.to_toolstack);
    /* One or two CTRL-a then another byte: given back, in order. */
    toggles = 0;
    feed(&s, "\001x\001\001y", 5, g, t, &toggles);
    assert_int_equal(toggles, 0);
    assert_string_equal(t, "\001x\001\001y");
    assert_string_equal(g, "");
    /* Six in a row: there and back. */
    feed(&s, "\001\001\001\001\001\001z", 7, g, t, &toggles);
    assert_int_equal(toggles, 2);
    assert_true(s.to_toolstack);
    assert_string_equal(t, "z");
    /* Four: one switch, one pending, given back with the next byte. */
    toggles = 0;
    feed(&s, "\001\001\001\001q", 5, g, t, &toggles);
    assert_int_equal(toggles, 1);
    assert_false(s.to_toolstack);
    assert_string_equal(g, "\001q");
    assert_string_equal(t, "");
}

static void test_line(void **state)
{
    (void)state;
    struct ts_line l;
    ts_line_reset(&l);
    const char *in = "lisx\x7ft";
    for (const char *p = in; *p; p++)
        assert_int_equal(ts_line_feed(&l, *p), 0);
    assert_int_equal(ts_line_feed(&l, '\r'), 1);
    assert_string_equal(l.buf, "list");
    ts_line_reset(&l);
    assert_int_equal(ts_line_feed(&l, '\n'), 0);      /* the LF of CR LF: empty */
    /* Backspace at the start, control bytes and high bytes ignored. */
    assert_int_equal(ts_line_feed(&l, 0x08), 0);
    assert_int_equal(ts_line_feed(&l, 0x1b), 0);
    assert_int_equal(ts_line_feed(&l, (char)0xc3), 0);
    assert_int_equal(ts_line_feed(&l, 'r'), 0);
    assert_int_equal(ts_line_feed(&l, '\n'), 1);
    assert_string_equal(l.buf, "r");
    /* Too long: refused whole, even after backspaces. */
    ts_line_reset(&l);
    for (int i = 0; i < TS_LINE_MAX + 5; i++)
        ts_line_feed(&l, 'a');
    ts_line_feed(&l, 0x7f);
    assert_int_equal(ts_line_feed(&l, '\n'), -1);
    assert_true(l.len <= TS_LINE_MAX);
    ts_line_reset(&l);
    for (int i = 0; i < TS_LINE_MAX; i++)
        ts_line_feed(&l, 'b');
    assert_int_equal(ts_line_feed(&l, '\n'), 1);       /* exactly the limit: kept */
    assert_int_equal(strlen(l.buf), TS_LINE_MAX);
}

static void ok(const char *line, enum ts_op op, uint16_t domid, int all, char key)
{
    struct ts_cmd c;
    char err[96] = "";
    assert_int_equal(ts_parse(line, &c, err, sizeof(err)), 0);
    assert_int_equal(c.op, op);
    assert_int_equal(c.domid, domid);
    assert_int_equal(c.all, all);
    assert_int_equal(c.key, key);
}

static void bad(const char *line, const char *msg)
{
    struct ts_cmd c;
    char err[96] = "";
    assert_int_equal(ts_parse(line, &c, err, sizeof(err)), -1);
    assert_string_equal(err, msg);
}

static void test_parse(void **state)
{
    (void)state;
    ok("help", TS_HELP, 0, 0, 0);
    ok("h", TS_HELP, 0, 0, 'h');
    ok("list", TS_LIST, 0, 0, 0);
    ok("  list  ", TS_LIST, 0, 0, 0);
    ok("q", TS_LIST, 0, 0, 'q');
    ok("destroy 2", TS_DESTROY, 2, 0, 0);
    ok("destroy\t  7 ", TS_DESTROY, 7, 0, 0);
    ok("shutdown 3", TS_SHUTDOWN, 3, 0, 0);
    ok("evtchn 1", TS_EVTCHN, 1, 0, 0);
    ok("e", TS_EVTCHN, 0, 1, 'e');
    ok("grant 65535", TS_GRANT, 65535, 0, 0);
    ok("g", TS_GRANT, 0, 1, 'g');
    ok("runq", TS_RUNQ, 0, 0, 0);
    ok("r", TS_RUNQ, 0, 0, 'r');
    bad("", "empty command");
    bad("   ", "empty command");
    bad("lst", "unknown command 'lst' (h: help)");
    bad("LIST", "unknown command 'LIST' (h: help)");
    bad("averyveryverylongcommandname", "unknown command '...' (h: help)");
    bad("destroy", "usage: destroy <domid>");
    bad("destroy 2 3", "usage: destroy <domid>");
    bad("destroy 0", "'0' is an invalid domain identifier");
    bad("destroy -1", "'-1' is an invalid domain identifier");
    bad("destroy 2x", "'2x' is an invalid domain identifier");
    bad("destroy 65536", "'65536' is an invalid domain identifier");
    bad("destroy 99999999999999999999", "'999999999999999' is an invalid domain identifier");
    bad("shutdown d2", "'d2' is an invalid domain identifier");
    bad("list 2", "usage: list (no argument)");
    bad("e 2", "usage: e (no argument)");
    bad("help me", "usage: help (no argument)");
}

static void test_list(void **state)
{
    (void)state;
    char line[128];
    ts_list_header(line, sizeof(line));
    assert_string_equal(line, "Name                                        ID   Mem VCPUs\tState\tTime(s)");
    struct ts_dom d = { 1, "echo", 4096, TS_DOM_RUNNING, 0, 1234567890ull };
    ts_list_row(line, sizeof(line), &d);
    assert_string_equal(line, "echo                                         1    16     1     r-----       1.2");
    struct ts_dom b = { 2, "", 8192, TS_DOM_BLOCKED, 0, 49999999ull };
    ts_list_row(line, sizeof(line), &b);
    assert_string_equal(line, "d2                                           2    32     1     -b----       0.0");
    b.cpu_ns = 50000000ull;                            /* rounds as %.1f does */
    ts_list_row(line, sizeof(line), &b);
    assert_string_equal(line, "d2                                           2    32     1     -b----       0.1");
    struct ts_dom c = { 3, "fifteen-chars-x", 16384, TS_DOM_DYING | TS_DOM_SHUTDOWN, 3,
                        3600ull * 1000000000ull };
    ts_list_row(line, sizeof(line), &c);
    assert_string_equal(line, "fifteen-chars-x                              3    64     1     ---scd    3600.0");
    c.shutdown_reason = 99;
    ts_list_row(line, sizeof(line), &c);
    assert_string_equal(line, "fifteen-chars-x                              3    64     1     ---s?d    3600.0");
    c.flags = TS_DOM_DYING;                            /* destroyed: no shutdown */
    ts_list_row(line, sizeof(line), &c);
    assert_string_equal(line, "fifteen-chars-x                              3    64     1     -----d    3600.0");
    /* A small buffer is cut, never overrun. */
    char small[8];
    ts_list_row(small, sizeof(small), &d);
    assert_string_equal(small, "echo   ");
}

static void test_evtchn_lines(void **state)
{
    (void)state;
    char line[128];
    ts_evtchn_header(line, sizeof(line), 2, 1);
    assert_string_equal(line, "Event channel information for domain 2: polling vCPUs {0}; port [p/m/s]");
    struct ts_port p = { 1, 1, 0, 1, TS_ECS_UNBOUND, 1, 0, 0, 0 };
    ts_evtchn_row(line, sizeof(line), &p);
    assert_string_equal(line, "       1 [1/0/1]: s=2 n=0 x=1 d=0");
    struct ts_port i = { 3, 0, 1, 0, TS_ECS_INTERDOMAIN, 0, 0, 3, 2 };
    ts_evtchn_row(line, sizeof(line), &i);
    assert_string_equal(line, "       3 [0/1/0]: s=3 n=0 x=0 d=3 p=2");
    struct ts_port v = { 1023, 0, 0, 0, TS_ECS_VIRQ, 0, 0, 0, 0 };
    ts_evtchn_row(line, sizeof(line), &v);
    assert_string_equal(line, "    1023 [0/0/0]: s=5 n=0 x=0 v=0");
    struct ts_port ipi = { 4, 0, 0, 0, TS_ECS_IPI, 0, 0, 0, 0 };
    ts_evtchn_row(line, sizeof(line), &ipi);
    assert_string_equal(line, "       4 [0/0/0]: s=6 n=0 x=0");
}

static void test_grant_lines(void **state)
{
    (void)state;
    char line[192];
    struct ts_grant_sum s = { 1, 4, 3, 1, 2 };
    ts_grant_header(line, sizeof(line), 2, &s);
    assert_string_equal(line, "grant-table for d2 (v1): 1 frames (4 max), 3 entries granted, "
                              "1 mapped or copied by others now, 2 maps of others' grants held");
    struct ts_grant_row r = { 8, 3, 0x1234, 0x101, 3, 0x5678, 0x19 };
    ts_grant_row(line, sizeof(line), &r);
    assert_string_equal(line, "[0x008]      3 0x001234 0x00000101          3 0x005678 0x19");
}

static void test_help(void **state)
{
    (void)state;
    unsigned n = 0;
    while (ts_help_line(n))
        n++;
    assert_int_equal(n, 8);
    assert_null(ts_help_line(1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch),
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_evtchn_lines),
        cmocka_unit_test(test_grant_lines),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests_name("toolstack", tests, NULL, NULL);
}
