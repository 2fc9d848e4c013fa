/*
 * abitest: a PV guest that tests the pv86 hypervisor's ABI, as TAP. It
 * greets, runs the checks the command line asks for (default: the ABI
 * self-test; test=... for the other modes) and powers off with the result.
 * The real guest kernel is pvguest/; this one is the hypervisor's test rig.
 */
#include "kernel.h"

#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    arch_console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    if ((size_t)n >= sizeof(buf))
        arch_console_write("[...]\n", 6);
}

static unsigned tap_count, tap_failed;

void tap_ok(int ok, const char *fmt, ...)
{
    char desc[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    tap_count++;
    if (!ok)
        tap_failed++;
    kprintf("%s %u - %s\n", ok ? "ok" : "not ok", tap_count, desc);
}

unsigned tap_done(void)
{
    kprintf("1..%u\n", tap_count);
    kprintf("# %u passed, %u failed\n", tap_count - tap_failed, tap_failed);
    return tap_failed;
}

const char *cmdline_get(const char *cmdline, const char *key, size_t *len)
{
    return cmdline_value(cmdline, key, len);
}

uint32_t cmdline_number(const char *key, uint32_t dflt)
{
    size_t len;
    const char *v = cmdline_get(arch_cmdline(), key, &len);
    if (!v)
        return dflt;
    uint32_t n = 0;
    for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
        n = n * 10 + (uint32_t)(v[i] - '0');
    return n;
}

void kmain(void)
{
    const char *cmdline = arch_cmdline();
    size_t len;

    arch_early_init();
    kprintf("abitest: pv86 ABI test guest (%s)\n", arch_name());
    kprintf("command line: \"%s\"\n", cmdline);
    const char *mode = cmdline_get(cmdline, "test", &len);
    if (mode && !arch_run_mode(mode, len)) {
        kprintf("unknown test mode \"%.*s\"\n", (int)len, mode);
        arch_poweroff(0);
    }
    arch_selftest();
    arch_poweroff(tap_done() == 0);
}
