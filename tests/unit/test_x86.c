/* Unit tests: guest descriptor rules, instruction decoding, the CPUID
 * filter, and the printk formatter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include <pv86/xen.h>

#include "arch/x86/descriptor.h"
#include "arch/x86/emulate.h"
#include "lib/cmdline.h"
#include "lib/format.h"

/* Build a code/data descriptor. */
static void seg(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags,
                uint32_t *lo, uint32_t *hi)
{
    *lo = (base << 16) | (limit & 0xFFFF);
    *hi = (base & 0xFF000000u) | (flags << 20) | (limit & 0xF0000u) | (access << 8) |
          ((base >> 16) & 0xFF);
}

static void test_desc_not_present(void **state)
{
    uint32_t lo = 0x12345678, hi = 0xFFFF7FFF;        /* P clear, garbage elsewhere */
    (void)state;
    assert_true(desc_check(&lo, &hi));
    assert_int_equal(hi, 0xFFFF7FFF);
}

static void test_desc_flat_fixups(void **state)
{
    uint32_t lo, hi;
    (void)state;
    /* Flat 4 GiB ring-0 data: DPL raised to 1, accessed set, limit cut. */
    seg(0, 0xFFFFF, 0x92, 0xC, &lo, &hi);
    assert_true(desc_check(&lo, &hi));
    assert_int_equal(hi, 0x00CFB300);
    assert_int_equal(lo, 0x000067FF);
    /* Ring-3 code within the limit: untouched but for the accessed bit. */
    seg(0, 0x1000, 0xFA, 0xC, &lo, &hi);
    assert_true(desc_check(&lo, &hi));
    assert_int_equal(hi, 0x00C0FB00);
    assert_int_equal(lo, 0x00001000);
    /* Byte-granular segment that reaches the hypervisor: refused. */
    seg(0xF6780000u, 0xFFFFF, 0xF2, 0x4, &lo, &hi);      /* ends at 0xF6880000 */
    assert_false(desc_check(&lo, &hi));
    /* Base inside the last page below the ceiling: refused. */
    seg(GUEST_SEGMENT_MAX_ADDR - 0x800, 0, 0xF2, 0xC, &lo, &hi);
    assert_false(desc_check(&lo, &hi));
    /* Base 16 MiB, 4 GiB limit: truncated so base+limit = ceiling. */
    seg(0x01000000, 0xFFFFF, 0xF2, 0xC, &lo, &hi);
    assert_true(desc_check(&lo, &hi));
    uint32_t limit = ((hi & 0xF0000) | (lo & 0xFFFF));
    assert_int_equal((limit + 1) << 12, GUEST_SEGMENT_MAX_ADDR - 0x01000000);
    /* Expand-down data that does not wrap: truncated to the base's page. */
    seg(0x00400000, 0x00100, 0xF6, 0xC, &lo, &hi);
    assert_true(desc_check(&lo, &hi));
    assert_int_equal(desc_base(lo, hi), 0x00400000);
}

static void test_desc_system(void **state)
{
    uint32_t lo, hi;
    (void)state;
    seg(0x1000, 0x67, 0x89, 0, &lo, &hi);              /* TSS */
    assert_false(desc_check(&lo, &hi));
    seg(0x1000, 0x67, 0x82, 0, &lo, &hi);              /* LDT */
    assert_false(desc_check(&lo, &hi));
    lo = 0x00080000 | 0x1000; hi = 0x0000EE00;          /* interrupt gate */
    assert_false(desc_check(&lo, &hi));
    lo = 0x00080000; hi = 0x0000E500;                   /* task gate */
    assert_false(desc_check(&lo, &hi));
    /* Call gate to the hypervisor's ring-0 code: refused. */
    lo = (0xe008u << 16) | 0x1000; hi = 0x0000EC00;
    assert_false(desc_check(&lo, &hi));
    /* Call gate to the flat ring-1 code: accepted. */
    lo = ((uint32_t)FLAT_RING1_CS << 16) | 0x1000; hi = 0x0000EC00;
    assert_true(desc_check(&lo, &hi));
    /* Call gate to guest GDT entry 5 with RPL 0: RPL raised to 1. */
    lo = (0x28u << 16) | 0x1000; hi = 0x00008C00;       /* DPL 0 too */
    assert_true(desc_check(&lo, &hi));
    assert_int_equal(lo >> 16, 0x29);
    assert_int_equal((hi >> 13) & 3, 1);
    /* Call gate with reserved bits set: refused. */
    lo = ((uint32_t)FLAT_RING1_CS << 16); hi = 0x0000ECE0;
    assert_false(desc_check(&lo, &hi));
}

