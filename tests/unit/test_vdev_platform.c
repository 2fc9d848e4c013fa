/* Unit tests for the virtual PC's port map and CPU-side interfaces
 * (hypervisor/vdev/platform.c, pci.c, fwcfg.c): PCI mechanism #1 with no
 * device, fw_cfg's items byte by byte, unused ports, the LAPIC page, the
 * APIC base MSR, the combined interrupt line (8259 through LINT0 and the
 * LAPIC) and the next timer deadline. Expected values are QEMU 7.2's pc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/vdev.h"

static void put(void *ctx, char c) { (void)ctx, (void)c; }

static struct vplatform plat;

static void reset(uint64_t ram)
{
    vplatform_reset(&plat, put, NULL, ram);
}

static uint32_t in(uint16_t port, unsigned size) { return vplatform_in(&plat, port, size, 0); }
static void out(uint16_t port, unsigned size, uint32_t v) { vplatform_out(&plat, port, size, v, 0); }

static void test_pci(void **state)
{
    (void)state;
    reset(16u << 20);
    assert_int_equal(in(0xCF8, 4), 0);
    out(0xCF8, 4, 0x80000000);                    /* bus 0, device 0, register 0 */
    assert_int_equal(in(0xCF8, 4), 0x80000000u);
    assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);  /* vendor/device: no device */
    assert_int_equal(in(0xCFC, 2), 0xFFFF);
    assert_int_equal(in(0xCFE, 2), 0xFFFF);
    assert_int_equal(in(0xCFF, 1), 0xFF);
    out(0xCFC, 4, 0x12345678);                    /* dropped */
    assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);
    for (uint32_t bdf = 0; bdf < 0x10000; bdf += 0x0101) {   /* a spread of bus/dev/fn */
        out(0xCF8, 4, 0x80000000u | bdf << 8 | 0x0C);
        assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);
    }
    out(0xCF8, 4, 0x8000F8FC);                    /* the whole register reads back */
    assert_int_equal(in(0xCF8, 4), 0x8000F8FCu);
    out(0xCF8, 4, 0x7FFFFFFF);
    assert_int_equal(in(0xCF8, 4), 0x7FFFFFFFu);
    assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);  /* disabled: all ones too */
    /* QEMU's pci_host: only a 4-byte write at 0xCF8 sets it; narrower aligned
     * reads give its low bytes, at any offset; misaligned ones read 0. */
    out(0xCF8, 4, 0x80001234);
    out(0xCF8, 2, 0);
    out(0xCF8, 1, 0);
    out(0xCFA, 2, 0);
    assert_int_equal(in(0xCF8, 4), 0x80001234u);
    assert_int_equal(in(0xCF8, 2), 0x1234);
    assert_int_equal(in(0xCF8, 1), 0x34);
    assert_int_equal(in(0xCFA, 2), 0x1234);
    assert_int_equal(in(0xCFB, 1), 0x34);
    assert_int_equal(in(0xCFB, 2), 0);
    assert_int_equal(in(0xCFA, 4), 0);
    assert_int_equal(in(0xCFD, 1), 0xFF);
    assert_int_equal(in(0xCFD, 2), 0);
    assert_int_equal(in(0xCFD, 4), 0);
    /* 0xCF9: PIIX3 reset control, bit 1 kept, bit 2 resets. */
    assert_int_equal(in(0xCF9, 1), 0);
    out(0xCF9, 1, 0x0A);
    assert_int_equal(in(0xCF9, 1), 0x02);
    assert_int_equal(in(0xCF8, 4), 0x80001234u);
    assert_int_equal(plat.request, VDEV_RUNNING);
    out(0xCF9, 1, 0x06);
    assert_int_equal(plat.request, VDEV_RESET);
}

/* Select key with a 16-bit write; read n bytes from the data port. */
static void item(uint16_t key, uint8_t *buf, unsigned n)
{
    out(0x510, 2, key);
    for (unsigned i = 0; i < n; i++)
        buf[i] = (uint8_t)in(0x511, 1);
}

