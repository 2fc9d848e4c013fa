/* Unit tests: the MMIO-exit instruction emulator (hypervisor/hw/mmio.c):
 * every form, the operand sizes, 8-bit high registers, the EFLAGS of the
 * ALU forms exactly, the lengths with SIB, disp8/disp32, moffs and 16-bit
 * addressing, the prefixes, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/emulate.h"
#include "hw/mmio.h"

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define IF 0x200u
#define OF 0x800u

/* The device: one register, and what was done to it, in order. */
static struct dev {
    uint32_t val;
    int fail_read, fail_write;
    char log[8];                   /* 'r' and 'w' */
    unsigned nlog, rsize, wsize;
    uint64_t rgpa, wgpa;
    uint32_t wval;
} dev;

static int dev_read(void *ctx, uint64_t gpa, unsigned size, uint32_t *val)
{
    struct dev *d = ctx;
    if (d->fail_read)
        return -1;
    d->log[d->nlog++] = 'r';
    d->rgpa = gpa;
    d->rsize = size;
    *val = size == 4 ? d->val : d->val & ((1u << (8 * size)) - 1);
    return 0;
}

static int dev_write(void *ctx, uint64_t gpa, unsigned size, uint32_t val)
{
    struct dev *d = ctx;
    if (d->fail_write)
        return -1;
    d->log[d->nlog++] = 'w';
    d->wgpa = gpa;
    d->wsize = size;
    d->wval = val;
    return 0;
}

static const struct mmio_ops ops = { &dev, dev_read, dev_write };
static struct mmio_regs r;
static unsigned len;

#define GPA 0xFEE00020ull

static void reset(uint32_t val)
{
    memset(&dev, 0, sizeof(dev));
    dev.val = val;
    for (int i = 0; i < 8; i++)
        r.gpr[i] = 0x11111111u * (uint32_t)(i + 1);   /* eax 0x11111111 .. edi 0x88888888 */
    r.eflags = 0x2 | IF;
}

/* Emulate the bytes (32-bit code): the status. */
static int run(const char *b, size_t n)
{
    len = 0;
    return mmio_emulate((const uint8_t *)b, n, 1, &r, GPA, &ops, &len);
}

static int run16(const char *b, size_t n)
{
    len = 0;
    return mmio_emulate((const uint8_t *)b, n, 0, &r, GPA, &ops, &len);
}

#define RUN(s) run(s, sizeof(s) - 1)
#define RUN16(s) run16(s, sizeof(s) - 1)