/* Xen's rules for a 32-bit PV guest (fixup_guest_code_selector,
 * guest_gate_selector_okay): RPL 0 raised to 1, 1-3 kept; a gate's target
 * is a guest GDT or LDT selector (any RPL) or exactly FLAT_RING1_CS. */
static void test_code_selectors(void **state)
{
    (void)state;
    static const struct { uint16_t in, fixed; int gate_ok; } rows[] = {
        { 0xe018, 0xe019, 1 },        /* FLAT_RING1_CS with RPL 0 */
        { 0xe019, 0xe019, 1 },        /* FLAT_RING1_CS */
        { 0xe01a, 0xe01a, 0 },        /* its RPL 2: not Xen's selector */
        { 0xe01b, 0xe01b, 0 },        /* its RPL 3 */
        { 0xe02b, 0xe02b, 0 },        /* FLAT_RING3_CS */
        { 0xe028, 0xe029, 0 },
        { 0x0008, 0x0009, 1 },        /* the guest's GDT */
        { 0x000b, 0x000b, 1 },        /* ... any RPL */
        { 0x000c, 0x000d, 1 },        /* LDT */
        { 0x000f, 0x000f, 1 },
        { 0xe008, 0xe009, 0 },        /* the hypervisor's CS */
        { 0xe039, 0xe039, 0 },        /* TSS */
        { 0xe021, 0xe021, 0 },        /* a data selector */
        { 0xfff8, 0xfff9, 0 },
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint16_t f = desc_fixup_code_selector(rows[i].in);
        if (f != rows[i].fixed || desc_guest_code_selector_ok(f) != rows[i].gate_ok)
            fail_msg("%#x: fixed %#x ok %d", rows[i].in, f, desc_guest_code_selector_ok(f));
    }
}

/* set_trap_table's rule for one entry, as Xen's compat_set_trap_table: RPL
 * 0 raised, every selector accepted; the other fields pass through. */
static void test_trap_entry(void **state)
{
    (void)state;
    struct trap_info ti = { 14, 0, FLAT_RING1_CS & ~3u, 0x401000 };
    assert_int_equal(desc_trap_entry_check(&ti), 0);
    assert_int_equal(ti.cs, FLAT_RING1_CS);
    assert_int_equal(ti.vector, 14);
    assert_int_equal(ti.address, 0x401000);
    ti.cs = 0x0008;                                 /* the guest's own GDT entry 1 */
    assert_int_equal(desc_trap_entry_check(&ti), 0);
    assert_int_equal(ti.cs, 0x0009);
    ti.cs = 0x000F;                                 /* LDT, RPL 3: unchanged */
    assert_int_equal(desc_trap_entry_check(&ti), 0);
    assert_int_equal(ti.cs, 0x000F);
    static const uint16_t others[] = { 0xe008, 0xe009, 0xe010, 0xe01b, 0xe02b, 0xe038, 0xfff8 };
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        ti.cs = others[i];
        assert_int_equal(desc_trap_entry_check(&ti), 0);
        assert_int_equal(ti.cs, desc_fixup_code_selector(others[i]));
        assert_int_not_equal(ti.cs & 3, 0);         /* never left as a ring-0 selector */
    }
}

/* Kernel or user from a guest CS, as Xen's 32-bit PV: only ring 1 is the
 * kernel; rings 2 and 3 take bounces on the kernel stack and need DPL 3
 * for `int n`. */
