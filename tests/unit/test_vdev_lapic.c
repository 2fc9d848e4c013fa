/* Unit tests for the virtual PC's local APIC (hypervisor/vdev/lapic.c):
 * reset values, register access rules, TPR/PPR arbitration, EOI order, the
 * timer at exact times with every divider, IPIs and the APIC base MSR.
 * Expected values are QEMU 7.2's (hw/intc/apic.c, apic_common.c) after
 * SeaBIOS's smp_scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/lapic.h"

static uint32_t rd(struct vlapic *a, uint32_t off) { return vlapic_read(a, off, 4, 0); }
static void wr(struct vlapic *a, uint32_t off, uint32_t v) { vlapic_write(a, off, 4, v, 0); }

static void test_reset_values(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    assert_int_equal(rd(&a, 0x020), 0);                 /* ID */
    assert_int_equal(rd(&a, 0x030), 0x00050014);        /* version 0x14, 6 LVTs */
    assert_int_equal(rd(&a, 0x080), 0);                 /* TPR */
    assert_int_equal(rd(&a, 0x090), 0);                 /* APR */
    assert_int_equal(rd(&a, 0x0A0), 0);                 /* PPR */
    assert_int_equal(rd(&a, 0x0B0), 0);                 /* EOI */
    assert_int_equal(rd(&a, 0x0D0), 0);                 /* LDR */
    assert_int_equal(rd(&a, 0x0E0), 0xFFFFFFFFu);       /* DFR: flat */
    assert_int_equal(rd(&a, 0x0F0), 0x1FF);             /* SVR: SeaBIOS enabled it */
    for (uint32_t off = 0x100; off <= 0x270; off += 0x10)
        assert_int_equal(rd(&a, off), 0);               /* ISR, TMR, IRR */
    assert_int_equal(rd(&a, 0x300), 0x000C4610);        /* SeaBIOS's last SIPI */
    assert_int_equal(rd(&a, 0x310), 0);
    assert_int_equal(rd(&a, 0x320), 0x10000);           /* timer: masked */
    assert_int_equal(rd(&a, 0x330), 0x10000);           /* thermal */
    assert_int_equal(rd(&a, 0x340), 0x10000);           /* performance */
    assert_int_equal(rd(&a, 0x350), 0x8700);            /* LINT0: ExtINT, level */
    assert_int_equal(rd(&a, 0x360), 0x8400);            /* LINT1: NMI, level */
    assert_int_equal(rd(&a, 0x370), 0x10000);           /* error */
    assert_int_equal(rd(&a, 0x380), 0);                 /* initial count */
    assert_int_equal(rd(&a, 0x390), 0);                 /* current count */
    assert_int_equal(rd(&a, 0x3E0), 0);                 /* divide configuration */
    assert_int_equal(rd(&a, 0x280), 0);                 /* ESR: nothing illegal so far */
    assert_int_equal(vlapic_get_base(&a), 0xFEE00900u);
    assert_true(vlapic_hw_enabled(&a));
    assert_int_equal(vlapic_pending(&a), -1);
    assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);
}