static void test_mov_store(void **state)
{
    (void)state;
    reset(0);
    assert_int_equal(RUN("\x89\x05\x20\x00\xE0\xFE"), MMIO_DONE);   /* mov %eax,0xfee00020 */
    assert_int_equal(len, 6);
    assert_string_equal(dev.log, "w");
    assert_int_equal(dev.wgpa, GPA);
    assert_int_equal(dev.wsize, 4);
    assert_int_equal(dev.wval, 0x11111111u);
    assert_int_equal(r.eflags, 0x2 | IF);
    reset(0);
    assert_int_equal(RUN("\x88\x18"), MMIO_DONE);                  /* mov %bl,(%eax) */
    assert_int_equal(len, 2);
    assert_int_equal(dev.wsize, 1);
    assert_int_equal(dev.wval, 0x44);
    reset(0);
    r.gpr[1] = 0x0000AB00;
    assert_int_equal(RUN("\x88\x28"), MMIO_DONE);                  /* mov %ch,(%eax) */
    assert_int_equal(dev.wval, 0xAB);
    reset(0);
    assert_int_equal(RUN("\x66\x89\x08"), MMIO_DONE);              /* mov %cx,(%eax) */
    assert_int_equal(len, 3);
    assert_int_equal(dev.wsize, 2);
    assert_int_equal(dev.wval, 0x2222);
    /* SIB with a base and disp32; SIB without a base (disp32); disp8;
     * SIB with disp8; esp as a base. */
    reset(0);
    assert_int_equal(RUN("\x89\x84\x88\x78\x56\x34\x12"), MMIO_DONE);
    assert_int_equal(len, 7);
    reset(0);
    assert_int_equal(RUN("\x89\x14\x8D\x00\x00\xE0\xFE"), MMIO_DONE);   /* mov %edx,0xfee00000(,%ecx,4) */
    assert_int_equal(len, 7);
    assert_int_equal(dev.wval, 0x33333333u);
    reset(0);
    assert_int_equal(RUN("\x89\x43\x10"), MMIO_DONE);
    assert_int_equal(len, 3);
    reset(0);
    assert_int_equal(RUN("\x89\x44\x24\x10"), MMIO_DONE);          /* mov %eax,0x10(%esp) */
    assert_int_equal(len, 4);
    reset(0);
    assert_int_equal(RUN("\x89\x3C\x24"), MMIO_DONE);              /* mov %edi,(%esp) */
    assert_int_equal(len, 3);
    assert_int_equal(dev.wval, 0x88888888u);
    reset(0);
    assert_int_equal(RUN("\x89\x8B\x00\x03\x00\x00"), MMIO_DONE);  /* mov %ecx,0x300(%ebx) */
    assert_int_equal(len, 6);
    /* mov imm: C6 /0 ib, C7 /0 id and iw */
    reset(0);
    assert_int_equal(RUN("\xC7\x05\xF0\x00\xE0\xFE\xFF\x01\x00\x00"), MMIO_DONE);
    assert_int_equal(len, 10);
    assert_int_equal(dev.wsize, 4);
    assert_int_equal(dev.wval, 0x1FF);
    reset(0);
    assert_int_equal(RUN("\xC6\x00\x7F"), MMIO_DONE);
    assert_int_equal(len, 3);
    assert_int_equal(dev.wsize, 1);
    assert_int_equal(dev.wval, 0x7F);
    reset(0);
    assert_int_equal(RUN("\x66\xC7\x00\x34\x12"), MMIO_DONE);
    assert_int_equal(len, 5);
    assert_int_equal(dev.wsize, 2);
    assert_int_equal(dev.wval, 0x1234);
    reset(0);
    assert_int_equal(RUN("\xC7\x84\x24\x00\x01\x00\x00\x78\x56\x34\x12"), MMIO_DONE);
    assert_int_equal(len, 11);                                     /* SIB, disp32, imm32 */
    assert_int_equal(dev.wval, 0x12345678u);
    for (int i = 0; i < 8; i++)
        assert_int_equal(r.gpr[i], 0x11111111u * (uint32_t)(i + 1));   /* untouched */
}

