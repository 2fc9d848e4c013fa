/* Unit tests of the te mode's decoder with every legacy prefix (and the pv
 * #GP path's, which shares the prefix scanner), and of te's SDM rules
 * (vm/rules.h): the CPL decisions, the I/O bitmap, the EFLAGS of an iret,
 * single-step after an emulated instruction, the reserved bits of the
 * PDPTEs, CR0 and CR4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/emulate.h"
#include "te/decode.h"
#include "vm/rules.h"

static struct te_insn in;

static int dec(const char *bytes, size_t n)
{
    return te_decode((const uint8_t *)bytes, n, &in);
}

static void test_rep_prefixes(void **state)
{
    (void)state;
    /* rep cli, repne sti, rep hlt: the CPU ignores REP; so does te. */
    assert_int_equal(dec("\xF3\xFA", 2), 1);
    assert_int_equal(in.op, TE_CLI);
    assert_int_equal(in.len, 2);
    assert_int_equal(in.fault, TE_FAULT_NONE);
    assert_int_equal(dec("\xF2\xFB", 2), 1);
    assert_int_equal(in.op, TE_STI);
    assert_int_equal(dec("\xF3\xF3\xF4", 3), 1);
    assert_int_equal(in.op, TE_HLT);
    assert_int_equal(in.len, 3);
    /* rep in/out: ignored, the width as without it */
    assert_int_equal(dec("\xF3\xEE", 2), 1);
    assert_int_equal(in.op, TE_OUT);
    assert_int_equal(in.opsize, 1);
    /* ins/outs: the string forms, with and without REP (F2 means REP too) */
    assert_int_equal(dec("\x6E", 1), 1);
    assert_int_equal(in.op, TE_OUTS);
    assert_int_equal(in.opsize, 1);
    assert_int_equal(in.rep, 0);
    assert_int_equal(dec("\xF3\x6E", 2), 1);
    assert_int_equal(in.op, TE_OUTS);
    assert_int_equal(in.rep, 0xF3);
    assert_int_equal(in.len, 2);
    assert_int_equal(dec("\xF2\x6C", 2), 1);
    assert_int_equal(in.op, TE_INS);
    assert_int_equal(in.rep, 0xF2);
    assert_int_equal(dec("\xF3\x66\x6D", 3), 1);         /* rep insw */
    assert_int_equal(in.op, TE_INS);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(dec("\x6F", 1), 1);                 /* outsd */
    assert_int_equal(in.opsize, 4);
    /* rep mov %eax,%cr3 and rep rdmsr: ignored */
    assert_int_equal(dec("\xF3\x0F\x22\xD8", 4), 1);
    assert_int_equal(in.op, TE_MOV_TO_CR);
    assert_int_equal(in.reg, 3);
    assert_int_equal(in.len, 4);
    assert_int_equal(dec("\xF2\x0F\x32", 3), 1);
    assert_int_equal(in.op, TE_RDMSR);
}

