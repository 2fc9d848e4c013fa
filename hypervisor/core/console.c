/* console: COM1 and printk (see console.h). */
#include "core/console.h"

#include "arch/x86/cpu.h"
#include "core/prof.h"
#include "core/toolstack_rules.h"
#include "lib/format.h"

#define COM1 0x3F8

/* Whose line is open on the serial port: -1 none, 0 the hypervisor,
 * otherwise a domain id + 1. A different source first ends it. */
static int open_line = -1;

void console_init(void)
{
    outb(COM1 + 1, 0x00);      /* no interrupts */
    outb(COM1 + 3, 0x80);      /* DLAB on */
    outb(COM1 + 0, 0x01);      /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);      /* 8N1 */
    outb(COM1 + 2, 0x00);      /* no FIFO: turning it on would drop input
                                * already received (the UART clears it) */
    outb(COM1 + 4, 0x03);      /* DTR, RTS */
}

static void serial_putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

static void emit(int source, const char *prefix, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (open_line != source) {
            if (open_line != -1)
                serial_putc('\n');
            for (const char *p = prefix; *p; p++)
                serial_putc(*p);
            open_line = source;
        }
        if (buf[i] == '\n') {
            serial_putc('\n');
            open_line = -1;
        } else {
            serial_putc(buf[i]);
        }
    }
}

void printk(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    emit(0, "(pv86) ", buf, len);
    if ((size_t)n >= sizeof(buf))
        emit(0, "(pv86) ", "...[line truncated]\n", 20);
}

/* Each domain's output is collected into whole lines, so that lines of
 * domains running in turn never mix. A line longer than the buffer is
 * printed in pieces, each on a line of its own: nothing is dropped. */
#define LINE_MAX 256
#define LINE_SOURCES 16
static struct {
    char buf[LINE_MAX];
    size_t len;
} lines[LINE_SOURCES];

static void emit_line(uint16_t domid, const char *buf, size_t len)
{
    char prefix[16];
    fmt_snprintf(prefix, sizeof(prefix), "(d%u) ", (unsigned)domid);
    emit(domid + 1, prefix, buf, len);
    emit(domid + 1, prefix, "\n", 1);
    PROF_CONSOLE_LINE(domid, buf, len);     /* a benchmark's line ends its window */
}

void console_flush(uint16_t domid)
{
    if (domid < LINE_SOURCES && lines[domid].len) {
        emit_line(domid, lines[domid].buf, lines[domid].len);
        lines[domid].len = 0;
    }
}

void console_guest_write(uint16_t domid, const char *buf, size_t len)
{
    if (domid >= LINE_SOURCES) {
        char prefix[16];
        fmt_snprintf(prefix, sizeof(prefix), "(d%u) ", (unsigned)domid);
        emit(domid + 1, prefix, buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            emit_line(domid, lines[domid].buf, lines[domid].len);
            lines[domid].len = 0;
            continue;
        }
        if (lines[domid].len == LINE_MAX)
            console_flush(domid);
        lines[domid].buf[lines[domid].len++] = buf[i];
    }
}

/* Serial input waits here until a reader has really taken it: Xen's
 * serial_rx ring, from which console_io READ consumes only what it copied
 * to the guest. Bytes that arrive while it is full stay in the UART.
 * Between the UART and the ring sits Xen's switch (core/toolstack_rules.h):
 * CTRL-a three times sends the input to the toolstack instead, into a ring
 * of its own (core/toolstack.c reads it), and three more send it back. */
#define RX_SIZE 128
static char rx_ring[RX_SIZE];
static uint32_t rx_cons, rx_prod;
static char ts_ring[RX_SIZE];
static uint32_t ts_cons, ts_prod;
static struct ts_switch input_switch;

static void announce(int to_toolstack)
{
    printk("*** Serial input to %s (type 'CTRL-a' three times to switch input)\n",
           to_toolstack ? "pv86" : "d1");
}

static void rx_fill(void)
{
    for (;;) {
        int ts = input_switch.to_toolstack;
        uint32_t used = ts ? ts_prod - ts_cons : rx_prod - rx_cons;
        if (RX_SIZE - used < 3 || !(inb(COM1 + 5) & 0x01))
            break;                      /* a byte may give back two CTRL-a */
        char out[3];
        int toggled;
        unsigned n = ts_switch_byte(&input_switch, (char)inb(COM1), out, &toggled);
        for (unsigned i = 0; i < n; i++) {
            if (ts)
                ts_ring[ts_prod++ % RX_SIZE] = out[i];
            else
                rx_ring[rx_prod++ % RX_SIZE] = out[i];
        }
        if (toggled)
            announce(input_switch.to_toolstack);
    }
}

size_t console_toolstack_read(char *buf, size_t max)
{
    size_t n = 0;
    rx_fill();
    while (n < max && ts_cons != ts_prod)
        buf[n++] = ts_ring[ts_cons++ % RX_SIZE];
    return n;
}

int console_input_ready(void)
{
    rx_fill();
    return rx_prod != rx_cons;
}

size_t console_peek(char *buf, size_t max)
{
    size_t n = 0;
    rx_fill();
    while (n < max && rx_cons + n != rx_prod) {
        buf[n] = rx_ring[(rx_cons + n) % RX_SIZE];
        n++;
    }
    return n;
}

void console_consume(size_t n)
{
    if (n > rx_prod - rx_cons)
        n = rx_prod - rx_cons;
    rx_cons += (uint32_t)n;
}

size_t console_read(char *buf, size_t max)
{
    size_t n = console_peek(buf, max);
    console_consume(n);
    return n;
}
