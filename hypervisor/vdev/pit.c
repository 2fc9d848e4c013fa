/* pit: the 8254's channel 0 as a periodic source of IRQ 0 (see vdev.h).
 * Modes 2 and 3 (rate generator, square wave) repeat; mode 0 fires once. */
#include "vdev/vdev.h"

#include <string.h>

void vpit_reset(struct vpit *t)
{
    memset(t, 0, sizeof(*t));
}

static void start(struct vpit *t, uint64_t now_ns)
{
    uint32_t count = t->reload ? t->reload : 65536u;
    t->period_ns = (uint64_t)count * 1000000000ull / VPIT_HZ;
    if (t->period_ns == 0)
        t->period_ns = 1;
    t->next_ns = now_ns + t->period_ns;
    t->running = 1;
}

void vpit_write(struct vpit *t, uint16_t port, uint8_t val, uint64_t now_ns)
{
    if (port == 0x43) {
        if ((val >> 6) != 0)
            return;                    /* channels 1, 2 and read-back: ignored */
        if (((val >> 4) & 3) == 0)
            return;                    /* counter latch: reads are not modelled */
        t->access = (val >> 4) & 3;
        t->mode = (val >> 1) & 7;
        if (t->mode > 5)
            t->mode -= 4;              /* 6, 7 are aliases of 2, 3 */
        t->write_hi = 0;
        t->running = 0;
        return;
    }
    if (port != 0x40)
        return;
    switch (t->access) {
    case 1:
        t->reload = val;
        break;
    case 2:
        t->reload = (uint16_t)(val << 8);
        break;
    case 3:
        if (!t->write_hi) {
            t->reload = (uint16_t)((t->reload & 0xFF00) | val);
            t->write_hi = 1;
            return;                    /* starts with the high byte */
        }
        t->reload = (uint16_t)((t->reload & 0x00FF) | (val << 8));
        t->write_hi = 0;
        break;
    default:
        return;
    }
    start(t, now_ns);
}

uint8_t vpit_read(struct vpit *t, uint16_t port)
{
    (void)t, (void)port;
    return 0;                          /* counter reads are not modelled */
}

unsigned vpit_advance(struct vpit *t, uint64_t now_ns)
{
    if (!t->running || now_ns < t->next_ns)
        return 0;
    if (t->mode == 0) {
        t->running = 0;                /* one shot */
        return 1;
    }
    uint64_t missed = (now_ns - t->next_ns) / t->period_ns;
    t->next_ns += (missed + 1) * t->period_ns;
    return 1;
}
