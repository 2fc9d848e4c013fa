/*
 * init: pid 1. Runs each program named in its arguments (the kernel's run=
 * list; "name:arg:arg" passes arguments) one after the other, and exits with
 * the number of programs that did not exit with 0; the kernel powers off
 * when init exits. It also reaps orphans while it waits.
 */
#include "ulib.h"

static int run(char *spec)
{
    char *argv[EXEC_MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = spec;
    for (char *p = spec; *p; p++)
        if (*p == ':' && argc < EXEC_MAX_ARGS) {
            *p = 0;
            argv[argc++] = p + 1;
        }
    argv[argc] = NULL;
    int pid = fork();
    if (pid < 0) {
        printf("init: fork: error %d\n", pid);
        return 1;
    }
    if (pid == 0) {
        int rc = exec(argv[0], argv);
        printf("init: %s: cannot run it (error %d)\n", argv[0], rc);
        exit(127);
    }
    for (;;) {
        int status;
        int got = wait(&status);
        if (got < 0) {
            printf("init: wait: error %d\n", got);
            return 1;
        }
        if (got != pid)
            continue;                               /* an orphan */
        if (W_EXITED(status) && W_CODE(status) == 0)
            return 0;
        if (W_EXITED(status))
            printf("init: %s exited with status %d\n", argv[0], W_CODE(status));
        else
            printf("init: %s was killed (%#x)\n", argv[0], status);
        return 1;
    }
}

int main(int argc, char **argv)
{
    int failed = 0;
    for (int i = 1; i < argc; i++)
        failed += run(argv[i]);
    return failed;
}
