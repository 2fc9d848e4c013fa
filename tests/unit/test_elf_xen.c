/* Unit tests: elf_xen_parse on images built here, good and bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/elfnote.h>
#include <pv86/version.h>
#include <pv86/xen.h>

#include "core/elf_xen.h"

#define IMG_SIZE 8192
#define BASE     0x00400000u

struct note { uint32_t type; const void *desc; uint32_t len; };

struct builder {
    uint8_t img[IMG_SIZE];
    size_t size;
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* Standard notes of a good guest. */
static const uint32_t hc_page = BASE + 0x1000, entry = BASE;
static struct note good_notes[] = {
    { XEN_ELFNOTE_XEN_VERSION, "xen-3.0", 8 },
    { XEN_ELFNOTE_LOADER, "generic", 8 },
    { XEN_ELFNOTE_PAE_MODE, "yes", 4 },
    { XEN_ELFNOTE_GUEST_OS, "test", 5 },
    { XEN_ELFNOTE_HYPERCALL_PAGE, &hc_page, 4 },
    { XEN_ELFNOTE_ENTRY, &entry, 4 },
};
#define NGOOD (sizeof(good_notes) / sizeof(good_notes[0]))

static size_t write_notes(uint8_t *p, const struct note *n, size_t count)
{
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        put32(p + off, 4);
        put32(p + off + 4, n[i].len);
        put32(p + off + 8, n[i].type);
        memcpy(p + off + 12, "Xen", 4);
        memcpy(p + off + 16, n[i].desc, n[i].len);
        off += 16 + ((n[i].len + 3) & ~3u);
    }
    return off;
}

/*
 * Layout: ehdr @0, 2 phdrs @52 (PT_LOAD, PT_NOTE or PT_NULL), notes @0x100,
 * the loadable bytes @0x1000 (0x1000 bytes), section headers @0x800 when
 * with_sections (null + SHT_NOTE).
 */
static size_t build(struct builder *b, const struct note *notes, size_t count,
                    int notes_as_sections)
{
    uint8_t *p = b->img;
    memset(b, 0, sizeof(*b));
    memcpy(p, "\177ELF", 4);
    p[4] = 1; p[5] = 1; p[6] = 1;
    put16(p + 16, 2);              /* ET_EXEC */
    put16(p + 18, 3);              /* EM_386 */
    put32(p + 20, 1);
    put32(p + 24, BASE);           /* e_entry */
    put32(p + 28, 52);             /* e_phoff */
    put16(p + 40, 52);
    put16(p + 42, 32);
    put16(p + 44, 2);              /* e_phnum */
    put16(p + 46, 40);             /* e_shentsize */
    size_t nlen = write_notes(p + 0x100, notes, count);
    uint8_t *ph = p + 52;
    put32(ph + 0, 1);              /* PT_LOAD */
    put32(ph + 4, 0x1000);
    put32(ph + 8, BASE);
    put32(ph + 12, BASE);
    put32(ph + 16, 0x1000);
    put32(ph + 20, 0x3000);        /* memsz: some bss */
    put32(ph + 24, 7);
    ph += 32;
    if (notes_as_sections) {
        put32(p + 32, 0x800);      /* e_shoff */
        put16(p + 48, 2);          /* e_shnum */
        uint8_t *sh = p + 0x800 + 40;
        put32(sh + 4, 7);          /* SHT_NOTE */
        put32(sh + 16, 0x100);
        put32(sh + 20, (uint32_t)nlen);
    } else {
        put32(ph + 0, 4);          /* PT_NOTE */
        put32(ph + 4, 0x100);
        put32(ph + 16, (uint32_t)nlen);
    }
    b->size = 0x2000;
    return b->size;
}

static int parse(struct builder *b, struct elf_xen_info *info, const char **why)
{
    return elf_xen_parse(b->img, b->size, ELF_XEN_LOADER_FEATURES, info, why);
}

/* The good notes plus one more. */
static void build_with(struct builder *b, uint32_t type, const void *desc, uint32_t len)
{
    struct note n[NGOOD + 1];
    memcpy(n, good_notes, sizeof(good_notes));
    n[NGOOD].type = type;
    n[NGOOD].desc = desc;
    n[NGOOD].len = len;
    build(b, n, NGOOD + 1, 0);
}

