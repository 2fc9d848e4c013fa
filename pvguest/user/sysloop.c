/* sysloop N: N getpid system calls in a row (the boot tests compare the
 * hypervisor's counters for N = 0 and N = 10000: a pv system call costs no
 * hypervisor entry). Exits with 0 when every call returned this pid. */
#include "ulib.h"

int main(int argc, char **argv)
{
    uint32_t n = 0, wrong = 0;
    for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint32_t)(*p - '0');
    int me = getpid();
    for (uint32_t i = 0; i < n; i++)
        if (getpid() != me)
            wrong++;
    printf("# sysloop: %u getpid calls, %u wrong\n", n, wrong);
    return wrong != 0;
}
