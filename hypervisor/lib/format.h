/* format: a small vsnprintf for printk (pure; also built on the host). */
#ifndef HV_LIB_FORMAT_H
#define HV_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Conversions: %d %i %u %x %X %p %s %c %%, with flags '-' '0' '#', a width,
 * a precision for %s (either may be '*'), and length modifiers l, ll, z.
 * Always NUL-terminates when size > 0; returns the length the full output
 * would have had (so a caller sees truncation, as with C's vsnprintf).
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
