/* Unit tests: pv86's xenstore (xenstore/): protocol, tree, permissions,
 * transactions, watches and quotas. The ring: test_xenstore_ring.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "xs_test.h"

static void test_wire_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct xsd_sockmsg), 16);
    assert_int_equal(offsetof(struct xenstore_domain_interface, rsp), 1024);
    assert_int_equal(offsetof(struct xenstore_domain_interface, req_cons), 2048);
    assert_int_equal(offsetof(struct xenstore_domain_interface, req_prod), 2052);
    assert_int_equal(offsetof(struct xenstore_domain_interface, rsp_cons), 2056);
    assert_int_equal(offsetof(struct xenstore_domain_interface, rsp_prod), 2060);
    assert_int_equal(offsetof(struct xenstore_domain_interface, server_features), 2064);
    assert_int_equal(offsetof(struct xenstore_domain_interface, connection), 2068);
    assert_int_equal(offsetof(struct xenstore_domain_interface, error), 2072);
    assert_int_equal(XS_DIRECTORY, 1);
    assert_int_equal(XS_GET_DOMAIN_PATH, 10);
    assert_int_equal(XS_SET_PERMS, 14);
    assert_int_equal(XS_WATCH_EVENT, 15);
    assert_int_equal(XS_ERROR, 16);
    assert_int_equal(XS_RESET_WATCHES, 21);
    assert_int_equal(XS_DIRECTORY_PART, 22);
    assert_int_equal(XS_SET_QUOTA, 26);
    assert_string_equal(xs_error_name(XSE_EINVAL), "EINVAL");
    assert_string_equal(xs_error_name(XSE_E2BIG), "E2BIG");
    assert_string_equal(xs_error_name(XSE_EPERM), "EPERM");
    assert_string_equal(xs_error_name(999), "EINVAL");
}

static void test_basic_ops(void **state)
{
    (void)state;
    uint32_t nodes = xs_node_count(&st);
    sendm(0, XS_WRITE, R("/a/b\0hello"));
    OK(0, XS_WRITE);
    assert_int_equal(xs_node_count(&st), nodes + 2);            /* parent created */
    sendm(0, XS_READ, P("/a/b"));
    expect(0, XS_READ, R("hello"));
    sendm(0, XS_READ, P("/a"));
    expect(0, XS_READ, "", 0);
    sendm(0, XS_WRITE, R("/a/b\0"));                            /* empty value */
    OK(0, XS_WRITE);
    sendm(0, XS_READ, P("/a/b"));
    expect(0, XS_READ, "", 0);
    sendm(0, XS_MKDIR, P("/a/c/d"));
    OK(0, XS_MKDIR);
    sendm(0, XS_MKDIR, P("/a/c"));                              /* exists: fine */
    OK(0, XS_MKDIR);
    sendm(0, XS_DIRECTORY, P("/a"));
    expect(0, XS_DIRECTORY, R("b\0c\0"));
    sendm(0, XS_DIRECTORY, P("/a/b"));
    expect(0, XS_DIRECTORY, "", 0);
    sendm(0, XS_DIRECTORY, P("/"));
    expect(0, XS_DIRECTORY, R("local\0a\0"));
    sendm(0, XS_GET_PERMS, P("/a/b"));
    expect(0, XS_GET_PERMS, P("n0"));
    sendm(0, XS_RM, P("/a"));
    OK(0, XS_RM);
    assert_int_equal(xs_node_count(&st), nodes);                /* recursively */
    sendm(0, XS_READ, P("/a/b"));
    ERR(0, "ENOENT");
    sendm(0, XS_RM, P("/a"));                                   /* gone, parent exists: OK */
    OK(0, XS_RM);
    sendm(0, XS_RM, P("/x/y"));
    ERR(0, "ENOENT");
    sendm(0, XS_RM, P("/"));
    ERR(0, "EINVAL");
    sendm(0, XS_GET_DOMAIN_PATH, P("7"));
    expect(0, XS_GET_DOMAIN_PATH, P("/local/domain/7"));
    sendm(1, XS_GET_DOMAIN_PATH, P("x7"));
    ERR(1, "EINVAL");
    sendm(1, XS_READ, P("name"));
    expect(1, XS_READ, R("one"));
    sendm(2, XS_READ, P("domid"));
    expect(2, XS_READ, R("2"));
    sendm(2, XS_DIRECTORY, P("/local/domain/2"));
    expect(2, XS_DIRECTORY, R("name\0domid\0control\0data\0device\0"));
    /* the header is echoed */
    struct xsd_sockmsg h = { XS_READ, 4242, 0, 6 };
    assert_int_equal(xs_request(&st, 1, &h, "domid"), XS_OK);
    h = pop(1);
    assert_int_equal(h.req_id, 4242);
    assert_int_equal(h.tx_id, 0);
    assert_int_equal(h.type, XS_READ);
    nothing(0); nothing(1); nothing(2);
    /* unknown connection */
    struct xsd_sockmsg h2 = { XS_READ, 1, 0, 3 };
    assert_int_equal(xs_request(&st, 9, &h2, "/a"), XSE_ENOENT);
}

