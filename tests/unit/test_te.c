/* Unit tests for the te mode's pure parts: the virtual platform (8259,
 * 8254, 8250, the port map), the instruction decoder, the guest page walk,
 * the shadow descriptors and the multiboot loader's parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/elf_xen.h"
#include "te/decode.h"
#include "vm/walk.h"
#include "vdev/vdev.h"

/* ---- 8259 ---- */

static void pic_init_pc(struct vpic *p)
{
    vpic_reset(p);
    vpic_write(p, 0x20, 0x11); vpic_write(p, 0xA0, 0x11);
    vpic_write(p, 0x21, 32);   vpic_write(p, 0xA1, 40);
    vpic_write(p, 0x21, 4);    vpic_write(p, 0xA1, 2);
    vpic_write(p, 0x21, 1);    vpic_write(p, 0xA1, 1);
}

static void test_pic(void **state)
{
    struct vpic p;
    (void)state;
    pic_init_pc(&p);
    vpic_write(&p, 0x21, 0xFF);                   /* all masked */
    vpic_raise(&p, 0);
    assert_int_equal(vpic_pending(&p), -1);
    vpic_write(&p, 0x21, 0xFE);                   /* timer unmasked */
    assert_int_equal(vpic_pending(&p), 0);
    vpic_raise(&p, 4);                            /* masked: waits */
    assert_int_equal(vpic_ack(&p), 32);
    assert_int_equal(vpic_pending(&p), -1);       /* in service: nothing above it */
    vpic_write(&p, 0x20, 0x0A);                   /* OCW3: IRR */
    assert_int_equal(vpic_read(&p, 0x20), 0x10);
    vpic_write(&p, 0x20, 0x0B);                   /* OCW3: ISR */
    assert_int_equal(vpic_read(&p, 0x20), 0x01);
    vpic_write(&p, 0x21, 0xEE);                   /* COM1 too */
    assert_int_equal(vpic_pending(&p), -1);       /* IRQ 4 is below IRQ 0 in service */
    vpic_write(&p, 0x20, 0x20);                   /* EOI */
    assert_int_equal(vpic_pending(&p), 4);
    assert_int_equal(vpic_ack(&p), 36);
    vpic_raise(&p, 0);
    assert_int_equal(vpic_pending(&p), 0);        /* higher priority nests */
    /* The slave through IRQ 2. */
    pic_init_pc(&p);
    vpic_write(&p, 0x21, 0xFB);
    vpic_write(&p, 0xA1, 0xFE);
    vpic_raise(&p, 8);
    assert_int_equal(vpic_pending(&p), 8);
    assert_int_equal(vpic_ack(&p), 40);
    vpic_write(&p, 0x20, 0x0B);
    assert_int_equal(vpic_read(&p, 0x20), 0x04);
    vpic_write(&p, 0xA0, 0x0B);
    assert_int_equal(vpic_read(&p, 0xA0), 0x01);
    assert_int_equal(vpic_read(&p, 0xA1), 0xFE);
}

/* ---- 8254 ---- */

static void test_pit(void **state)
{
    struct vpit t;
    (void)state;
    vpit_reset(&t);
    assert_int_equal(vpit_advance(&t, 1000000000ull), 0);   /* not programmed */
    vpit_write(&t, 0x43, 0x34, 0);                /* channel 0, lo/hi, mode 2 */
    vpit_write(&t, 0x40, 11932 & 0xFF, 0);
    assert_int_equal(vpit_advance(&t, 1000000000ull), 0);   /* high byte missing */
    vpit_write(&t, 0x40, 11932 >> 8, 100);
    assert_int_equal(t.period_ns, 11932ull * 1000000000ull / VPIT_HZ);   /* ~10 ms */
    assert_int_equal(vpit_advance(&t, 100 + t.period_ns - 1), 0);
    assert_int_equal(vpit_advance(&t, 100 + t.period_ns), 1);
    assert_int_equal(vpit_advance(&t, 100 + t.period_ns), 0);
    /* Ten periods late: one edge, and the next one period later. */
    uint64_t late = 100 + 11 * t.period_ns;
    assert_int_equal(vpit_advance(&t, late), 1);
    assert_int_equal(vpit_advance(&t, late), 0);
    assert_int_equal(vpit_advance(&t, 100 + 12 * t.period_ns), 1);
    /* Mode 0 fires once; writes to channel 2 change nothing. */
    vpit_write(&t, 0x43, 0x30, 0);
    vpit_write(&t, 0x40, 100, 0);
    vpit_write(&t, 0x40, 0, 0);
    vpit_write(&t, 0x43, 0xB6, 0);
    assert_int_equal(t.mode, 0);
    assert_int_equal(vpit_advance(&t, 1000000), 1);
    assert_int_equal(vpit_advance(&t, 9000000), 0);
}

