/* hello: prints its arguments; exits with the number given as the first
 * one (exec and argument passing are tested with it). */
#include "ulib.h"

int main(int argc, char **argv)
{
    int code = 0;
    printf("# hello from pid %d:", getpid());
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    if (argc > 1)
        for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
            code = code * 10 + (*p - '0');
    return code;
}