/* The good notes plus FEATURES s: parse's result. */
static int features(const char *s, struct elf_xen_info *info, const char **why)
{
    struct builder b;
    build_with(&b, XEN_ELFNOTE_FEATURES, s, (uint32_t)strlen(s) + 1);
    *why = NULL;
    return parse(&b, info, why);
}

static void test_good_image(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why = NULL;
    (void)state;
    build(&b, good_notes, NGOOD, 0);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.entry, BASE);
    assert_int_equal(info.virt_base, 0);
    assert_int_equal(info.paddr_offset, 0);
    assert_true(info.has_hypercall_page);
    assert_int_equal(info.hypercall_page, BASE + 0x1000);
    assert_int_equal(info.kstart, BASE);
    assert_int_equal(info.kend, BASE + 0x3000);
    assert_int_equal(info.nsegs, 1);
    assert_int_equal(info.segs[0].filesz, 0x1000);
    assert_int_equal(info.segs[0].memsz, 0x3000);
    assert_string_equal(info.guest_os, "test");
    assert_string_equal(info.pae_mode, "yes");
    assert_false(info.notes_from_sections);
}

static void test_notes_from_sections(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why = NULL;
    (void)state;
    build(&b, good_notes, NGOOD, 1);
    put32(b.img + 52 + 32, 0);        /* second phdr: PT_NULL */
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.notes_from_sections);
    assert_int_equal(info.hypercall_page, BASE + 0x1000);
}

static void expect_refused(struct builder *b, const char *reason_part)
{
    struct elf_xen_info info;
    const char *why = NULL;
    assert_int_equal(parse(b, &info, &why), -XEN_EINVAL);
    assert_non_null(why);
    if (!strstr(why, reason_part))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, reason_part);
}

static void test_truncated_everywhere(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why;
    (void)state;
    /* Any prefix shorter than the end of the notes must be refused, never
     * read past the buffer (the sanitizer build would catch that). */
    build(&b, good_notes, NGOOD, 0);
    for (size_t len = 0; len < 0x100 + 16; len++) {
        b.size = len;
        assert_int_not_equal(parse(&b, &info, &why), 0);
    }
    b.size = 0x1800;               /* notes present, PT_LOAD bytes cut */
    expect_refused(&b, "PT_LOAD segment outside the image");
}

static void test_not_elf(void **state)
{
    struct builder b;
    (void)state;
    build(&b, good_notes, NGOOD, 0);
    b.img[1] = 'X';
    expect_refused(&b, "not an ELF image");
    build(&b, good_notes, NGOOD, 0);
    b.img[4] = 2;                  /* ELFCLASS64 */
    expect_refused(&b, "32-bit");
    build(&b, good_notes, NGOOD, 0);
    put16(b.img + 16, 3);          /* ET_DYN */
    expect_refused(&b, "ET_EXEC");
}

static void test_bad_program_headers(void **state)
{
    struct builder b;
    (void)state;
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 28, 0xFFFFFFF0u);          /* e_phoff far away */
    expect_refused(&b, "program headers");
    build(&b, good_notes, NGOOD, 0);
    put16(b.img + 44, 0xFFFF);               /* e_phnum huge */
    expect_refused(&b, "program headers");
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 52 + 20, 0x100);           /* memsz < filesz */
    expect_refused(&b, "PT_LOAD");
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 52 + 8, 0xF5800000u - 0x1000); /* reaches the hypervisor */
    expect_refused(&b, "hypervisor area");
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 52 + 8, 0xFFFFF000u);      /* wraps around */
    expect_refused(&b, "hypervisor area");
}