/* ---- 8250 and the port map ---- */

static char out_buf[64];
static size_t out_len;
static void put(void *ctx, char c)
{
    (void)ctx;
    if (out_len < sizeof(out_buf))
        out_buf[out_len++] = c;
}

static void test_platform(void **state)
{
    struct vplatform p;
    (void)state;
    out_len = 0;
    vplatform_reset(&p, put, NULL, 16u << 20);
    assert_int_equal(vplatform_in(&p, 0x3FD, 1, 0), 0x60);     /* LSR: transmitter empty */
    vplatform_out(&p, 0x3F8, 1, 'h', 0);
    vplatform_out(&p, 0x3F8, 1, 'i', 0);
    assert_int_equal(out_len, 2);
    assert_memory_equal(out_buf, "hi", 2);
    vplatform_out(&p, 0x3FB, 1, 0x80, 0);                     /* DLAB: divisor, not data */
    vplatform_out(&p, 0x3F8, 1, 1, 0);
    vplatform_out(&p, 0x3FB, 1, 0x03, 0);
    assert_int_equal(out_len, 2);
    /* Input: the line rises only with the receive interrupt and OUT2 on. */
    pic_init_pc(&p.pic);
    vplatform_out(&p, 0x21, 1, 0xEF, 0);                      /* IRQ 4 only */
    assert_int_equal(vuart_receive(&p.uart, "ab", 2), 2);
    vplatform_advance(&p, 0);
    assert_int_equal(vpic_pending(&p.pic), -1);
    vplatform_out(&p, 0x3F9, 1, 0x01, 0);
    vplatform_out(&p, 0x3FC, 1, 0x0B, 0);
    assert_int_equal(vpic_pending(&p.pic), 4);
    assert_int_equal(vplatform_in(&p, 0x3FA, 1, 0), 0x04);     /* IIR: data */
    assert_int_equal(vplatform_in(&p, 0x3FD, 1, 0), 0x61);
    assert_int_equal(vplatform_in(&p, 0x3F8, 1, 0), 'a');
    assert_int_equal(vplatform_in(&p, 0x3F8, 1, 0), 'b');
    assert_int_equal(vplatform_in(&p, 0x3FD, 1, 0), 0x60);
    assert_int_equal(vplatform_in(&p, 0x3FA, 1, 0), 0x01);
    char many[100];
    memset(many, 'x', sizeof(many));
    assert_int_equal(vuart_receive(&p.uart, many, sizeof(many)), VUART_RX_SIZE);
    /* Ports without a device; the exit and power-off ports. */
    assert_int_equal(vplatform_in(&p, 0x80, 1, 0), 0xFF);
    assert_int_equal(vplatform_in(&p, 0x3FD, 2, 0), 0xFFFF);
    assert_int_equal(p.request, VDEV_RUNNING);
    vplatform_out(&p, 0x604, 2, 0x2000 | (5 << 10), 0);       /* S5 with SLP_TYP 5: no */
    assert_int_equal(p.request, VDEV_RUNNING);
    vplatform_out(&p, 0x604, 2, 0x2000, 0);
    assert_int_equal(p.request, VDEV_POWEROFF);
    vplatform_out(&p, 0xF4, 1, 1, 0);
    assert_int_equal(p.request, VDEV_EXIT);
    assert_int_equal(p.exit_value, 1);
    /* isa-debug-exit,iosize=4: a write anywhere in 0xF4-0xF7 (QEMU's exit
     * takes the value, whatever the offset); 0xF8 is no device. */
    p.request = VDEV_RUNNING;
    vplatform_out(&p, 0xF8, 1, 9, 0);
    assert_int_equal(p.request, VDEV_RUNNING);
    vplatform_out(&p, 0xF7, 1, 0x42, 0);
    assert_int_equal(p.request, VDEV_EXIT);
    assert_int_equal(p.exit_value, 0x42);
    /* The timer reaches the PIC through the platform. */
    vplatform_reset(&p, put, NULL, 16u << 20);
    pic_init_pc(&p.pic);
    vplatform_out(&p, 0x21, 1, 0xFE, 0);
    vplatform_out(&p, 0x43, 1, 0x34, 0);
    vplatform_out(&p, 0x40, 1, 0x9C, 0);
    vplatform_out(&p, 0x40, 1, 0x2E, 0);                      /* 11932: 10 ms */
    vplatform_advance(&p, 5000000);
    assert_int_equal(vpic_pending(&p.pic), -1);
    vplatform_advance(&p, 10000149);                          /* 11932 / 1193182 s */
    assert_int_equal(vpic_pending(&p.pic), -1);
    vplatform_advance(&p, 10000150);
    assert_int_equal(vpic_ack(&p.pic), 32);
}