static void test_malformed(void **state)
{
    (void)state;
    sendm(1, XS_READ, R("name"));                               /* no NUL */
    ERR(1, "EINVAL");
    sendm(1, XS_READ, R("name\0domid\0"));                      /* two args */
    ERR(1, "EINVAL");
    sendm(1, XS_READ, "", 0);
    ERR(1, "EINVAL");
    sendm(1, XS_WRITE, R("data/x"));
    ERR(1, "EINVAL");
    sendm(1, XS_WATCH, P("data"));
    ERR(1, "EINVAL");
    sendm(1, XS_SET_PERMS, P("data"));
    ERR(1, "EINVAL");
    sendm(1, XS_TRANSACTION_END, P("X"));
    ERR(1, "EINVAL");
    sendm(1, 99, P("data"));                                    /* as xenstored: ENOSYS */
    ERR(1, "ENOSYS");
    sendm(1, XS_WATCH_EVENT, R("a\0b\0"));
    ERR(1, "ENOSYS");
    /* xenstored's privileged-only operations pv86 lacks: EACCES first
     * for an unprivileged domain (its XS_FLAG_PRIV), ENOSYS for d0 */
    static const uint32_t priv_only[] = { XS_CONTROL, XS_RESUME, XS_SET_TARGET, XS_SET_FEATURE,
                                          XS_GET_QUOTA, XS_SET_QUOTA };
    for (unsigned i = 0; i < sizeof(priv_only) / sizeof(priv_only[0]); i++) {
        sendm(1, priv_only[i], P("2"));
        ERR(1, "EACCES");
        sendm(0, priv_only[i], P("2"));
        ERR(0, "ENOSYS");
    }
    sendm(1, XS_RESTRICT, P("2"));                              /* not xenstored's: unknown */
    ERR(1, "ENOSYS");
    sendm(1, XS_DIRECTORY_PART, R("data\0" "0\0"));
    ERR(1, "ENOSYS");
    struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    assert_int_equal(xs_request(&st, 1, &h, big), XS_OK);
    ERR(1, "EINVAL");
    /* paths as xenstored validates them */
    static const char *const bad[] = { "/local/", "/local//domain", "/a b", "/a.b", "",
                                       "data/", "/@/", "/a\xff" };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sendm(0, XS_WRITE, bad[i], (uint32_t)strlen(bad[i]) + 1);
        ERR(0, "EINVAL");
    }
    sendm(0, XS_READ, P("@introduceDomain"));                   /* special only for watches: relative */
    ERR(0, "ENOENT");
    sendm(0, XS_WRITE, R("/x-y_Z@9\0v"));
    OK(0, XS_WRITE);
    /* length: 2048 below /local/domain/N/ is fine, 2049 is not; 3072 absolute */
    static char path[4200];
    memset(path, 'p', sizeof(path));
    memcpy(path, "data/", 5);
    path[2048] = 0;
    sendm(1, XS_WRITE, path, 2049);
    OK(1, XS_WRITE);
    path[2048] = 'p';
    path[2049] = 0;
    sendm(1, XS_WRITE, path, 2050);
    ERR(1, "EINVAL");
    path[0] = '/';
    path[2049] = 0;
    sendm(0, XS_WRITE, path, 2050);                             /* outside a home: 2048 max */
    ERR(0, "EINVAL");
    path[2048] = 0;
    sendm(0, XS_WRITE, path, 2049);
    OK(0, XS_WRITE);
    memcpy(path, "/local/domain/1/", 16);                       /* 3072 absolute at most */
    path[2048] = 'p';
    path[16 + 2048] = 0;
    sendm(0, XS_WRITE, path, 16 + 2049);
    OK(0, XS_WRITE);
    memset(path + 16, 'q', 3100);
    path[3072] = 0;
    sendm(0, XS_WRITE, path, 3073);
    ERR(0, "EINVAL");
    /* values: an unprivileged domain's at most 2048 bytes */
    static char wr[8 + 4000];
    memcpy(wr, "data/v", 7);
    memset(wr + 7, 'v', sizeof(wr) - 7);
    sendm(1, XS_WRITE, wr, 7 + 2048);
    OK(1, XS_WRITE);
    sendm(1, XS_WRITE, wr, 7 + 2049);
    ERR(1, "ENOSPC");
    memcpy(wr, "/big/v", 7);
    sendm(0, XS_WRITE, wr, 7 + 4000);
    OK(0, XS_WRITE);
    sendm(0, XS_READ, P("/big/v"));
    struct xsd_sockmsg r = pop(0);
    assert_int_equal(r.len, 4000);
    nothing(0); nothing(1);
}

