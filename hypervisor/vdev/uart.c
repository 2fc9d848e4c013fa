/* uart: an 8250 on COM1 (see vdev.h). Transmission is immediate (the line
 * status always says the transmitter is empty); received bytes wait in a
 * small buffer and raise the line while the receive interrupt is on. */
#include "vdev/vdev.h"

#include <string.h>

#define LCR_DLAB 0x80

void vuart_reset(struct vuart *u)
{
    void (*put)(void *, char) = u->put;
    void *ctx = u->ctx;
    memset(u, 0, sizeof(*u));
    u->put = put;
    u->ctx = ctx;
}

void vuart_write(struct vuart *u, unsigned reg, uint8_t val)
{
    switch (reg) {
    case 0:
        if (u->lcr & LCR_DLAB)
            u->dll = val;
        else if (u->put)
            u->put(u->ctx, (char)val);
        return;
    case 1:
        if (u->lcr & LCR_DLAB)
            u->dlm = val;
        else
            u->ier = val & 0x0F;
        return;
    case 3: u->lcr = val; return;
    case 4: u->mcr = val & 0x1F; return;
    case 7: u->scr = val; return;
    default: return;                   /* FCR, LSR, MSR: nothing to do */
    }
}

uint8_t vuart_read(struct vuart *u, unsigned reg)
{
    switch (reg) {
    case 0:
        if (u->lcr & LCR_DLAB)
            return u->dll;
        if (u->rx_len) {
            uint8_t c = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % VUART_RX_SIZE;
            u->rx_len--;
            return c;
        }
        return 0;
    case 1: return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
    case 2: return vuart_irq(u) ? 0x04 : 0x01;       /* IIR: data, or none */
    case 3: return u->lcr;
    case 4: return u->mcr;
    case 5: return (uint8_t)(0x60 | (u->rx_len ? 1 : 0));   /* THR and line empty */
    case 6: return 0xB0;                              /* DCD, DSR, CTS */
    default: return u->scr;
    }
}

size_t vuart_receive(struct vuart *u, const char *buf, size_t len)
{
    size_t n = 0;
    while (n < len && u->rx_len < VUART_RX_SIZE) {
        u->rx[(u->rx_head + u->rx_len) % VUART_RX_SIZE] = (uint8_t)buf[n++];
        u->rx_len++;
    }
    return n;
}

int vuart_irq(const struct vuart *u)
{
    return (u->ier & 1) && u->rx_len && (u->mcr & 0x08);    /* OUT2 gates the line */
}
