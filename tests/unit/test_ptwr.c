/* Unit tests: writable page tables (mm/ptwr.c): which faults qualify, the
 * decoder (every form, every prefix), the emulation on fake machine memory
 * through page_table_update, and every refusal. Arithmetic and flags are
 * checked against the host CPU running the same instruction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include <pv86/xen.h>

#include "mm/pagetable.h"
#include "mm/ptwr.h"

#define DOM 1
#define FAKE_FRAMES 40
#include "fake_machine.h"

static const struct mm_ops ops = { fake_page, fake_map, NULL, NULL, NULL, NULL, 0, NULL };

#define P _PAGE_PRESENT
#define RW _PAGE_RW
#define A _PAGE_ACCESSED
#define E(m, f) (((uint64_t)(m) << 12) | (f))

/* Frames: 1 the L3, 2 the L2 (slot 0), 3 the L1 that maps VAs 0-2 MiB;
 * 4 the L1 under test (pinned), mapped read-only at 0x5000; 6 a pinned
 * L2 at 0x6000; 7 a frame of ours with no type at 0x7000; 8 another
 * domain's L1 at 0x8000; 9 an L1 of ours mapped writable... impossible, so
 * 9 is a data frame mapped RW at 0x9000; 10-20 data frames; 30 another
 * domain's data frame; 31 the hypervisor's. */
#define L1VA   0x5000u
#define L2VA   0x6000u
#define NOTYPE 0x7000u
#define FOREIGN_L1 0x8000u
#define RWVA   0x9000u
#define EIP0   0x00100000u

static uint64_t *l1t;          /* frame 4's entries */

static int setup(void **state)
{
    (void)state;
    fake_reset(DOM);
    pages[30].owner = 2;
    pages[31].owner = DOMID_HV;
    pages[8].owner = 2;
    fake_mem[1][0] = E(2, P);
    fake_mem[2][0] = E(3, P | RW | A);
    assert_int_equal(page_table_pin(&ops, DOM, 4, PGT_l1), 0);
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l2), 0);
    assert_int_equal(page_table_pin(&ops, 2, 8, PGT_l1), 0);
    fake_mem[3][L1VA >> 12] = E(4, P | A);
    fake_mem[3][L2VA >> 12] = E(6, P | A);
    fake_mem[3][NOTYPE >> 12] = E(7, P | A);
    fake_mem[3][FOREIGN_L1 >> 12] = E(8, P | A);
    fake_mem[3][RWVA >> 12] = E(9, P | RW | A);
    l1t = fake_mem[4];
    return 0;
}

static struct ptwr_regs regs0(void)
{
    struct ptwr_regs r = { { 0 }, EIP0, 0x202 };
    return r;
}

/* Emulate insn (n bytes) faulting at cr2 with regs *r. */
static int emu(const uint8_t *insn, size_t n, uint32_t cr2, struct ptwr_regs *r)
{
    return ptwr_emulate(&ops, DOM, 1, cr2, insn, n, r);
}
#define EMU(cr2, r, ...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; emu(b_, sizeof(b_), cr2, r); })

/* ---- which faults qualify ---- */

static void test_qualifies(void **state)
{
    (void)state;
    uint32_t on = 1u << VMASST_TYPE_writable_pagetables;
    assert_int_equal(PTWR_VMASST_BIT, VMASST_TYPE_writable_pagetables);
    assert_true(ptwr_fault_qualifies(3, 0xe019, 0x202, L1VA, on));
    assert_true(ptwr_fault_qualifies(3, 0xe019, 0x202, 0xF57FFFFF, on | 1));
    assert_false(ptwr_fault_qualifies(3, 0xe019, 0x202, L1VA, 0));          /* not asked for */
    assert_false(ptwr_fault_qualifies(3, 0xe019, 0x202, L1VA, ~on));
    assert_false(ptwr_fault_qualifies(7, 0xe02b, 0x202, L1VA, on));         /* ring 3 */
    assert_false(ptwr_fault_qualifies(3, 0xe02b, 0x202, L1VA, on));
    assert_false(ptwr_fault_qualifies(3, 0x0012, 0x202, L1VA, on));         /* ring 2 */
    assert_false(ptwr_fault_qualifies(3, 0xe018, 0x202, L1VA, on));         /* ring 0 */
    assert_false(ptwr_fault_qualifies(3, 0xe019, 0x002, L1VA, on));         /* IF clear */
    assert_false(ptwr_fault_qualifies(1, 0xe019, 0x202, L1VA, on));         /* a read */
    assert_false(ptwr_fault_qualifies(2, 0xe019, 0x202, L1VA, on));         /* not present */
    assert_false(ptwr_fault_qualifies(0xB, 0xe019, 0x202, L1VA, on));       /* reserved bit */
    assert_false(ptwr_fault_qualifies(0x13, 0xe019, 0x202, L1VA, on));      /* fetch */
    assert_false(ptwr_fault_qualifies(3, 0xe019, 0x202, HYPERVISOR_VIRT_START, on));
    assert_false(ptwr_fault_qualifies(3, 0xe019, 0x202, 0xFFFFF000, on));
}

/* ---- the decoder ---- */

struct form { uint8_t b[16]; size_t n; enum ptwr_op op; unsigned size, len; int lock, imm; };