static void test_access_rules(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    wr(&a, 0x020, 0x05000000);
    assert_int_equal(rd(&a, 0x020), 0x05000000);
    assert_int_equal(rd(&a, 0x024), 0x05000000);        /* any dword of the slot */
    assert_int_equal(rd(&a, 0x02C), 0x05000000);
    assert_int_equal(vlapic_read(&a, 0x020, 1, 0), 0);  /* under 4 bytes: 0 */
    assert_int_equal(vlapic_read(&a, 0x020, 2, 0), 0);
    assert_int_equal(vlapic_read(&a, 0x022, 4, 0), 0);  /* misaligned: 0 */
    assert_int_equal(vlapic_read(&a, 0x020, 8, 0), 0);
    vlapic_write(&a, 0x080, 2, 0x50, 0);                 /* dropped */
    vlapic_write(&a, 0x080, 1, 0x50, 0);
    vlapic_write(&a, 0x081, 4, 0x50, 0);
    assert_int_equal(rd(&a, 0x080), 0);
    wr(&a, 0x084, 0x20);                                 /* TPR through dword 1 */
    assert_int_equal(rd(&a, 0x080), 0x20);
    wr(&a, 0x080, 0x1234);                               /* TPR is 8 bits */
    assert_int_equal(rd(&a, 0x080), 0x34);
    /* Read-only registers keep their value. */
    wr(&a, 0x030, 0);
    wr(&a, 0x0A0, 0xFF);
    wr(&a, 0x390, 5);
    wr(&a, 0x200, 0xFFFFFFFF);
    assert_int_equal(rd(&a, 0x030), 0x00050014);
    assert_int_equal(rd(&a, 0x200), 0);
    assert_int_equal(rd(&a, 0x280), 0);
    /* LVTs, LDR, DFR, SVR, ICR high as QEMU stores them. */
    wr(&a, 0x340, 0xFFFFFFFF);
    assert_int_equal(rd(&a, 0x340), 0xFFFFFFFFu);
    wr(&a, 0x0D0, 0x12345678);
    assert_int_equal(rd(&a, 0x0D0), 0x12000000);
    wr(&a, 0x0E0, 0x0ABCDEF0);
    assert_int_equal(rd(&a, 0x0E0), 0x0FFFFFFF);        /* cluster model */
    wr(&a, 0x0F0, 0xFFFFFFFF);
    assert_int_equal(rd(&a, 0x0F0), 0x1FF);
    wr(&a, 0x310, 0xFFFFFFFF);
    assert_int_equal(rd(&a, 0x310), 0xFFFFFFFFu);
    wr(&a, 0x3E0, 0xFF);
    assert_int_equal(rd(&a, 0x3E0), 0xB);
    /* Slots without a register: ESR bit 7, reads 0. */
    assert_int_equal(rd(&a, 0x3F0), 0);
    assert_int_equal(rd(&a, 0x280), 0x80);
    wr(&a, 0x280, 0);                                    /* QEMU: ESR writes ignored */
    assert_int_equal(rd(&a, 0x280), 0x80);
    struct vlapic b;
    vlapic_reset(&b);
    wr(&b, 0x400, 1);
    assert_int_equal(rd(&b, 0x280), 0x80);
    vlapic_reset(&b);
    assert_int_equal(rd(&b, 0x000), 0);                  /* slot 0 read: illegal */
    assert_int_equal(rd(&b, 0x280), 0x80);
    vlapic_reset(&b);
    assert_int_equal(rd(&b, 0xFF0), 0);
    assert_int_equal(rd(&b, 0x280), 0x80);
    vlapic_reset(&b);
    assert_int_equal(vlapic_read(&b, 0x1000, 4, 0), 0);  /* outside the page */
    assert_int_equal(rd(&b, 0x280), 0);
}

/* A fixed self-IPI of vector v (ICR shorthand "self"). */
static void self_ipi(struct vlapic *a, unsigned v)
{
    wr(a, 0x300, 0x00040000 | v);
}

