/*
 * pv86 ABI: the one helper every ABI header uses. xen.h, errno.h and
 * elfnote.h can be included from assembly: their C parts are guarded.
 * Layouts are checked at
 * compile time in C (C99 and later, as a GNU extension before C11) and C++.
 */
#ifndef PV86_ABI_H
#define PV86_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#ifdef __cplusplus
#define PV86_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PV86_STATIC_ASSERT(cond, msg) __extension__ _Static_assert(cond, msg)
#endif

/* offsetof without <stddef.h> (GCC and Clang). */
#define PV86_OFFSETOF(type, field) __builtin_offsetof(type, field)
#define PV86_CHECK_OFFSET(type, field, off) \
    PV86_STATIC_ASSERT(PV86_OFFSETOF(type, field) == (off), #type "." #field " at " #off)

#endif /* PV86_ABI_H */
