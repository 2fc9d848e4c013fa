/* pic: two 8259A in cascade (see vdev.h). Only what a PC kernel uses: the
 * ICW1-4 sequence, the mask (OCW1), non-specific and specific EOI (OCW2),
 * and IRR/ISR reads (OCW3). Fully nested priority, IRQ 0 highest. */
#include "vdev/vdev.h"

#include <string.h>

static void chip_reset(struct vpic_chip *c, uint8_t base)
{
    memset(c, 0, sizeof(*c));
    c->imr = 0xFF;
    c->base = base;
}

void vpic_reset(struct vpic *p)
{
    chip_reset(&p->chip[0], 0x08);     /* the BIOS's vectors until ICW2 */
    chip_reset(&p->chip[1], 0x70);
}

/* Highest-priority bit of m (lowest number), or 8. */
static unsigned first_bit(uint8_t m)
{
    return m ? (unsigned)__builtin_ctz(m) : 8;   /* one bsf: it runs at every exit */
}

/* The line a chip would signal, or -1: requested, unmasked, and of higher
 * priority than anything in service. */
static int chip_pending(const struct vpic_chip *c, uint8_t extra_irr)
{
    unsigned req = first_bit((uint8_t)((c->irr | extra_irr) & ~c->imr));
    return req < first_bit(c->isr) ? (int)req : -1;
}

static void chip_write(struct vpic_chip *c, unsigned a0, uint8_t val)
{
    if (a0 == 0 && (val & 0x10)) {            /* ICW1 */
        c->init_step = 1;
        c->need_icw4 = val & 1;
        c->irr = c->isr = 0;
        c->imr = 0;
        c->read_isr = 0;
        return;
    }
    if (a0 == 1) {
        switch (c->init_step) {
        case 1:                               /* ICW2 */
            c->base = val & 0xF8;
            c->init_step = 2;
            return;
        case 2:                               /* ICW3: cascade wiring, fixed */
            c->init_step = c->need_icw4 ? 3 : 0;
            return;
        case 3:                               /* ICW4: 8086 mode assumed */
            c->init_step = 0;
            return;
        default:                              /* OCW1 */
            c->imr = val;
            return;
        }
    }
    if (val & 0x08) {                         /* OCW3 */
        if (val & 0x02)
            c->read_isr = val & 1;
        return;
    }
    switch (val & 0xE0) {                     /* OCW2 */
    case 0x20: {                              /* non-specific EOI */
        unsigned b = first_bit(c->isr);
        if (b < 8)
            c->isr &= (uint8_t)~(1u << b);
        return;
    }
    case 0x60:                                /* specific EOI */
        c->isr &= (uint8_t)~(1u << (val & 7));
        return;
    default:                                  /* rotation modes: not modelled */
        return;
    }
}

void vpic_write(struct vpic *p, uint16_t port, uint8_t val)
{
    chip_write(&p->chip[(port & 0x80) ? 1 : 0], port & 1, val);
}

uint8_t vpic_read(struct vpic *p, uint16_t port)
{
    struct vpic_chip *c = &p->chip[(port & 0x80) ? 1 : 0];
    if (port & 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

void vpic_raise(struct vpic *p, unsigned irq)
{
    if (irq < 16)
        p->chip[irq >> 3].irr |= (uint8_t)(1u << (irq & 7));
}

int vpic_pending(const struct vpic *p)
{
    int s = chip_pending(&p->chip[1], 0);
    int m = chip_pending(&p->chip[0], s >= 0 ? 0x04 : 0);
    if (m < 0)
        return -1;
    return m == 2 && s >= 0 ? 8 + s : m;
}

int vpic_ack(struct vpic *p)
{
    int irq = vpic_pending(p);
    if (irq < 0)
        return -1;
    struct vpic_chip *m = &p->chip[0], *s = &p->chip[1];
    if (irq >= 8) {
        s->irr &= (uint8_t)~(1u << (irq - 8));
        s->isr |= (uint8_t)(1u << (irq - 8));
        m->isr |= 0x04;
        return s->base + (irq - 8);
    }
    m->irr &= (uint8_t)~(1u << irq);
    m->isr |= (uint8_t)(1u << irq);
    return m->base + irq;
}