static void test_priority(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    self_ipi(&a, 0x45);
    assert_int_equal(rd(&a, 0x220), 0x20);              /* IRR bit 0x45 */
    assert_int_equal(vlapic_pending(&a), 0x45);
    wr(&a, 0x080, 0x40);                                 /* TPR class 4: blocks class 4 */
    assert_int_equal(rd(&a, 0x0A0), 0x40);
    assert_int_equal(vlapic_pending(&a), -1);
    wr(&a, 0x080, 0x3F);
    assert_int_equal(rd(&a, 0x0A0), 0x3F);
    assert_int_equal(vlapic_pending(&a), 0x45);
    wr(&a, 0x080, 0x50);
    assert_int_equal(vlapic_pending(&a), -1);
    assert_int_equal(vlapic_ack(&a), -1);
    wr(&a, 0x080, 0);
    assert_int_equal(vlapic_ack(&a), 0x45);
    assert_int_equal(rd(&a, 0x220), 0);
    assert_int_equal(rd(&a, 0x120), 0x20);              /* ISR bit 0x45 */
    assert_int_equal(rd(&a, 0x0A0), 0x40);              /* PPR from ISR */
    self_ipi(&a, 0x41);                                  /* same class as in service */
    assert_int_equal(vlapic_pending(&a), -1);
    self_ipi(&a, 0x61);
    assert_int_equal(vlapic_pending(&a), 0x61);
    assert_int_equal(vlapic_ack(&a), 0x61);
    assert_int_equal(rd(&a, 0x0A0), 0x60);
    wr(&a, 0x080, 0x72);
    assert_int_equal(rd(&a, 0x0A0), 0x72);              /* TPR above ISR: all of TPR */
    wr(&a, 0x080, 0x67);
    assert_int_equal(rd(&a, 0x0A0), 0x67);              /* same class: TPR */
    wr(&a, 0x080, 0x20);
    assert_int_equal(rd(&a, 0x0A0), 0x60);
    wr(&a, 0x0B0, 0);                                    /* EOI: 0x61 */
    assert_int_equal(rd(&a, 0x130), 0);
    assert_int_equal(rd(&a, 0x120), 0x20);
    assert_int_equal(rd(&a, 0x0A0), 0x40);
    assert_int_equal(vlapic_pending(&a), -1);            /* 0x41 below 0x45's class */
    wr(&a, 0x0B0, 0);                                    /* EOI: 0x45 */
    assert_int_equal(rd(&a, 0x0A0), 0x20);
    assert_int_equal(vlapic_pending(&a), 0x41);
    /* The highest IRR bit wins. */
    vlapic_reset(&a);
    self_ipi(&a, 0x30);
    self_ipi(&a, 0x90);
    self_ipi(&a, 0x31);
    assert_int_equal(rd(&a, 0x210), 0x00030000);
    assert_int_equal(rd(&a, 0x240), 0x00010000);
    assert_int_equal(vlapic_ack(&a), 0x90);
    assert_int_equal(vlapic_pending(&a), -1);            /* below 0x90 in service */
}

static void test_eoi_order(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    self_ipi(&a, 0x30);
    assert_int_equal(vlapic_ack(&a), 0x30);
    self_ipi(&a, 0x50);
    assert_int_equal(vlapic_ack(&a), 0x50);              /* nests above 0x30 */
    self_ipi(&a, 0x90);
    assert_int_equal(vlapic_ack(&a), 0x90);
    assert_int_equal(rd(&a, 0x110), 0x00010000);
    assert_int_equal(rd(&a, 0x120), 0x00010000);
    assert_int_equal(rd(&a, 0x140), 0x00010000);
    wr(&a, 0x0B0, 0);
    assert_int_equal(rd(&a, 0x140), 0);
    assert_int_equal(rd(&a, 0x120), 0x00010000);
    wr(&a, 0x0B0, 0x1234);                               /* any value */
    assert_int_equal(rd(&a, 0x120), 0);
    assert_int_equal(rd(&a, 0x110), 0x00010000);
    wr(&a, 0x0B0, 0);
    assert_int_equal(rd(&a, 0x110), 0);
    wr(&a, 0x0B0, 0);                                    /* nothing in service: no-op */
    assert_int_equal(rd(&a, 0x0A0), 0);
    assert_int_equal(rd(&a, 0x280), 0);
    /* A level-triggered IPI sets TMR; its EOI clears ISR alone. */
    wr(&a, 0x300, 0x00048000 | 0x33);
    assert_int_equal(rd(&a, 0x190), 0x00080000);
    assert_int_equal(vlapic_ack(&a), 0x33);
    wr(&a, 0x0B0, 0);
    assert_int_equal(rd(&a, 0x110), 0);
    assert_int_equal(rd(&a, 0x190), 0x00080000);
    self_ipi(&a, 0x33);                                  /* edge: TMR bit clears */
    assert_int_equal(rd(&a, 0x190), 0);
}