static void test_bad_notes(void **state)
{
    struct builder b;
    (void)state;
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 0x100 + 4, 0x7FFFFFFF);    /* descsz past the segment */
    expect_refused(&b, "truncated ELF note");
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 0x100, 0xFFFFFFFD);        /* namesz that overflows when aligned */
    expect_refused(&b, "truncated ELF note");

    struct note unterminated[NGOOD];
    memcpy(unterminated, good_notes, sizeof(good_notes));
    unterminated[0].len = 7;                 /* "xen-3.0" without its NUL */
    build(&b, unterminated, NGOOD, 0);
    expect_refused(&b, "malformed");

    static const uint64_t big = 0x100000000ull;
    struct note wide[NGOOD];
    memcpy(wide, good_notes, sizeof(good_notes));
    wide[4].desc = &big;
    wide[4].len = 8;                         /* HYPERCALL_PAGE above 4 GiB */
    build(&b, wide, NGOOD, 0);
    expect_refused(&b, "malformed");
}

static void test_required_notes(void **state)
{
    struct builder b;
    struct note n[NGOOD];
    (void)state;
    build(&b, good_notes, 0, 0);
    expect_refused(&b, "no Xen ELF notes");

    memcpy(n, good_notes, sizeof(n));
    n[0].desc = "xen-2.0";
    build(&b, n, NGOOD, 0);
    expect_refused(&b, "XEN_VERSION");

    memcpy(n, good_notes, sizeof(n));
    n[1].desc = "linux";
    n[1].len = 6;
    build(&b, n, NGOOD, 0);
    expect_refused(&b, "LOADER");

    memcpy(n, good_notes, sizeof(n));
    n[2].desc = "no";
    n[2].len = 3;
    build(&b, n, NGOOD, 0);
    expect_refused(&b, "PAE");

    build(&b, good_notes, 2, 0);            /* no PAE_MODE note at all */
    expect_refused(&b, "PAE");
}

static void test_addresses_checked(void **state)
{
    struct builder b;
    struct note n[NGOOD];
    static const uint32_t outside = BASE + 0x10000, unaligned = BASE + 0x1004;
    (void)state;
    memcpy(n, good_notes, sizeof(n));
    n[4].desc = &unaligned;
    build(&b, n, NGOOD, 0);
    expect_refused(&b, "HYPERCALL_PAGE");
    n[4].desc = &outside;
    build(&b, n, NGOOD, 0);
    expect_refused(&b, "HYPERCALL_PAGE");
    memcpy(n, good_notes, sizeof(n));
    n[5].desc = &outside;
    build(&b, n, NGOOD, 0);
    expect_refused(&b, "entry point");

    /* No ENTRY note: e_entry is used. */
    struct elf_xen_info info;
    const char *why;
    build(&b, good_notes, NGOOD - 1, 0);
    put32(b.img + 24, BASE + 0x20);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.entry, BASE + 0x20);
}

