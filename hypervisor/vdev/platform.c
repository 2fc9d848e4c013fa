/* platform: the port map of the virtual PC (see vdev.h). */
#include "vdev/vdev.h"

void vplatform_reset(struct vplatform *p, void (*put)(void *, char), void *ctx)
{
    vpic_reset(&p->pic);
    vpit_reset(&p->pit);
    p->uart.put = put;
    p->uart.ctx = ctx;
    vuart_reset(&p->uart);
    p->request = VDEV_RUNNING;
    p->exit_value = 0;
}

static int is_pic(uint16_t port)
{
    return port == 0x20 || port == 0x21 || port == 0xA0 || port == 0xA1;
}

uint32_t vplatform_in(struct vplatform *p, uint16_t port, unsigned size, uint64_t now_ns)
{
    uint32_t ones = size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    vplatform_advance(p, now_ns);
    if (size != 1)
        return ones;                   /* every modelled register is a byte */
    if (is_pic(port))
        return vpic_read(&p->pic, port);
    if (port >= 0x40 && port <= 0x43)
        return vpit_read(&p->pit, port);
    if (port >= VDEV_COM1 && port < VDEV_COM1 + 8)
        return vuart_read(&p->uart, port - VDEV_COM1);
    return ones;
}

void vplatform_out(struct vplatform *p, uint16_t port, unsigned size, uint32_t val,
                   uint64_t now_ns)
{
    if (port == VDEV_ACPI_PM1A && size == 2) {
        if ((val & 0x2000) && ((val >> 10) & 7) == 0)   /* SLP_EN, SLP_TYP 0 = S5 */
            p->request = VDEV_POWEROFF;
        return;
    }
    if (port == VDEV_EXIT_PORT) {
        p->request = VDEV_EXIT;
        p->exit_value = val;
        return;
    }
    if (size != 1)
        return;
    if (is_pic(port))
        vpic_write(&p->pic, port, (uint8_t)val);
    else if (port >= 0x40 && port <= 0x43)
        vpit_write(&p->pit, port, (uint8_t)val, now_ns);
    else if (port >= VDEV_COM1 && port < VDEV_COM1 + 8)
        vuart_write(&p->uart, port - VDEV_COM1, (uint8_t)val);
    vplatform_advance(p, now_ns);
}

void vplatform_advance(struct vplatform *p, uint64_t now_ns)
{
    if (vpit_advance(&p->pit, now_ns))
        vpic_raise(&p->pic, 0);
    if (vuart_irq(&p->uart))
        vpic_raise(&p->pic, 4);
}