/* ---- decoder ---- */

static void dec(const char *bytes, size_t n, enum te_op op, unsigned len)
{
    struct te_insn in;
    assert_int_equal(te_decode((const uint8_t *)bytes, n, &in), 1);
    assert_int_equal(in.op, op);
    assert_int_equal(in.len, len);
}

static void test_decode(void **state)
{
    struct te_insn in;
    uint32_t gpr[8] = { 0x1000, 0x10, 0x3F8, 0x2000, 0x9000, 0x8000, 4, 0 };
    (void)state;
    dec("\xFA", 1, TE_CLI, 1);
    dec("\xFB", 1, TE_STI, 1);
    dec("\xF4", 1, TE_HLT, 1);
    dec("\xCF", 1, TE_IRET, 1);
    dec("\xCB", 1, TE_LRET, 1);
    dec("\x17", 1, TE_POP_SS, 1);
    dec("\x0F\x30", 2, TE_WRMSR, 2);
    dec("\x0F\x32", 2, TE_RDMSR, 2);
    dec("\x0F\x09", 2, TE_WBINVD, 2);
    dec("\x0F\x22\xD8", 3, TE_MOV_TO_CR, 3);             /* mov %eax, %cr3 */
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x20\xE1", 3, &in), 1);
    assert_int_equal(in.op, TE_MOV_FROM_CR);             /* mov %cr4, %ecx */
    assert_int_equal(in.reg, 4);
    assert_int_equal(in.rm, 1);
    /* lgdt 0x10(%ebx): disp8 */
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x01\x53\x10", 4, &in), 1);
    assert_int_equal(in.op, TE_LGDT);
    assert_int_equal(in.len, 4);
    assert_int_equal(te_effective_address(&in, gpr), 0x2010);
    /* lidt 0x12345678: disp32 alone */
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x01\x1D\x78\x56\x34\x12", 7, &in), 1);
    assert_int_equal(in.op, TE_LIDT);
    assert_int_equal(te_effective_address(&in, gpr), 0x12345678);
    /* invlpg (%eax,%esi,4): SIB */
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x01\x3C\xB0", 4, &in), 1);
    assert_int_equal(in.op, TE_INVLPG);
    assert_int_equal(te_effective_address(&in, gpr), 0x1000 + 4 * 4);
    /* sgdt -0x42(%ebp) (disp8 negative), str %eax, smsw %eax, sldt, ltr, lldt */
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x01\x45\xBE", 4, &in), 1);
    assert_int_equal(in.op, TE_SGDT);
    assert_int_equal(te_effective_address(&in, gpr), 0x8000 - 0x42);
    dec("\x0F\x00\xC8", 3, TE_STR, 3);
    dec("\x0F\x01\xE0", 3, TE_SMSW, 3);
    dec("\x0F\x00\xC0", 3, TE_SLDT, 3);
    dec("\x0F\x00\xD8", 3, TE_LTR, 3);
    dec("\x0F\x00\xD0", 3, TE_LLDT, 3);
    /* in/out: sizes and ports */
    assert_int_equal(te_decode((const uint8_t *)"\xEC", 1, &in), 1);
    assert_int_equal(in.op, TE_IN);
    assert_int_equal(in.opsize, 1);
    assert_int_equal(in.port, -1);
    assert_int_equal(te_decode((const uint8_t *)"\x66\xEF", 2, &in), 1);
    assert_int_equal(in.op, TE_OUT);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(in.len, 2);
    assert_int_equal(te_decode((const uint8_t *)"\xE6\x80", 2, &in), 1);
    assert_int_equal(in.port, 0x80);
    assert_int_equal(in.opsize, 1);
    dec("\x6E", 1, TE_OUTS, 1);
    /* mov %ax, %ss; but not mov to %ds (it does not fault in ring 1) */
    dec("\x8E\xD0", 2, TE_MOV_TO_SS, 2);
    assert_int_equal(te_decode((const uint8_t *)"\x8E\xD8", 2, &in), 0);
    assert_int_equal(te_decode((const uint8_t *)"\xCD\x80", 2, &in), 1);
    assert_int_equal(in.op, TE_INT);
    assert_int_equal(in.imm, 0x80);
    /* Refusals: truncated, memory-only forms with a register, unknown
     * opcodes. (Prefixes: test_te_prefix.c.) */
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x01\x53", 3, &in), 0);
    assert_int_equal(te_decode((const uint8_t *)"\x0F\x01\xD0", 3, &in), 0);
    assert_int_equal(te_decode((const uint8_t *)"\x90", 1, &in), 0);
    assert_int_equal(te_decode((const uint8_t *)"", 0, &in), 0);
    assert_string_equal(te_op_name(TE_LGDT), "lgdt");
    assert_string_equal(te_op_name(TE_NR_OPS), "?");
}