static void test_features(void **state)
{
    struct elf_xen_info info;
    const char *why;
    (void)state;
    /* What Linux's 32-bit PV kernels carry: honoured, not refused. */
    assert_int_equal(features("!writable_page_tables|pae_pgdir_above_4gb", &info, &why), 0);
    assert_int_equal(info.features_required, 1u << XENFEAT_writable_page_tables);
    assert_int_equal(info.features_wanted, 1u << XENFEAT_pae_pgdir_above_4gb);
    assert_int_equal(features("!pae_pgdir_above_4gb|writable_page_tables|something_new|!dom0",
                              &info, &why), 0);
    assert_int_equal(info.features_required,
                     (1u << XENFEAT_pae_pgdir_above_4gb) | (1u << XENFEAT_dom0));
    assert_int_equal(info.features_wanted, 1u << XENFEAT_writable_page_tables);
    /* Optional names pv86 cannot provide, or Xen does not know: noted or ignored. */
    assert_int_equal(features("auto_translated_physmap|hvm_safe_pvclock||", &info, &why), 0);
    assert_int_equal(info.features_required, 0);
    assert_int_equal(info.features_wanted, 1u << XENFEAT_auto_translated_physmap);

    /* Required and known, but not something pv86 can do: named. */
    static const char *const cannot[] = {
        "writable_descriptor_tables", "auto_translated_physmap", "supervisor_mode_kernel",
        "hvm_callback_vector",
    };
    for (unsigned i = 0; i < 4; i++) {
        char s[80], want[128];
        snprintf(s, sizeof(s), "pae_pgdir_above_4gb|!%s", cannot[i]);
        snprintf(want, sizeof(want), "it requires feature %s, which pv86 does not offer",
                 cannot[i]);
        assert_int_equal(features(s, &info, &why), -XEN_EOPNOTSUPP);
        assert_string_equal(why, want);
    }
    /* Required and unknown to Xen's loader (its table has seven names):
     * refused as Xen refuses it, even where pv86 reports the feature. */
    assert_int_equal(features("!mmu_pt_update_preserve_ad", &info, &why), -XEN_EOPNOTSUPP);
    assert_string_equal(why, "it requires feature mmu_pt_update_preserve_ad, which Xen's "
                             "loader does not know");
    assert_int_equal(features("!", &info, &why), -XEN_EOPNOTSUPP);
    assert_string_equal(why, "it requires feature , which Xen's loader does not know");
    /* Names are cut at 63 characters as Xen cuts them: the rest is a name
     * of its own. */
    char longname[100];
    memset(longname, 'x', sizeof(longname));
    memcpy(longname, "!writable_page_tables", 21);
    memset(longname + 21, ' ', 42);           /* 63 characters, then "dom0" */
    memcpy(longname + 63, "dom0", 5);
    assert_int_equal(features(longname, &info, &why), -XEN_EOPNOTSUPP);
    assert_non_null(strstr(why, "writable_page_tables   "));
    memcpy(longname, "xxxxxxxxxxxxxxxxxxxxx", 21);   /* optional junk, then dom0 */
    assert_int_equal(features(longname, &info, &why), 0);
    assert_int_equal(info.features_wanted, 1u << XENFEAT_dom0);

    assert_int_equal(elf_xen_feature_bit("dom0", 4), XENFEAT_dom0);
    assert_int_equal(elf_xen_feature_bit("dom", 3), -1);
    assert_int_equal(elf_xen_feature_bit("mmu_pt_update_preserve_ad", 25), -1);
}

static void test_hv_start_low(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why;
    (void)state;
    /* Linux's value, and anything at or below it after rounding up to 2 MiB. */
    static const uint64_t ok_vals[] = { 0xF5800000u, 0xF5600001u, 0xC0000000u, 0,
                                        0xFFFFFFFFFFF00000ull /* wraps, as in Xen */ };
    for (unsigned i = 0; i < 5; i++) {
        build_with(&b, XEN_ELFNOTE_HV_START_LOW, &ok_vals[i], 8);
        assert_int_equal(parse(&b, &info, &why), 0);
        assert_true(info.has_hv_start_low);
        assert_true(info.hv_start_low == ok_vals[i]);
        assert_int_equal(elf_xen_check_initial(&info, &why), 0);
    }
    static const uint64_t high[] = { 0xF5800001u, 0xF5A00000u, 0x100000000ull };
    for (unsigned i = 0; i < 3; i++) {
        build_with(&b, XEN_ELFNOTE_HV_START_LOW, &high[i], 8);
        assert_int_equal(parse(&b, &info, &why), 0);      /* a domU ignores it */
        assert_int_equal(elf_xen_check_initial(&info, &why), -XEN_EINVAL);
        assert_string_equal(why, "HV_START_LOW expects the hypervisor above 0xf5800000");
    }
    build(&b, good_notes, NGOOD, 0);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_false(info.has_hv_start_low);
    assert_int_equal(elf_xen_check_initial(&info, &why), 0);
}

static void test_supported_features(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why;
    (void)state;
    /* Xen's dom0 builder: a SUPPORTED_FEATURES note without dom0 refuses
     * the kernel as the initial domain; a domU's builder does not look. */
    static const uint32_t without = 1u << XENFEAT_writable_page_tables,
                          with = (1u << XENFEAT_dom0) | 1u;
    build_with(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, &without, 4);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.has_supported);
    assert_int_equal(info.supported_features, without);
    assert_int_equal(elf_xen_check_initial(&info, &why), -XEN_EINVAL);
    assert_string_equal(why, "its SUPPORTED_FEATURES note lacks dom0: the kernel does not "
                             "support running as the initial domain");
    build_with(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, &with, 4);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(elf_xen_check_initial(&info, &why), 0);
    build_with(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, &with, 2);   /* too short: no bits */
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(elf_xen_check_initial(&info, &why), -XEN_EINVAL);
}

