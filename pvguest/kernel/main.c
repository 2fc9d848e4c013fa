/*
 * main: the kernel's entry, the same in both flavours. It sets up memory,
 * processes and the timer, then becomes init (pid 1), which runs the
 * programs named by run= (default: selftest) and powers off with a status:
 * success when every program exited with 0.
 */
#include "kernel/kernel.h"

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

void panic(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("kernel panic: %s\n", buf);
    arch_poweroff(0);
}

uint32_t cmdline_number(const char *key, uint32_t dflt)
{
    size_t len;
    const char *v = cmdline_value(arch_cmdline(), key, &len);
    if (!v || len == 0)
        return dflt;
    uint32_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9' || n > 100000000u)
            panic("%s=%.*s: not a number", key, (int)len, v);
        n = n * 10 + (uint32_t)(v[i] - '0');
    }
    return n;
}

void kmain(void)
{
    arch_early_init();
    uint32_t nr = arch_nr_pfns();
    arch_mem_ranges(pmm_add_range);
    vm_init();
    proc_init();
    fpu_init();
    kprintf("pvguest (%s flavour): %u MiB, %u pages free, command line \"%s\"\n",
            arch_name(), (unsigned)(nr >> 8), (unsigned)pmm_free_count(), arch_cmdline());
    arch_start_timer();
    size_t len;
    const char *run = cmdline_value(arch_cmdline(), "run", &len);
    if (!run) {
        run = "selftest";
        len = strlen(run);
    }
    proc_start_init(run, len);
}