static void test_permissions(void **state)
{
    (void)state;
    sendm(1, XS_WRITE, R("data/x\0" "1"));
    OK(1, XS_WRITE);
    sendm(1, XS_GET_PERMS, P("data/x"));
    expect(1, XS_GET_PERMS, P("n1"));                           /* the creator owns it */
    sendm(1, XS_WRITE, R("name\0evil"));
    ERR(1, "EACCES");
    sendm(1, XS_WRITE, R("/top\0x"));
    ERR(1, "EACCES");
    sendm(1, XS_MKDIR, P("/local/domain/2/data/y"));
    ERR(1, "EACCES");
    sendm(2, XS_READ, P("/local/domain/1/data/x"));
    ERR(2, "EACCES");
    sendm(2, XS_READ, P("/local/domain/1/data/none"));          /* EACCES, not ENOENT */
    ERR(2, "EACCES");
    sendm(2, XS_DIRECTORY, P("/local/domain/1"));
    ERR(2, "EACCES");
    sendm(2, XS_RM, P("/local/domain/1/data/x"));
    ERR(2, "EACCES");
    sendm(1, XS_SET_PERMS, R("data/x\0n1\0r2\0"));
    OK(1, XS_SET_PERMS);
    sendm(1, XS_GET_PERMS, P("data/x"));
    expect(1, XS_GET_PERMS, R("n1\0r2\0"));
    sendm(2, XS_READ, P("/local/domain/1/data/x"));
    expect(2, XS_READ, R("1"));
    sendm(2, XS_WRITE, R("/local/domain/1/data/x\0" "2"));
    ERR(2, "EACCES");
    sendm(2, XS_SET_PERMS, R("/local/domain/1/data/x\0b2\0"));  /* not the owner */
    ERR(2, "EACCES");
    sendm(1, XS_SET_PERMS, R("data/x\0b2\0"));                  /* may not give it away */
    ERR(1, "EPERM");
    sendm(1, XS_SET_PERMS, R("data/x\0x1\0"));
    ERR(1, "EINVAL");
    sendm(1, XS_SET_PERMS, R("data/x\0r\0"));
    ERR(1, "EINVAL");
    sendm(1, XS_SET_PERMS, R("data/x\0n1\0r2\0r3\0r4\0r5\0r6\0"));
    ERR(1, "ENOSPC");
    sendm(1, XS_SET_PERMS, R("data/x\0n1\0b2\0"));
    OK(1, XS_SET_PERMS);
    sendm(2, XS_WRITE, R("/local/domain/1/data/x\0" "2"));
    OK(2, XS_WRITE);
    sendm(1, XS_READ, P("data/x"));
    expect(1, XS_READ, R("2"));
    /* the toolstack may do anything, and give nodes away */
    sendm(0, XS_SET_PERMS, R("/local/domain/1/data/x\0n2\0"));
    OK(0, XS_SET_PERMS);
    sendm(1, XS_READ, P("data/x"));
    ERR(1, "EACCES");
    /* privileged operations */
    sendm(1, XS_INTRODUCE, R("5\0" "100\0" "3\0"));
    ERR(1, "EACCES");
    sendm(1, XS_RELEASE, P("2"));
    ERR(1, "EACCES");
    sendm(1, XS_IS_DOMAIN_INTRODUCED, P("2"));
    ERR(1, "EACCES");
    nothing(0); nothing(1); nothing(2);
}