static void test_lock_prefix(void **state)
{
    (void)state;
    /* LOCK on an instruction that does not take it: #UD, wherever it is */
    assert_int_equal(dec("\xF0\xFA", 2), 1);
    assert_int_equal(in.op, TE_CLI);
    assert_int_equal(in.fault, TE_FAULT_UD);
    assert_int_equal(dec("\xF3\xF0\xEE", 3), 1);
    assert_int_equal(in.fault, TE_FAULT_UD);
    assert_int_equal(dec("\xF0\x0F\x01\x10", 4), 1);     /* lock lgdt (%eax) */
    assert_int_equal(in.op, TE_LGDT);
    assert_int_equal(in.fault, TE_FAULT_UD);
    /* ... but lock mov to or from CR0 is AMD's CR8 alias (the CPU raised
     * #GP, not #UD, so it offers it; vx_emulate checks CPUID again) */
    assert_int_equal(dec("\xF0\x0F\x20\xC0", 4), 1);     /* lock mov %cr0,%eax */
    assert_int_equal(in.op, TE_MOV_FROM_CR);
    assert_int_equal(in.reg, 8);
    assert_int_equal(in.rm, 0);
    assert_int_equal(in.fault, 0);
    assert_int_equal(dec("\xF0\x0F\x22\xC3", 4), 1);     /* lock mov %ebx,%cr0 */
    assert_int_equal(in.op, TE_MOV_TO_CR);
    assert_int_equal(in.reg, 8);
    assert_int_equal(in.rm, 3);
    assert_int_equal(in.fault, 0);
    assert_int_equal(dec("\xF0\x0F\x22\xD8", 4), 1);     /* lock mov %eax,%cr3: no alias */
    assert_int_equal(in.fault, TE_FAULT_UD);
    assert_int_equal(dec("\xF0\x0F\x21\xC0", 4), 1);     /* lock mov %dr0,%eax */
    assert_int_equal(in.fault, TE_FAULT_UD);
    assert_int_equal(dec("\xF0\xCF", 2), 1);
    assert_int_equal(in.fault, TE_FAULT_UD);
    /* not one of te's instructions: still not decoded */
    assert_int_equal(dec("\xF0\x90", 2), 0);
}

static void test_size_prefixes(void **state)
{
    uint32_t gpr[8] = { 0x11110001, 0x22220002, 0x3F8, 0x44441000, 0x9000, 0x55552000,
                        0x66660030, 0x77770040 };
    (void)state;
    /* 66: in/out width, iret/lret operand size */
    assert_int_equal(dec("\x66\xED", 2), 1);
    assert_int_equal(in.op, TE_IN);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(dec("\x66\xE5\x40", 3), 1);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(in.port, 0x40);
    assert_int_equal(dec("\x66\xEC", 2), 1);             /* the byte form stays a byte */
    assert_int_equal(in.opsize, 1);
    assert_int_equal(dec("\x66\xCF", 2), 1);
    assert_int_equal(in.op, TE_IRET);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(dec("\x66\xCB", 2), 1);
    assert_int_equal(in.op, TE_LRET);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(dec("\x66\x17", 2), 1);
    assert_int_equal(in.op, TE_POP_SS);
    assert_int_equal(in.opsize, 2);
    /* 67: 16-bit addressing */
    assert_int_equal(dec("\x67\x0F\x01\x17", 4), 1);     /* lgdt (%bx) */
    assert_int_equal(in.op, TE_LGDT);
    assert_int_equal(in.len, 4);
    assert_true(in.addr16);
    assert_int_equal(te_effective_address(&in, gpr), 0x1000);
    assert_int_equal(dec("\x67\x0F\x01\x78\x10", 5), 1);  /* invlpg 0x10(%bx,%si) */
    assert_int_equal(in.op, TE_INVLPG);
    assert_int_equal(te_effective_address(&in, gpr), 0x1040);
    assert_int_equal(te_operand_segment(&in), X86_SEG_DS);
    assert_int_equal(dec("\x67\x0F\x01\x1E\x34\x12", 6), 1);   /* lidt 0x1234: disp16 */
    assert_int_equal(in.op, TE_LIDT);
    assert_int_equal(in.len, 6);
    assert_int_equal(te_effective_address(&in, gpr), 0x1234);
    assert_int_equal(dec("\x67\x0F\x01\x96\xFF\xFF", 6), 1);   /* lgdt -1(%bp): wraps, SS */
    assert_int_equal(te_effective_address(&in, gpr), 0x1FFF);
    assert_int_equal(te_operand_segment(&in), X86_SEG_SS);
    assert_int_equal(dec("\x67\x0F\x01\x96\xFF", 5), 0);       /* truncated */
    assert_int_equal(dec("\x67\xF3\x6C", 3), 1);               /* rep insb, CX and DI */
    assert_true(in.addr16);
    assert_int_equal(in.rep, 0xF3);
}

