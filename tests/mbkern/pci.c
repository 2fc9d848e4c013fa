/*
 * pci: configuration mechanism #1 (the address at 0xcf8, the data at
 * 0xcfc-0xcff): the address register reads back what was written, the data
 * port reads all ones while the enable bit is clear and for a bus, device
 * or function that does not exist (in 32, 16 and 8 bits), and a scan of
 * bus 0 says how many functions answer: a comment only, so that the exit
 * status is the same on a machine with no device (pv86's virtual PC) as on
 * bare QEMU's.
 */
#include "mbkern.h"

const char mbk_name[] = "pci";

#define CF8 0xCF8
#define CFC 0xCFC

static uint32_t addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xFC);
}

static uint32_t cfg_read(uint32_t a) { outl(CF8, a); return inl(CFC); }

void mbk_main(void)
{
    /* bit 31 and bits 23:2: the rest is reserved */
    static const uint32_t vals[] = { 0x80000000u, 0x8000F8FCu, 0x80FFFF00u, 0x00ABCDECu, 0 };
    int ok = 1;
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        outl(CF8, vals[i]);
        uint32_t r = inl(CF8);
        if (r != vals[i]) {
            mbk_printf("# 0xcf8: wrote 0x%x, read 0x%x\n", vals[i], r);
            ok = 0;
        }
    }
    report(ok, "the address register reads back what was written (5 values)");

    outl(CF8, 0x00000000u);                       /* enable bit clear */
    report(inl(CFC) == 0xFFFFFFFFu, "the enable bit clear: 0xcfc reads all ones");

    report(cfg_read(addr(255, 31, 7, 0)) == 0xFFFFFFFFu, "bus 255 device 31 function 7: all ones");
    report(cfg_read(addr(0, 31, 7, 0)) == 0xFFFFFFFFu, "bus 0 device 31 function 7: all ones");
    outl(CF8, addr(255, 0, 0, 0));
    uint16_t w = inw(CFC + 2);
    uint8_t b = inb(CFC + 3);
    report(w == 0xFFFF && b == 0xFF, "bus 255 device 0: 16-bit and 8-bit reads all ones");
    outl(CF8, addr(255, 0, 0, 0x10));
    outl(CFC, 0x12345678u);                       /* a write to nothing is dropped */
    report(cfg_read(addr(255, 0, 0, 0x10)) == 0xFFFFFFFFu, "a write to a missing function is dropped");

    /* bus 0: count what answers (a comment: not a check) */
    unsigned found = 0;
    for (unsigned dev = 0; dev < 32; dev++) {
        for (unsigned fn = 0; fn < 8; fn++) {
            uint32_t id = cfg_read(addr(0, dev, fn, 0));
            if ((id & 0xFFFF) == 0xFFFF) {
                if (fn == 0)
                    break;
                continue;
            }
            found++;
            uint32_t hdr = cfg_read(addr(0, dev, fn, 0x0C));
            uint32_t cls = cfg_read(addr(0, dev, fn, 0x08));
            mbk_printf("# 00:%02x.%u %04x:%04x class %06x\n", dev, fn, id & 0xFFFF, id >> 16, cls >> 8);
            if (fn == 0 && !((hdr >> 16) & 0x80))
                break;                            /* single-function device */
        }
    }
    mbk_printf("# bus 0: %u functions answer\n", found);
    outl(CF8, 0);
}
