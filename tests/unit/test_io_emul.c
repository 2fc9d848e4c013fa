/* Unit tests: PV port I/O and cli/sti (hypervisor/arch/x86/io_emul.c):
 * decoding, Xen's IOPL and I/O-bitmap rules, and what a domain without
 * ports reads and writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/io_emul.h"

static void test_decode(void **state)
{
    struct io_insn io;
    (void)state;
    static const uint8_t inb_imm[] = { 0xE4, 0x71 }, inw_imm[] = { 0x66, 0xE5, 0x80 },
        inl_dx[] = { 0xED }, outb_dx[] = { 0xEE }, outw_dx[] = { 0x66, 0xEF },
        outl_imm[] = { 0xE7, 0xF4 }, rep_insw[] = { 0xF3, 0x66, 0x6D },
        outsb_fs[] = { 0x64, 0x6E }, cli[] = { 0xFA }, sti[] = { 0xFB },
        lock_in[] = { 0xF0, 0xEC }, nop[] = { 0x90 }, rep_in[] = { 0xF3, 0xEC };
    assert_true(io_decode(inb_imm, 2, &io));
    assert_int_equal(io.kind, IO_IN);
    assert_int_equal(io.bytes, 1);
    assert_int_equal(io.imm_port, 0x71);
    assert_int_equal(io.len, 2);
    assert_false(io_decode(inb_imm, 1, &io));         /* imm8 missing */
    assert_true(io_decode(inw_imm, 3, &io));
    assert_int_equal(io.bytes, 2);
    assert_int_equal(io.len, 3);
    assert_true(io_decode(inl_dx, 1, &io));
    assert_int_equal(io.kind, IO_IN);
    assert_int_equal(io.bytes, 4);
    assert_int_equal(io.imm_port, -1);
    assert_true(io_decode(outb_dx, 1, &io));
    assert_int_equal(io.kind, IO_OUT);
    assert_int_equal(io.bytes, 1);
    assert_true(io_decode(outw_dx, 2, &io));
    assert_int_equal(io.bytes, 2);
    assert_true(io_decode(outl_imm, 2, &io));
    assert_int_equal(io.kind, IO_OUT);
    assert_int_equal(io.bytes, 4);
    assert_int_equal(io.imm_port, 0xF4);
    assert_true(io_decode(rep_insw, 3, &io));
    assert_int_equal(io.kind, IO_INS);
    assert_int_equal(io.bytes, 2);
    assert_true(io.rep);
    assert_int_equal(io.len, 3);
    assert_true(io_decode(outsb_fs, 2, &io));
    assert_int_equal(io.kind, IO_OUTS);
    assert_int_equal(io.seg, 4);                        /* X86_SEG_FS */
    assert_false(io.rep);
    assert_true(io_decode(cli, 1, &io));
    assert_int_equal(io.kind, IO_CLI);
    assert_int_equal(io.len, 1);
    assert_true(io_decode(sti, 1, &io));
    assert_int_equal(io.kind, IO_STI);
    assert_false(io_decode(lock_in, 2, &io));
    assert_false(io_decode(nop, 1, &io));
    assert_false(io_decode(nop, 0, &io));
    assert_true(io_decode(rep_in, 2, &io));
    assert_false(io.rep);                               /* rep means nothing to in */
}

static void test_iopl(void **state)
{
    (void)state;
    /* Kernel (ring 1): needs IOPL >= 1, or nothing with architectural_iopl. */
    assert_false(io_iopl_ok(1, 0, 0 << 12));
    assert_true(io_iopl_ok(1, 0, 1 << 12));
    assert_true(io_iopl_ok(1, 0, 3 << 12));
    assert_true(io_iopl_ok(1, 1, 0 << 12));
    /* Rings 2 and 3: IOPL 3 only. */
    assert_false(io_iopl_ok(3, 0, 2 << 12));
    assert_true(io_iopl_ok(3, 0, 3 << 12));
    assert_false(io_iopl_ok(2, 1, 2 << 12));
    assert_true(io_iopl_ok(2, 1, 3 << 12));
}