static void test_decode_forms(void **state)
{
    (void)state;
    static const struct form f[] = {
        { { 0x89, 0x03 }, 2, PTWR_MOV, 4, 2, 0, 0 },
        { { 0x88, 0x23 }, 2, PTWR_MOV, 1, 2, 0, 0 },
        { { 0x66, 0x89, 0x03 }, 3, PTWR_MOV, 2, 3, 0, 0 },
        { { 0xC7, 0x03, 1, 2, 3, 4 }, 6, PTWR_MOV, 4, 6, 0, 1 },
        { { 0x66, 0xC7, 0x03, 1, 2 }, 5, PTWR_MOV, 2, 5, 0, 1 },
        { { 0xC6, 0x43, 0x04, 9 }, 4, PTWR_MOV, 1, 4, 0, 1 },
        { { 0x87, 0x03 }, 2, PTWR_XCHG, 4, 2, 1, 0 },
        { { 0x86, 0x03 }, 2, PTWR_XCHG, 1, 2, 1, 0 },
        { { 0xF0, 0x87, 0x03 }, 3, PTWR_XCHG, 4, 3, 1, 0 },
        { { 0x01, 0x03 }, 2, PTWR_ALU, 4, 2, 0, 0 },
        { { 0xF0, 0x09, 0x03 }, 3, PTWR_ALU, 4, 3, 1, 0 },
        { { 0x30, 0x03 }, 2, PTWR_ALU, 1, 2, 0, 0 },
        { { 0x80, 0x23, 0xFD }, 3, PTWR_ALU, 1, 3, 0, 1 },
        { { 0x82, 0x0B, 0x02 }, 3, PTWR_ALU, 1, 3, 0, 1 },
        { { 0x81, 0x23, 1, 2, 3, 4 }, 6, PTWR_ALU, 4, 6, 0, 1 },
        { { 0x66, 0x81, 0x23, 1, 2 }, 5, PTWR_ALU, 2, 5, 0, 1 },
        { { 0xF0, 0x83, 0x23, 0xFD }, 4, PTWR_ALU, 4, 4, 1, 1 },
        { { 0xFF, 0x03 }, 2, PTWR_INC, 4, 2, 0, 0 },
        { { 0xFE, 0x0B }, 2, PTWR_DEC, 1, 2, 0, 0 },
        { { 0xF7, 0x13 }, 2, PTWR_NOT, 4, 2, 0, 0 },
        { { 0xF6, 0x1B }, 2, PTWR_NEG, 1, 2, 0, 0 },
        { { 0x0F, 0xB1, 0x0B }, 3, PTWR_CMPXCHG, 4, 3, 0, 0 },
        { { 0xF0, 0x0F, 0xB0, 0x0B }, 4, PTWR_CMPXCHG, 1, 4, 1, 0 },
        { { 0x0F, 0xC1, 0x0B }, 3, PTWR_XADD, 4, 3, 0, 0 },
        { { 0x0F, 0xC7, 0x0E }, 3, PTWR_CMPXCHG8B, 8, 3, 0, 0 },
        { { 0xF0, 0x0F, 0xC7, 0x0E }, 4, PTWR_CMPXCHG8B, 8, 4, 1, 0 },
        { { 0x66, 0x0F, 0xC7, 0x0E }, 4, PTWR_CMPXCHG8B, 8, 4, 0, 0 },
        { { 0x0F, 0xAB, 0x0B }, 3, PTWR_BTS, 4, 3, 0, 0 },
        { { 0xF0, 0x0F, 0xB3, 0x0B }, 4, PTWR_BTR, 4, 4, 1, 0 },
        { { 0x66, 0x0F, 0xBB, 0x0B }, 4, PTWR_BTC, 2, 4, 0, 0 },
        { { 0xF0, 0x0F, 0xBA, 0x33, 0x05 }, 5, PTWR_BTR, 4, 5, 1, 1 },
        { { 0x0F, 0xBA, 0x2B, 0x01 }, 4, PTWR_BTS, 4, 4, 0, 1 },
        { { 0x0F, 0xBA, 0x3B, 0x01 }, 4, PTWR_BTC, 4, 4, 0, 1 },
        /* prefixes: segment overrides, REP/REPNE (ignored), 67, several */
        { { 0x64, 0x89, 0x03 }, 3, PTWR_MOV, 4, 3, 0, 0 },
        { { 0x26, 0x2E, 0x36, 0x3E, 0x65, 0x89, 0x03 }, 7, PTWR_MOV, 4, 7, 0, 0 },
        { { 0xF3, 0x89, 0x03 }, 3, PTWR_MOV, 4, 3, 0, 0 },
        { { 0xF2, 0xF0, 0x87, 0x03 }, 4, PTWR_XCHG, 4, 4, 1, 0 },
        { { 0x67, 0x89, 0x07 }, 3, PTWR_MOV, 4, 3, 0, 0 },
        { { 0x67, 0x66, 0x89, 0x47, 0x04 }, 5, PTWR_MOV, 2, 5, 0, 0 },
        { { 0x67, 0x89, 0x06, 0x10, 0x50 }, 5, PTWR_MOV, 4, 5, 0, 0 },
        /* addressing: SIB, disp8, disp32, absolute */
        { { 0x89, 0x44, 0x8E, 0x08 }, 4, PTWR_MOV, 4, 4, 0, 0 },
        { { 0x89, 0x83, 0x10, 0, 0, 0 }, 6, PTWR_MOV, 4, 6, 0, 0 },
        { { 0x89, 0x05, 0x10, 0x50, 0, 0 }, 6, PTWR_MOV, 4, 6, 0, 0 },
        { { 0x89, 0x04, 0x25, 0x10, 0x50, 0, 0 }, 7, PTWR_MOV, 4, 7, 0, 0 },
        /* mov %eax/%al -> moffs; 67: a 16-bit offset */
        { { 0xA3, 0x10, 0x50, 0, 0 }, 5, PTWR_MOV, 4, 5, 0, 0 },
        { { 0xA2, 0x10, 0x50, 0, 0 }, 5, PTWR_MOV, 1, 5, 0, 0 },
        { { 0x66, 0xA3, 0x10, 0x50, 0, 0 }, 6, PTWR_MOV, 2, 6, 0, 0 },
        { { 0x67, 0xA3, 0x10, 0x50 }, 4, PTWR_MOV, 4, 4, 0, 0 },
        /* 15 bytes exactly */
        { { 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0xC7, 0x03, 1, 2, 3, 4 },
          15, PTWR_MOV, 4, 15, 0, 1 },
    };
    for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        struct ptwr_insn in;
        if (!ptwr_decode(f[i].b, f[i].n, &in))
            fail_msg("form %u not decoded", i);
        if (in.op != f[i].op || in.size != f[i].size || in.len != f[i].len ||
            in.lock != f[i].lock || in.src_imm != f[i].imm)
            fail_msg("form %u: op %d size %u len %u lock %d imm %d", i, in.op, in.size,
                     in.len, in.lock, in.src_imm);
    }
}