static void test_fwcfg(void **state)
{
    (void)state;
    uint8_t b[12];
    reset(0x1122334455667788ull);
    /* After reset the signature is selected. */
    for (unsigned i = 0; i < 6; i++)
        b[i] = (uint8_t)in(0x511, 1);
    assert_memory_equal(b, "QEMU\0\0", 6);
    item(0x00, b, 6);
    assert_memory_equal(b, "QEMU\0\0", 6);
    item(0x01, b, 6);                             /* ID: 1, no DMA */
    assert_memory_equal(b, "\x01\0\0\0\0\0", 6);
    item(0x03, b, 10);                            /* RAM size, little-endian */
    assert_memory_equal(b, "\x88\x77\x66\x55\x44\x33\x22\x11\0\0", 10);
    item(0x05, b, 4);                             /* NB_CPUS */
    assert_memory_equal(b, "\x01\0\0\0", 4);
    item(0x0F, b, 4);                             /* MAX_CPUS */
    assert_memory_equal(b, "\x01\0\0\0", 4);
    item(0x19, b, 6);                             /* FILE_DIR: count 0, big-endian */
    assert_memory_equal(b, "\0\0\0\0\0\0", 6);
    static const uint16_t unknown[] = { 0x02, 0x04, 0x0D, 0x0E, 0x10, 0x1F, 0x20, 0x3FFF,
                                        0x8000, 0x8003, 0xFFFF };
    for (unsigned k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++) {
        item(unknown[k], b, 4);
        assert_memory_equal(b, "\0\0\0\0", 4);
    }
    item(0x4000, b, 4);                           /* the write-channel bit is ignored */
    assert_memory_equal(b, "QEMU", 4);
    item(0x4005, b, 2);
    assert_memory_equal(b, "\x01\0", 2);
    /* QEMU's combined port: byte reads of 0x510 read data too; a 16-bit
     * write to 0x510 alone selects; other sizes read 0 and do not advance. */
    out(0x510, 2, 0);
    assert_int_equal(in(0x510, 1), 'Q');
    assert_int_equal(in(0x511, 2), 0);
    assert_int_equal(in(0x510, 2), 0);
    assert_int_equal(in(0x510, 4), 0);
    assert_int_equal(in(0x511, 1), 'E');
    out(0x510, 1, 5);
    out(0x510, 4, 5);
    out(0x511, 2, 5);
    out(0x511, 1, 'X');                           /* data writes ignored */
    assert_int_equal(in(0x511, 1), 'M');
    out(0x510, 2, 0);                             /* reselect: offset 0 */
    assert_int_equal(in(0x511, 1), 'Q');
    /* No DMA interface at 0x514: nothing there. */
    assert_int_equal(in(0x514, 4), 0xFFFFFFFFu);
    assert_int_equal(in(0x518, 1), 0xFF);
    /* The platform's RAM size reaches key 3. */
    reset(128u << 20);
    item(0x03, b, 8);
    assert_memory_equal(b, "\0\0\0\x08\0\0\0\0", 8);
}

static void test_unused_ports(void **state)
{
    (void)state;
    reset(16u << 20);
    /* Port 0x80: QEMU's ioport80 reads all ones and drops writes. */
    out(0x80, 1, 0x12);
    assert_int_equal(in(0x80, 1), 0xFF);
    assert_int_equal(in(0x80, 2), 0xFFFF);
    assert_int_equal(in(0x80, 4), 0xFFFFFFFFu);
    static const uint16_t ports[] = { 0x60, 0x64, 0x70, 0x71, 0x92, 0x1F0, 0x2F8, 0x3C0,
                                      0x512, 0x513, 0xCF0, 0xCF7, 0xD00, 0xFFFF };
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        out(ports[i], 1, 0);
        assert_int_equal(in(ports[i], 1), 0xFF);
        assert_int_equal(in(ports[i], 2), 0xFFFF);
        assert_int_equal(in(ports[i], 4), 0xFFFFFFFFu);
    }
    assert_int_equal(plat.request, VDEV_RUNNING);
}

