/* fwcfg: QEMU's firmware configuration device, I/O interface only (see
 * vdev.h). The items are made on the fly; every other key reads as QEMU's
 * keys without data do: zeros. */
#include "vdev/vdev.h"

void vfwcfg_reset(struct vfwcfg *f, uint64_t ram_bytes)
{
    f->key = VFWCFG_SIGNATURE;         /* QEMU's reset selects the signature */
    f->offset = 0;
    f->ram_bytes = ram_bytes;
}

/* Byte off of the current item; 0 past its end. */
static int item_byte(const struct vfwcfg *f, uint32_t off, uint8_t *b)
{
    uint64_t le;
    unsigned len;
    if (f->key & 0x8000)
        return 0;                      /* arch-local items (ACPI, e820, ...): none */
    switch (f->key & 0x3FFF) {         /* QEMU ignores the write-channel bit 0x4000 */
    case VFWCFG_SIGNATURE:
        if (off >= 4)
            return 0;
        *b = (uint8_t)"QEMU"[off];
        return 1;
    case VFWCFG_ID:        le = 1; len = 4; break;   /* traditional interface, no DMA */
    case VFWCFG_RAM_SIZE:  le = f->ram_bytes; len = 8; break;
    case VFWCFG_NB_CPUS:   le = 1; len = 2; break;
    case VFWCFG_MAX_CPUS:  le = 1; len = 2; break;
    case VFWCFG_FILE_DIR:  le = 0; len = 4; break;   /* count 0 (big-endian) */
    default:
        return 0;
    }
    if (off >= len)
        return 0;
    *b = (uint8_t)(le >> (8 * off));
    return 1;
}

uint32_t vfwcfg_read(struct vfwcfg *f, uint16_t port, unsigned size)
{
    uint8_t b;
    if (size != 1 || (port != VDEV_FWCFG_SEL && port != VDEV_FWCFG_DATA))
        return 0;                      /* QEMU takes byte reads only */
    if (!item_byte(f, f->offset, &b))
        return 0;
    f->offset++;
    return b;
}

void vfwcfg_write(struct vfwcfg *f, uint16_t port, unsigned size, uint32_t val)
{
    if (port == VDEV_FWCFG_SEL && size == 2) {
        f->key = (uint16_t)val;
        f->offset = 0;
    }                                  /* data writes: ignored since QEMU 2.4 */
}