static void test_ignored_notes(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why;
    (void)state;
    /* INIT_P2M: refused inside the image, else ignored (32-bit). */
    static const uint32_t inside = BASE + 0x2000, below = 0x100000, above = 0x40000000;
    build_with(&b, XEN_ELFNOTE_INIT_P2M, &inside, 4);
    expect_refused(&b, "INIT_P2M lies inside the image");
    build_with(&b, XEN_ELFNOTE_INIT_P2M, &below, 4);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.has_init_p2m);
    build_with(&b, XEN_ELFNOTE_INIT_P2M, &above, 4);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.init_p2m, above);
    /* L1_MFN_VALID: (mask, value) pairs Xen's builders never look at. */
    static const uint64_t pair[2] = { 1, 1 };
    build_with(&b, XEN_ELFNOTE_L1_MFN_VALID, pair, 16);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.l1_mfn_valid);
    /* SUSPEND_CANCEL and MOD_START_PFN: numbers; odd sizes read as 0. */
    static const uint32_t one = 1;
    static const uint8_t three[3] = { 1, 1, 1 };
    build_with(&b, XEN_ELFNOTE_SUSPEND_CANCEL, &one, 4);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.suspend_cancel);
    build_with(&b, XEN_ELFNOTE_SUSPEND_CANCEL, three, 3);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_false(info.suspend_cancel);
    build_with(&b, XEN_ELFNOTE_MOD_START_PFN, &one, 1);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.mod_start_pfn);
    build(&b, good_notes, NGOOD, 0);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_false(info.mod_start_pfn);
    assert_false(info.suspend_cancel);
    assert_false(info.bsd_symtab);
    assert_int_equal(info.virt_kend, info.kend);
}

/* The BSD_SYMTAB image: the good notes, the note, section headers at
 * 0x800 (null, .symtab at 0x600, .strtab at 0x700). */
static void build_symtab(struct builder *b, const char *yes)
{
    build_with(b, XEN_ELFNOTE_BSD_SYMTAB, yes, (uint32_t)strlen(yes) + 1);
    put32(b->img + 32, 0x800);
    put16(b->img + 48, 3);
    uint8_t *sh = b->img + 0x800 + 40;
    put32(sh + 4, 2);           /* SHT_SYMTAB */
    put32(sh + 16, 0x600);
    put32(sh + 20, 34);         /* two symbols and a bit, to see the alignment */
    put32(sh + 24, 2);          /* sh_link: the strtab */
    put32(sh + 28, 1);
    put32(sh + 36, 16);
    sh += 40;
    put32(sh + 4, 3);           /* SHT_STRTAB */
    put32(sh + 16, 0x700);
    put32(sh + 20, 10);
    for (int i = 0; i < 34; i++)
        b->img[0x600 + i] = (uint8_t)(i + 1);
    memcpy(b->img + 0x700, "\0_start\0x", 10);
}

struct sink { uint8_t buf[1024]; uint32_t hi; };