static void test_decode_refusals(void **state)
{
    (void)state;
    static const struct { uint8_t b[17]; size_t n; } bad[] = {
        { { 0x89, 0xC3 }, 2 },                  /* register operand */
        { { 0x0F, 0xC7, 0xCE }, 3 },            /* cmpxchg8b of a register */
        { { 0xF0, 0x89, 0x03 }, 3 },            /* lock mov: #UD */
        { { 0xF0, 0xC7, 0x03, 1, 2, 3, 4 }, 7 },
        { { 0x8B, 0x03 }, 2 },                  /* a read */
        { { 0x39, 0x03 }, 2 },                  /* cmp */
        { { 0x83, 0x3B, 0x01 }, 3 },            /* cmp $1 */
        { { 0xF7, 0x03, 1, 0, 0, 0 }, 6 },      /* test */
        { { 0xFF, 0x33 }, 2 },                  /* push */
        { { 0x0F, 0xA3, 0x03 }, 3 },            /* bt */
        { { 0x0F, 0xBA, 0x23, 1 }, 4 },         /* bt $1 */
        { { 0x0F, 0xC7, 0x03 }, 3 },            /* 0F C7 /0 */
        { { 0xC7, 0x0B, 1, 2, 3, 4 }, 6 },      /* C7 /1 */
        { { 0xAB }, 1 },                        /* stos: not handled */
        { { 0x89 }, 1 },                        /* truncated */
        { { 0xA3, 0x10, 0x50, 0 }, 4 },
        { { 0xF0, 0xA3, 0x10, 0x50, 0, 0 }, 6 },   /* lock mov */
        { { 0x89, 0x44 }, 2 },
        { { 0x89, 0x44, 0x8E }, 3 },
        { { 0x89, 0x83, 0x10, 0 }, 4 },
        { { 0xC7, 0x03, 1, 2, 3 }, 5 },
        { { 0x0F }, 1 },
        { { 0x66, 0x67, 0xF0 }, 3 },            /* prefixes only */
        { { 0 }, 0 },
        /* 16 bytes: the CPU raises #GP */
        { { 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0xC7, 0x03, 1, 2, 3, 4 }, 16 },
        { { 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E,
            0x3E, 0x89, 0x03 }, 17 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ptwr_insn in;
        if (ptwr_decode(bad[i].b, bad[i].n, &in))
            fail_msg("refusal %u decoded", i);
    }
}

static void test_operand_offset(void **state)
{
    (void)state;
    struct ptwr_insn in;
    uint32_t g[8] = { 0, 3, 0, 0x12345010, 0, 0x20, 0x4000, 0x5000 };
    static const uint8_t sib[] = { 0x89, 0x44, 0x8E, 0x08 };        /* 8(%esi,%ecx,4) */
    assert_true(ptwr_decode(sib, sizeof(sib), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), 0x4000 + 12 + 8);
    static const uint8_t bx[] = { 0x67, 0x89, 0x07 };               /* (%bx) */
    assert_true(ptwr_decode(bx, sizeof(bx), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), 0x5010);
    static const uint8_t bpdi[] = { 0x67, 0x89, 0x43, 0xF0 };       /* -16(%bp,%di) */
    assert_true(ptwr_decode(bpdi, sizeof(bpdi), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), (0x20 + 0x5000 - 16) & 0xFFFF);
    static const uint8_t abs16[] = { 0x67, 0x89, 0x06, 0x10, 0x50 };  /* (0x5010) */
    assert_true(ptwr_decode(abs16, sizeof(abs16), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), 0x5010);
    static const uint8_t moffs[] = { 0xA3, 0x18, 0x50, 0, 0 };
    assert_true(ptwr_decode(moffs, sizeof(moffs), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), 0x5018);
    static const uint8_t moffs16[] = { 0x67, 0xA3, 0x18, 0x50 };
    assert_true(ptwr_decode(moffs16, sizeof(moffs16), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), 0x5018);
    static const uint8_t abs32[] = { 0x89, 0x04, 0x25, 0x18, 0x50, 0, 0 };   /* SIB, no base */
    assert_true(ptwr_decode(abs32, sizeof(abs32), &in));
    assert_int_equal(ptwr_operand_offset(&in, g), 0x5018);
}

/* ---- emulation: the forms a PV kernel writes a PAE entry with ---- */

static void test_two_movs_low_then_high(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    r.gpr[3] = L1VA + 16;                                   /* ebx: entry 2 */
    r.gpr[0] = (uint32_t)E(10, P | RW | A);
    assert_int_equal(EMU(L1VA + 16, &r, 0x89, 0x03), 1);    /* mov %eax,(%ebx) */
    assert_int_equal(l1t[2], E(10, P | RW | A));
    assert_int_equal(r.eip, EIP0 + 2);
    assert_int_equal(pages[10].count, 1);
    assert_int_equal(pages[10].type, PGT_writable);
    r.gpr[0] = 0;
    assert_int_equal(EMU(L1VA + 20, &r, 0x89, 0x43, 0x04), 1);   /* mov %eax,4(%ebx) */
    assert_int_equal(l1t[2], E(10, P | RW | A));
    assert_int_equal(r.eip, EIP0 + 5);
    assert_int_equal(pages[10].count, 1);
    /* What a compiler makes of a store to a fixed address: mov %eax,moffs */
    r.gpr[0] = (uint32_t)E(11, P | A);
    assert_int_equal(EMU(L1VA + 16, &r, 0xA3, 0x10, 0x50, 0, 0), 1);
    assert_int_equal(l1t[2], E(11, P | A));
    assert_int_equal(r.eip, EIP0 + 10);
    assert_int_equal(pages[10].count, 0);
    assert_int_equal(pages[11].count, 1);
}

static void test_two_movs_high_then_low(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    l1t[3] = 0;
    r.gpr[3] = L1VA + 24;
    assert_int_equal(EMU(L1VA + 28, &r, 0x89, 0x43, 0x04), 1);
    r.gpr[0] = (uint32_t)E(11, P | A);
    assert_int_equal(EMU(L1VA + 24, &r, 0x89, 0x03), 1);
    assert_int_equal(l1t[3], E(11, P | A));
    assert_int_equal(pages[11].count, 1);
    assert_int_equal(pages[11].type, PGT_none);              /* read-only: no type */
    /* Rewriting the low half to another frame moves the references. */
    r.gpr[0] = (uint32_t)E(12, P | RW | A);
    assert_int_equal(EMU(L1VA + 24, &r, 0x89, 0x03), 1);
    assert_int_equal(pages[11].count, 0);
    assert_int_equal(pages[12].count, 1);
    assert_int_equal(pages[12].type_count, 1);
    /* A zero low half: the entry goes, and its references. */
    r.gpr[0] = 0;
    assert_int_equal(EMU(L1VA + 24, &r, 0x89, 0x03), 1);
    assert_int_equal(l1t[3], 0);
    assert_int_equal(pages[12].count, 0);
    assert_int_equal(pages[12].type_count, 0);
}

/* Xen's PAE fix-up: an upper half that makes the present entry invalid is
 * written with P cleared; a low half that does the same is refused. */
static void test_upper_half_zaps_present(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    l1t[4] = 0;
    r.gpr[3] = L1VA + 32;
    r.gpr[0] = (uint32_t)E(13, P | RW | A);
    assert_int_equal(EMU(L1VA + 32, &r, 0x89, 0x03), 1);
    r.gpr[0] = 0x00000001;                      /* frame 0x100000 + 13: no RAM */
    assert_int_equal(EMU(L1VA + 36, &r, 0x89, 0x43, 0x04), 1);
    assert_int_equal(l1t[4], (1ull << 32) | E(13, RW | A));
    assert_int_equal(pages[13].count, 0);       /* the old entry's references went */
    assert_int_equal(pages[13].type_count, 0);
    /* The low half naming a frame while the upper half is bad: refused. */
    r.gpr[0] = (uint32_t)E(14, P | A);
    struct ptwr_regs before = r;
    assert_int_equal(EMU(L1VA + 32, &r, 0x89, 0x03), 0);
    assert_memory_equal(&r, &before, sizeof(r));
    assert_int_equal(l1t[4], (1ull << 32) | E(13, RW | A));
    /* Upper half fixed, then the low half: a valid entry. */
    r.gpr[0] = 0;
    assert_int_equal(EMU(L1VA + 36, &r, 0x89, 0x43, 0x04), 1);
    r.gpr[0] = (uint32_t)E(14, P | A);
    assert_int_equal(EMU(L1VA + 32, &r, 0x89, 0x03), 1);
    assert_int_equal(l1t[4], E(14, P | A));
    assert_int_equal(pages[14].count, 1);
    /* Reserved bits (52-63) by the upper half: zapped too. */
    r.gpr[0] = 0x00100000;
    assert_int_equal(EMU(L1VA + 36, &r, 0x89, 0x43, 0x04), 1);
    assert_int_equal(l1t[4], (1ull << 52) | E(14, A));
    assert_int_equal(pages[14].count, 0);
    l1t[4] = 0;
    /* Not for a locked write (xchg) or an 8-byte one. */
    l1t[5] = E(15, P | A);
    assert_int_equal(page_table_unpin(&ops, DOM, 4), 0);   /* revalidate with entry 5 */
    assert_int_equal(page_table_pin(&ops, DOM, 4, PGT_l1), 0);
    r.gpr[3] = L1VA + 40;
    r.gpr[0] = 1;
    assert_int_equal(EMU(L1VA + 44, &r, 0x87, 0x43, 0x04), 0);   /* xchg %eax,4(%ebx) */
    assert_int_equal(l1t[5], E(15, P | A));
    assert_int_equal(r.gpr[0], 1);
    assert_int_equal(pages[15].count, 1);
    /* Nor a 2-byte write of the upper half. */
    assert_int_equal(EMU(L1VA + 44, &r, 0x66, 0x89, 0x43, 0x04), 0);
    assert_int_equal(l1t[5], E(15, P | A));
}

static void test_cmpxchg8b(void **state)
{
    (void)state;
    for (int lock = 0; lock < 2; lock++) {
        static const uint8_t plain[] = { 0x0F, 0xC7, 0x0E }, locked[] = { 0xF0, 0x0F, 0xC7, 0x0E };
        const uint8_t *b = lock ? locked : plain;
        size_t n = lock ? sizeof(locked) : sizeof(plain);
        struct ptwr_regs r = regs0();
        l1t[6] = 0;
        r.gpr[6] = L1VA + 48;                               /* esi */
        r.gpr[0] = 0;                                       /* edx:eax: expected */
        r.gpr[2] = 0;
        r.gpr[3] = (uint32_t)E(16, P | RW | A);             /* ecx:ebx: new */
        r.gpr[1] = 0;
        assert_int_equal(emu(b, n, L1VA + 48, &r), 1);
        assert_int_equal(l1t[6], E(16, P | RW | A));
        assert_true(r.eflags & EFL_ZF);
        assert_int_equal(r.eip, EIP0 + n);
        assert_int_equal(pages[16].count, 1);
        /* A failed compare: edx:eax get the entry, ZF clear, nothing written. */
        r.gpr[0] = 5;
        r.gpr[3] = 0;
        assert_int_equal(emu(b, n, L1VA + 48, &r), 1);
        assert_int_equal(r.gpr[0], (uint32_t)E(16, P | RW | A));
        assert_int_equal(r.gpr[2], 0);
        assert_false(r.eflags & EFL_ZF);
        assert_int_equal(l1t[6], E(16, P | RW | A));
        /* A new entry the check refuses: nothing changes at all. */
        r.gpr[3] = (uint32_t)E(30, P | A);                  /* another domain's */
        struct ptwr_regs before = r;
        assert_int_equal(emu(b, n, L1VA + 48, &r), 0);
        assert_memory_equal(&r, &before, sizeof(r));
        assert_int_equal(l1t[6], E(16, P | RW | A));
        /* Back to empty. */
        r.gpr[3] = 0;
        assert_int_equal(emu(b, n, L1VA + 48, &r), 1);
        assert_int_equal(l1t[6], 0);
        assert_int_equal(pages[16].count, 0);
        assert_int_equal(pages[16].type_count, 0);
        /* Not 8-byte aligned: refused. */
        r.gpr[6] = L1VA + 52;
        assert_int_equal(emu(b, n, L1VA + 52, &r), 0);
    }
}

static void test_xchg(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    l1t[7] = 0;
    r.gpr[3] = L1VA + 56;
    r.gpr[0] = (uint32_t)E(17, P | A);
    assert_int_equal(EMU(L1VA + 56, &r, 0x87, 0x03), 1);      /* xchg %eax,(%ebx) */
    assert_int_equal(l1t[7], E(17, P | A));
    assert_int_equal(r.gpr[0], 0);
    r.gpr[0] = 0;
    assert_int_equal(EMU(L1VA + 56, &r, 0xF0, 0x87, 0x03), 1);
    assert_int_equal(r.gpr[0], (uint32_t)E(17, P | A));
    assert_int_equal(l1t[7], 0);
    assert_int_equal(pages[17].count, 0);
}

/* ALU forms Linux uses on a live entry (clear_bit, test_and_clear_bit). */
static void test_bit_and_alu_forms(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    l1t[8] = 0;
    r.gpr[3] = L1VA + 64;
    r.gpr[0] = (uint32_t)E(18, P | RW | A);
    assert_int_equal(EMU(L1VA + 64, &r, 0x89, 0x03), 1);
    assert_int_equal(pages[18].type_count, 1);
    /* lock andb $~RW,(%ebx): read-only now, the writable reference goes */
    assert_int_equal(EMU(L1VA + 64, &r, 0xF0, 0x80, 0x23, 0xFD), 1);
    assert_int_equal(l1t[8], E(18, P | A));
    assert_int_equal(pages[18].type_count, 0);
    assert_int_equal(pages[18].count, 1);
    /* lock btr $5,(%ebx): accessed cleared, CF = its old value */
    assert_int_equal(EMU(L1VA + 64, &r, 0xF0, 0x0F, 0xBA, 0x33, 0x05), 1);
    assert_int_equal(l1t[8], E(18, P));
    assert_true(r.eflags & EFL_CF);
    assert_int_equal(EMU(L1VA + 64, &r, 0xF0, 0x0F, 0xBA, 0x33, 0x05), 1);
    assert_false(r.eflags & EFL_CF);
    /* bts %ecx,(%ebx) with ecx = -31: bit 1 of the entry before's upper
     * half (the bit offset reaches back past the operand); entry 7 is not
     * present, so any value is accepted. */
    r.gpr[1] = (uint32_t)-31;
    assert_int_equal(EMU(L1VA + 60, &r, 0x0F, 0xAB, 0x0B), 1);
    assert_int_equal(l1t[7], 2ull << 32);
    l1t[7] = 0;
    /* or $RW,(%ebx) naming a frame... of ours: fine, writable again. */
    assert_int_equal(EMU(L1VA + 64, &r, 0x83, 0x0B, 0x02), 1);
    assert_int_equal(l1t[8], E(18, P | RW));
    assert_int_equal(pages[18].type_count, 1);
    /* Nothing changes: nothing written (no reference moves either). */
    assert_int_equal(EMU(L1VA + 64, &r, 0x83, 0x0B, 0x00), 1);
    assert_int_equal(l1t[8], E(18, P | RW));
    assert_int_equal(pages[18].count, 1);
    r.gpr[0] = 0;
    assert_int_equal(EMU(L1VA + 64, &r, 0x89, 0x03), 1);
    assert_int_equal(pages[18].count, 0);
    assert_int_equal(pages[18].type_count, 0);
}

/* 8- and 16-bit writes merge with the rest of the entry. */
static void test_narrow_writes(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    l1t[9] = 0x1122334400000000ull;
    r.gpr[3] = L1VA + 72;
    r.gpr[0] = 0xAB00;                                       /* ah = 0xAB */
    assert_int_equal(EMU(L1VA + 73, &r, 0x88, 0x63, 0x01), 1);    /* mov %ah,1(%ebx) */
    assert_int_equal(l1t[9], 0x112233440000AB00ull);
    r.gpr[0] = 0xCAFE;
    assert_int_equal(EMU(L1VA + 76, &r, 0x66, 0x89, 0x43, 0x04), 1);   /* mov %ax,4(%ebx) */
    assert_int_equal(l1t[9], 0x1122CAFE0000AB00ull);
    assert_int_equal(EMU(L1VA + 79, &r, 0xC6, 0x43, 0x07, 0x00), 1);   /* movb $0,7(%ebx) */
    assert_int_equal(l1t[9], 0x0022CAFE0000AB00ull);
    /* 2 bytes at an odd address, 4 bytes across two entries: refused */
    assert_int_equal(EMU(L1VA + 73, &r, 0x66, 0x89, 0x43, 0x01), 0);
    assert_int_equal(EMU(L1VA + 78, &r, 0x89, 0x43, 0x06), 0);
    assert_int_equal(EMU(L1VA + 74, &r, 0x89, 0x43, 0x02), 0);
    assert_int_equal(l1t[9], 0x0022CAFE0000AB00ull);
    l1t[9] = 0;
}

/* Prefixes: 67 addressing, segment overrides (the offset is the address,
 * as Xen's ptwr takes it), REP ignored. */
static void test_prefixes(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    r.gpr[3] = 0xABCD0000u | (L1VA + 80);                   /* bx = entry 10 */
    r.gpr[0] = 0x7E;
    assert_int_equal(EMU(L1VA + 80, &r, 0x67, 0x89, 0x07), 1);
    assert_int_equal(l1t[10], 0x7E);
    assert_int_equal(r.eip, EIP0 + 3);
    r.gpr[3] = L1VA + 80;
    r.gpr[0] = 0x7C;
    assert_int_equal(EMU(L1VA + 80, &r, 0x64, 0xF3, 0x89, 0x03), 1);
    assert_int_equal(l1t[10], 0x7C);
    assert_int_equal(r.eip, EIP0 + 7);
    r.gpr[0] = 0;
    assert_int_equal(EMU(L1VA + 80, &r, 0x2E, 0x3E, 0x26, 0x36, 0x65, 0x89, 0x03), 1);
    assert_int_equal(l1t[10], 0);
    /* lock on a mov: the CPU would #UD, never a #PF: refused */
    assert_int_equal(EMU(L1VA + 80, &r, 0xF0, 0x89, 0x03), 0);
}

/* ---- refusals: nothing changes, the #PF is bounced ---- */

static void refused(const uint8_t *b, size_t n, uint32_t cr2, struct ptwr_regs *r,
                    const char *what)
{
    struct ptwr_regs before = *r;
    uint64_t snapshot[512];
    memcpy(snapshot, l1t, sizeof(snapshot));
    if (emu(b, n, cr2, r) != 0)
        fail_msg("%s: emulated", what);
    assert_memory_equal(r, &before, sizeof(*r));
    assert_memory_equal(snapshot, l1t, sizeof(snapshot));
}

static void test_refusals(void **state)
{
    (void)state;
    static const uint8_t mov[] = { 0x89, 0x03 };
    struct ptwr_regs r = regs0();
    unsigned c30 = pages[30].count, c31 = pages[31].count;

    r.gpr[3] = L1VA;
    r.gpr[0] = (uint32_t)E(30, P | A);
    refused(mov, 2, L1VA, &r, "another domain's frame");
    r.gpr[0] = (uint32_t)E(31, P | A);
    refused(mov, 2, L1VA, &r, "the hypervisor's frame");
    r.gpr[0] = (uint32_t)E(6, P | RW | A);
    refused(mov, 2, L1VA, &r, "our own L2, writable");
    r.gpr[0] = (uint32_t)E(4, P | RW | A);
    refused(mov, 2, L1VA, &r, "the L1 itself, writable");
    r.gpr[0] = (uint32_t)E(0x3FFFF, P | A);
    refused(mov, 2, L1VA, &r, "a frame beyond RAM");
    assert_int_equal(pages[30].count, c30);
    assert_int_equal(pages[31].count, c31);

    /* The frame is no L1 of ours in use. */
    r.gpr[0] = (uint32_t)E(10, P | A);
    r.gpr[3] = L2VA;
    refused(mov, 2, L2VA, &r, "an L2 mapped read-only");
    r.gpr[3] = NOTYPE;
    refused(mov, 2, NOTYPE, &r, "a read-only frame of no type");
    r.gpr[3] = FOREIGN_L1;
    refused(mov, 2, FOREIGN_L1, &r, "another domain's L1");
    r.gpr[3] = RWVA;
    refused(mov, 2, RWVA, &r, "a writable mapping");
    r.gpr[3] = 0x20000;
    refused(mov, 2, 0x20000, &r, "nothing mapped");
    r.gpr[3] = 0x40000000;
    refused(mov, 2, 0x40000000, &r, "no L2 there");
    /* An L1 left partly validated by a preempted pin is not in use. */
    pages[4].flags |= PGF_PARTIAL;
    r.gpr[3] = L1VA;
    refused(mov, 2, L1VA, &r, "a partial L1");
    pages[4].flags &= ~PGF_PARTIAL;
    /* The operand is not in the page that faulted. */
    r.gpr[3] = L1VA + 0x1000;
    refused(mov, 2, L1VA, &r, "another page");
    r.gpr[3] = L1VA - 2;
    refused(mov, 2, L1VA, &r, "a write straddling the page");
    /* An instruction not handled. */
    static const uint8_t stos[] = { 0xAB };
    r.gpr[7] = L1VA;
    refused(stos, 1, L1VA, &r, "stos");
    static const uint8_t cut[] = { 0x89 };
    refused(cut, 1, L1VA, &r, "a cut instruction");
}

/* ---- arithmetic and flags, against the host CPU ---- */

#define HOST_OP(name, insn)                                                        \
    static void host_##name(uint32_t *mem, uint32_t *src, uint32_t *fl)            \
    {                                                                              \
        unsigned long f = *fl;                                                     \
        __asm__ __volatile__("push %[f]\n\tpopf\n\t" insn "\n\tpushf\n\tpop %[f]"  \
                             : [f] "+r"(f), "+m"(*mem), [s] "+r"(*src)             \
                             : : "cc");                                            \
        *fl = (uint32_t)f;                                                         \
    }
HOST_OP(add, "addl %[s], %1")
HOST_OP(or, "orl %[s], %1")
HOST_OP(adc, "adcl %[s], %1")
HOST_OP(sbb, "sbbl %[s], %1")
HOST_OP(and, "andl %[s], %1")
HOST_OP(sub, "subl %[s], %1")
HOST_OP(xor, "xorl %[s], %1")
HOST_OP(addb, "addb %b[s], %1")
HOST_OP(subb, "subb %b[s], %1")
HOST_OP(inc, "incl %1")
HOST_OP(dec, "decl %1")
HOST_OP(neg, "negl %1")
HOST_OP(not, "notl %1")
HOST_OP(xadd, "xaddl %[s], %1")
HOST_OP(btc, "btcl %[s], %1")

static void test_flags_against_cpu(void **state)
{
    (void)state;
    static const struct {
        void (*host)(uint32_t *, uint32_t *, uint32_t *);
        uint8_t insn[3];
        size_t n;
        uint32_t undefined;                 /* flags the SDM leaves undefined */
    } ops_[] = {
        { host_add, { 0x01, 0x03 }, 2, 0 }, { host_or, { 0x09, 0x03 }, 2, EFL_AF },
        { host_adc, { 0x11, 0x03 }, 2, 0 }, { host_sbb, { 0x19, 0x03 }, 2, 0 },
        { host_and, { 0x21, 0x03 }, 2, EFL_AF }, { host_sub, { 0x29, 0x03 }, 2, 0 },
        { host_xor, { 0x31, 0x03 }, 2, EFL_AF }, { host_addb, { 0x00, 0x03 }, 2, 0 },
        { host_subb, { 0x28, 0x03 }, 2, 0 }, { host_inc, { 0xFF, 0x03 }, 2, 0 },
        { host_dec, { 0xFF, 0x0B }, 2, 0 }, { host_neg, { 0xF7, 0x1B }, 2, 0 },
        { host_not, { 0xF7, 0x13 }, 2, 0 }, { host_xadd, { 0x0F, 0xC1, 0x03 }, 3, 0 },
        { host_btc, { 0x0F, 0xBB, 0x03 }, 3, EFL_OF | EFL_SF | EFL_ZF | EFL_AF | EFL_PF },
    };
    /* Values with P clear: every one is an entry the check accepts. */
    static const uint32_t vals[] = { 0, 0x10, 0x7FFFFFFE, 0x80000000, 0xFFFFFFFE, 0x0F0,
                                     0x88, 0xFE };
    for (unsigned o = 0; o < sizeof(ops_) / sizeof(ops_[0]); o++)
        for (unsigned i = 0; i < 8; i++)
            for (unsigned j = 0; j < 8; j++)
                for (uint32_t cf = 0; cf < 2; cf++) {
                    uint32_t mem = vals[i], src = vals[j] | 0x100, fl = 0x202 | cf;
                    if (o == 14)
                        src = vals[j] & 31 ? (vals[j] & 30) : 4;   /* even bits: P stays clear */
                    uint32_t hsrc = src;
                    struct ptwr_regs r = regs0();
                    r.eflags = fl;
                    r.gpr[3] = L1VA + 88;
                    r.gpr[0] = src;
                    l1t[11] = mem;
                    ops_[o].host(&mem, &hsrc, &fl);
                    if ((mem & 1) && o != 14) {
                        l1t[11] = 0;
                        continue;                   /* a present result: not this test */
                    }
                    assert_int_equal(emu(ops_[o].insn, ops_[o].n, L1VA + 88, &r), 1);
                    uint32_t want_mem = mem;
                    if (want_mem & 1) {             /* btc of bit 0 never happens */
                        fail_msg("op %u: present", o);
                    }
                    if ((uint32_t)l1t[11] != want_mem || (r.gpr[0] != hsrc))
                        fail_msg("op %u (%#x, %#x): mem %#x want %#x, reg %#x want %#x", o,
                                 vals[i], src, (uint32_t)l1t[11], want_mem, r.gpr[0], hsrc);
                    uint32_t mask = EFL_ARITH & ~ops_[o].undefined;
                    if ((r.eflags & mask) != (fl & mask))
                        fail_msg("op %u (%#x, %#x, cf %u): flags %#x want %#x", o, vals[i],
                                 src, cf, r.eflags & mask, fl & mask);
                    l1t[11] = 0;
                }
}

static void host_cmpxchg(uint32_t *mem, uint32_t *eax, uint32_t src, uint32_t *fl)
{
    unsigned long f = *fl;
    __asm__ __volatile__("push %[f]\n\tpopf\n\tcmpxchgl %[s], %[m]\n\tpushf\n\tpop %[f]"
                         : [f] "+r"(f), [m] "+m"(*mem), "+a"(*eax)
                         : [s] "r"(src) : "cc");
    *fl = (uint32_t)f;
}

static void test_cmpxchg_against_cpu(void **state)
{
    (void)state;
    static const uint32_t vals[] = { 0, 0x10, 0x80000000, 0x88 };
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++)
            for (int lock = 0; lock < 2; lock++) {
                uint32_t mem = vals[i], eax = vals[j], fl = 0x202, src = 0x4440;
                struct ptwr_regs r = regs0();
                r.gpr[0] = eax;
                r.gpr[1] = src;
                r.gpr[3] = L1VA + 96;
                l1t[12] = mem;
                host_cmpxchg(&mem, &eax, src, &fl);
                int rc = lock ? EMU(L1VA + 96, &r, 0xF0, 0x0F, 0xB1, 0x0B)
                              : EMU(L1VA + 96, &r, 0x0F, 0xB1, 0x0B);
                assert_int_equal(rc, 1);
                assert_int_equal((uint32_t)l1t[12], mem);
                assert_int_equal(r.gpr[0], eax);
                assert_int_equal(r.eflags & EFL_ARITH, fl & EFL_ARITH);
                l1t[12] = 0;
            }
}

