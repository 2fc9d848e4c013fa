/* Unit tests: the multiboot information block and module placement
 * (vm/mbinfo.c): where modules go, what does not fit, and the bytes of
 * the low area a multiboot kernel reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <multiboot/multiboot.h>

#include "vm/mbinfo.h"

static uint8_t low[MB_LOW_SIZE];
static uint32_t gpa[MB_MAX_MODULES + 1];
static struct mb_module mods[MB_MAX_MODULES + 1];

static const void *at(uint32_t g)
{
    assert_true(g >= MB_LOW_BASE && g < MB_LOW_END);
    return low + (g - MB_LOW_BASE);
}

static struct mb_guest guest(uint32_t kend, uint32_t pages, unsigned nmods)
{
    struct mb_guest g = { kend, pages, "", "k.elf a=1", mods, nmods };
    return g;
}

static void test_modules_page_aligned_above_the_kernel(void **state)
{
    (void)state;
    const char *why = NULL;
    uint64_t need, have;
    mods[0] = (struct mb_module){ "abc", 3, "m1 x y" };
    mods[1] = (struct mb_module){ "", 0, "empty" };
    mods[2] = (struct mb_module){ "z", 4097, "m3" };
    struct mb_guest g = guest(0x200123, 256 * 16, 3);
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), 0);
    assert_int_equal(gpa[0], 0x201000);
    assert_int_equal(gpa[1], 0x202000);      /* 3 bytes take a page */
    assert_int_equal(gpa[2], 0x202000);      /* an empty one none */
    g.kend = 0x201000;                       /* a kernel ending on a page */
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), 0);
    assert_int_equal(gpa[0], 0x201000);
}

static void test_what_does_not_fit_is_refused(void **state)
{
    (void)state;
    const char *why = NULL;
    uint64_t need = 0, have = 0;
    uint32_t ram = 16u << 20;
    mods[0] = (struct mb_module){ "", ram - 0x201000, "fills it" };
    struct mb_guest g = guest(0x200800, ram >> 12, 1);
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), 0);   /* to the last byte */
    mods[0].size++;
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), -1);
    assert_string_equal(why, "the kernel and its modules do not fit the guest's memory");
    assert_int_equal(need, (uint64_t)ram + 1);
    assert_int_equal(have, ram);
    /* Sizes that would wrap 32 bits: refused, never placed past RAM. */
    mods[0].size = 0xFFFFFFFFu;
    mods[1] = (struct mb_module){ "", 0xFFFFFFFFu, "huge" };
    mods[2] = (struct mb_module){ "", 16, "small" };
    g.nmods = 3;
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), -1);
    assert_true(need > ram);
    /* Too many modules for the list. */
    for (unsigned i = 0; i <= MB_MAX_MODULES; i++)
        mods[i] = (struct mb_module){ "", 0, "m" };
    g.nmods = MB_MAX_MODULES;
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), 0);
    g.nmods = MB_MAX_MODULES + 1;
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), -1);
    assert_string_equal(why, "more modules than the loader's list holds");
}

static void test_strings_must_fit_their_area(void **state)
{
    (void)state;
    static char big[MB_LOW_END - MB_STRINGS_GPA];
    const char *why = NULL;
    uint64_t need, have;
    /* The command line, the loader's name, NULs: exactly the area. */
    size_t fixed = 1 + sizeof(MB_LOADER_NAME);
    memset(big, 'a', sizeof(big) - fixed);
    big[sizeof(big) - fixed] = '\0';
    struct mb_guest g = guest(0x200000, 4096, 0);
    g.cmdline = big;
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), 0);
    mb_info_build(&g, gpa, low);             /* ASan: nothing past the area */
    big[sizeof(big) - fixed] = 'a';
    big[sizeof(big) - fixed + 1] = '\0';
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), -1);
    assert_int_equal(need, sizeof(big) + 1);
    assert_int_equal(have, sizeof(big));
}

static void test_the_block(void **state)
{
    (void)state;
    const char *why;
    uint64_t need, have;
    mods[0] = (struct mb_module){ "abc", 3, "m1.bin x y" };
    mods[1] = (struct mb_module){ "hello", 5, "m2" };
    struct mb_guest g = guest(0x200123, 128 * 256, 2);
    g.prefix = "kernel ";
    g.cmdline = "run=x";
    assert_int_equal(mb_info_plan(&g, gpa, &why, &need, &have), 0);
    memset(low, 0xAA, sizeof(low));
    mb_info_build(&g, gpa, low);
    const multiboot_info_t *mbi = at(MB_INFO_GPA);
    assert_int_equal(mbi->flags, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
                     MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME);
    assert_int_equal(mbi->mem_lower, 640);
    assert_int_equal(mbi->mem_upper, 127 * 1024);
    assert_string_equal(at(mbi->cmdline), "kernel run=x");
    assert_string_equal(at(mbi->boot_loader_name), "pv86");
    assert_int_equal(mbi->boot_device, 0);
    assert_int_equal(mbi->mods_count, 2);
    assert_int_equal(mbi->mods_addr, MB_MODS_GPA);
    const multiboot_module_t *m = at(mbi->mods_addr);
    assert_int_equal(m[0].mod_start, 0x201000);
    assert_int_equal(m[0].mod_end, 0x201003);
    assert_string_equal(at(m[0].cmdline), "m1.bin x y");
    assert_int_equal(m[1].mod_start, 0x202000);
    assert_int_equal(m[1].mod_end, 0x202005);
    assert_string_equal(at(m[1].cmdline), "m2");
    assert_int_equal(m[0].pad, 0);
    assert_int_equal(mbi->mmap_addr, MB_MMAP_GPA);
    assert_int_equal(mbi->mmap_length, 3 * 24);
    const multiboot_memory_map_t *e = at(mbi->mmap_addr);
    static const uint64_t want[3][3] = {
        { 0, 0xA0000, MULTIBOOT_MEMORY_AVAILABLE },
        { 0xA0000, 0x60000, MULTIBOOT_MEMORY_RESERVED },
        { 0x100000, (128u << 20) - 0x100000, MULTIBOOT_MEMORY_AVAILABLE },
    };
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(e[i].size, 20);
        assert_int_equal(e[i].addr, want[i][0]);
        assert_int_equal(e[i].len, want[i][1]);
        assert_int_equal(e[i].type, want[i][2]);
    }
    /* The areas do not overlap: the block, the map, the list, the strings. */
    assert_true(MB_INFO_GPA + sizeof(*mbi) <= MB_MMAP_GPA);
    assert_true(MB_MMAP_GPA + MB_MMAP_ENTRIES * sizeof(*e) <= MB_MODS_GPA);
    assert_true(MB_MODS_GPA + MB_MAX_MODULES * sizeof(*m) <= MB_STRINGS_GPA);
    assert_true(mbi->cmdline >= MB_STRINGS_GPA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modules_page_aligned_above_the_kernel),
        cmocka_unit_test(test_what_does_not_fit_is_refused),
        cmocka_unit_test(test_strings_must_fit_their_area),
        cmocka_unit_test(test_the_block),
    };
    return cmocka_run_group_tests_name("mbinfo", tests, NULL, NULL);
}