/* One-shot with every divider: count 1000 loaded at 5000 ns; the counter
 * runs at 1 GHz divided as the divide configuration says; QEMU fires after
 * initial count + 1 ticks. */
static void test_timer_oneshot_dividers(void **state)
{
    (void)state;
    static const struct { uint32_t conf; unsigned shift; } div[] = {
        { 0x0, 1 }, { 0x1, 2 }, { 0x2, 3 }, { 0x3, 4 },
        { 0x8, 5 }, { 0x9, 6 }, { 0xA, 7 }, { 0xB, 0 },
    };
    for (unsigned i = 0; i < sizeof(div) / sizeof(div[0]); i++) {
        struct vlapic a;
        vlapic_reset(&a);
        const uint64_t t0 = 5000;
        const uint64_t fire = t0 + ((uint64_t)1001 << div[i].shift);
        vlapic_write(&a, 0x3E0, 4, div[i].conf, 100);
        vlapic_write(&a, 0x320, 4, 0x30, 200);           /* one-shot, vector 0x30 */
        assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);   /* count 0 */
        vlapic_write(&a, 0x380, 4, 1000, t0);
        assert_int_equal(vlapic_deadline_ns(&a), fire);
        assert_int_equal(vlapic_read(&a, 0x390, 4, t0), 1000);
        assert_int_equal(vlapic_read(&a, 0x390, 4, t0 + ((uint64_t)1 << div[i].shift) - 1),
                         1000);
        assert_int_equal(vlapic_read(&a, 0x390, 4, t0 + ((uint64_t)1 << div[i].shift)), 999);
        assert_int_equal(vlapic_read(&a, 0x390, 4, t0 + ((uint64_t)500 << div[i].shift)), 500);
        assert_int_equal(vlapic_read(&a, 0x390, 4, t0 + ((uint64_t)999 << div[i].shift)), 1);
        assert_int_equal(vlapic_read(&a, 0x390, 4, t0 + ((uint64_t)1000 << div[i].shift)), 0);
        vlapic_advance(&a, fire - 1);
        assert_int_equal(rd(&a, 0x210), 0);
        vlapic_advance(&a, fire);
        assert_int_equal(rd(&a, 0x210), 0x00010000);    /* IRR bit 0x30 */
        assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);
        assert_int_equal(vlapic_read(&a, 0x390, 4, fire + 12345), 0);
        assert_int_equal(vlapic_pending(&a), 0x30);
        assert_int_equal(vlapic_ack(&a), 0x30);
        wr(&a, 0x0B0, 0);
        vlapic_advance(&a, fire + 100000000);
        assert_int_equal(rd(&a, 0x210), 0);              /* once only */

        /* Periodic, same divider: count 49 loaded at 7000 ns, period 50 ticks. */
        const uint64_t t1 = 7000, period = (uint64_t)50 << div[i].shift;
        vlapic_write(&a, 0x320, 4, 0x20030, t1);
        vlapic_write(&a, 0x380, 4, 49, t1);
        for (unsigned n = 1; n <= 3; n++) {
            assert_int_equal(vlapic_deadline_ns(&a), t1 + n * period);
            assert_int_equal(vlapic_read(&a, 0x390, 4, t1 + n * period - 1), 0);
            vlapic_advance(&a, t1 + n * period - 1);
            assert_int_equal(rd(&a, 0x210), 0);
            vlapic_advance(&a, t1 + n * period);
            assert_int_equal(rd(&a, 0x210), 0x00010000);
            assert_int_equal(vlapic_read(&a, 0x390, 4, t1 + n * period), 49);
            assert_int_equal(vlapic_ack(&a), 0x30);
            wr(&a, 0x0B0, 0);
        }
    }
}