static void test_segment_prefixes(void **state)
{
    (void)state;
    static const char segs[6] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    static const int which[6] = { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS,
                                  X86_SEG_FS, X86_SEG_GS };
    for (int i = 0; i < 6; i++) {
        char b[4] = { segs[i], 0x0F, 0x01, 0x10 };     /* lgdt %seg:(%eax) */
        assert_int_equal(dec(b, 4), 1);
        assert_int_equal(in.op, TE_LGDT);
        assert_int_equal(in.len, 4);
        assert_int_equal(in.seg, which[i]);
        assert_int_equal(te_operand_segment(&in), which[i]);
    }
    /* defaults: DS, SS for a base of ESP or EBP; the last override wins */
    assert_int_equal(dec("\x0F\x01\x10", 3), 1);
    assert_int_equal(te_operand_segment(&in), X86_SEG_DS);
    assert_int_equal(dec("\x0F\x01\x55\x08", 4), 1);         /* lgdt 8(%ebp) */
    assert_int_equal(te_operand_segment(&in), X86_SEG_SS);
    assert_int_equal(dec("\x0F\x01\x14\x24", 4), 1);         /* lgdt (%esp) */
    assert_int_equal(te_operand_segment(&in), X86_SEG_SS);
    assert_int_equal(dec("\x64\x65\x0F\x01\x10", 5), 1);
    assert_int_equal(in.seg, X86_SEG_GS);
    assert_int_equal(dec("\x2E\x2E\x2E\x2E\xFA", 5), 1);     /* any number of them */
    assert_int_equal(in.op, TE_CLI);
    assert_int_equal(in.len, 5);
    assert_int_equal(dec("\x26\xF3\x6E", 3), 1);             /* rep outsb %es:(%esi) */
    assert_int_equal(in.op, TE_OUTS);
    assert_int_equal(in.seg, X86_SEG_ES);
}

static void test_length_limit(void **state)
{
    char b[20];
    (void)state;
    /* 14 prefixes and cli: 15 bytes, fine */
    memset(b, 0x3E, 14);
    b[14] = (char)0xFA;
    assert_int_equal(dec(b, 15), 1);
    assert_int_equal(in.op, TE_CLI);
    assert_int_equal(in.len, 15);
    assert_int_equal(in.fault, TE_FAULT_NONE);
    /* 15 prefixes: #GP(0), whatever follows */
    memset(b, 0x66, 15);
    assert_int_equal(dec(b, 15), 1);
    assert_int_equal(in.fault, TE_FAULT_GP);
    /* 12 prefixes and a 4-byte lgdt: 16 bytes, #GP(0) */
    memset(b, 0x3E, 12);
    memcpy(b + 12, "\x0F\x01\x50\x08", 4);
    assert_int_equal(dec(b, 16), 1);
    assert_int_equal(in.op, TE_LGDT);
    assert_int_equal(in.fault, TE_FAULT_GP);
    /* 11 and the same: 15, fine */
    assert_int_equal(dec(b + 1, 15), 1);
    assert_int_equal(in.fault, TE_FAULT_NONE);
    assert_int_equal(in.len, 15);
}

static void test_pv_mov_cr_prefixes(void **state)
{
    struct mov_cr m;
    struct x86_prefixes p;
    uint8_t b[20];
    (void)state;
    assert_int_equal(emul_prefixes((const uint8_t *)"\x66\x67\xF0\xF2\xF3\x65\x90", 7, &p), 6);
    assert_true(p.opsize16 && p.addr16 && p.lock);
    assert_int_equal(p.rep, 0xF3);
    assert_int_equal(p.seg, X86_SEG_GS);
    /* prefixed mov %cr2/%cr3: decoded, the length with the prefixes */
    assert_true(emul_decode_mov_cr((const uint8_t *)"\xF3\x0F\x20\xD8", 4, &m));
    assert_int_equal(m.cr, 3);
    assert_int_equal(m.reg, 0);
    assert_int_equal(m.len, 4);
    assert_true(emul_decode_mov_cr((const uint8_t *)"\x66\x2E\x0F\x20\xD1", 5, &m));
    assert_int_equal(m.cr, 2);
    assert_int_equal(m.reg, 1);
    assert_int_equal(m.len, 5);
    /* LOCK (#UD on Intel, CR8 on AMD), truncation, over 15 bytes: not it */
    assert_false(emul_decode_mov_cr((const uint8_t *)"\xF0\x0F\x20\xD0", 4, &m));
    assert_false(emul_decode_mov_cr((const uint8_t *)"\xF3\x0F\x20", 3, &m));
    memset(b, 0x3E, 13);
    memcpy(b + 13, "\x0F\x20\xD0", 3);
    assert_false(emul_decode_mov_cr(b, 16, &m));
    assert_true(emul_decode_mov_cr(b + 1, 15, &m));
    assert_int_equal(m.len, 15);
}

