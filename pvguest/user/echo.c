/* echo: copies console input to the console, line by line, until a line
 * "quit"; then says how many lines it saw. */
#include "ulib.h"

int main(void)
{
    char line[128];
    unsigned len = 0, lines = 0;
    printf("echo: type lines, \"quit\" ends\n");
    for (;;) {
        char c;
        if (read(0, &c, 1) != 1)
            return 1;
        if (c == '\r')
            c = '\n';
        if (c != '\n' && len < sizeof(line) - 1) {
            line[len++] = c;
            continue;
        }
        if (c != '\n')
            continue;
        line[len] = 0;
        if (strcmp(line, "quit") == 0)
            break;
        lines++;
        printf("echo: %s\n", line);
        len = 0;
    }
    printf("echo: %u lines\n", lines);
    return 0;
}
