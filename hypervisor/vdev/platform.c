/* platform: the port map, the LAPIC page and the interrupt line of the
 * virtual PC (see vdev.h). */
#include "vdev/vdev.h"

void vplatform_reset(struct vplatform *p, void (*put)(void *, char), void *ctx,
                     uint64_t ram_bytes)
{
    vpic_reset(&p->pic);
    vpit_reset(&p->pit);
    p->uart.put = put;
    p->uart.ctx = ctx;
    vuart_reset(&p->uart);
    vlapic_reset(&p->lapic);
    vpci_reset(&p->pci);
    vfwcfg_reset(&p->fwcfg, ram_bytes);
    p->request = VDEV_RUNNING;
    p->exit_value = 0;
}

static int is_pic(uint16_t port)
{
    return port == 0x20 || port == 0x21 || port == 0xA0 || port == 0xA1;
}

static int is_pci(uint16_t port)
{
    return port >= VDEV_PCI_ADDR && port <= VDEV_PCI_DATA + 3;
}

static int is_fwcfg(uint16_t port)
{
    return port == VDEV_FWCFG_SEL || port == VDEV_FWCFG_DATA;
}

uint32_t vplatform_in(struct vplatform *p, uint16_t port, unsigned size, uint64_t now_ns)
{
    uint32_t ones = size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    vplatform_advance(p, now_ns);
    if (is_pci(port))
        return vpci_read(&p->pci, port, size);
    if (is_fwcfg(port))
        return vfwcfg_read(&p->fwcfg, port, size);
    if (size != 1)
        return ones;                   /* every other modelled register is a byte */
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
    if (port >= VDEV_EXIT_PORT && port < VDEV_EXIT_PORT + VDEV_EXIT_PORTS) {
        p->request = VDEV_EXIT;
        p->exit_value = val;
        return;
    }
    if (is_pci(port)) {
        if (vpci_write(&p->pci, port, size, val))
            p->request = VDEV_RESET;
        return;
    }
    if (is_fwcfg(port)) {
        vfwcfg_write(&p->fwcfg, port, size, val);
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

static int in_lapic(uint64_t gpa)
{
    return gpa >= VLAPIC_MMIO_BASE && gpa < (uint64_t)VLAPIC_MMIO_BASE + VLAPIC_MMIO_SIZE;
}

int vplatform_mmio_decodes(const struct vplatform *p, uint64_t gpa)
{
    (void)p;
    return in_lapic(gpa);
}

int vplatform_mmio_read(struct vplatform *p, uint64_t gpa, unsigned size, uint64_t *val,
                        uint64_t now_ns)
{
    if (!in_lapic(gpa))
        return 0;
    vplatform_advance(p, now_ns);
    *val = vlapic_read(&p->lapic, (uint32_t)(gpa - VLAPIC_MMIO_BASE), size, now_ns);
    return 1;
}

int vplatform_mmio_write(struct vplatform *p, uint64_t gpa, unsigned size, uint64_t val,
                         uint64_t now_ns)
{
    if (!in_lapic(gpa))
        return 0;
    vplatform_advance(p, now_ns);
    vlapic_write(&p->lapic, (uint32_t)(gpa - VLAPIC_MMIO_BASE), size, (uint32_t)val, now_ns);
    return 1;
}

int vplatform_rdmsr(struct vplatform *p, uint32_t msr, uint64_t *val)
{
    if (msr != VLAPIC_MSR_BASE)
        return -1;
    *val = vlapic_get_base(&p->lapic);
    return 0;
}

int vplatform_wrmsr(struct vplatform *p, uint32_t msr, uint64_t val)
{
    if (msr != VLAPIC_MSR_BASE)
        return -1;
    vlapic_set_base(&p->lapic, val);
    return 0;
}

void vplatform_advance(struct vplatform *p, uint64_t now_ns)
{
    if (vpit_advance(&p->pit, now_ns))
        vpic_raise(&p->pic, 0);
    if (vuart_irq(&p->uart))
        vpic_raise(&p->pic, 4);
    vlapic_advance(&p->lapic, now_ns);
}

uint64_t vplatform_next_deadline_ns(const struct vplatform *p)
{
    uint64_t pit = p->pit.running ? p->pit.next_ns : UINT64_MAX;
    uint64_t apic = vlapic_deadline_ns(&p->lapic);
    return pit < apic ? pit : apic;
}

/* The 8259's vector for an IRQ vpic_pending gave. */
static int pic_vector(const struct vpic *pic, int irq)
{
    return irq >= 8 ? pic->chip[1].base + (irq - 8) : pic->chip[0].base + irq;
}

int vplatform_intr_pending(const struct vplatform *p)
{
    int irq = vpic_pending(&p->pic);
    if (irq >= 0 && vlapic_accept_pic(&p->lapic))
        return pic_vector(&p->pic, irq);
    return vlapic_pending(&p->lapic);
}

int vplatform_intr_ack(struct vplatform *p)
{
    if (vpic_pending(&p->pic) >= 0 && vlapic_accept_pic(&p->lapic))
        return vpic_ack(&p->pic);
    return vlapic_ack(&p->lapic);
}
