/* cmdline: "key=value" words of a command line (pure; the hypervisor reads
 * its guests' options with it, and pvguest its own command line). */
#ifndef HV_LIB_CMDLINE_H
#define HV_LIB_CMDLINE_H

#include <stddef.h>

/* The value of the first word "key=..." in cmdline (words are separated by
 * spaces), with its length in *len; NULL if there is none. */
const char *cmdline_value(const char *cmdline, const char *key, size_t *len);

#endif
