/*
 * ports_hostile: tetest's "port-sweep" part, a guest kernel that throws
 * every port access it can at te's virtual PC (hypervisor/vdev): a read of
 * each port below 0x2000 (every device the PC has) and of every 257th above
 * at each size, a write of 0 to each of those (but the exit port, the
 * 8259's and COM1's, whose writes would end the run, unmask interrupts or
 * print), fw_cfg items read far past their end with REP
 * INSB, every fw_cfg key class, PCI addresses with every high bit, the
 * reset-control register with each value but a reset, and the PIT at its
 * fastest. The 8259 stays masked throughout. Afterwards the devices still
 * answer as on QEMU: fw_cfg's signature, the PCI address register, the
 * 8259's mask, and COM1 (this output).
 */
#include <stdint.h>

#include "tetest.h"

static inline void out8(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void out16(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void out32(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t in8(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t in16(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t in32(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static uint8_t sink[65536];

/* The ports swept: all below 0x2000, one in 257 above (a boot of seconds). */
static int swept(uint32_t port)
{
    return port < 0x2000 || port % 257 == 0;
}

static int spared(uint32_t port)
{
    return (port >= 0xF4 && port <= 0xF7) || port == 0x20 || port == 0x21 || port == 0xA0 || port == 0xA1 ||
           (port >= 0x3F8 && port <= 0x3FF);
}

/* REP INSB of n bytes from port into sink. */
static void rep_insb(uint16_t port, uint32_t n)
{
    void *d = sink;
    __asm__ volatile("cld\n\trep insb" : "+D"(d), "+c"(n) : "d"(port) : "memory");
}

void test_port_sweep(void)
{
    __asm__ volatile("cli");
    out8(0x21, 0xFF);
    out8(0xA1, 0xFF);

    uint32_t ones = 0, n = 0;
    for (uint32_t p = 0; p < 0x10000; p++) {
        if (!swept(p) || (p >= 0x3F8 && p <= 0x3FF))
            continue;                            /* a read would take serial input */
        n++;
        ones += in8((uint16_t)p) == 0xFF;
        ones += in16((uint16_t)p) == 0xFFFF;
        ones += in32((uint16_t)p) == 0xFFFFFFFFu;
    }
    result(n == 0x2000 - 8 + 224 && ones > 3 * (n - 64),
           "a read of 8408 ports at sizes 1, 2 and 4 (all but a few read all ones)");

    for (uint32_t p = 0; p < 0x10000; p++) {
        if (!swept(p) || spared(p))
            continue;
        out8((uint16_t)p, 0);
        out16((uint16_t)p, 0);
        out32((uint16_t)p, 0);
    }
    result(1, "a write of 0 to each of them (but the exit port, the 8259's, COM1) at sizes 1, 2 and 4");

    static const uint16_t keys[] = { 0x0000, 0x0001, 0x0003, 0x0005, 0x000F, 0x0019, 0x3FFF,
                                     0x4000, 0x4003, 0x7FFF, 0x8000, 0x8003, 0xC000, 0xFFFF };
    uint32_t nonzero = 0;
    for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        out16(0x510, keys[k]);
        rep_insb(0x511, sizeof(sink));
        for (uint32_t i = 8; i < sizeof(sink); i++)
            nonzero += sink[i] != 0;
        out32(0x510, 0xFFFFFFFFu);                 /* not a selection: ignored */
        out8(0x511, 0x55);                         /* data writes: ignored */
    }
    result(nonzero == 0, "fw_cfg: 14 keys (every class) read 64 KiB each with rep insb: zeros past 8 bytes");
    out16(0x510, 0);
    uint32_t sig = in8(0x511) | (uint32_t)in8(0x511) << 8 | (uint32_t)in8(0x510) << 16 |
                   (uint32_t)in8(0x511) << 24;
    result(sig == 0x554d4551u, "fw_cfg: the signature still reads QEMU");

    for (uint32_t b = 0; b < 32; b++) {
        out32(0xCF8, 1u << b);
        (void)in32(0xCFC);
        (void)in16(0xCFE);
        (void)in8(0xCFF);
        out32(0xCFC, 0xFFFFFFFFu);
    }
    for (uint32_t v = 0; v < 256; v++)
        if (!(v & 4))
            out8(0xCF9, (uint8_t)v);
    out32(0xCF8, 0x80001234u);
    result(in32(0xCF8) == 0x80001234u && in32(0xCFC) == 0xFFFFFFFFu && (in8(0xCF9) & ~2u) == 0,
           "PCI: every address bit and reset-control value but a reset: the address reads back");

    out8(0x43, 0x34);                              /* channel 0, lo/hi, mode 2 */
    out8(0x40, 1);
    out8(0x40, 0);                                 /* the fastest rate */
    for (volatile int i = 0; i < 100000; i++)
        ;
    out8(0x43, 0x30);                              /* mode 0: stop after one */
    out8(0x40, 0);
    out8(0x40, 0);
    result(in8(0x21) == 0xFF && in8(0xA1) == 0xFF, "the 8259's masks are still all set");
}
