/*
 * console: the serial line (COM1, 115200 8N1, polled) and printk.
 * Hypervisor lines carry the prefix "(pv86) ", a guest's lines "(dN) ".
 */
#ifndef HV_CORE_CONSOLE_H
#define HV_CORE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void console_init(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Bytes a guest wrote, printed with its prefix at each line start. */
void console_guest_write(uint16_t domid, const char *buf, size_t len);
/* Up to max bytes of pending serial input, without waiting. */
size_t console_read(char *buf, size_t max);
/* The same without taking them: they stay until console_consume(n). */
size_t console_peek(char *buf, size_t max);
void console_consume(size_t n);
int console_input_ready(void);
/* Bytes typed while input goes to the toolstack (CTRL-a three times):
 * up to max, without waiting (core/toolstack.c). */
size_t console_toolstack_read(char *buf, size_t max);
/* Print what a domain wrote without a newline yet (at its end). */
void console_flush(uint16_t domid);

#endif
