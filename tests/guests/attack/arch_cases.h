/* arch_cases: attacks on the CPU modes and the switcher region (issue 13:
 * vm86, ring 2, pages shared between domains). */
#ifndef ATTACK_ARCH_CASES_H
#define ATTACK_ARCH_CASES_H

#include <stddef.h>

/* test=NAME for one of these: run it (a crash case does not come back when
 * the hypervisor crashes us, as it should) and return 1; 0 for other names. */
int arch_case(const char *name, size_t len);
/* attack.c: tell the innocent domain we are done. */
void signal_innocent(void);

#endif