static void sink_put(void *ctx, uint32_t off, const void *src, uint32_t len)
{
    struct sink *s = ctx;
    assert_true(off + len <= sizeof(s->buf));
    memcpy(s->buf + off, src, len);
    if (off + len > s->hi)
        s->hi = off + len;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static void test_bsd_symtab(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why;
    (void)state;
    build_symtab(&b, "yes");
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_true(info.bsd_symtab);
    assert_int_equal(info.kend, BASE + 0x3000);
    assert_int_equal(info.symtab_start, BASE + 0x3000);
    /* size word, ELF header, 3 section headers, .symtab at 260 (34 bytes,
     * rounded to 36), .strtab at 296 (10 bytes): 306, rounded to 308. */
    assert_int_equal(info.virt_kend, BASE + 0x3000 + 308);

    struct sink s;
    memset(&s, 0, sizeof(s));
    elf_xen_write_symtab(&info, b.img, sink_put, &s);
    assert_int_equal(s.hi, 306);
    assert_int_equal(get32(s.buf), 302);                 /* from the ELF header to the end */
    const uint8_t *eh = s.buf + 4;
    assert_memory_equal(eh, "\177ELF", 4);
    assert_int_equal(get16(eh + 16), 2);                 /* e_type as the image's */
    assert_int_equal(get32(eh + 24), BASE);              /* e_entry as the image's */
    assert_int_equal(get32(eh + 28), 0);                 /* e_phoff */
    assert_int_equal(get32(eh + 32), 64);                /* e_shoff */
    assert_int_equal(get16(eh + 40), 52);                /* e_ehsize */
    assert_int_equal(get16(eh + 42), 0);                 /* e_phentsize */
    assert_int_equal(get16(eh + 44), 0);                 /* e_phnum */
    assert_int_equal(get16(eh + 46), 40);                /* e_shentsize */
    assert_int_equal(get16(eh + 48), 3);                 /* e_shnum */
    assert_int_equal(get16(eh + 50), 0);                 /* e_shstrndx */
    static const uint8_t zero[40];
    assert_memory_equal(s.buf + 56, zero, 12);           /* header padding */
    assert_memory_equal(s.buf + 68, zero, 40);           /* section 0 */
    const uint8_t *sym = s.buf + 108, *str = s.buf + 148;
    assert_int_equal(get32(sym + 4), 2);
    assert_int_equal(get32(sym + 16), 256);              /* from the ELF header */
    assert_int_equal(get32(sym + 20), 34);
    assert_int_equal(get32(sym + 24), 2);
    assert_int_equal(get32(sym + 36), 16);
    assert_int_equal(get32(str + 4), 3);
    assert_int_equal(get32(str + 16), 292);
    assert_int_equal(get32(str + 20), 10);
    assert_memory_equal(s.buf + 260, b.img + 0x600, 34);
    assert_memory_equal(s.buf + 296, "\0_start\0x", 10);

    /* Not "yes", no symtab, a bad link, or a strtab that is not one:
     * nothing is loaded, as in Xen. */
    build_symtab(&b, "no");
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.symtab_start, 0);
    assert_int_equal(info.virt_kend, info.kend);
    build_symtab(&b, "yes");
    put32(b.img + 0x800 + 40 + 24, 7);                   /* link past the headers */
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.symtab_start, 0);
    build_symtab(&b, "yes");
    put32(b.img + 0x800 + 80 + 4, 1);                    /* the link is PROGBITS */
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.symtab_start, 0);
    memset(&s, 0, sizeof(s));
    elf_xen_write_symtab(&info, b.img, sink_put, &s);
    assert_int_equal(s.hi, 0);
    /* Tables outside the image, or a size that would wrap: refused. */
    build_symtab(&b, "yes");
    put32(b.img + 0x800 + 40 + 20, 0xFFFFFFF0u);
    expect_refused(&b, "BSD_SYMTAB");
    build_symtab(&b, "yes");
    put32(b.img + 0x800 + 80 + 16, 0x1FFF);
    expect_refused(&b, "BSD_SYMTAB");
    /* INIT_P2M is checked against the end with the symbol table. */
    (void)info;
}

static void test_other_owners_ignored(void **state)
{
    struct builder b;
    struct elf_xen_info info;
    const char *why;
    (void)state;
    build(&b, good_notes, NGOOD, 0);
    /* Rename the first note's owner: the XEN_VERSION note then is not ours. */
    memcpy(b.img + 0x100 + 12, "GNU", 4);
    expect_refused(&b, "XEN_VERSION");
    build(&b, good_notes, NGOOD, 0);
    put32(b.img + 0x100 + 8, 99);            /* unknown Xen note type: ignored */
    expect_refused(&b, "XEN_VERSION");       /* ...so XEN_VERSION is missing */
    (void)info, (void)why;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_image),
        cmocka_unit_test(test_notes_from_sections),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_bad_program_headers),
        cmocka_unit_test(test_bad_notes),
        cmocka_unit_test(test_required_notes),
        cmocka_unit_test(test_addresses_checked),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_hv_start_low),
        cmocka_unit_test(test_supported_features),
        cmocka_unit_test(test_ignored_notes),
        cmocka_unit_test(test_bsd_symtab),
        cmocka_unit_test(test_other_owners_ignored),
    };
    return cmocka_run_group_tests_name("elf_xen", tests, NULL, NULL);
}
