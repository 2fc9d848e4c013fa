/* cmdline: key=value lookup (see cmdline.h). */
#include "lib/cmdline.h"

#include <string.h>

const char *cmdline_value(const char *cmdline, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    for (const char *p = cmdline; *p;) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - word) > klen && strncmp(word, key, klen) == 0 && word[klen] == '=') {
            *len = (size_t)(p - word) - klen - 1;
            return word + klen + 1;
        }
    }
    return NULL;
}