static void test_mmio_msr(void **state)
{
    (void)state;
    uint64_t v = 0;
    reset(16u << 20);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00030, 4, &v, 0), 1);
    assert_int_equal(v, 0x00050014);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00FFC, 4, &v, 0), 1);
    assert_int_equal(v, 0);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00280, 4, &v, 0), 1);
    assert_int_equal(v, 0x80);                    /* ESR: the illegal slot */
    v = 7;
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE01000, 4, &v, 0), 0);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEDFFFFC, 4, &v, 0), 0);
    assert_int_equal(vplatform_mmio_read(&plat, 0x1FEE00030ull, 4, &v, 0), 0);
    assert_int_equal(vplatform_mmio_read(&plat, 0x100000, 4, &v, 0), 0);
    assert_int_equal(v, 7);                       /* untouched */
    assert_int_equal(vplatform_mmio_write(&plat, 0xFEE00080, 4, 0x30, 0), 1);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00080, 4, &v, 0), 1);
    assert_int_equal(v, 0x30);
    assert_int_equal(vplatform_mmio_write(&plat, 0xFEE00080, 8, 0x40, 0), 1);   /* dropped */
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00080, 1, &v, 0), 1);
    assert_int_equal(v, 0);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00080, 4, &v, 0), 1);
    assert_int_equal(v, 0x30);
    assert_int_equal(vplatform_mmio_write(&plat, 0xFEE01000, 4, 0, 0), 0);
    assert_int_equal(vplatform_rdmsr(&plat, 0x1B, &v), 0);
    assert_int_equal(v, 0xFEE00900u);
    assert_int_equal(vplatform_rdmsr(&plat, 0x1C, &v), -1);
    assert_int_equal(vplatform_wrmsr(&plat, 0x10, 0), -1);
    assert_int_equal(vplatform_wrmsr(&plat, 0x1B, 0xFEE00000), 0);
    assert_int_equal(vplatform_rdmsr(&plat, 0x1B, &v), 0);
    assert_int_equal(v, 0xFEE00100u);
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE000F0, 4, &v, 0), 1);
    assert_int_equal(v, 0xFF);                    /* disabled: SVR bit 8 clear */
}

static void pic_init_pc(void)
{
    out(0x20, 1, 0x11); out(0xA0, 1, 0x11);
    out(0x21, 1, 0x20); out(0xA1, 1, 0x28);
    out(0x21, 1, 4);    out(0xA1, 1, 2);
    out(0x21, 1, 1);    out(0xA1, 1, 1);
    out(0x21, 1, 0xFE); out(0xA1, 1, 0xFF);       /* IRQ 0 only */
}

static void lapic_w(uint32_t off, uint32_t v)
{
    assert_int_equal(vplatform_mmio_write(&plat, VLAPIC_MMIO_BASE + off, 4, v, 0), 1);
}

