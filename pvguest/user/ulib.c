/* ulib: see ulib.h. */
#include "ulib.h"

#include "lib/format.h"

void exit(int code)
{
    syscall3(SYS_exit, (uint32_t)code, 0, 0);
    for (;;)
        ;
}

int printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    return write(1, buf, (uint32_t)n);
}

int run_child(void (*fn)(void *), void *arg)
{
    int pid = fork();
    if (pid < 0)
        return pid;
    if (pid == 0) {
        fn(arg);
        exit(0);
    }
    int status;
    int got = wait(&status);
    if (got != pid)
        return got < 0 ? got : -ECHILD;
    return status;
}

static unsigned tap_count, tap_failed;

void ok(int cond, const char *fmt, ...)
{
    char desc[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%s %u - %s\n", cond ? "ok" : "not ok", tap_count, desc);
}

int tap_done(void)
{
    printf("1..%u\n", tap_count);
    printf("# %u passed, %u failed\n", tap_count - tap_failed, tap_failed);
    return tap_failed != 0;
}
