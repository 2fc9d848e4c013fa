/* pci: configuration mechanism #1 with no device behind it (see vdev.h).
 * As QEMU's pci_host: the address register at 0xCF8 is set only by a 4-byte
 * write and any aligned read of 0xCF8-0xCFB returns its low bytes (the
 * register itself, not shifted); every function's configuration space reads
 * all ones and takes no write. 0xCF9 is the PIIX3 reset control register. */
#include "vdev/vdev.h"

void vpci_reset(struct vpci *c)
{
    c->config_reg = 0;
    c->rcr = 0;
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

uint32_t vpci_read(struct vpci *c, uint16_t port, unsigned size)
{
    if (port & (size - 1))
        return 0;                      /* QEMU: a misaligned access is invalid */
    if (port == VDEV_PCI_RCR && size == 1)
        return c->rcr;
    if (port >= VDEV_PCI_ADDR && port < VDEV_PCI_DATA)
        return c->config_reg & size_mask(size);
    return size_mask(size);            /* data: no device, or address disabled */
}

int vpci_write(struct vpci *c, uint16_t port, unsigned size, uint32_t val)
{
    if (port & (size - 1))
        return 0;
    if (port == VDEV_PCI_RCR && size == 1) {
        if (val & 4)
            return 1;                  /* reset the machine */
        c->rcr = val & 2;
        return 0;
    }
    if (port == VDEV_PCI_ADDR && size == 4)
        c->config_reg = val;
    return 0;                          /* data writes: no device takes them */
}