static void test_timer_periodic(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    vlapic_write(&a, 0x3E0, 4, 0xB, 0);                  /* divide by 1 */
    vlapic_write(&a, 0x320, 4, 0x20031, 0);              /* periodic, vector 0x31 */
    vlapic_write(&a, 0x380, 4, 99, 1000);                /* period 100 ns */
    assert_int_equal(vlapic_deadline_ns(&a), 1100);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 1000), 99);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 1050), 49);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 1099), 0);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 1100), 99);
    vlapic_advance(&a, 1099);
    assert_int_equal(rd(&a, 0x210), 0);
    vlapic_advance(&a, 1100);
    assert_int_equal(rd(&a, 0x210), 0x00020000);
    assert_int_equal(vlapic_deadline_ns(&a), 1200);
    assert_int_equal(vlapic_ack(&a), 0x31);
    wr(&a, 0x0B0, 0);
    vlapic_advance(&a, 1199);
    assert_int_equal(rd(&a, 0x210), 0);
    vlapic_advance(&a, 1200);
    assert_int_equal(rd(&a, 0x210), 0x00020000);
    assert_int_equal(vlapic_ack(&a), 0x31);
    wr(&a, 0x0B0, 0);
    vlapic_advance(&a, 1750);                            /* five periods missed: one IRR */
    assert_int_equal(rd(&a, 0x210), 0x00020000);
    assert_int_equal(vlapic_deadline_ns(&a), 1800);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 1750), 49);
    assert_int_equal(vlapic_ack(&a), 0x31);
    wr(&a, 0x0B0, 0);
    assert_int_equal(vlapic_ack(&a), -1);
    /* Initial count 0 stops it. */
    vlapic_write(&a, 0x380, 4, 0, 1760);
    assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);
    vlapic_advance(&a, 5000);
    assert_int_equal(rd(&a, 0x210), 0);

    /* Divide by 16: count 9 is a period of 10 ticks = 160 ns. */
    vlapic_reset(&a);
    vlapic_write(&a, 0x3E0, 4, 0x3, 0);
    vlapic_write(&a, 0x320, 4, 0x20040, 0);
    vlapic_write(&a, 0x380, 4, 9, 0);
    assert_int_equal(vlapic_deadline_ns(&a), 160);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 16 * 3 + 15), 6);
    vlapic_advance(&a, 160);
    assert_int_equal(vlapic_deadline_ns(&a), 320);
    assert_int_equal(vlapic_ack(&a), 0x40);
    wr(&a, 0x0B0, 0);
    vlapic_advance(&a, 320);
    assert_int_equal(vlapic_ack(&a), 0x40);
    assert_int_equal(vlapic_deadline_ns(&a), 480);
    /* Periodic to one-shot through the LVT: the current period ends it. */
    vlapic_write(&a, 0x320, 4, 0x40, 400);
    assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);   /* 400 ns: 25 ticks > 9 */
}

static void test_timer_masked(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    vlapic_write(&a, 0x3E0, 4, 0xB, 0);
    vlapic_write(&a, 0x380, 4, 100, 0);                  /* LVT still masked */
    assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);
    assert_int_equal(vlapic_read(&a, 0x390, 4, 50), 50); /* it counts nevertheless */
    vlapic_advance(&a, 1000);
    assert_int_equal(rd(&a, 0x210), 0);
    vlapic_reset(&a);
    vlapic_write(&a, 0x3E0, 4, 0xB, 0);
    vlapic_write(&a, 0x320, 4, 0x10030, 0);
    vlapic_write(&a, 0x380, 4, 100, 0);
    vlapic_write(&a, 0x320, 4, 0x30, 60);                /* unmasked before expiry */
    assert_int_equal(vlapic_deadline_ns(&a), 101);
    vlapic_write(&a, 0x320, 4, 0x10030, 80);             /* masked again */
    assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);
    vlapic_advance(&a, 200);
    assert_int_equal(rd(&a, 0x210), 0);
    vlapic_write(&a, 0x320, 4, 0x30, 300);               /* after expiry: lost */
    assert_int_equal(vlapic_deadline_ns(&a), UINT64_MAX);
    vlapic_advance(&a, 400);
    assert_int_equal(rd(&a, 0x210), 0);
    /* A software-disabled APIC still counts and sets IRR (QEMU), but
     * delivers nothing until SVR bit 8 is set. */
    vlapic_reset(&a);
    wr(&a, 0x0F0, 0xFF);
    vlapic_write(&a, 0x3E0, 4, 0xB, 0);
    vlapic_write(&a, 0x320, 4, 0x30, 0);
    vlapic_write(&a, 0x380, 4, 10, 0);
    vlapic_advance(&a, 11);
    assert_int_equal(rd(&a, 0x210), 0x00010000);
    assert_int_equal(vlapic_pending(&a), -1);
    wr(&a, 0x0F0, 0x1FF);
    assert_int_equal(vlapic_pending(&a), 0x30);
}

