/* string: freestanding implementations (the host tests use libc's). */
#include "lib/string.h"

#include <stdint.h>

#if defined(PV86_HYPERVISOR) && defined(__i386__)
/*
 * The hypervisor's copies (guest frames, bounce frames, hypercall
 * arguments) use the string instructions: whole words, then the tail. The
 * guests keep the plain loops below, so that a benchmark's guest side is
 * the same code in every mode.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    const void *s = src;
    size_t words = n >> 2, tail = n & 3;
    __asm__ __volatile__("cld; rep movsl; movl %[tail], %%ecx; rep movsb"
                         : "+D"(d), "+S"(s), "+c"(words)
                         : [tail] "r"(tail)
                         : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n >> 2, tail = n & 3;
    uint32_t w = (unsigned char)c * 0x01010101u;
    __asm__ __volatile__("cld; rep stosl; movl %[tail], %%ecx; rep stosb"
                         : "+D"(d), "+c"(words)
                         : "a"(w), [tail] "r"(tail)
                         : "memory");
    return dst;
}
#else
/* A word at a time when both ends are 4-byte aligned (page copies, page
 * clears and hypercall arguments are); the rest byte by byte. */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (((uintptr_t)d & 3) == 0) {
        uint32_t w = (unsigned char)c * 0x01010101u;
        for (; n >= 4; n -= 4, d += 4)
            *(uint32_t *)(void *)d = w;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}
#endif

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
    }
    return 0;
}