static void test_ring_rules(void **state)
{
    (void)state;
    assert_false(desc_ring_is_outer(0xe019));          /* FLAT_RING1_CS */
    assert_true(desc_ring_is_outer(0xe02b));           /* FLAT_RING3_CS */
    assert_true(desc_ring_is_outer(0x000a));           /* a ring-2 selector */
    assert_false(desc_ring_is_outer(0x0009));
    for (unsigned dpl = 0; dpl < 4; dpl++) {
        assert_int_equal(desc_softint_permitted(dpl, 0xe019), dpl >= 1);
        assert_int_equal(desc_softint_permitted(dpl, 0x000a), dpl == 3);
        assert_int_equal(desc_softint_permitted(dpl, 0xe02b), dpl == 3);
    }
}

static void test_decode(void **state)
{
    const uint8_t cpuid[] = { 0x0F, 0x0B, 'x', 'e', 'n', 0x0F, 0xA2 };
    const uint8_t other[] = { 0x0F, 0x0B, 'x', 'e', 'n', 0x90, 0x90 };
    const uint8_t mov_cr2[] = { 0x0F, 0x20, 0xD0 };          /* mov %cr2, %eax */
    const uint8_t mov_to_cr3[] = { 0x0F, 0x22, 0xDF };       /* mov %edi, %cr3 */
    struct mov_cr m;
    (void)state;
    assert_true(emul_is_forced_cpuid(cpuid, sizeof(cpuid)));
    assert_false(emul_is_forced_cpuid(cpuid, 6));            /* cut short */
    assert_false(emul_is_forced_cpuid(other, sizeof(other)));
    assert_true(emul_has_xen_prefix(other, sizeof(other)));
    assert_true(emul_decode_mov_cr(mov_cr2, 3, &m));
    assert_int_equal(m.to_cr, 0);
    assert_int_equal(m.cr, 2);
    assert_int_equal(m.reg, 0);
    assert_int_equal(m.len, 3);
    assert_true(emul_decode_mov_cr(mov_to_cr3, 3, &m));
    assert_int_equal(m.to_cr, 1);
    assert_int_equal(m.cr, 3);
    assert_int_equal(m.reg, 7);
    assert_false(emul_decode_mov_cr(mov_cr2, 2, &m));
    assert_false(emul_decode_mov_cr(cpuid, sizeof(cpuid), &m));
}

/* One ModRM case: the bytes, 16-bit addressing, and what they decode to. */
struct modrm_case {
    uint8_t b[8];
    unsigned len;
    int addr16, reg, mod_reg, rm, base, index;
    unsigned scale;
    int32_t disp;
};

