/* The innocent's xenstore round trips (xs.c; xs=1 on its command line). */
#ifndef INNOCENT_XS_H
#define INNOCENT_XS_H
#include <stdint.h>
void innocent_xs_init(void);
/* WRITE data/inn = counter, READ it back: 0 if both answered right (in
 * *took_ns), -1 if not (or no answer within 2 s). */
int innocent_xs_round(uint32_t counter, uint64_t *took_ns);
#endif