static void test_transactions(void **state)
{
    (void)state;
    sendm(1, XS_TRANSACTION_START, P(""));
    expect(1, XS_TRANSACTION_START, P("1"));
    send_tx(1, XS_WRITE, 1, R("data/t\0v"));
    OK(1, XS_WRITE);
    sendm(1, XS_READ, P("data/t"));                             /* not visible outside */
    ERR(1, "ENOENT");
    send_tx(1, XS_READ, 1, P("data/t"));
    expect(1, XS_READ, R("v"));
    send_tx(1, XS_TRANSACTION_START, 1, P(""));                 /* no nesting */
    ERR(1, "EBUSY");
    send_tx(1, XS_READ, 7, P("data/t"));
    ERR(1, "ENOENT");
    send_tx(2, XS_READ, 1, P("data"));                          /* another's id */
    ERR(2, "ENOENT");
    send_tx(1, XS_TRANSACTION_END, 1, P("T"));
    OK(1, XS_TRANSACTION_END);
    sendm(1, XS_READ, P("data/t"));
    expect(1, XS_READ, R("v"));
    send_tx(1, XS_TRANSACTION_END, 1, P("T"));                  /* gone */
    ERR(1, "ENOENT");
    sendm(1, XS_TRANSACTION_END, P("T"));
    ERR(1, "ENOENT");

    /* a commit after someone else's change: EAGAIN, nothing applied */
    sendm(1, XS_TRANSACTION_START, P(""));
    expect(1, XS_TRANSACTION_START, P("2"));
    send_tx(1, XS_WRITE, 2, R("data/t\0mine"));
    OK(1, XS_WRITE);
    send_tx(1, XS_RM, 2, P("data/v"));
    OK(1, XS_RM);
    sendm(2, XS_WRITE, R("data/other\0x"));
    OK(2, XS_WRITE);
    send_tx(1, XS_TRANSACTION_END, 2, P("T"));
    ERR(1, "EAGAIN");
    sendm(1, XS_READ, P("data/t"));
    expect(1, XS_READ, R("v"));
    send_tx(1, XS_READ, 2, P("data/t"));
    ERR(1, "ENOENT");                                           /* freed on EAGAIN */

    /* abort */
    sendm(1, XS_TRANSACTION_START, P(""));
    expect(1, XS_TRANSACTION_START, P("3"));
    send_tx(1, XS_RM, 3, P("data/t"));
    OK(1, XS_RM);
    send_tx(1, XS_TRANSACTION_END, 3, P("F"));
    OK(1, XS_TRANSACTION_END);
    sendm(1, XS_READ, P("data/t"));
    expect(1, XS_READ, R("v"));

    /* a retried transaction commits; a read-only one commits despite others */
    sendm(1, XS_TRANSACTION_START, P(""));
    expect(1, XS_TRANSACTION_START, P("4"));
    send_tx(1, XS_WRITE, 4, R("data/t\0w"));
    OK(1, XS_WRITE);
    send_tx(1, XS_TRANSACTION_END, 4, P("T"));
    OK(1, XS_TRANSACTION_END);
    sendm(2, XS_READ, P("/local/domain/1/data/t"));
    ERR(2, "EACCES");
    sendm(1, XS_TRANSACTION_START, P(""));                      /* read-only: commits */
    expect(1, XS_TRANSACTION_START, P("5"));
    send_tx(1, XS_READ, 5, P("data/t"));
    expect(1, XS_READ, R("w"));
    sendm(2, XS_WRITE, R("data/other\0y"));
    OK(2, XS_WRITE);
    send_tx(1, XS_TRANSACTION_END, 5, P("T"));
    OK(1, XS_TRANSACTION_END);

    /* quota: two open transactions per unprivileged domain */
    sendm(2, XS_TRANSACTION_START, P(""));
    expect(2, XS_TRANSACTION_START, P("1"));
    sendm(2, XS_TRANSACTION_START, P(""));
    expect(2, XS_TRANSACTION_START, P("2"));
    sendm(2, XS_TRANSACTION_START, P(""));
    ERR(2, "ENOSPC");
    xs_conn_remove(&st, 2);                                     /* frees them */
    assert_int_equal(xs_conn_add(&st, 2, false), XS_OK);
    sendm(2, XS_TRANSACTION_START, P(""));
    expect(2, XS_TRANSACTION_START, P("1"));
    nothing(0); nothing(1); nothing(2);
}