static void test_cpl_decisions(void **state)
{
    static const enum te_op privileged[] = {
        TE_HLT, TE_MOV_FROM_CR, TE_MOV_TO_CR, TE_LGDT, TE_LIDT, TE_LLDT, TE_LTR, TE_LMSW,
        TE_CLTS, TE_INVLPG, TE_RDMSR, TE_WRMSR, TE_WBINVD, TE_INVD, TE_IRET, TE_LRET,
        TE_MOV_TO_SS, TE_POP_SS, TE_MOV_FROM_DR, TE_MOV_TO_DR,
    };
    (void)state;
    /* the CPU's ring -> the guest's CPL: ring 1 is the guest's ring 0 */
    assert_int_equal(vx_guest_cpl(0x09), 0);
    assert_int_equal(vx_guest_cpl(0x2A), 2);
    assert_int_equal(vx_guest_cpl(0x1B), 3);
    for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++) {
        assert_int_equal(vx_privilege(privileged[i], 0, 0, 0), VX_RUN_IT);
        assert_int_equal(vx_privilege(privileged[i], 2, 0, 0), VX_RAISE_GP);
        assert_int_equal(vx_privilege(privileged[i], 2, 3, 0), VX_RAISE_GP);   /* IOPL no help */
        assert_int_equal(vx_privilege(privileged[i], 3, 3, 0), VX_RAISE_GP);
    }
    /* cli/sti: CPL <= IOPL */
    assert_int_equal(vx_privilege(TE_CLI, 0, 0, 0), VX_RUN_IT);
    assert_int_equal(vx_privilege(TE_CLI, 2, 0, 0), VX_RAISE_GP);
    assert_int_equal(vx_privilege(TE_CLI, 2, 1, 0), VX_RAISE_GP);
    assert_int_equal(vx_privilege(TE_STI, 2, 2, 0), VX_RUN_IT);
    assert_int_equal(vx_privilege(TE_STI, 3, 2, 0), VX_RAISE_GP);
    /* I/O: CPL <= IOPL, else the bitmap */
    assert_int_equal(vx_privilege(TE_OUT, 0, 0, 0), VX_RUN_IT);
    assert_int_equal(vx_privilege(TE_IN, 2, 0, 0), VX_CHECK_IO_BITMAP);
    assert_int_equal(vx_privilege(TE_OUTS, 3, 3, 0), VX_RUN_IT);
    assert_int_equal(vx_privilege(TE_INS, 3, 2, 0), VX_CHECK_IO_BITMAP);
    /* the UMIP reads: at CPL > 0 with the guest's CR4.UMIP, #GP */
    assert_int_equal(vx_privilege(TE_SGDT, 0, 0, 1), VX_RUN_IT);
    assert_int_equal(vx_privilege(TE_SGDT, 2, 0, 1), VX_RAISE_GP);
    assert_int_equal(vx_privilege(TE_SMSW, 3, 0, 0), VX_RUN_IT);
    assert_int_equal(vx_privilege(TE_NONE, 0, 0, 0), VX_RAISE_GP);
}

/* A TSS in a buffer: the bitmap at 0x68 */
static uint8_t tss[0x68 + 8192 / 8 + 1];