/* ---- page walk ---- */

static uint64_t guest_mem[4 * 512];            /* guest-physical pages 0..3 */

static uint64_t *entry(void *ctx, uint64_t gpa)
{
    (void)ctx;
    return gpa + 8 <= sizeof(guest_mem) ? &guest_mem[gpa / 8] : NULL;
}

static void test_walk(void **state)
{
    struct vx_walk w;
    uint64_t pdpte[4] = { 0x1000 | 1, 0, 0, 0 };        /* L2 at page 1 */
    (void)state;
    memset(guest_mem, 0, sizeof(guest_mem));
    guest_mem[512 + 0] = 0x2000 | 0x7;                 /* L2[0]: L1 at page 2, P RW U */
    guest_mem[512 + 1] = 0x00600000 | 0x83;            /* L2[1]: 2 MiB page, P RW, kernel */
    guest_mem[1024 + 5] = 0x7000 | 0x5;                /* L1[5]: P U, read-only */
    guest_mem[1024 + 6] = 0x8000 | 0x7;                /* L1[6]: P RW U */

    /* A user read of a read-only user page: A set, not D. */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x5123, VX_ACC_USER, &w), VX_WALK_OK);
    assert_int_equal(w.gpa, 0x7123);
    assert_false(w.large);
    assert_false(w.writable);
    assert_true(w.user);
    assert_int_equal(guest_mem[1024 + 5], 0x7000 | 0x25);
    assert_int_equal(guest_mem[512], 0x2000 | 0x27);
    /* Writes to it: user faults (present, write, user); the kernel with
     * WP faults, without WP it may. */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x5000, VX_ACC_USER | VX_ACC_WRITE, &w),
                     VX_WALK_FAULT);
    assert_int_equal(w.error, 7);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x5000, VX_ACC_WRITE, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 3);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 0, 36, 0x5000, VX_ACC_WRITE, &w), VX_WALK_OK);
    /* A write sets D. */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x6004, VX_ACC_USER | VX_ACC_WRITE, &w),
                     VX_WALK_OK);
    assert_true(w.dirty);
    assert_int_equal(guest_mem[1024 + 6], 0x8000 | 0x67);
    /* Not present: error without P. */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x9000, VX_ACC_WRITE, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 2);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x40000000, 0, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 0);
    /* A 2 MiB kernel page: the kernel may, a user may not. */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x00212345, VX_ACC_WRITE, &w), VX_WALK_OK);
    assert_int_equal(w.gpa, 0x00612345);
    assert_true(w.large);                               /* invlpg drops all of it */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x00212345, VX_ACC_USER, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 5);
    /* Reserved bits (MAXPHYADDR 36): a PTE's bit 40 or 63, a 2 MiB PDE's
     * bit 13: a fault with P and RSVD, no accessed bit set. */
    guest_mem[1024 + 7] = 0x9000 | 0x7 | (1ull << 40);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x7000, 0, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 1 | VX_ERR_RSVD);
    assert_int_equal(guest_mem[1024 + 7], 0x9000 | 0x7 | (1ull << 40));
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x7000, VX_ACC_USER | VX_ACC_WRITE,
                                 &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 1 | 2 | 4 | VX_ERR_RSVD);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 48, 0x7000, 0, &w), VX_WALK_OK);
    guest_mem[1024 + 7] = 0x9000 | 0x7 | (1ull << 63);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 52, 0x7000, 0, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 1 | VX_ERR_RSVD);
    guest_mem[512 + 3] = 0x00600000 | 0x83 | (1ull << 13);
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x00600000, 0, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 1 | VX_ERR_RSVD);
    guest_mem[512 + 3] = 0x00600000 | 0x83 | (1ull << 12);      /* PAT: not reserved */
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x00600000, 0, &w), VX_WALK_OK);
    /* A table outside the guest's memory. */
    guest_mem[512 + 2] = 0x00F00000 | 0x7;
    assert_int_equal(vx_walk_pae(entry, NULL, pdpte, 1, 36, 0x00400000, 0, &w), VX_WALK_BAD_TABLE);
}

