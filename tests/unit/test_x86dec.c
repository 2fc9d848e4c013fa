/* Unit tests of x86dec (arch/x86/x86dec.h), the one decoder: exact
 * lengths, classes and faults of a table of encodings of every class,
 * the prefixes, 16-bit addressing, the 15-byte limit, VEX/EVEX against
 * LES/LDS/BOUND, the fields of ModRM/SIB/displacement, immediates and
 * relative branches, and truncated input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/x86dec.h"

static struct x86_insn in;
static uint8_t buf[32];

/* "0f 01 d8" -> buf; returns the byte count */
static size_t hex(const char *s)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        char t[3] = { s[0], s[1], 0 };
        buf[n++] = (uint8_t)strtoul(t, NULL, 16);
        s += 2;
    }
    return n;
}

static int dec(const char *s)
{
    size_t n = hex(s);
    return x86_decode(buf, n, &in);
}

struct row {
    const char *bytes;
    unsigned len;
    enum x86_class cls;
    enum x86_fault fault;
};

#define OK(b, l, c)   { b, l, X86C_##c, X86F_NONE }
#define UD(b, l)      { b, l, X86C_INVALID, X86F_UD }

static const struct row rows[] = {
    /* plain */
    OK("90", 1, PLAIN), OK("01 d8", 2, PLAIN), OK("8b 45 08", 3, PLAIN),
    OK("8b 04 24", 3, PLAIN), OK("8b 44 24 04", 4, PLAIN), OK("8b 84 24 00 01 00 00", 7, PLAIN),
    OK("8b 05 00 10 00 00", 6, PLAIN), OK("8b 04 25 00 10 00 00", 7, PLAIN),
    OK("b8 01 00 00 00", 5, PLAIN), OK("66 b8 01 00", 4, PLAIN), OK("b0 01", 2, PLAIN),
    OK("c7 45 fc 01 00 00 00", 7, PLAIN), OK("66 c7 45 fc 01 00", 6, PLAIN),
    OK("81 c4 00 01 00 00", 6, PLAIN), OK("83 c4 10", 3, PLAIN), OK("80 38 00", 3, PLAIN),
    OK("f6 c1 01", 3, PLAIN), OK("f7 c1 01 00 00 00", 6, PLAIN), OK("66 f7 c1 01 00", 5, PLAIN),
    OK("f6 d8", 2, PLAIN), OK("f7 f1", 2, PLAIN), OK("69 c0 10 27 00 00", 6, PLAIN),
    OK("6b c0 0a", 3, PLAIN), OK("c8 10 00 01", 4, PLAIN), OK("c9", 1, PLAIN),
    OK("a1 00 10 00 00", 5, PLAIN), OK("67 a1 00 10", 4, PLAIN), OK("a2 44 33 22 11", 5, PLAIN),
    OK("f3 a5", 2, PLAIN), OK("f3 ab", 2, PLAIN), OK("0f b6 c0", 3, PLAIN),
    OK("0f af c1", 3, PLAIN), OK("0f 44 c1", 3, PLAIN), OK("0f 94 c0", 3, PLAIN),
    OK("0f ba e0 03", 4, PLAIN), OK("0f a4 c2 04", 4, PLAIN), OK("0f c8", 2, PLAIN),
    OK("f3 0f b8 c1", 4, PLAIN), OK("0f 31", 2, PLAIN), OK("0f 01 f9", 3, PLAIN),
    OK("0f 01 d0", 3, PLAIN), OK("0f ae f0", 3, PLAIN), OK("0f ae e8", 3, PLAIN),
    OK("0f ae f8", 3, PLAIN), OK("0f 1f 44 00 00", 5, PLAIN), OK("0f 1f 00", 3, PLAIN),
    OK("66 0f 1f 84 00 00 00 00 00", 9, PLAIN), OK("0f 18 08", 3, PLAIN),
    OK("0f 0d 08", 3, PLAIN), OK("f3 0f 1e fb", 4, PLAIN), OK("f3 90", 2, PLAIN),
    OK("f0 ff 00", 3, PLAIN), OK("f0 0f c1 02", 4, PLAIN), OK("f0 0f c7 0e", 4, PLAIN),
    OK("f0 87 03", 3, PLAIN), OK("f0 80 08 01", 4, PLAIN), OK("d9 c9", 2, PLAIN),
    OK("dd 5d f8", 3, PLAIN), OK("df e0", 2, PLAIN), OK("db e3", 2, PLAIN),
    OK("0f 28 c1", 3, PLAIN), OK("66 0f 6f 06", 4, PLAIN), OK("f3 0f 6f 06", 4, PLAIN),
    OK("f2 0f 10 45 08", 5, PLAIN), OK("0f c6 c1 1b", 4, PLAIN), OK("66 0f 73 d8 08", 5, PLAIN),
    OK("66 0f 38 00 c1", 5, PLAIN), OK("66 0f 3a 0f c1 08", 6, PLAIN),
    OK("0f 0f c1 9e", 4, PLAIN), OK("0f 0f 44 24 04 b4", 6, PLAIN),
    OK("f2 0f 38 f1 c1", 5, PLAIN), OK("0f 38 f0 06", 4, PLAIN),
    OK("0f c7 f0", 3, PLAIN), OK("63 c8", 2, PLAIN), OK("d6", 1, PLAIN),
    OK("8d 04 85 00 00 00 00", 7, PLAIN), OK("8f 00", 2, PLAIN), OK("ff 30", 2, PLAIN),
    /* VEX (mod = 11 after C4/C5) */
    OK("c5 f8 77", 3, PLAIN), OK("c5 f9 6f c1", 4, PLAIN), OK("c4 e2 79 00 c1", 5, PLAIN),
    OK("c4 e3 79 0f c1 08", 6, PLAIN), OK("c5 f9 70 c1 1b", 5, PLAIN),
    /* les, lds, bound (mod != 11) */
    { "c4 06", 2, X86C_SEG_WRITE, X86F_NONE }, { "c5 46 08", 3, X86C_SEG_WRITE, X86F_NONE },
    OK("62 06", 2, PLAIN),
    /* EVEX: decoded, #UD (no AVX-512 on the reference CPU) */
    UD("62 f1 7c 48 28 c1", 6), UD("62 f3 7d 48 0f c1 08", 7),
    /* branches */
    OK("eb fe", 2, JMP_REL), OK("e9 00 00 00 00", 5, JMP_REL), OK("66 e9 00 00", 4, JMP_REL),
    OK("74 10", 2, JCC_REL), OK("0f 84 00 01 00 00", 6, JCC_REL), OK("66 0f 84 00 01", 5, JCC_REL),
    OK("e2 fe", 2, LOOP_REL), OK("e3 00", 2, LOOP_REL), OK("67 e3 00", 3, LOOP_REL),
    OK("e8 00 00 00 00", 5, CALL_REL), OK("66 e8 00 00", 4, CALL_REL),
    OK("ff e0", 2, JMP_IND), OK("ff 24 85 00 10 00 00", 7, JMP_IND),
    OK("ff d0", 2, CALL_IND), OK("ff 15 00 10 00 00", 6, CALL_IND),
    OK("c3", 1, RET), OK("c2 08 00", 3, RET),
    OK("ea 00 10 00 00 08 00", 7, JMP_FAR), OK("66 ea 00 10 08 00", 6, JMP_FAR),
    OK("ff 2d 00 10 00 00", 6, JMP_FAR), OK("9a 00 10 00 00 08 00", 7, CALL_FAR),
    OK("ff 18", 2, CALL_FAR), OK("cb", 1, RET_FAR), OK("ca 04 00", 3, RET_FAR),
    OK("cf", 1, IRET), OK("66 cf", 2, IRET),
    OK("cc", 1, INT), OK("cd 80", 2, INT), OK("ce", 1, INT), OK("f1", 1, INT),
    OK("fa", 1, CLI), OK("fb", 1, STI), OK("9c", 1, PUSHF), OK("9d", 1, POPF),
    OK("66 9d", 2, POPF),
    /* segment registers */
    OK("06", 1, SEG_READ), OK("0e", 1, SEG_READ), OK("16", 1, SEG_READ), OK("1e", 1, SEG_READ),
    OK("0f a0", 2, SEG_READ), OK("0f a8", 2, SEG_READ), OK("8c d8", 2, SEG_READ),
    OK("8c 08", 2, SEG_READ), OK("07", 1, SEG_WRITE), OK("17", 1, SEG_WRITE),
    OK("1f", 1, SEG_WRITE), OK("0f a1", 2, SEG_WRITE), OK("0f a9", 2, SEG_WRITE),
    OK("8e d8", 2, SEG_WRITE), OK("8e d0", 2, SEG_WRITE), OK("0f b2 06", 3, SEG_WRITE),
    OK("0f b4 06", 3, SEG_WRITE), OK("0f b5 06", 3, SEG_WRITE),
    /* descriptor tables */
    OK("0f 01 00", 3, DESC_READ), OK("0f 01 0d 00 10 00 00", 7, DESC_READ),
    OK("0f 00 c0", 3, DESC_READ), OK("0f 00 c8", 3, DESC_READ), OK("0f 01 e0", 3, DESC_READ),
    OK("0f 02 c1", 3, DESC_CHECK), OK("0f 03 c1", 3, DESC_CHECK), OK("0f 00 e0", 3, DESC_CHECK),
    OK("0f 00 28", 3, DESC_CHECK),
    /* privileged */
    OK("f4", 1, PRIV), OK("0f 20 c0", 3, PRIV), OK("0f 22 d8", 3, PRIV), OK("0f 22 00", 3, PRIV),
    OK("0f 21 f8", 3, PRIV), OK("0f 23 c0", 3, PRIV), OK("0f 01 10", 3, PRIV),
    OK("0f 01 18", 3, PRIV), OK("0f 00 d0", 3, PRIV), OK("0f 00 d8", 3, PRIV),
    OK("0f 01 f0", 3, PRIV), OK("0f 01 30", 3, PRIV), OK("0f 06", 2, PRIV),
    OK("0f 01 38", 3, PRIV), OK("0f 08", 2, PRIV), OK("0f 09", 2, PRIV),
    OK("0f 32", 2, PRIV), OK("0f 30", 2, PRIV), OK("0f 33", 2, PRIV),
    OK("0f 01 d8", 3, PRIV), OK("0f 01 d9", 3, PRIV), OK("0f 01 da", 3, PRIV),
    OK("0f 01 db", 3, PRIV), OK("0f 01 dc", 3, PRIV), OK("0f 01 dd", 3, PRIV),
    OK("0f 01 de", 3, PRIV), OK("0f 01 df", 3, PRIV), OK("0f 01 c8", 3, PRIV),
    OK("0f 01 c9", 3, PRIV), OK("0f 01 ca", 3, PRIV), OK("0f 01 cb", 3, PRIV),
    OK("0f 01 d1", 3, PRIV), OK("f0 0f 20 c0", 4, PRIV), OK("66 0f 38 82 06", 5, PRIV),
    /* I/O, system, cpuid */
    OK("e4 60", 2, IO), OK("e6 80", 2, IO), OK("ec", 1, IO), OK("66 ed", 2, IO),
    OK("ee", 1, IO), OK("f3 6c", 2, IO), OK("6f", 1, IO),
    OK("0f 34", 2, SYSTEM), OK("0f 35", 2, SYSTEM), OK("0f 05", 2, SYSTEM),
    OK("0f 07", 2, SYSTEM), OK("0f aa", 2, SYSTEM), OK("0f a2", 2, CPUID),
    /* #UD */
    UD("0f 0b", 2), UD("0f b9 c1", 3), UD("0f ff c1", 3), UD("0f 04", 2), UD("0f 0a", 2),
    UD("0f 01 f8", 3), UD("0f 01 e8", 3), UD("0f 00 30", 3), UD("ff ff", 2), UD("ff d8", 2),
    UD("ff e8", 2), UD("fe 10", 2), UD("8c f0", 2), UD("8e c8", 2), UD("8d c0", 2),
    UD("c6 48 01", 3), UD("0f 20 c8", 3), UD("0f 22 e8", 3), UD("0f b8 c1", 3),
    UD("0f 13 c1", 3), UD("f3 0f 28 c1", 4), UD("0f 6c c1", 3), UD("0f 0f c1 00", 4),
    UD("d9 08", 2), UD("d9 d1", 2), UD("dd f0", 2), UD("0f 38 f0 c1", 4),
    UD("f0 90", 2), UD("f0 01 c0", 3), UD("f0 8b 00", 3), UD("f0 0f a3 00", 4),
    UD("f0 80 38 01", 4), UD("0f 37", 2), UD("66 c5 f8 77", 4), UD("f0 c5 f8 77", 4),
    UD("0f ae c0", 3), UD("0f 18 c0", 3), UD("0f 0d c0", 3),
    /* as QEMU 7.2: F6/F7 /1 #UD; fences and fxsave with 66/F2/F3 run; xgetbv not */
    UD("f6 c8", 2), UD("f7 08", 2), OK("66 0f ae f0", 4, PLAIN), OK("f3 0f ae e8", 4, PLAIN),
    OK("66 0f ae 00", 4, PLAIN), UD("66 0f ae 20", 4), OK("66 0f ae 30", 4, PLAIN),
    UD("f3 0f ae 38", 4), UD("66 0f 01 d0", 4), OK("66 0f 01 c8", 4, PRIV),
    /* extensions left out: RTM (lengths kept), SGX, XSAVEC, EVEX */
    UD("c6 f8 07", 3), UD("c7 f8 00 00 00 00", 6), UD("0f 01 d7", 3), UD("0f c7 20", 3),
    /* VEX: vvvv must be 1111 where unused; L; W; a gather's registers distinct */
    UD("c5 f1 6f c1", 4), OK("c5 f1 fe c1", 4, PLAIN), UD("c5 fd 6e c1", 4),
    UD("c4 e2 f9 18 06", 5), OK("c4 e2 79 18 06", 5, PLAIN),
    OK("c4 e2 75 91 1c 12", 6, PLAIN), UD("c4 e2 75 91 1c 0a", 6), UD("c4 e2 75 91 06", 5),
    UD("66 c4 e2 79 18 06", 6),
};

