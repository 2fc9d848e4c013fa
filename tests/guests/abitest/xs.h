/* xs (pv): a small xenstore client for the ABI test guest (xs.c). */
#ifndef ABITEST_XS_H
#define ABITEST_XS_H

#include <stdint.h>

#define XS_REPLY_MAX 256
#define XS_TIMEOUT   0xffffffffu     /* no answer within the bound */

/* Map the store ring: 0 when the run has no xenstore (store_evtchn 0). */
int xs_init(void);
/* A request: the reply's type (XS_ERROR: xs_reply holds the error's
 * name), the reply NUL-terminated in xs_reply. Watch events that come
 * first are counted in xs_watch_events. */
uint32_t xs_request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen);
uint32_t xs_read(const char *path);
uint32_t xs_write(const char *path, const char *value);
uint32_t xs_watch(const char *path, const char *token);
/* READ of a decimal value (XS_ERROR if it is not one). */
uint32_t xs_read_number(const char *path, uint32_t *value);
/* Wait at most 10 ms for the store: 1 if a watch event came. */
int xs_wait_event(void);

extern char xs_reply[XS_REPLY_MAX + 1];
extern uint32_t xs_reply_len;
extern unsigned xs_watch_events;

#endif