static void test_bitmap(void **state)
{
    (void)state;
    assert_true(io_bitmap_covers(0x70, 1, 0x71));
    assert_false(io_bitmap_covers(0x70, 2, 0x71));
    assert_false(io_bitmap_covers(0, 1, 0));
    assert_true(io_bitmap_covers(0xFFFF, 1, 65536));
    /* port 0x70: bit 0 of the byte at 0x70/8; the 16 bits read cover
     * accesses that cross into the next byte. */
    assert_true(io_bitmap_allows(0x70, 1, 0xFFFE));
    assert_false(io_bitmap_allows(0x70, 1, 0x0001));
    assert_true(io_bitmap_allows(0x77, 1, 0x007F));
    assert_false(io_bitmap_allows(0x77, 2, 0x0100));   /* 0x78 is the next byte's bit 0 */
    assert_true(io_bitmap_allows(0x77, 2, 0xFE7F));
    assert_false(io_bitmap_allows(0x75, 4, 0x0100));
    assert_int_equal(io_bitmap_fault_addr(0x5000, 1, 2), 0x4FFF);   /* Xen's arithmetic */
    assert_int_equal(io_bitmap_fault_addr(0x5FFF, 4, 1), 0x6002);
}

static void test_ports_without_access(void **state)
{
    struct io_domain d = { 0, 0 };
    (void)state;
    static const unsigned ports[] = { 0x20, 0x21, 0x40, 0x42, 0x43, 0x61, 0x71, 0x3F8,
                                      0x3FD, 0xF4, 0x80, 0xCFC, 0xCFE, 0x64, 0x604 };
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        assert_int_equal(io_guest_read(&d, ports[i], 1), 0xFF);
        assert_int_equal(io_guest_read(&d, ports[i], 2), 0xFFFF);
        assert_int_equal(io_guest_read(&d, ports[i], 4), 0xFFFFFFFFu);
        io_guest_write(&d, ports[i], 4, 0x12345678u);
    }
    assert_int_equal(d.cmos_idx, 0);
    assert_int_equal(d.pci_cf8, 0);
}

static void test_rtc_index_latch(void **state)
{
    struct io_domain d = { 0, 0 };
    (void)state;
    io_guest_write(&d, 0x70, 1, 0x8B);
    assert_int_equal(io_guest_read(&d, 0x70, 1), 0x0B);     /* NMI bit dropped */
    assert_int_equal(io_guest_read(&d, 0x70, 2), 0xFF0B);   /* 0x71: no RTC access */
    assert_int_equal(io_guest_read(&d, 0x70, 4), 0xFFFFFF0Bu);
    assert_int_equal(io_guest_read(&d, 0x6F, 2), 0x0BFF);
    io_guest_write(&d, 0x6F, 2, 0x3500);                    /* 0x6f dropped, 0x70 = 0x35 */
    assert_int_equal(io_guest_read(&d, 0x70, 1), 0x35);
    io_guest_write(&d, 0x71, 1, 0x00);
    assert_int_equal(io_guest_read(&d, 0x70, 1), 0x35);
}

static void test_cf8_latch(void **state)
{
    struct io_domain d = { 0, 0 };
    (void)state;
    io_guest_write(&d, 0xCF8, 4, 0x80001234u);
    assert_int_equal(io_guest_read(&d, 0xCF8, 4), 0x80001234u);
    /* Only dword accesses reach CONFIG_ADDRESS. */
    assert_int_equal(io_guest_read(&d, 0xCF8, 2), 0xFFFF);
    assert_int_equal(io_guest_read(&d, 0xCF8, 1), 0xFF);
    io_guest_write(&d, 0xCF8, 2, 0);
    io_guest_write(&d, 0xCF9, 1, 0x06);                     /* the reset port: dropped */
    assert_int_equal(io_guest_read(&d, 0xCF8, 4), 0x80001234u);
    assert_int_equal(io_guest_read(&d, 0xCF7, 4), 0xFFFFFFFFu);
    assert_int_equal(io_guest_read(&d, 0xCFC, 4), 0xFFFFFFFFu);    /* no config data */
    assert_int_equal(io_guest_read(&d, 0xCFD, 4), 0xFFFFFFFFu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_iopl),
        cmocka_unit_test(test_bitmap),
        cmocka_unit_test(test_ports_without_access),
        cmocka_unit_test(test_rtc_index_latch),
        cmocka_unit_test(test_cf8_latch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