static void test_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
        const struct row *r = &rows[k];
        if (dec(r->bytes) != 1 || in.len != r->len || in.cls != r->cls || in.fault != r->fault) {
            print_error("%s: got len %u class %s fault %u, want len %u class %s fault %u\n",
                        r->bytes, in.len, x86_class_name(in.cls), in.fault, r->len,
                        x86_class_name(r->cls), r->fault);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void test_fields(void **state)
{
    (void)state;
    /* mov 0x10(%ebx,%esi,4), %eax with fs: */
    assert_int_equal(dec("64 8b 44 b3 10"), 1);
    assert_int_equal(in.npfx, 1);
    assert_int_equal(in.seg, 4);
    assert_int_equal(in.map, X86M_ONE);
    assert_int_equal(in.opcode, 0x8B);
    assert_int_equal(in.has_modrm, 1);
    assert_int_equal(in.modrm_off, 2);
    assert_int_equal(in.mod, 1);
    assert_int_equal(in.reg, 0);
    assert_int_equal(in.rm, 4);
    assert_int_equal(in.has_mem, 1);
    assert_int_equal(in.mem_access, X86_MEM_READ);
    assert_int_equal(in.base, 3);
    assert_int_equal(in.index, 6);
    assert_int_equal(in.scale, 4);
    assert_int_equal(in.disp, 0x10);
    assert_int_equal(in.disp_off, 4);
    assert_int_equal(in.disp_size, 1);
    assert_int_equal(in.opsize, 4);
    /* mov %eax, -8(%ebp): a write, negative displacement */
    assert_int_equal(dec("89 45 f8"), 1);
    assert_int_equal(in.mem_access, X86_MEM_WRITE);
    assert_int_equal(in.base, 5);
    assert_int_equal(in.index, -1);
    assert_int_equal(in.disp, -8);
    /* add %eax, (%ecx): read and write; reg-reg: no memory */
    assert_int_equal(dec("01 01"), 1);
    assert_int_equal(in.mem_access, X86_MEM_READ | X86_MEM_WRITE);
    assert_int_equal(dec("01 c8"), 1);
    assert_int_equal(in.has_mem, 0);
    assert_int_equal(in.mod, 3);
    assert_int_equal(in.rm, 0);
    assert_int_equal(in.reg, 1);
    /* disp32 alone and SIB without base */
    assert_int_equal(dec("8b 0d 78 56 34 12"), 1);
    assert_int_equal(in.base, -1);
    assert_int_equal(in.disp, 0x12345678);
    assert_int_equal(in.disp_off, 2);
    assert_int_equal(in.disp_size, 4);
    assert_int_equal(dec("8b 04 8d 00 00 00 80"), 1);
    assert_int_equal(in.base, -1);
    assert_int_equal(in.index, 1);
    assert_int_equal(in.scale, 4);
    assert_int_equal(in.disp, (int32_t)0x80000000u);
    /* immediates: byte, imm32, imm16 with 66, enter, far pointer */
    assert_int_equal(dec("83 c0 ff"), 1);
    assert_int_equal(in.imm_off, 2);
    assert_int_equal(in.imm_size, 1);
    assert_int_equal(in.imm, 0xFF);
    assert_int_equal(dec("c7 00 78 56 34 12"), 1);
    assert_int_equal(in.imm_size, 4);
    assert_int_equal(in.imm, 0x12345678);
    assert_int_equal(dec("66 c7 00 34 12"), 1);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(in.imm_size, 2);
    assert_int_equal(in.imm, 0x1234);
    assert_int_equal(dec("c8 10 00 02"), 1);
    assert_int_equal(in.imm, 0x10);
    assert_int_equal(in.imm_size, 2);
    assert_int_equal(in.imm2, 2);
    assert_int_equal(in.imm2_size, 1);
    assert_int_equal(dec("ea 78 56 34 12 08 00"), 1);
    assert_int_equal(in.imm, 0x12345678);
    assert_int_equal(in.imm_size, 4);
    assert_int_equal(in.imm2, 8);
    assert_int_equal(in.imm2_size, 2);
    assert_int_equal(dec("66 9a 34 12 10 00"), 1);
    assert_int_equal(in.imm, 0x1234);
    assert_int_equal(in.imm_size, 2);
    assert_int_equal(in.imm2, 0x10);
    /* moffs: a displacement, zero-extended; 67: 16 bits */
    assert_int_equal(dec("a1 00 00 00 f0"), 1);
    assert_int_equal(in.has_mem, 1);
    assert_int_equal(in.base, -1);
    assert_int_equal((uint32_t)in.disp, 0xF0000000u);
    assert_int_equal(in.disp_size, 4);
    assert_int_equal(dec("67 a3 34 12"), 1);
    assert_int_equal(in.disp, 0x1234);
    assert_int_equal(in.disp_size, 2);
    assert_int_equal(in.mem_access, X86_MEM_WRITE);
    /* 8-bit form */
    assert_int_equal(dec("88 c8"), 1);
    assert_int_equal(in.opsize, 1);
    /* rep, lock */
    assert_int_equal(dec("f2 f3 a4"), 1);
    assert_int_equal(in.rep, 0xF3);
    assert_int_equal(in.has_mem, 1);
    assert_int_equal(dec("f0 01 00"), 1);
    assert_int_equal(in.lock, 1);
    /* mov CR: a register whatever the mod bits say, no displacement */
    assert_int_equal(dec("0f 22 58"), 1);
    assert_int_equal(in.len, 3);
    assert_int_equal(in.has_mem, 0);
    assert_int_equal(in.reg, 3);
    assert_int_equal(in.rm, 0);
    /* the map and opcode of the other maps */
    assert_int_equal(dec("66 0f 3a 0f c1 08"), 1);
    assert_int_equal(in.map, X86M_0F3A);
    assert_int_equal(in.opcode, 0x0F);
    assert_int_equal(in.imm, 8);
    assert_int_equal(dec("0f 0f c1 9e"), 1);
    assert_int_equal(in.map, X86M_3DNOW);
    assert_int_equal(in.opcode, 0x9E);
    assert_int_equal(dec("dd 5d f8"), 1);
    assert_int_equal(in.map, X86M_X87);
    assert_int_equal(in.opcode, 0xDD);
    assert_int_equal(in.mem_access, X86_MEM_WRITE);
    assert_int_equal(dec("c4 e2 79 00 c1"), 1);
    assert_int_equal(in.map, X86M_VEX);
    assert_int_equal(in.opcode, 0x00);
}

/* the memory operand's access, per form */
static void test_access(void **state)
{
    static const struct { const char *bytes; unsigned access; } acc[] = {
        { "8b 00", X86_MEM_READ }, { "89 00", X86_MEM_WRITE }, { "01 00", X86_MEM_READ | X86_MEM_WRITE },
        { "3b 00", X86_MEM_READ }, { "ff 30", X86_MEM_READ }, { "8f 00", X86_MEM_WRITE },
        { "0f 28 00", X86_MEM_READ }, { "0f 29 00", X86_MEM_WRITE }, { "f3 0f 7e 00", X86_MEM_READ },
        { "66 0f 7e 00", X86_MEM_WRITE }, { "66 0f d6 00", X86_MEM_WRITE },
        { "66 0f 3a 16 00 01", X86_MEM_WRITE }, { "0f 38 f0 00", X86_MEM_READ },
        { "0f 38 f1 00", X86_MEM_WRITE }, { "0f ae 00", X86_MEM_WRITE }, { "0f ae 08", X86_MEM_READ },
        { "0f ae 20", X86_MEM_READ | X86_MEM_WRITE }, { "d9 38", X86_MEM_WRITE }, { "d9 28", X86_MEM_READ },
        { "dd 20", X86_MEM_READ }, { "dd 30", X86_MEM_WRITE }, { "0f 01 00", X86_MEM_WRITE },
        { "0f 01 10", X86_MEM_READ }, { "0f c7 08", X86_MEM_READ | X86_MEM_WRITE },
        { "c5 f8 29 00", X86_MEM_WRITE }, { "c5 f8 28 00", X86_MEM_READ },
        { "8d 00", 0 }, { "0f 18 00", 0 }, { "0f ae 38", 0 }, { "0f 01 38", 0 },
        { "a4", X86_MEM_READ | X86_MEM_WRITE }, { "ab", X86_MEM_WRITE }, { "6c", X86_MEM_WRITE },
        { "6e", X86_MEM_READ },
    };
    (void)state;
    int bad = 0;
    for (size_t k = 0; k < sizeof(acc) / sizeof(acc[0]); k++)
        if (dec(acc[k].bytes) != 1 || !in.has_mem || in.mem_access != acc[k].access) {
            print_error("%s: has_mem %u access %u, want %u\n", acc[k].bytes, in.has_mem,
                        in.mem_access, acc[k].access);
            bad++;
        }
    assert_int_equal(bad, 0);
    /* VMX and invpcid: CPL 0 only */
    assert_int_equal(dec("0f c7 30"), 1);
    assert_int_equal(in.cls, X86C_PRIV);
    assert_int_equal(dec("66 0f c7 30"), 1);
    assert_int_equal(in.cls, X86C_PRIV);
    assert_int_equal(dec("0f 78 c1"), 1);
    assert_int_equal(in.cls, X86C_PRIV);
    /* SSE4a's extrq imm8, imm8 (66 0F 78 /0): plain, two immediates */
    assert_int_equal(dec("66 0f 78 c1 04 08"), 1);
    assert_int_equal(in.cls, X86C_PLAIN);
    assert_int_equal(in.len, 6);
    assert_int_equal(in.imm, 4);
    assert_int_equal(in.imm2, 8);
}

static void test_addr16(void **state)
{
    (void)state;
    /* mov (%bx,%si), %eax */
    assert_int_equal(dec("67 8b 00"), 1);
    assert_int_equal(in.len, 3);
    assert_int_equal(in.addr16, 1);
    assert_int_equal(in.base, 3);
    assert_int_equal(in.index, 6);
    /* mov 0x1234, %eax (disp16 alone), mov 8(%bp), %eax, mov -2(%bp,%di) */
    assert_int_equal(dec("67 8b 06 34 12"), 1);
    assert_int_equal(in.len, 5);
    assert_int_equal(in.base, -1);
    assert_int_equal(in.disp, 0x1234);
    assert_int_equal(in.disp_size, 2);
    assert_int_equal(dec("67 8b 46 08"), 1);
    assert_int_equal(in.len, 4);
    assert_int_equal(in.base, 5);
    assert_int_equal(in.disp, 8);
    assert_int_equal(dec("67 8b 83 fe ff"), 1);
    assert_int_equal(in.len, 5);
    assert_int_equal(in.base, 5);
    assert_int_equal(in.index, 7);
    assert_int_equal(in.disp, -2);
    /* rm 4 is (%si): no SIB with 16-bit addressing */
    assert_int_equal(dec("67 8b 04"), 1);
    assert_int_equal(in.len, 3);
    assert_int_equal(in.base, 6);
    assert_int_equal(in.index, -1);
    /* 67 66 together: 16-bit address, 16-bit operand */
    assert_int_equal(dec("67 66 c7 06 00 10 34 12"), 1);
    assert_int_equal(in.len, 8);
    assert_int_equal(in.imm, 0x1234);
}

static void test_branch_targets(void **state)
{
    (void)state;
    assert_int_equal(dec("eb fe"), 1);
    assert_int_equal(in.rel, -2);
    assert_int_equal(in.rel_off, 1);
    assert_int_equal(in.rel_size, 1);
    assert_int_equal(x86_branch_target(&in, 0x1000), 0x1000);
    assert_int_equal(x86_next(&in, 0x1000), 0x1002);
    assert_int_equal(dec("e8 fb ff ff ff"), 1);
    assert_int_equal(x86_branch_target(&in, 0x1000), 0x1000);
    assert_int_equal(dec("0f 85 00 01 00 00"), 1);
    assert_int_equal(in.rel_off, 2);
    assert_int_equal(in.rel_size, 4);
    assert_int_equal(x86_branch_target(&in, 0x1000), 0x1106);
    /* 66: rel16, the target truncated to 16 bits */
    assert_int_equal(dec("66 e9 00 10"), 1);
    assert_int_equal(in.rel_size, 2);
    assert_int_equal(x86_branch_target(&in, 0x12345), 0x3349);
    assert_int_equal(dec("66 0f 84 fc ff"), 1);
    assert_int_equal(in.len, 5);
    assert_int_equal(x86_branch_target(&in, 0x20000), 0x0001);
    assert_int_equal(dec("66 e8 00 00"), 1);
    assert_int_equal(x86_branch_target(&in, 0xFFFF0000u), 0x0004);
    assert_int_equal(dec("e2 fe"), 1);
    assert_int_equal(x86_branch_target(&in, 0x5000), 0x5000);
}

static void test_prefixes_and_limit(void **state)
{
    (void)state;
    /* fourteen prefixes and a one-byte opcode: 15 bytes, runs */
    assert_int_equal(dec("26 2e 36 3e 64 65 66 67 f2 f3 26 2e 36 3e 90"), 1);
    assert_int_equal(in.len, 15);
    assert_int_equal(in.npfx, 14);
    assert_int_equal(in.fault, X86F_NONE);
    assert_int_equal(in.seg, 3);
    /* fifteen prefixes: #GP */
    assert_int_equal(dec("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"), 1);
    assert_int_equal(in.fault, X86F_GP);
    /* 11 prefixes + mov $imm32, disp32(...): 11 + 10 bytes: #GP */
    assert_int_equal(dec("3e 3e 3e 3e 3e 3e 3e 3e 3e 3e 3e c7 05 00 10 00 00 01 00 00 00"), 1);
    assert_int_equal(in.fault, X86F_GP);
    /* 5 prefixes + the same 10 bytes: 15, runs */
    assert_int_equal(dec("3e 3e 3e 3e 3e c7 05 00 10 00 00 01 00 00 00"), 1);
    assert_int_equal(in.fault, X86F_NONE);
    assert_int_equal(in.len, 15);
    /* the last segment override, the last of F2/F3 */
    assert_int_equal(dec("26 65 f3 f2 a6"), 1);
    assert_int_equal(in.seg, 5);
    assert_int_equal(in.rep, 0xF2);
}

static void test_truncated(void **state)
{
    (void)state;
    static const char *const whole[] = {
        "c7 05 00 10 00 00 01 00 00 00", "0f 84 00 01 00 00", "66 0f 3a 0f c1 08",
        "c4 e3 79 0f c1 08", "62 f3 7d 48 0f c1 08", "ea 00 10 00 00 08 00",
        "8b 84 24 00 01 00 00", "67 8b 83 fe ff", "f3 f3 f3 a5", "0f 0f 44 24 04 b4",
        "c8 10 00 01", "dd 5d f8", "c4 06",
    };
    for (size_t k = 0; k < sizeof(whole) / sizeof(whole[0]); k++) {
        size_t n = hex(whole[k]);
        assert_int_equal(x86_decode(buf, n, &in), 1);
        assert_int_equal(in.len, n);
        for (size_t m = 0; m < n; m++)
            if (x86_decode(buf, m, &in) != 0) {
                print_error("%s cut to %zu bytes decoded\n", whole[k], m);
                fail();
            }
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(x86_class_name(X86C_PLAIN), "plain");
    assert_string_equal(x86_class_name(X86C_PRIV), "priv");
    assert_string_equal(x86_class_name(X86C_CPUID), "cpuid");
    for (int c = 0; c < X86C_NR; c++)
        assert_string_not_equal(x86_class_name((enum x86_class)c), "?");
    assert_string_equal(x86_class_name(X86C_NR), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_access),
        cmocka_unit_test(test_addr16),
        cmocka_unit_test(test_branch_targets),
        cmocka_unit_test(test_prefixes_and_limit),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