static void test_desc_shadow(void **state)
{
    (void)state;
    /* Ring-0 code and data: DPL 1, accessed. Ring 3 stays ring 3. */
    assert_int_equal(vx_desc_shadow(0x00CF9A000000FFFFull), 0x00CFBB000000FFFFull);
    assert_int_equal(vx_desc_shadow(0x00CF92000000FFFFull), 0x00CFB3000000FFFFull);
    assert_int_equal(vx_desc_shadow(0x00CFFA000000FFFFull), 0x00CFFB000000FFFFull);
    assert_int_equal(vx_desc_shadow(0x00CFDA000000FFFFull), 0x00CFDB000000FFFFull);   /* ring 2 */
    /* Ring 1: not present, DPL 0, the marker vx_desc_is_ring1 knows. */
    assert_int_equal(vx_desc_shadow(0x00CFBA000000FFFFull), 0x00CF1B000000FFFFull);
    assert_true(vx_desc_is_ring1(vx_desc_shadow(0x00CFB2000000FFFFull)));
    assert_false(vx_desc_is_ring1(vx_desc_shadow(0x00CF9A000000FFFFull)));
    assert_false(vx_desc_is_ring1(vx_desc_shadow(0x00CFDA000000FFFFull)));
    assert_false(vx_desc_is_ring1(0));
    /* TSS, LDT and gates never reach the hardware. */
    assert_int_equal(vx_desc_shadow(0x0000890040000067ull), 0);
    assert_int_equal(vx_desc_shadow(0x0000820050000FFFull), 0);
    assert_int_equal(vx_desc_shadow(0), 0);
}

