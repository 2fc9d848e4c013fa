/* Unit tests: elf_xen_parse on images built here, good and bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
    return elf_xen_parse(b->img, b->size, 1u << XENFEAT_pae_pgdir_above_4gb, info, why);
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
    struct builder b;
    struct note n[NGOOD + 1];
    struct elf_xen_info info;
    const char *why;
    (void)state;
    memcpy(n, good_notes, sizeof(good_notes));
    n[NGOOD].type = XEN_ELFNOTE_FEATURES;
    n[NGOOD].desc = "!pae_pgdir_above_4gb|writable_page_tables|something_new";
    n[NGOOD].len = (uint32_t)strlen(n[NGOOD].desc) + 1;
    build(&b, n, NGOOD + 1, 0);
    assert_int_equal(parse(&b, &info, &why), 0);
    assert_int_equal(info.features_required, 1u << XENFEAT_pae_pgdir_above_4gb);
    assert_int_equal(info.features_wanted, 1u << XENFEAT_writable_page_tables);

    n[NGOOD].desc = "!writable_page_tables";
    n[NGOOD].len = (uint32_t)strlen(n[NGOOD].desc) + 1;
    build(&b, n, NGOOD + 1, 0);
    expect_refused(&b, "requires a feature");

    n[NGOOD].desc = "!no_such_feature";
    n[NGOOD].len = (uint32_t)strlen(n[NGOOD].desc) + 1;
    build(&b, n, NGOOD + 1, 0);
    expect_refused(&b, "requires a feature");

    assert_int_equal(elf_xen_feature_bit("dom0", 4), XENFEAT_dom0);
    assert_int_equal(elf_xen_feature_bit("dom", 3), -1);
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
        cmocka_unit_test(test_other_owners_ignored),
    };
    return cmocka_run_group_tests_name("elf_xen", tests, NULL, NULL);
}