static void test_watches(void **state)
{
    (void)state;
    sendm(1, XS_WATCH, R("data\0tok\0"));
    OK(1, XS_WATCH);
    EVENT(1, "data\0tok");                                      /* fired up front, relative */
    nothing(1);
    sendm(1, XS_WATCH, R("data\0tok\0"));
    ERR(1, "EEXIST");
    sendm(2, XS_WATCH, R("/local/domain/1/data\0spy\0"));       /* allowed, but blind */
    OK(2, XS_WATCH);
    EVENT(2, "/local/domain/1/data\0spy");
    sendm(0, XS_WATCH, R("/\0all\0"));
    OK(0, XS_WATCH);
    EVENT(0, "/\0all");

    sendm(0, XS_WRITE, R("/local/domain/1/data/a\0" "1"));
    EVENT(0, "/local/domain/1/data/a\0all");                    /* before the reply */
    OK(0, XS_WRITE);
    EVENT(1, "data/a\0tok");                                    /* exactly once */
    nothing(0); nothing(1); nothing(2);                         /* d2 may not read it */

    sendm(1, XS_WRITE, R("data/b/c\0z"));                       /* parents created: one event */
    EVENT(1, "data/b/c\0tok");
    OK(1, XS_WRITE);
    EVENT(0, "/local/domain/1/data/b/c\0all");
    nothing(0); nothing(1); nothing(2);

    sendm(1, XS_WATCH, R("data/b/c\0deep\0"));
    OK(1, XS_WATCH);
    EVENT(1, "data/b/c\0deep");
    sendm(0, XS_RM, P("/local/domain/1/data/b"));               /* removes the watched node */
    EVENT(0, "/local/domain/1/data/b\0all");
    OK(0, XS_RM);
    EVENT(1, "data/b\0tok");
    EVENT(1, "data/b/c\0deep");
    nothing(0); nothing(1); nothing(2);

    sendm(1, XS_MKDIR, P("data/m"));                            /* a new directory fires */
    EVENT(1, "data/m\0tok");
    OK(1, XS_MKDIR);
    EVENT(0, "/local/domain/1/data/m\0all");
    nothing(0); nothing(1); nothing(2);
    /* mkdir of an existing node, a read, a failed write: no event */
    sendm(1, XS_MKDIR, P("data/a"));
    OK(1, XS_MKDIR);
    sendm(1, XS_READ, P("data/a"));
    expect(1, XS_READ, R("1"));
    sendm(1, XS_WRITE, R("name\0x"));
    ERR(1, "EACCES");
    nothing(0); nothing(1);

    /* permissions change: the event reaches the newly allowed reader too */
    sendm(1, XS_SET_PERMS, R("data/a\0n1\0r2\0"));
    EVENT(1, "data/a\0tok");
    OK(1, XS_SET_PERMS);
    EVENT(0, "/local/domain/1/data/a\0all");
    EVENT(2, "/local/domain/1/data/a\0spy");
    nothing(0); nothing(1); nothing(2);

    /* transactions fire at the commit, once per path */
    sendm(1, XS_TRANSACTION_START, P(""));
    expect(1, XS_TRANSACTION_START, P("1"));
    send_tx(1, XS_WRITE, 1, R("data/a\0" "2"));
    OK(1, XS_WRITE);
    send_tx(1, XS_WRITE, 1, R("data/a\0" "3"));
    OK(1, XS_WRITE);
    nothing(0); nothing(2);
    send_tx(1, XS_TRANSACTION_END, 1, P("T"));
    EVENT(1, "data/a\0tok");
    OK(1, XS_TRANSACTION_END);
    EVENT(0, "/local/domain/1/data/a\0all");
    EVENT(2, "/local/domain/1/data/a\0spy");
    nothing(0); nothing(1); nothing(2);

    /* unwatch */
    sendm(1, XS_UNWATCH, R("data\0tok\0"));
    OK(1, XS_UNWATCH);
    sendm(1, XS_UNWATCH, R("data\0tok\0"));
    ERR(1, "ENOENT");
    sendm(1, XS_UNWATCH, R("data/b/c\0deep\0"));
    OK(1, XS_UNWATCH);
    sendm(0, XS_UNWATCH, R("/\0all\0"));
    OK(0, XS_UNWATCH);
    sendm(0, XS_WRITE, R("/local/domain/1/data/a\0" "4"));
    OK(0, XS_WRITE);
    EVENT(2, "/local/domain/1/data/a\0spy");
    nothing(0); nothing(1); nothing(2);
    assert_int_equal(xs_watch_count(&st, 1), 0);
    assert_int_equal(xs_watch_count(&st, 2), 1);
    sendm(2, XS_RESET_WATCHES, "", 0);
    OK(2, XS_RESET_WATCHES);
    assert_int_equal(xs_watch_count(&st, 2), 0);
}