static void test_mov_load(void **state)
{
    (void)state;
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x8B\x05\x30\x00\xE0\xFE"), MMIO_DONE);  /* mov 0xfee00030,%eax */
    assert_int_equal(len, 6);
    assert_string_equal(dev.log, "r");
    assert_int_equal(dev.rsize, 4);
    assert_int_equal(r.gpr[0], 0xCAFEF00Du);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x8A\x08"), MMIO_DONE);                  /* mov (%eax),%cl */
    assert_int_equal(dev.rsize, 1);
    assert_int_equal(r.gpr[1], 0x2222220Du);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x8A\x38"), MMIO_DONE);                  /* mov (%eax),%bh */
    assert_int_equal(r.gpr[3], 0x44440D44u);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x66\x8B\x10"), MMIO_DONE);              /* mov (%eax),%dx */
    assert_int_equal(dev.rsize, 2);
    assert_int_equal(r.gpr[2], 0x3333F00Du);
    /* moffs: a1/a3 with a 4-byte offset, a0/a2, and 67's 2-byte one. */
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\xA1\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(len, 5);
    assert_int_equal(r.gpr[0], 0xCAFEF00Du);
    reset(0);
    assert_int_equal(RUN("\xA3\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(dev.wval, 0x11111111u);
    assert_int_equal(dev.wsize, 4);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\xA0\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(r.gpr[0], 0x1111110Du);
    reset(0);
    assert_int_equal(RUN("\xA2\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(dev.wsize, 1);
    assert_int_equal(dev.wval, 0x11);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x66\xA1\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(len, 6);
    assert_int_equal(r.gpr[0], 0x1111F00Du);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x67\xA1\x20\x00"), MMIO_DONE);
    assert_int_equal(len, 4);
    assert_int_equal(r.gpr[0], 0xCAFEF00Du);
    assert_int_equal(RUN("\xA1\x20\x00\xE0"), MMIO_UNHANDLED);      /* offset cut short */
}

static void test_movzx_movsx(void **state)
{
    (void)state;
    reset(0x8080);
    assert_int_equal(RUN("\x0F\xB6\x00"), MMIO_DONE);              /* movzbl (%eax),%eax */
    assert_int_equal(len, 3);
    assert_int_equal(dev.rsize, 1);
    assert_int_equal(r.gpr[0], 0x80);
    reset(0x8080);
    assert_int_equal(RUN("\x0F\xB7\x08"), MMIO_DONE);              /* movzwl (%eax),%ecx */
    assert_int_equal(dev.rsize, 2);
    assert_int_equal(r.gpr[1], 0x8080);
    reset(0x8080);
    assert_int_equal(RUN("\x0F\xBE\x10"), MMIO_DONE);              /* movsbl (%eax),%edx */
    assert_int_equal(r.gpr[2], 0xFFFFFF80u);
    reset(0x8080);
    assert_int_equal(RUN("\x0F\xBF\x18"), MMIO_DONE);              /* movswl (%eax),%ebx */
    assert_int_equal(r.gpr[3], 0xFFFF8080u);
    reset(0x7F);
    assert_int_equal(RUN("\x0F\xBE\x18"), MMIO_DONE);
    assert_int_equal(r.gpr[3], 0x7F);
    reset(0x8080);
    assert_int_equal(RUN("\x66\x0F\xBE\x20"), MMIO_DONE);          /* movsbw (%eax),%sp */
    assert_int_equal(len, 4);
    assert_int_equal(r.gpr[4], 0x5555FF80u);
    reset(0x8080);
    assert_int_equal(RUN("\x66\x0F\xB6\x28"), MMIO_DONE);          /* movzbw (%eax),%bp */
    assert_int_equal(r.gpr[5], 0x66660080u);
    reset(0x8080);
    assert_int_equal(RUN("\x0F\xB6\x05\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(len, 7);
    assert_int_equal(r.eflags, 0x2 | IF);
}

/* One ALU instruction on memory value m with EFLAGS f: checks the write
 * (or none), the register, the flags. */
static void alu_case(const char *b, size_t n, uint32_t m, uint32_t f, int wrote, uint32_t wval,
                     uint32_t flags)
{
    reset(m);
    r.eflags = f;
    assert_int_equal(run(b, n), MMIO_DONE);
    assert_int_equal(dev.log[0], 'r');
    if (wrote) {
        assert_string_equal(dev.log, "rw");
        assert_int_equal(dev.wval, wval);
    } else {
        assert_string_equal(dev.log, "r");
    }
    assert_int_equal(r.eflags, flags);
}
#define ALU(s, m, f, wrote, wval, flags) alu_case(s, sizeof(s) - 1, m, f, wrote, wval, flags)

static void test_alu(void **state)
{
    (void)state;
    const uint32_t all = 0x2 | IF | CF | PF | AF | ZF | SF | OF;
    /* or %eax,mem: the logical ones clear CF OF AF, set PF ZF SF. */
    ALU("\x09\x05\x20\x00\xE0\xFE", 0xEEEEEE00u, all, 1, 0xFFFFFF11u, 0x2 | IF | SF | PF);
    assert_int_equal(len, 6);
    ALU("\x81\x0D\x20\x00\xE0\xFE\x0F\x00\x00\x00", 0xF0, all, 1, 0xFF, 0x2 | IF | PF);
    assert_int_equal(len, 10);
    ALU("\x80\x0D\x20\x00\xE0\xFE\x01", 0x80, 0x2, 1, 0x81, 0x2 | PF | SF);
    assert_int_equal(len, 7);
    ALU("\x82\x08\x01", 0x80, 0x2, 1, 0x81, 0x2 | PF | SF);        /* 82: 80's alias */
    /* and: 83 sign-extends its byte; 21 with a register. */
    ALU("\x83\x25\x20\x00\xE0\xFE\xFE", 0x12345679u, 0x2, 1, 0x12345678u, 0x2 | PF);
    assert_int_equal(len, 7);
    ALU("\x21\x18", 0x0F0F0F0Fu, 0x2, 1, 0x04040404u, 0x2);       /* ebx 0x44444444 */
    ALU("\x83\x20\x00", 0x12345678u, all, 1, 0, 0x2 | IF | ZF | PF);
    /* xor, sub, add, cmp with registers */
    ALU("\x31\x00", 0x11111111u, 0x2, 1, 0, 0x2 | ZF | PF);
    ALU("\x01\x00", 0xEEEEEEEEu, 0x2, 1, 0xFFFFFFFFu, 0x2 | SF | PF);
    /* add: carry out, zero, AF (0xF + 1) */
    ALU("\x83\x00\x01", 0xFFFFFFFFu, 0x2, 1, 0, 0x2 | CF | PF | AF | ZF);
    /* add: signed overflow */
    ALU("\x83\x00\x01", 0x7FFFFFFFu, 0x2, 1, 0x80000000u, 0x2 | OF | SF | AF | PF);
    /* 8-bit add: 0x7F + 1 = 0x80: OF SF AF, odd parity */
    ALU("\x80\x00\x01", 0x7F, 0x2, 1, 0x80, 0x2 | OF | SF | AF);
    /* 16-bit sub: 0 - 1 = 0xFFFF: CF SF AF PF */
    ALU("\x66\x83\x28\x01", 0, 0x2, 1, 0xFFFF, 0x2 | CF | SF | AF | PF);
    /* 16-bit: 66 81 takes an imm16 */
    ALU("\x66\x81\x00\x00\x80", 0x8000, 0x2, 1, 0, 0x2 | CF | OF | ZF | PF);
    assert_int_equal(len, 5);
    /* sub: signed overflow 0x80000000 - 1 */
    ALU("\x83\x28\x01", 0x80000000u, 0x2, 1, 0x7FFFFFFFu, 0x2 | OF | AF | PF);
    ALU("\x29\x00", 0x11111111u, 0x2, 1, 0, 0x2 | ZF | PF);
    /* cmp: flags only, nothing written */
    ALU("\x39\x05\x20\x00\xE0\xFE", 0x11111110u, 0x2, 0, 0, 0x2 | CF | SF | AF | PF);
    ALU("\x83\x38\x00", 5, all, 0, 0, 0x2 | IF | PF);
    ALU("\x80\x38\x05", 5, 0x2, 0, 0, 0x2 | ZF | PF);
    /* adc and sbb take CF in */
    ALU("\x83\x10\x00", 0xFFFFFFFFu, 0x2 | CF, 1, 0, 0x2 | CF | PF | AF | ZF);
    ALU("\x83\x10\x00", 0xFFFFFFFFu, 0x2, 1, 0xFFFFFFFFu, 0x2 | PF | SF);
    ALU("\x83\x18\x05", 5, 0x2 | CF, 1, 0xFFFFFFFFu, 0x2 | CF | SF | AF | PF);
    ALU("\x19\x00", 0x11111112u, 0x2 | CF, 1, 0, 0x2 | ZF | PF);
    /* The register destination forms: add, sub, cmp, or, and, xor, adc, sbb. */
    reset(0x10);
    assert_int_equal(RUN("\x03\x05\x20\x00\xE0\xFE"), MMIO_DONE);  /* add mem,%eax */
    assert_string_equal(dev.log, "r");
    assert_int_equal(r.gpr[0], 0x11111121u);
    assert_int_equal(r.eflags, 0x2 | IF | PF);
    reset(0x22222222u);
    assert_int_equal(RUN("\x2B\x00"), MMIO_DONE);                  /* sub mem,%eax */
    assert_int_equal(r.gpr[0], 0xEEEEEEEFu);
    assert_int_equal(r.eflags, 0x2 | IF | CF | SF | AF);
    reset(0x11111111u);
    assert_int_equal(RUN("\x3B\x00"), MMIO_DONE);                  /* cmp mem,%eax */
    assert_int_equal(r.gpr[0], 0x11111111u);
    assert_int_equal(r.eflags, 0x2 | IF | ZF | PF);
    reset(0xF0);
    assert_int_equal(RUN("\x0A\x08"), MMIO_DONE);                  /* or mem,%cl */
    assert_int_equal(r.gpr[1], 0x222222F2u);
    assert_int_equal(r.eflags, 0x2 | IF | SF);
    reset(0xFF00);
    assert_int_equal(RUN("\x66\x23\x10"), MMIO_DONE);              /* and mem,%dx */
    assert_int_equal(r.gpr[2], 0x33333300u);
    reset(0xFF);
    assert_int_equal(RUN("\x32\x38"), MMIO_DONE);                  /* xor mem,%bh */
    assert_int_equal(r.gpr[3], 0x4444BB44u);
    reset(1);
    r.eflags |= CF;
    assert_int_equal(RUN("\x12\x00"), MMIO_DONE);                  /* adc mem,%al */
    assert_int_equal(r.gpr[0], 0x11111113u);
    reset(1);
    r.eflags |= CF;
    assert_int_equal(RUN("\x1B\x00"), MMIO_DONE);                  /* sbb mem,%eax */
    assert_int_equal(r.gpr[0], 0x1111110Fu);
    assert_int_equal(r.eflags, 0x2 | IF | AF | PF);
}

static void test_test_xchg_unary(void **state)
{
    (void)state;
    const uint32_t all = 0x2 | IF | CF | PF | AF | ZF | SF | OF;
    ALU("\x85\x05\x20\x00\xE0\xFE", 0xEEEEEEEEu, all, 0, 0, 0x2 | IF | ZF | PF);
    ALU("\x84\x20", 0x11, 0x2, 0, 0, 0x2 | PF);                    /* test %ah,(%eax) */
    ALU("\xF7\x05\x20\x00\xE0\xFE\x00\x00\x00\x80", 0x80000000u, 0x2, 0, 0, 0x2 | SF | PF);
    assert_int_equal(len, 10);
    ALU("\xF6\x05\x20\x00\xE0\xFE\x01", 0x2, all, 0, 0, 0x2 | IF | ZF | PF);
    assert_int_equal(len, 7);
    ALU("\x66\xF7\x00\x01\x80", 0x8001, 0x2, 0, 0, 0x2 | SF);
    assert_int_equal(len, 5);
    /* xchg: the device's old value into the register, the register's out. */
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x87\x05\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_string_equal(dev.log, "rw");
    assert_int_equal(dev.wval, 0x11111111u);
    assert_int_equal(r.gpr[0], 0xCAFEF00Du);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\x86\x20"), MMIO_DONE);                  /* xchg %ah,(%eax) */
    assert_int_equal(dev.wsize, 1);
    assert_int_equal(dev.wval, 0x11);
    assert_int_equal(r.gpr[0], 0x11110D11u);
    reset(0xCAFEF00D);
    assert_int_equal(RUN("\xF0\x66\x87\x18"), MMIO_DONE);          /* lock xchg %bx,(%eax) */
    assert_int_equal(len, 4);
    assert_int_equal(dev.wval, 0x4444);
    assert_int_equal(r.gpr[3], 0x4444F00Du);
    assert_int_equal(r.eflags, 0x2 | IF);
    /* inc, dec (CF kept), not (no flags), neg */
    ALU("\xFF\x05\x20\x00\xE0\xFE", 0x7FFFFFFFu, 0x2 | CF, 1, 0x80000000u,
        0x2 | CF | OF | SF | AF | PF);
    ALU("\xFE\x08", 0, 0x2, 1, 0xFF, 0x2 | SF | AF | PF);
    ALU("\xF0\xFF\x08", 1, 0x2 | CF, 1, 0, 0x2 | CF | ZF | PF);
    ALU("\xF7\x10", 0x0000FFFFu, all, 1, 0xFFFF0000u, all);
    ALU("\x66\xF7\x10", 0x1234, 0x2, 1, 0xEDCB, 0x2);
    ALU("\xF7\x18", 5, 0x2, 1, 0xFFFFFFFBu, 0x2 | CF | SF | AF);
    ALU("\xF7\x18", 0, all, 1, 0, 0x2 | IF | ZF | PF);
    ALU("\xF6\x18", 0x80, 0x2, 1, 0x80, 0x2 | CF | OF | SF);
}

static void test_prefixes(void **state)
{
    (void)state;
    struct mmio_insn in;
    /* segment overrides: decoded, no other effect */
    reset(7);
    assert_int_equal(RUN("\x64\x8B\x05\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(len, 7);
    assert_int_equal(r.gpr[0], 7);
    assert_int_equal(mmio_decode((const uint8_t *)"\x26\x3E\x89\x00", 4, 1, &in), 1);
    assert_int_equal(in.seg, X86_SEG_DS);
    assert_int_equal(in.len, 4);
    /* LOCK: on the read-modify-write forms with a memory destination only */
    ALU("\xF0\x09\x05\x20\x00\xE0\xFE", 1, 0x2, 1, 0x11111111u, 0x2 | PF);
    assert_int_equal(len, 7);
    ALU("\xF0\x83\x00\x01", 1, 0x2, 1, 2, 0x2);
    ALU("\xF0\xF7\x18", 1, 0x2, 1, 0xFFFFFFFFu, 0x2 | CF | SF | AF | PF);
    reset(0);
    assert_int_equal(RUN("\xF0\x89\x05\x20\x00\xE0\xFE"), MMIO_UNHANDLED);  /* #UD */
    assert_int_equal(RUN("\xF0\x39\x00"), MMIO_UNHANDLED);
    assert_int_equal(RUN("\xF0\x83\x38\x01"), MMIO_UNHANDLED);              /* lock cmp */
    assert_int_equal(RUN("\xF0\x03\x00"), MMIO_UNHANDLED);                  /* register destination */
    assert_int_equal(RUN("\xF0\x8B\x00"), MMIO_UNHANDLED);
    assert_int_equal(RUN("\xF0\x85\x00"), MMIO_UNHANDLED);
    assert_int_equal(RUN("\xF0\xC7\x00\x01\x00\x00\x00"), MMIO_UNHANDLED);
    assert_int_equal(RUN("\xF0\x0F\xB6\x00"), MMIO_UNHANDLED);
    assert_int_equal(dev.nlog, 0);
    /* REP/REPNE: ignored */
    reset(0);
    assert_int_equal(RUN("\xF3\x89\x00"), MMIO_DONE);
    assert_int_equal(len, 2 + 1);
    assert_int_equal(RUN("\xF2\x66\x89\x00"), MMIO_DONE);
    assert_int_equal(dev.wsize, 2);
    /* 67: 16-bit ModRM (bx, bx+disp8, disp16 alone, bp+di) */
    reset(0);
    assert_int_equal(RUN("\x67\x89\x07"), MMIO_DONE);
    assert_int_equal(len, 3);
    assert_int_equal(RUN("\x67\x89\x47\x10"), MMIO_DONE);
    assert_int_equal(len, 4);
    assert_int_equal(RUN("\x67\x89\x06\x34\x12"), MMIO_DONE);
    assert_int_equal(len, 5);
    assert_int_equal(RUN("\x67\x89\x83\x34\x12"), MMIO_DONE);
    assert_int_equal(len, 5);
    assert_int_equal(RUN("\x67\x66\xC7\x06\x34\x12\x78\x56"), MMIO_DONE);
    assert_int_equal(len, 8);
    assert_int_equal(dev.wval, 0x5678);
    /* 16-bit code: 16-bit operands and addressing by default; 66 and 67
     * give 32. */
    reset(0);
    assert_int_equal(RUN16("\x89\x07"), MMIO_DONE);                /* mov %ax,(%bx) */
    assert_int_equal(len, 2);
    assert_int_equal(dev.wsize, 2);
    assert_int_equal(dev.wval, 0x1111);
    assert_int_equal(RUN16("\x66\x89\x07"), MMIO_DONE);
    assert_int_equal(dev.wsize, 4);
    assert_int_equal(RUN16("\x67\x89\x05\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(len, 7);
    assert_int_equal(RUN16("\xC7\x06\x20\x00\x34\x12"), MMIO_DONE);
    assert_int_equal(len, 6);
    assert_int_equal(dev.wval, 0x1234);
    assert_int_equal(RUN16("\xA3\x20\x00"), MMIO_DONE);
    assert_int_equal(len, 3);
    assert_int_equal(RUN16("\x67\xA3\x20\x00\xE0\xFE"), MMIO_DONE);
    assert_int_equal(len, 6);
    reset(0x80);
    assert_int_equal(RUN16("\x0F\xBE\x07"), MMIO_DONE);            /* movsbw (%bx),%ax */
    assert_int_equal(r.gpr[0], 0x1111FF80u);
    /* 15 bytes at most: 9 prefixes and a 6-byte mov; 10 are too many */
    reset(0);
    assert_int_equal(RUN("\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x89\x05\x20\x00\xE0\xFE"),
                     MMIO_DONE);
    assert_int_equal(len, 15);
    assert_int_equal(RUN("\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x89\x05\x20\x00\xE0\xFE"),
                     MMIO_UNHANDLED);
    assert_int_equal(RUN("\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x3E\x89\x00"),
                     MMIO_UNHANDLED);
}

static void test_refused(void **state)
{
    (void)state;
    reset(0);
#define B(s) { s, sizeof(s) - 1 }
    static const struct { const char *b; size_t n; } refused[] = {
        B("\x89\xC0"),            /* mov %eax,%eax: no memory operand */
        B("\x8B\xC8"), B("\x01\xC0"), B("\x83\xC0\x01"), B("\xC7\xC0\x01\x00\x00\x00"),
        B("\x0F\xB6\xC0"), B("\x87\xC8"), B("\xFF\xC0"), B("\xF7\xD0"), B("\xF6\xC0\x01"),
        B("\x90"), B("\x0F\x0B"), B("\xA4"), B("\xF3\xA5"), B("\xAB"),  /* nop ud2 movs stos */
        B("\xC7\x08\x01\x00\x00\x00"),   /* C7 /1 */
        B("\xC6\x48\x10\x01"),             /* C6 /1 */
        B("\xF6\x08\x01"),                  /* F6 /1 */
        B("\xFF\x10"), B("\xFF\x30"), B("\xFE\x10"),   /* call, push, FE /2 */
        B("\x8F\x00"), B("\x8C\x00"), B("\x8E\x00"), B("\x0F\xAF\x00"), B("\x0F\xA3\x00"),
        B("\x0F\xB8\x00"), B("\x0F\xB0\x00"), B("\x0F\xC1\x00"),  /* popcnt, cmpxchg, xadd */
        B("\x04\x01"), B("\x05\x01\x00\x00\x00"),     /* add to al/eax: no memory */
        B("\x3C\x01"), B("\xA8\x01"), B("\x8D\x00"),   /* cmp al, test al, lea */
        B("\x0F"), B("\x66"), B("\xF0"), B(""),
    };
#undef B
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        assert_int_equal(run(refused[i].b, refused[i].n), MMIO_UNHANDLED);
    assert_int_equal(dev.nlog, 0);
    assert_int_equal(RUN("\xC6\x40\x10\x01"), MMIO_DONE);   /* C6 /0 with disp8 */
    assert_int_equal(len, 4);
    /* Cut short anywhere: opcode, ModRM, SIB, displacement, immediate. */
    static const char whole[] = "\xC7\x84\x24\x00\x01\x00\x00\x78\x56\x34\x12";
    for (size_t n = 0; n < sizeof(whole) - 1; n++)
        assert_int_equal(run(whole, n), MMIO_UNHANDLED);
    assert_int_equal(run(whole, sizeof(whole) - 1), MMIO_DONE);
    assert_int_equal(run("\x0F\xB6\x05\x20\x00\xE0", 6), MMIO_UNHANDLED);
    assert_int_equal(run("\x83\x00", 2), MMIO_UNHANDLED);
    /* Trailing bytes are not part of it. */
    assert_int_equal(run("\x89\x00\x90\x90", 4), MMIO_DONE);
    assert_int_equal(len, 2);
}

static void test_device_refuses(void **state)
{
    (void)state;
    reset(0);
    struct mmio_regs before = r;
    dev.fail_read = 1;
    assert_int_equal(RUN("\x8B\x00"), MMIO_DEVICE_ERROR);
    assert_memory_equal(&r, &before, sizeof(r));
    assert_int_equal(RUN("\x83\x00\x01"), MMIO_DEVICE_ERROR);
    assert_int_equal(dev.nlog, 0);
    dev.fail_read = 0;
    dev.fail_write = 1;
    assert_int_equal(RUN("\x87\x00"), MMIO_DEVICE_ERROR);       /* read, then the write refused */
    assert_string_equal(dev.log, "r");
    assert_memory_equal(&r, &before, sizeof(r));
    assert_int_equal(RUN("\x83\x00\x01"), MMIO_DEVICE_ERROR);
    assert_memory_equal(&r, &before, sizeof(r));
    assert_int_equal(len, 0);
    /* cmp writes nothing: a refusing write callback is not asked */
    assert_int_equal(RUN("\x83\x38\x01"), MMIO_DONE);
    assert_int_equal(len, 3);
}

static void test_decode_fields(void **state)
{
    (void)state;
    struct mmio_insn in;
    assert_int_equal(mmio_decode((const uint8_t *)"\x81\x0D\x20\x00\xE0\xFE\x0F\x00\x00\x00", 10,
                                 1, &in), 1);
    assert_int_equal(in.op, MMIO_ALU_MEM);
    assert_int_equal(in.alu, MMIO_OR);
    assert_int_equal(in.size, 4);
    assert_int_equal(in.reg, -1);
    assert_int_equal(in.imm, 0xF);
    assert_true(in.reads && in.writes);
    assert_string_equal(mmio_name(&in), "or");
    assert_int_equal(mmio_decode((const uint8_t *)"\x66\x83\x38\xFF", 4, 1, &in), 1);
    assert_int_equal(in.imm, 0xFFFF);                      /* sign-extended, cut to 16 bits */
    assert_true(in.reads && !in.writes);
    assert_string_equal(mmio_name(&in), "cmp");
    assert_int_equal(mmio_decode((const uint8_t *)"\x89\x00", 2, 1, &in), 1);
    assert_int_equal(in.op, MMIO_STORE);
    assert_true(!in.reads && in.writes);
    assert_string_equal(mmio_name(&in), "mov");
    assert_int_equal(mmio_decode((const uint8_t *)"\x0F\xBF\x00", 3, 1, &in), 1);
    assert_int_equal(in.op, MMIO_MOVSX);
    assert_int_equal(in.size, 2);
    assert_int_equal(in.opsize, 4);
    assert_string_equal(mmio_name(&in), "movsx");
    assert_int_equal(mmio_decode((const uint8_t *)"\x87\x00", 2, 1, &in), 1);
    assert_string_equal(mmio_name(&in), "xchg");
    assert_int_equal(mmio_decode((const uint8_t *)"\xF7\x18", 2, 1, &in), 1);
    assert_string_equal(mmio_name(&in), "neg");
    assert_int_equal(mmio_decode((const uint8_t *)"\x89\xC0", 2, 1, &in), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mov_store),
        cmocka_unit_test(test_mov_load),
        cmocka_unit_test(test_movzx_movsx),
        cmocka_unit_test(test_alu),
        cmocka_unit_test(test_test_xchg_unary),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_device_refuses),
        cmocka_unit_test(test_decode_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