static void snapshot(struct vlapic *a, uint32_t *out)
{
    memset(out, 0, 64 * sizeof(*out));
    for (uint32_t off = 0x20; off < 0x400; off += 0x10)
        out[off >> 4] = (off == 0x300 || off == 0x390) ? 0 : vlapic_read(a, off, 4, 0);
}

static void test_ipi(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    wr(&a, 0x310, 0);                                    /* destination: own ID 0 */
    wr(&a, 0x300, 0x50);
    assert_int_equal(rd(&a, 0x220), 0x00010000);
    assert_int_equal(rd(&a, 0x300) & 0x1000, 0);         /* delivery status: idle */
    wr(&a, 0x310, 0xFF000000);                           /* broadcast */
    wr(&a, 0x300, 0x51);
    assert_int_equal(rd(&a, 0x220), 0x00030000);
    wr(&a, 0x300, 0x00080052);                           /* all including self */
    assert_int_equal(rd(&a, 0x220), 0x00070000);
    wr(&a, 0x300, 0x000C0053);                           /* all excluding self */
    assert_int_equal(rd(&a, 0x220), 0x00070000);
    wr(&a, 0x310, 0x01000000);                           /* another APIC ID */
    wr(&a, 0x300, 0x54);
    assert_int_equal(rd(&a, 0x220), 0x00070000);
    wr(&a, 0x020, 0x01000000);                           /* ... now ours */
    wr(&a, 0x300, 0x54);
    assert_int_equal(rd(&a, 0x220), 0x00170000);
    wr(&a, 0x020, 0);
    wr(&a, 0x0D0, 0x01000000);                           /* logical, flat: LDR bit 0 */
    wr(&a, 0x310, 0x03000000);
    wr(&a, 0x300, 0x0855);
    assert_int_equal(rd(&a, 0x220), 0x00370000);
    wr(&a, 0x310, 0x02000000);
    wr(&a, 0x300, 0x0856);
    assert_int_equal(rd(&a, 0x220), 0x00370000);
    wr(&a, 0x0E0, 0x0FFFFFFF);                           /* cluster: 0x11 in cluster 1 */
    wr(&a, 0x0D0, 0x11000000);
    wr(&a, 0x310, 0x13000000);
    wr(&a, 0x300, 0x0857);
    assert_int_equal(rd(&a, 0x220), 0x00B70000);
    wr(&a, 0x310, 0x21000000);
    wr(&a, 0x300, 0x0858);
    assert_int_equal(rd(&a, 0x220), 0x00B70000);
    wr(&a, 0x300, 0x00040459);                           /* NMI to self: not modelled */
    assert_int_equal(rd(&a, 0x220), 0x00B70000);
    wr(&a, 0x300, 0x0004075A);                           /* ExtINT mode: as fixed (QEMU) */
    assert_int_equal(rd(&a, 0x220), 0x04B70000);
    assert_int_equal(rd(&a, 0x300), 0x0004075A);
    /* MSI through the page's first slot: destination 0 physical. */
    vlapic_reset(&a);
    wr(&a, 0x000, 0x5A);
    assert_int_equal(rd(&a, 0x220), 0x04000000);
    wr(&a, 0x004, 0x5B);                                 /* logical destination 0: none */
    assert_int_equal(rd(&a, 0x220), 0x04000000);
    assert_int_equal(rd(&a, 0x280), 0);

    /* INIT and startup to the other CPUs (there are none): nothing but
     * the ICR changes, and it reads idle. */
    vlapic_reset(&a);
    self_ipi(&a, 0x70);
    assert_int_equal(vlapic_ack(&a), 0x70);
    self_ipi(&a, 0x71);
    uint32_t before[64], after[64];
    snapshot(&a, before);
    static const uint32_t icr[][2] = {
        { 0x01000000, 0x00004500 },                      /* INIT to ID 1 */
        { 0x01000000, 0x00000500 | 0x8000 },             /* INIT level de-assert */
        { 0x01000000, 0x00004608 },                      /* SIPI to ID 1 */
        { 0, 0x000C4500 }, { 0, 0x000C4608 },            /* all but self */
        { 0x01000000, 0x00000410 },                      /* NMI to ID 1 */
    };
    for (unsigned i = 0; i < 6; i++) {
        wr(&a, 0x310, icr[i][0]);
        wr(&a, 0x300, icr[i][1]);
        assert_int_equal(rd(&a, 0x300), icr[i][1]);
        assert_int_equal(rd(&a, 0x300) & 0x1000, 0);
        wr(&a, 0x310, 0);
        snapshot(&a, after);
        assert_memory_equal(before, after, sizeof(before));
    }
    /* SIPI to self: the BSP waits for none (QEMU); INIT to self not modelled. */
    wr(&a, 0x300, 0x00044608);
    wr(&a, 0x300, 0x00044500);
    snapshot(&a, after);
    assert_memory_equal(before, after, sizeof(before));
}