static void test_special_watches(void **state)
{
    (void)state;
    sendm(0, XS_WATCH, R("@introduceDomain\0in\0"));
    OK(0, XS_WATCH);
    EVENT(0, "@introduceDomain\0in");
    sendm(0, XS_WATCH, R("@releaseDomain\0out\0"));
    OK(0, XS_WATCH);
    EVENT(0, "@releaseDomain\0out");
    sendm(1, XS_WATCH, R("@releaseDomain\0x\0"));
    OK(1, XS_WATCH);
    EVENT(1, "@releaseDomain\0x");

    sendm(0, XS_INTRODUCE, R("5\0" "4660\0" "3\0"));
    EVENT(0, "@introduceDomain\0in");
    OK(0, XS_INTRODUCE);
    assert_int_equal(introduced, 1);
    assert_int_equal(intro_args[0], 5);
    assert_int_equal(intro_args[1], 4660);
    assert_int_equal(intro_args[2], 3);
    assert_non_null(xs_conn_find(&st, 5));
    sendm(0, XS_IS_DOMAIN_INTRODUCED, P("5"));
    expect(0, XS_IS_DOMAIN_INTRODUCED, P("T"));
    sendm(0, XS_INTRODUCE, R("5\0" "4660\0" "4\0"));            /* again: rebinds, no event */
    OK(0, XS_INTRODUCE);
    assert_int_equal(xs_conn_find(&st, 5)->port, 4);
    /* again with a port the hook cannot bind (the xenstore domain's rebind
     * fails): refused, the connection as it was, no event */
    intro_refuse = XSE_EINVAL;
    sendm(0, XS_INTRODUCE, R("5\0" "4660\0" "1\0"));
    ERR(0, "EINVAL");
    intro_refuse = 0;
    assert_int_equal(xs_conn_find(&st, 5)->port, 4);
    assert_int_equal(xs_conn_find(&st, 5)->mfn, 4660);
    sendm(1, XS_INTRODUCE, R("5\0" "4660\0" "1\0"));          /* unprivileged */
    ERR(1, "EACCES");
    sendm(0, XS_INTRODUCE, R("5\0" "4660\0"));
    ERR(0, "EINVAL");
    sendm(0, XS_INTRODUCE, R("0\0" "1\0" "1\0"));
    ERR(0, "EINVAL");
    sendm(0, XS_RELEASE, P("5"));
    EVENT(0, "@releaseDomain\0out");
    OK(0, XS_RELEASE);
    assert_int_equal(released, 1);
    sendm(0, XS_RELEASE, P("5"));
    ERR(0, "ENOENT");
    sendm(0, XS_IS_DOMAIN_INTRODUCED, P("5"));
    expect(0, XS_IS_DOMAIN_INTRODUCED, P("F"));
    nothing(0); nothing(1);                                     /* unprivileged: none */
}