static void test_interrupt_line(void **state)
{
    (void)state;
    reset(16u << 20);
    pic_init_pc();
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    vpic_raise(&plat.pic, 0);
    assert_int_equal(vplatform_intr_pending(&plat), 0x20);   /* through LINT0 ExtINT */
    lapic_w(0x350, 0x18700);                                 /* LINT0 masked */
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    assert_int_equal(vplatform_intr_ack(&plat), -1);
    assert_int_equal(vpic_pending(&plat.pic), 0);            /* still waiting in the 8259 */
    lapic_w(0x300, 0x00040040);                              /* self-IPI 0x40 */
    assert_int_equal(vplatform_intr_pending(&plat), 0x40);
    lapic_w(0x350, 0x8700);                                  /* LINT0 unmasked */
    assert_int_equal(vplatform_intr_pending(&plat), 0x20);   /* ExtINT first, as QEMU */
    assert_int_equal(vplatform_intr_ack(&plat), 0x20);
    assert_int_equal(vplatform_intr_pending(&plat), 0x40);
    assert_int_equal(vplatform_intr_ack(&plat), 0x40);
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    out(0x20, 1, 0x20);                                      /* 8259 EOI */
    lapic_w(0x0B0, 0);                                       /* LAPIC EOI */
    /* TPR holds back the LAPIC's vector, never the 8259's. */
    lapic_w(0x080, 0xF0);
    lapic_w(0x300, 0x00040041);
    vpic_raise(&plat.pic, 0);
    assert_int_equal(vplatform_intr_ack(&plat), 0x20);
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    out(0x20, 1, 0x20);
    lapic_w(0x080, 0);
    assert_int_equal(vplatform_intr_ack(&plat), 0x41);
    lapic_w(0x0B0, 0);
    /* Software-disabled (SVR bit 8 clear): its own vectors wait; the 8259
     * still passes LINT0 (QEMU). */
    lapic_w(0x0F0, 0xFF);
    lapic_w(0x300, 0x00040042);                              /* accepted into IRR */
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    vpic_raise(&plat.pic, 0);
    assert_int_equal(vplatform_intr_ack(&plat), 0x20);
    out(0x20, 1, 0x20);
    lapic_w(0x0F0, 0x1FF);
    assert_int_equal(vplatform_intr_ack(&plat), 0x42);
    lapic_w(0x0B0, 0);
    /* Hardware-disabled: the 8259 reaches the CPU even with LINT0 masked;
     * the LAPIC delivers nothing. */
    lapic_w(0x350, 0x18700);
    lapic_w(0x300, 0x00040043);
    assert_int_equal(vplatform_wrmsr(&plat, 0x1B, 0xFEE00000), 0);
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    vpic_raise(&plat.pic, 0);
    assert_int_equal(vplatform_intr_pending(&plat), 0x20);
    assert_int_equal(vplatform_intr_ack(&plat), 0x20);
    assert_int_equal(vplatform_intr_ack(&plat), -1);
}

static void test_timers_and_deadline(void **state)
{
    (void)state;
    reset(16u << 20);
    pic_init_pc();
    assert_int_equal(vplatform_next_deadline_ns(&plat), UINT64_MAX);
    /* LAPIC timer: divide by 1, one-shot 0x50, count 999 at 1000 ns. */
    vplatform_mmio_write(&plat, 0xFEE003E0, 4, 0xB, 1000);
    vplatform_mmio_write(&plat, 0xFEE00320, 4, 0x50, 1000);
    vplatform_mmio_write(&plat, 0xFEE00380, 4, 999, 1000);
    assert_int_equal(vplatform_next_deadline_ns(&plat), 2000);
    /* PIT channel 0, mode 2, count 1193: 999,847 ns. */
    vplatform_out(&plat, 0x43, 1, 0x34, 0);
    vplatform_out(&plat, 0x40, 1, 1193 & 0xFF, 0);
    vplatform_out(&plat, 0x40, 1, 1193 >> 8, 0);
    assert_int_equal(vplatform_next_deadline_ns(&plat), 2000);
    vplatform_advance(&plat, 1999);
    assert_int_equal(vplatform_intr_pending(&plat), -1);
    vplatform_advance(&plat, 2000);
    assert_int_equal(vplatform_intr_pending(&plat), 0x50);
    assert_int_equal(vplatform_next_deadline_ns(&plat), 999847);
    uint64_t v;
    assert_int_equal(vplatform_mmio_read(&plat, 0xFEE00390, 4, &v, 2500), 1);
    assert_int_equal(v, 0);                       /* expired */
    vplatform_advance(&plat, 999847);
    assert_int_equal(vplatform_intr_ack(&plat), 0x20);
    assert_int_equal(vplatform_intr_ack(&plat), 0x50);
    assert_int_equal(vplatform_next_deadline_ns(&plat), 2 * 999847);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pci),
        cmocka_unit_test(test_fwcfg),
        cmocka_unit_test(test_unused_ports),
        cmocka_unit_test(test_mmio_msr),
        cmocka_unit_test(test_interrupt_line),
        cmocka_unit_test(test_timers_and_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