/* EIP moves by the length; RF is cleared; a done write with TF is for the
 * caller to single-step. */
static void test_eip_and_rf(void **state)
{
    (void)state;
    struct ptwr_regs r = regs0();
    r.eflags |= EFL_RF | EFL_TF;
    r.gpr[3] = L1VA + 104;
    assert_int_equal(EMU(L1VA + 104, &r, 0xC7, 0x03, 0x20, 0, 0, 0), 1);
    assert_int_equal(l1t[13], 0x20);
    assert_int_equal(r.eip, EIP0 + 6);
    assert_false(r.eflags & EFL_RF);
    assert_true(r.eflags & EFL_TF);
    l1t[13] = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qualifies),
        cmocka_unit_test(test_decode_forms),
        cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_operand_offset),
        cmocka_unit_test_setup(test_two_movs_low_then_high, setup),
        cmocka_unit_test_setup(test_two_movs_high_then_low, setup),
        cmocka_unit_test_setup(test_upper_half_zaps_present, setup),
        cmocka_unit_test_setup(test_cmpxchg8b, setup),
        cmocka_unit_test_setup(test_xchg, setup),
        cmocka_unit_test_setup(test_bit_and_alu_forms, setup),
        cmocka_unit_test_setup(test_narrow_writes, setup),
        cmocka_unit_test_setup(test_prefixes, setup),
        cmocka_unit_test_setup(test_refusals, setup),
        cmocka_unit_test_setup(test_flags_against_cpu, setup),
        cmocka_unit_test_setup(test_cmpxchg_against_cpu, setup),
        cmocka_unit_test_setup(test_eip_and_rf, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