static int tss_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    if (off + len > sizeof(tss))
        return -1;
    memcpy(buf, tss + off, len);
    return 0;
}

static void test_io_bitmap(void **state)
{
    (void)state;
    memset(tss, 0xFF, sizeof(tss));
    tss[0x66] = 0x68;
    tss[0x67] = 0;
    tss[0x68 + 0x3F8 / 8] = 0x00;                    /* 0x3F8-0x3FF allowed */
    tss[0x68 + 0x80 / 8] = 0xFE;                     /* 0x80 allowed, 0x81-0x87 not */
    uint32_t limit = 0x68 + 0x400 / 8;               /* ports 0-0x3FF in the bitmap */
    assert_true(vx_io_bitmap_allows(0x3F8, 1, limit, 1, tss_read, NULL));
    assert_true(vx_io_bitmap_allows(0x3FC, 4, limit, 1, tss_read, NULL));
    assert_true(vx_io_bitmap_allows(0x80, 1, limit, 1, tss_read, NULL));
    assert_false(vx_io_bitmap_allows(0x80, 2, limit, 1, tss_read, NULL));   /* 0x81 set */
    assert_false(vx_io_bitmap_allows(0x3F7, 2, limit, 1, tss_read, NULL));
    assert_false(vx_io_bitmap_allows(0x3FE, 4, limit, 1, tss_read, NULL));  /* 0x400 */
    assert_false(vx_io_bitmap_allows(0x60, 1, limit, 1, tss_read, NULL));
    /* beyond the limit, no bitmap, no TSS, a TSS too short */
    assert_false(vx_io_bitmap_allows(0x3F8, 1, 0x68 + 0x3F8 / 8, 1, tss_read, NULL));
    tss[0x66] = 0xFF;
    tss[0x67] = 0xFF;
    assert_false(vx_io_bitmap_allows(0x3F8, 1, limit, 1, tss_read, NULL));
    tss[0x66] = 0x68;
    tss[0x67] = 0;
    assert_false(vx_io_bitmap_allows(0x3F8, 1, limit, 0, tss_read, NULL));
    assert_false(vx_io_bitmap_allows(0x3F8, 1, 0x60, 1, tss_read, NULL));
}

static void test_iret_eflags(void **state)
{
    (void)state;
    /* NT, RF, AC, ID, VIF, VIP, IOPL, IF, TF and the arithmetic flags: all taken */
    assert_int_equal(vx_iret_eflags(0x003D7FD7u), 0x003D7FD7u);
    assert_int_equal(vx_iret_eflags(0x003F7FD7u), 0x003D7FD7u);   /* VM dropped */
    /* VM and the reserved bits: not */
    assert_int_equal(vx_iret_eflags(0x00020000u), 0x2u);
    assert_int_equal(vx_iret_eflags(0xFFC08028u), 0x2u);
    assert_int_equal(vx_iret_eflags(0x4000u), 0x4002u);        /* NT from the image */
}

static void test_single_step(void **state)
{
    (void)state;
    assert_true(vx_single_step_after(TE_CLI, 1));
    assert_true(vx_single_step_after(TE_MOV_TO_CR, 1));
    assert_true(vx_single_step_after(TE_IRET, 1));
    assert_true(vx_single_step_after(TE_OUTS, 1));
    assert_false(vx_single_step_after(TE_CLI, 0));
    assert_false(vx_single_step_after(TE_MOV_TO_SS, 1));     /* the mov-ss shadow */
    assert_false(vx_single_step_after(TE_POP_SS, 1));
}