static void test_quotas(void **state)
{
    (void)state;
    char req[40];
    uint32_t before = xs_owned_nodes(&st, 1);                   /* control, control/shutdown, data, device */
    assert_int_equal(before, 4);
    unsigned made = 0;
    for (unsigned i = 0; i < 200; i++) {
        int n = snprintf(req, sizeof(req), "data/n%u", i);
        sendm(1, XS_WRITE, req, (uint32_t)n + 1);
        struct xsd_sockmsg h = pop(1);
        if (h.type == XS_ERROR) {
            assert_string_equal((char *)msgbuf + 16, "ENOSPC");
            break;
        }
        made++;
    }
    assert_int_equal(made, XS_QUOTA_NODES - before);
    assert_int_equal(xs_owned_nodes(&st, 1), XS_QUOTA_NODES);
    /* the others are unaffected */
    sendm(2, XS_WRITE, R("data/fine\0ok"));
    OK(2, XS_WRITE);
    sendm(0, XS_WRITE, R("/tool/x\0ok"));
    OK(0, XS_WRITE);
    /* freeing makes room again */
    sendm(1, XS_RM, P("data/n0"));
    OK(1, XS_RM);
    sendm(1, XS_WRITE, R("data/again\0ok"));
    OK(1, XS_WRITE);

    /* watches: 16 per unprivileged domain */
    for (unsigned i = 0; i < XS_QUOTA_WATCHES; i++) {
        int n = snprintf(req, sizeof(req), "data%ct%u", 0, i);
        sendm(2, XS_WATCH, req, (uint32_t)n + 1);
        OK(2, XS_WATCH);
        (void)pop(2);
    }
    sendm(2, XS_WATCH, R("data\0one-more\0"));
    ERR(2, "E2BIG");
    assert_int_equal(xs_watch_count(&st, 2), XS_QUOTA_WATCHES);
    static char tok[600];
    memset(tok, 't', sizeof(tok));
    memcpy(tok, "data", 5);
    tok[599] = 0;
    sendm(1, XS_WATCH, tok, 600);                               /* path + token too long */
    ERR(1, "E2BIG");

    /* outstanding events: d2 never reads; at most XS_QUOTA_EVENTS queue */
    for (unsigned i = 0; i < 10; i++) {
        sendm(0, XS_WRITE, R("/local/domain/2/data/e\0x"));
        OK(0, XS_WRITE);
    }
    struct xs_conn *c2 = xs_conn_find(&st, 2);
    assert_int_equal(c2->events_queued, XS_QUOTA_EVENTS);
    assert_int_equal(c2->events_dropped, 16 * 10 - XS_QUOTA_EVENTS);
    /* its replies still come */
    sendm(2, XS_READ, P("data/e"));
    for (unsigned i = 0; i < XS_QUOTA_EVENTS; i++) {
        struct xsd_sockmsg h = pop(2);
        assert_int_equal(h.type, XS_WATCH_EVENT);
    }
    expect(2, XS_READ, R("x"));
    assert_int_equal(c2->events_queued, 0);
    nothing(0); nothing(1); nothing(2);
}

static void test_arena_compaction(void **state)
{
    (void)state;
    /* rewrite one privileged node far more than the arena holds */
    static char wr[3000];
    memcpy(wr, "/c/v", 5);
    for (unsigned i = 0; i < 100; i++) {
        memset(wr + 5, 'a' + (int)(i % 26), sizeof(wr) - 5);
        sendm(0, XS_WRITE, wr, sizeof(wr));
        OK(0, XS_WRITE);
    }
    sendm(0, XS_READ, P("/c/v"));
    struct xsd_sockmsg h = pop(0);
    assert_int_equal(h.len, sizeof(wr) - 5);
    assert_int_equal(msgbuf[16], 'a' + 99 % 26);
    sendm(1, XS_READ, P("name"));
    expect(1, XS_READ, R("one"));
    /* fill the arena: ENOMEM, not a crash; the rest keeps working */
    unsigned ok = 0;
    for (unsigned i = 0; i < 40; i++) {
        snprintf(wr, 12, "/fill/%u", i);
        uint32_t l = (uint32_t)strlen(wr) + 1;
        sendm(0, XS_WRITE, wr, l + 2500);
        struct xsd_sockmsg r = pop(0);
        if (r.type == XS_ERROR) {
            assert_string_equal((char *)msgbuf + 16, "ENOMEM");
            break;
        }
        ok++;
    }
    assert_true(ok > 10 && ok < 40);
    uint32_t nodes = xs_node_count(&st);
    sendm(0, XS_WRITE, wr, (uint32_t)strlen(wr) + 1 + 2500);   /* nothing half-made */
    ERR(0, "ENOMEM");
    assert_int_equal(xs_node_count(&st), nodes);
    sendm(0, XS_READ, wr, (uint32_t)strlen(wr) + 1);
    ERR(0, "ENOENT");
    sendm(0, XS_RM, P("/fill"));
    OK(0, XS_RM);
    sendm(1, XS_WRITE, R("data/after\0fine"));
    OK(1, XS_WRITE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_layout),
        cmocka_unit_test_setup(test_basic_ops, setup),
        cmocka_unit_test_setup(test_malformed, setup),
        cmocka_unit_test_setup(test_permissions, setup),
        cmocka_unit_test_setup(test_transactions, setup),
        cmocka_unit_test_setup(test_watches, setup),
        cmocka_unit_test_setup(test_special_watches, setup),
        cmocka_unit_test_setup(test_quotas, setup),
        cmocka_unit_test_setup(test_arena_compaction, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