static const struct modrm_case modrm_cases[] = {
    /* 32-bit */
    { { 0xC8 }, 1, 0, 1, 1, 0, -1, -1, 1, 0 },                   /* %eax, reg ecx */
    { { 0xFF }, 1, 0, 7, 1, 7, -1, -1, 1, 0 },                   /* %edi, reg edi */
    { { 0x00 }, 1, 0, 0, 0, 0, 0, -1, 1, 0 },                    /* (%eax) */
    { { 0x3F }, 1, 0, 7, 0, 0, 7, -1, 1, 0 },                    /* (%edi) */
    { { 0x06 }, 1, 0, 0, 0, 0, 6, -1, 1, 0 },                    /* (%esi) */
    { { 0x15, 0x78, 0x56, 0x34, 0x12 }, 5, 0, 2, 0, 0, -1, -1, 1, 0x12345678 }, /* disp32 */
    { { 0x04, 0x88 }, 2, 0, 0, 0, 0, 0, 1, 4, 0 },               /* (%eax,%ecx,4) */
    { { 0x04, 0x24 }, 2, 0, 0, 0, 0, 4, -1, 1, 0 },              /* (%esp): no index */
    { { 0x0C, 0xE3 }, 2, 0, 1, 0, 0, 3, -1, 8, 0 },              /* index 4, scale 8: none */
    { { 0x04, 0x8D, 0x00, 0x10, 0x00, 0x00 }, 6, 0, 0, 0, 0, -1, 1, 4, 0x1000 }, /* disp32(,%ecx,4) */
    { { 0x04, 0x25, 0xFC, 0xFF, 0xFF, 0xFF }, 6, 0, 0, 0, 0, -1, -1, 1, -4 },   /* disp32 via SIB */
    { { 0x44, 0x0D, 0x10 }, 3, 0, 0, 0, 0, 5, 1, 1, 0x10 },      /* 0x10(%ebp,%ecx) */
    { { 0x44, 0x24, 0x08 }, 3, 0, 0, 0, 0, 4, -1, 1, 8 },        /* 8(%esp) */
    { { 0x43, 0xF0 }, 2, 0, 0, 0, 0, 3, -1, 1, -16 },            /* -16(%ebx) */
    { { 0x45, 0x7F }, 2, 0, 0, 0, 0, 5, -1, 1, 127 },            /* 127(%ebp) */
    { { 0x86, 0x00, 0x00, 0x00, 0x80 }, 5, 0, 0, 0, 0, 6, -1, 1, INT32_MIN }, /* disp32(%esi) */
    { { 0x84, 0xC3, 0x04, 0x03, 0x02, 0x01 }, 6, 0, 0, 0, 0, 3, 0, 8, 0x01020304 },
    { { 0x85, 0x01, 0x00, 0x00, 0x00 }, 5, 0, 0, 0, 0, 5, -1, 1, 1 }, /* mod 2, rm 5: ebp */
    /* 16-bit: bx+si, bx+di, bp+si, bp+di, si, di, bp (disp16 alone), bx */
    { { 0x00 }, 1, 1, 0, 0, 0, 3, 6, 1, 0 },
    { { 0x01 }, 1, 1, 0, 0, 0, 3, 7, 1, 0 },
    { { 0x02 }, 1, 1, 0, 0, 0, 5, 6, 1, 0 },
    { { 0x03 }, 1, 1, 0, 0, 0, 5, 7, 1, 0 },
    { { 0x04 }, 1, 1, 0, 0, 0, 6, -1, 1, 0 },
    { { 0x05 }, 1, 1, 0, 0, 0, 7, -1, 1, 0 },
    { { 0x06, 0x34, 0x12 }, 3, 1, 0, 0, 0, -1, -1, 1, 0x1234 },
    { { 0x3F }, 1, 1, 7, 0, 0, 3, -1, 1, 0 },
    { { 0x04, 0x88 }, 1, 1, 0, 0, 0, 6, -1, 1, 0 },              /* no SIB with 67 */
    { { 0x46, 0xFE }, 2, 1, 0, 0, 0, 5, -1, 1, -2 },             /* -2(%bp) */
    { { 0x42, 0x10 }, 2, 1, 0, 0, 0, 5, 6, 1, 0x10 },
    { { 0x87, 0x00, 0x80 }, 3, 1, 0, 0, 0, 3, -1, 1, -32768 },   /* disp16 sign-extended */
    { { 0x96, 0xFF, 0x7F }, 3, 1, 2, 0, 0, 5, -1, 1, 0x7FFF },
    { { 0xD9 }, 1, 1, 3, 1, 1, -1, -1, 1, 0 },                   /* %cx */
};