static void test_reserved_bits(void **state)
{
    (void)state;
    /* PDPTEs: bits 1, 2, 5-8 and from MAXPHYADDR up, if present */
    assert_int_equal(vx_pdpte_reserved(0x1001, 36), 0);
    assert_int_equal(vx_pdpte_reserved(0x1019, 36), 0);          /* PWT, PCD */
    assert_int_equal(vx_pdpte_reserved(0x1E01, 36), 0);          /* 9-11 ignored */
    assert_int_equal(vx_pdpte_reserved(0x1003, 36), 0x2);
    assert_int_equal(vx_pdpte_reserved(0x1005, 36), 0x4);
    for (unsigned b = 5; b <= 8; b++)
        assert_int_equal(vx_pdpte_reserved(0x1001 | (1ull << b), 36), 1ull << b);
    assert_int_equal(vx_pdpte_reserved(0x1001 | (1ull << 36), 36), 1ull << 36);
    assert_int_equal(vx_pdpte_reserved(0x1001 | (1ull << 36), 40), 0);
    assert_int_equal(vx_pdpte_reserved(0x1001 | (1ull << 40), 40), 1ull << 40);
    assert_int_equal(vx_pdpte_reserved(0x1001 | (1ull << 63), 52), 1ull << 63);
    assert_int_equal(vx_pdpte_reserved(0xFFFFFFFFFFFFFFFEull, 36), 0);   /* not present */
    /* CR0 */
    assert_false(vx_cr0_invalid(0x80010033u));                   /* PG WP NE ET MP PE */
    assert_false(vx_cr0_invalid(0x60000011u));                   /* CD NW */
    assert_true(vx_cr0_invalid(0x00000040u | 1));                /* bit 6 */
    assert_true(vx_cr0_invalid(0x00020001u));                    /* bit 17 */
    assert_true(vx_cr0_invalid(0x10000001u));                    /* bit 28 */
    assert_true(vx_cr0_invalid(0x80000000u));                    /* PG without PE */
    assert_true(vx_cr0_invalid(0x20000001u));                    /* NW without CD */
    /* CR0 writes that load the PDPTEs: PAE paging after, PG/CD/NW changed */
    assert_true(vx_cr0_write_loads_pdptes(0x00000011u, 0x80000011u, 0x20u));   /* PG on */
    assert_false(vx_cr0_write_loads_pdptes(0x00000011u, 0x80000011u, 0x00u));  /* 32-bit */
    assert_true(vx_cr0_write_loads_pdptes(0x80000011u, 0xC0000011u, 0x20u));   /* CD */
    assert_true(vx_cr0_write_loads_pdptes(0xC0000011u, 0xE0000011u, 0x20u));   /* NW */
    assert_true(vx_cr0_write_loads_pdptes(0xE0000011u, 0x80000011u, 0x20u));   /* CD NW off */
    assert_false(vx_cr0_write_loads_pdptes(0x80000011u, 0x80010011u, 0x20u));  /* WP only */
    assert_false(vx_cr0_write_loads_pdptes(0x80000011u, 0x80000019u, 0x20u));  /* TS only */
    assert_false(vx_cr0_write_loads_pdptes(0x80000011u, 0x00000011u, 0x20u));  /* PG off */
    assert_false(vx_cr0_write_loads_pdptes(0x00000011u, 0x40000011u, 0x20u));  /* no paging */
    /* CR4: bits 0-11 modelled, the rest #GP */
    assert_false(vx_cr4_invalid(0x000006B0u));                   /* PAE PGE OSFXSR ... */
    assert_false(vx_cr4_invalid(0x00000800u));                   /* UMIP */
    assert_true(vx_cr4_invalid(1u << 13));                       /* VMXE */
    assert_true(vx_cr4_invalid(1u << 20));                       /* SMEP */
    assert_true(vx_cr4_invalid(1u << 18));                       /* OSXSAVE */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rep_prefixes),
        cmocka_unit_test(test_lock_prefix),
        cmocka_unit_test(test_size_prefixes),
        cmocka_unit_test(test_segment_prefixes),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_pv_mov_cr_prefixes),
        cmocka_unit_test(test_cpl_decisions),
        cmocka_unit_test(test_io_bitmap),
        cmocka_unit_test(test_iret_eflags),
        cmocka_unit_test(test_single_step),
        cmocka_unit_test(test_reserved_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