static void test_base_msr(void **state)
{
    (void)state;
    struct vlapic a;
    vlapic_reset(&a);
    vlapic_set_base(&a, 0xFEE00800);                     /* BSP is not writable */
    assert_int_equal(vlapic_get_base(&a), 0xFEE00900u);
    vlapic_set_base(&a, 0x0000000112345D00ull);          /* new base; bits 63:32, 10 dropped */
    assert_int_equal(vlapic_get_base(&a), 0x12345900u);
    assert_int_equal(rd(&a, 0x030), 0x00050014);         /* registers unmoved */
    vlapic_set_base(&a, 0xFEE00900);
    self_ipi(&a, 0x40);
    assert_int_equal(vlapic_pending(&a), 0x40);
    assert_int_equal(vlapic_accept_pic(&a), 1);          /* LINT0 unmasked */
    wr(&a, 0x350, 0x18700);
    assert_int_equal(vlapic_accept_pic(&a), 0);
    /* Disable: bit 11 clear. SVR bit 8 clears, registers still read. */
    vlapic_set_base(&a, 0xFEE00000);
    assert_int_equal(vlapic_get_base(&a), 0xFEE00100u);
    assert_false(vlapic_hw_enabled(&a));
    assert_int_equal(rd(&a, 0x0F0), 0xFF);
    assert_int_equal(rd(&a, 0x030), 0x00050014);
    assert_int_equal(rd(&a, 0x220), 0x00000001);         /* IRR kept */
    assert_int_equal(vlapic_pending(&a), -1);
    assert_int_equal(vlapic_accept_pic(&a), 1);          /* the 8259 goes straight in */
    wr(&a, 0x0F0, 0x1FF);
    assert_int_equal(vlapic_pending(&a), -1);            /* still hardware-disabled */
    vlapic_set_base(&a, 0xFEE00900);                     /* cannot come back */
    assert_int_equal(vlapic_get_base(&a), 0xFEE00100u);
    vlapic_reset(&a);
    assert_int_equal(vlapic_get_base(&a), 0xFEE00900u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_values),
        cmocka_unit_test(test_access_rules),
        cmocka_unit_test(test_priority),
        cmocka_unit_test(test_eoi_order),
        cmocka_unit_test(test_timer_oneshot_dividers),
        cmocka_unit_test(test_timer_periodic),
        cmocka_unit_test(test_timer_masked),
        cmocka_unit_test(test_ipi),
        cmocka_unit_test(test_base_msr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
