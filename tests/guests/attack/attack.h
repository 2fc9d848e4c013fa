/*
 * attack.h: what the attack suite's topic files share with attack.c. Each
 * topic is one boot (test=NAME): NAME_case() runs its TAP cases, tells the
 * innocent domain (and the latency neighbour, if any) it is done, and
 * returns tap_done()'s result.
 */
#ifndef ATTACK_ATTACK_H
#define ATTACK_ATTACK_H

#include <stddef.h>
#include <stdint.h>

/* Signal the innocent domain (innocent=, default 2). */
void signal_innocent(void);

/* The topic for test=NAME, or -1 if NAME is none of these. */
int hvpages_case(const char *name, size_t len);     /* hvpages, console-close, -indices */
int timers_case(const char *name, size_t len);      /* timers */
int slot3_case(const char *name, size_t len);       /* slot3 (slot3.c) */
int ptwr_case(const char *name, size_t len);        /* ptwr (issue 14) */
int iopl_case(const char *name, size_t len);        /* iopl */
int debugreg_case(const char *name, size_t len);    /* debugreg */
int sysenter_case(const char *name, size_t len);    /* sysenter, sysenter-vm86, -nogp */
int slot3_stale_case(const char *name, size_t len); /* slot3-stale, -flood (slot3stale.c) */
int walk_cache_case(const char *name, size_t len);  /* walk-cache (walkcache.c, issue 18) */
int dr6_stale_case(const char *name, size_t len);    /* dr6-stale (dr6stale.c) */
int grant_case(const char *name, size_t len);       /* grant (grant.c, issue 17) */
int xenstore_case(const char *name, size_t len);    /* xenstore (xenstore.c, issue 17) */

#endif