/* ---- the multiboot parser ---- */

static uint8_t image[8192];

static void build_elf(uint32_t paddr, uint32_t entry, int with_header)
{
    memset(image, 0, sizeof(image));
    uint8_t *e = image;
    memcpy(e, "\177ELF\1\1\1", 7);
    uint16_t type = 2, machine = 3, phentsize = 32, phnum = 1;
    uint32_t version = 1, phoff = 52;
    memcpy(e + 16, &type, 2);
    memcpy(e + 18, &machine, 2);
    memcpy(e + 20, &version, 4);
    memcpy(e + 24, &entry, 4);
    memcpy(e + 28, &phoff, 4);
    memcpy(e + 42, &phentsize, 2);
    memcpy(e + 44, &phnum, 2);
    uint32_t ph[8] = { 1, 0x1000, 0xC0000000u, paddr, 0x1000, 0x2000, 5, 0x1000 };
    memcpy(e + 52, ph, sizeof(ph));
    if (with_header) {
        uint32_t mb[3] = { 0x1BADB002u, 3, 0 };
        mb[2] = -(mb[0] + mb[1]);
        memcpy(e + 0x1000, mb, sizeof(mb));
    }
}

static void test_multiboot_parse(void **state)
{
    struct elf_xen_info info;
    const char *why = NULL;
    (void)state;
    build_elf(0x400000, 0x40000c, 1);
    assert_int_equal(multiboot_header_flags(image, sizeof(image)), 3);
    assert_int_equal(elf_multiboot_parse(image, sizeof(image), &info, &why), 0);
    assert_int_equal(info.nsegs, 1);
    assert_int_equal(info.segs[0].vaddr, 0x400000);          /* p_paddr, not p_vaddr */
    assert_int_equal(info.entry, 0x40000c);
    /* Xen's parser refuses the same image: no notes. */
    assert_int_not_equal(elf_xen_parse(image, sizeof(image), 0, &info, &why), 0);
    assert_string_equal(why, "no Xen ELF notes: not a Xen PV guest image");
    build_elf(0x400000, 0x40000c, 0);
    assert_int_equal(multiboot_header_flags(image, sizeof(image)), -1);
    assert_int_not_equal(elf_multiboot_parse(image, sizeof(image), &info, &why), 0);
    assert_string_equal(why, "no multiboot header in the first 8 KiB");
    build_elf(0x400000, 0x900000, 1);
    assert_int_not_equal(elf_multiboot_parse(image, sizeof(image), &info, &why), 0);
    assert_string_equal(why, "entry point outside the loaded segments");
    build_elf(0xF5900000u, 0xF590000cu, 1);
    assert_int_not_equal(elf_multiboot_parse(image, sizeof(image), &info, &why), 0);
    assert_string_equal(why, "PT_LOAD segment reaches the hypervisor area");
    /* The a.out kludge (flag 16) is refused; a bad checksum is no header. */
    build_elf(0x400000, 0x40000c, 1);
    uint32_t mb[3] = { 0x1BADB002u, 0x10000, 0 };
    mb[2] = -(mb[0] + mb[1]);
    memcpy(image + 0x1000, mb, sizeof(mb));
    assert_int_not_equal(elf_multiboot_parse(image, sizeof(image), &info, &why), 0);
    assert_string_equal(why, "multiboot a.out kludge (flag 16) is not supported");
    mb[2]++;
    memcpy(image + 0x1000, mb, sizeof(mb));
    assert_int_equal(multiboot_header_flags(image, sizeof(image)), -1);
    assert_int_equal(multiboot_header_flags(image, 10), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pic),
        cmocka_unit_test(test_pit),
        cmocka_unit_test(test_platform),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_desc_shadow),
        cmocka_unit_test(test_multiboot_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