static void test_modrm(void **state)
{
    struct x86_modrm m;
    (void)state;
    for (size_t i = 0; i < sizeof(modrm_cases) / sizeof(modrm_cases[0]); i++) {
        const struct modrm_case *c = &modrm_cases[i];
        memset(&m, 0x5A, sizeof(m));
        assert_int_equal(emul_modrm(c->b, c->len, c->addr16, &m), c->len);
        assert_int_equal(m.reg, c->reg);
        assert_int_equal(m.mod_reg, c->mod_reg);
        if (c->mod_reg)
            assert_int_equal(m.rm, c->rm);
        assert_int_equal(m.mem.addr16, c->addr16);
        assert_int_equal(m.mem.base, c->base);
        assert_int_equal(m.mem.index, c->index);
        assert_int_equal(m.mem.scale, c->scale);
        assert_int_equal(m.mem.disp, c->disp);
        for (unsigned n = 0; n < c->len; n++)                  /* truncated */
            assert_int_equal(emul_modrm(c->b, n, c->addr16, &m), 0);
        assert_int_equal(emul_modrm(c->b, sizeof(c->b), c->addr16, &m), c->len);
    }
    /* every ModRM (and SIB) byte: the length the SDM's tables give */
    for (unsigned b0 = 0; b0 < 256; b0++) {
        unsigned mod = b0 >> 6, rm = b0 & 7;
        for (unsigned sib = 0; sib < 256; sib++) {
            uint8_t b[8] = { (uint8_t)b0, (uint8_t)sib, 1, 2, 3, 4, 5, 6 };
            unsigned has_sib = mod != 3 && rm == 4;
            unsigned d = mod == 1 ? 1 : mod == 2 ? 4
                       : mod == 0 && (rm == 5 || (has_sib && (sib & 7) == 5)) ? 4 : 0;
            unsigned want = mod == 3 ? 1 : 1 + has_sib + d;
            assert_int_equal(emul_modrm(b, sizeof(b), 0, &m), want);
            assert_int_equal(emul_modrm(b, want - 1, 0, &m), 0);
            assert_int_equal(m.reg, (int)((b0 >> 3) & 7));
        }
        uint8_t b[3] = { (uint8_t)b0, 0x80, 0x80 };
        unsigned d16 = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
        assert_int_equal(emul_modrm(b, sizeof(b), 1, &m), mod == 3 ? 1 : 1 + d16);
        assert_int_equal(emul_modrm(b, mod == 3 ? 0 : d16, 1, &m), 0);
    }
}

static void test_effective_address(void **state)
{
    const uint32_t gpr[8] = { 0x1000, 0x20, 0x300, 0xFFFFF000u, 0x8000, 0x1F000, 0xFFFF, 0x2 };
    (void)state;
    struct x86_memop m = { 0, 0, 1, 4, 0x10 };                 /* 0x10(%eax,%ecx,4) */
    assert_int_equal(emul_effective_address(&m, gpr), 0x1000 + 0x80 + 0x10);
    m = (struct x86_memop){ 0, -1, -1, 1, 0x12345678 };        /* disp32 alone */
    assert_int_equal(emul_effective_address(&m, gpr), 0x12345678);
    m = (struct x86_memop){ 0, 3, 2, 8, 0x10 };                /* wraps at 2^32 */
    assert_int_equal(emul_effective_address(&m, gpr), (uint32_t)(0xFFFFF000u + 0x1800 + 0x10));
    m = (struct x86_memop){ 0, -1, 7, 2, -8 };                 /* -8(,%edi,2) */
    assert_int_equal(emul_effective_address(&m, gpr), (uint32_t)(4 - 8));
    m = (struct x86_memop){ 0, 5, -1, 1, -0x1000 };
    assert_int_equal(emul_effective_address(&m, gpr), 0x1E000);
    /* 16-bit: the low halves, the sum modulo 2^16 */
    m = (struct x86_memop){ 1, 3, 6, 1, 0x10 };                /* 0x10(%bx,%si) */
    assert_int_equal(emul_effective_address(&m, gpr), (0xF000 + 0xFFFF + 0x10) & 0xFFFF);
    m = (struct x86_memop){ 1, 5, 7, 1, -0x8000 };             /* (%bp,%di) - 0x8000 */
    assert_int_equal(emul_effective_address(&m, gpr), (0xF000 + 2 - 0x8000) & 0xFFFF);
    m = (struct x86_memop){ 1, -1, -1, 1, -2 };                /* disp16 alone */
    assert_int_equal(emul_effective_address(&m, gpr), 0xFFFE);
    m = (struct x86_memop){ 1, 6, -1, 1, 0 };
    assert_int_equal(emul_effective_address(&m, gpr), 0xFFFF);
}

