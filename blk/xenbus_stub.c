/* xenbus_stub.c: a xenbus with no store behind it (see xenbus.h). */
#include "xenbus.h"
#include <pv86/errno.h>

static int stub_read(void *ctx, const char *path, char *buf, size_t size)
{
    (void)ctx; (void)path; (void)buf; (void)size;
    return -XEN_ENOSYS;
}
static int stub_write(void *ctx, const char *path, const char *value)
{
    (void)ctx; (void)path; (void)value;
    return -XEN_ENOSYS;
}
static int stub_watch(void *ctx, const char *path, const char *token)
{
    (void)ctx; (void)path; (void)token;
    return -XEN_ENOSYS;
}
const struct xenbus xenbus_stub = { stub_read, stub_write, stub_watch, NULL };
