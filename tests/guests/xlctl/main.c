/*
 * xlctl: a toolstack in a domain, as xl in dom0: it gives the hypervisor's
 * toolstack commands through console_io(PV86_CONSOLEIO_toolstack), which
 * only the privileged initial domain may use (docs/toolstack.md). Its
 * command line names the commands in order, c1= to c8=, with '_' for a
 * space (c1=list c2=destroy_2); it prints what each answered, waiting
 * while one still prints (-EBUSY), then powers off. wait_ms=N first waits
 * (the other domains start), end_ms=N waits at the end (a teardown).
 */
#include <pv86/hypercall.h>
#include <pv86/xen.h>

#include "guest.h"

static void sleep_ms(uint32_t ms)
{
    uint64_t end = system_time_ns() + (uint64_t)ms * 1000000u;
    for (unsigned i = 0; i < 100000 && system_time_ns() < end; i++)
        poll_port(0, end);
}

int guest_main(void)
{
    sleep_ms(cmdline_num("wait_ms", 0));
    for (unsigned i = 1; i <= 8; i++) {
        char key[4] = { 'c', (char)('0' + i), 0, 0 }, line[80];
        size_t len;
        const char *v = cmdline_arg(key, &len);
        if (!v)
            continue;
        if (len >= sizeof(line))
            len = sizeof(line) - 1;
        for (size_t k = 0; k < len; k++)
            line[k] = v[k] == '_' ? ' ' : v[k];
        line[len] = '\0';
        int32_t rc;
        unsigned tries = 0;
        while ((rc = hv_console_io(PV86_CONSOLEIO_toolstack, (uint32_t)len, line)) == -XEN_EBUSY &&
               tries++ < 200)
            sleep_ms(5);
        printf("xlctl: '%s': %d\n", line, (int)rc);
        sleep_ms(20);
    }
    sleep_ms(cmdline_num("end_ms", 0));
    return 0;
}