static void test_cpuid_filter(void **state)
{
    uint32_t r[4];
    (void)state;
    emul_cpuid_filter(0x40000000u, 0, r, 0x30000);
    assert_int_equal(r[0], 0x40000002u);
    assert_memory_equal(&r[1], "XenVMMXenVMM", 12);
    emul_cpuid_filter(0x40000001u, 0, r, 0x30000);
    assert_int_equal(r[0], 0x30000);
    r[0] = 0; r[1] = 0; r[2] = 0xFFFFFFFFu; r[3] = 0xFFFFFFFFu;
    emul_cpuid_filter(1, 0, r, 0x30000);
    assert_true(r[2] & (1u << 31));                  /* hypervisor present */
    assert_false(r[2] & (1u << 5));                  /* no VMX */
    assert_false(r[3] & (1u << 13));                 /* no PGE */
    assert_false(r[3] & (1u << 1));                  /* no VME */
    assert_true(r[3] & (1u << 0));                   /* FPU kept */
    r[2] = 0xFFFFFFFFu;
    r[3] = 0xFFFFFFFFu;
    emul_cpuid_filter(0x80000001u, 0, r, 0x30000);
    assert_false(r[2] & (1u << 2));                  /* no SVM */
    assert_false(r[3] & (1u << 11));                 /* no SYSCALL: pv86 never enables it */
    assert_true(r[3] & (1u << 20));                  /* NX kept */
}

static void check_format(const char *fmt, ...)
{
    char ours[128], libc[128];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n1 = fmt_vsnprintf(ours, sizeof(ours), fmt, ap);
    int n2 = vsnprintf(libc, sizeof(libc), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    assert_string_equal(ours, libc);
    assert_int_equal(n1, n2);
}

static void test_format(void **state)
{
    char small[8];
    (void)state;
    check_format("plain");
    check_format("%d %i %u", -42, 7, 4000000000u);
    check_format("%x %X %08x %#x %#x", 0xbeefu, 0xbeefu, 0x12u, 0x1au, 0u + 5);
    check_format("[%5d] [%-5d] [%05d] [%-8s] [%8s]", 42, 42, -42, "ab", "cd");
    check_format("%.3s|%.*s|%c|%%", "abcdef", 2, "xyz", 'q');
    check_format("%lu %ld %llu %llx %zu", 123ul, -5l, 1ull << 40, 0xdeadbeefcafeull, (size_t)99);
    check_format("%s", "(null) is what we print, not libc's");
    /* Truncation: NUL-terminated, full length reported. */
    assert_int_equal(fmt_snprintf(small, sizeof(small), "%s", "0123456789"), 10);
    assert_string_equal(small, "0123456");
    assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

static void test_cmdline(void **state)
{
    size_t len;
    const char *v;
    (void)state;
    v = cmdline_value("test=ping peer=2 port=12", "port", &len);
    assert_non_null(v);
    assert_int_equal(len, 2);
    assert_memory_equal(v, "12", 2);
    v = cmdline_value("  name=pong  mem=32", "mem", &len);
    assert_non_null(v);
    assert_memory_equal(v, "32", len);
    assert_null(cmdline_value("memory=3 xmem=4", "mem", &len));   /* whole keys only */
    assert_null(cmdline_value("mem", "mem", &len));                /* no '=' */
    v = cmdline_value("name= x", "name", &len);
    assert_non_null(v);
    assert_int_equal(len, 0);
    assert_null(cmdline_value("", "name", &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_desc_not_present),
        cmocka_unit_test(test_desc_flat_fixups),
        cmocka_unit_test(test_desc_system),
        cmocka_unit_test(test_code_selectors),
        cmocka_unit_test(test_trap_entry),
        cmocka_unit_test(test_ring_rules),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_modrm),
        cmocka_unit_test(test_effective_address),
        cmocka_unit_test(test_cpuid_filter),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_cmdline),
    };
    return cmocka_run_group_tests_name("x86", tests, NULL, NULL);
}
