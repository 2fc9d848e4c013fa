/* Unit tests: pvguest's memory decisions (kernel/vm.c, pmm.c, exec.c) on
 * host memory, with a fake arch layer that writes page tables in place like
 * the native one and counts what the pv one would turn into hypercalls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/kernel.h"

#define NFRAMES 256
static uint8_t memory[NFRAMES][PAGE_SIZE] __attribute__((aligned(4096)));
static struct { unsigned sets, tables_new, tables_free, flush_all, flush_page, created,
                destroyed; } fake;

void *pfn_va(uint32_t pfn)
{
    assert_true(pfn > 0 && pfn < NFRAMES);
    return memory[pfn];
}

/* ---- the fake arch layer */
uint64_t arch_pte(uint32_t pfn, uint64_t flags) { return ((uint64_t)pfn << 12) | flags; }
uint32_t arch_pte_pfn(uint64_t pte) { return (uint32_t)((pte & 0x000FFFFFFFFFF000ull) >> 12); }
void arch_pt_set(uint64_t *entry, uint64_t value) { fake.sets++; *entry = value; }
void arch_pt_table_new(uint32_t pfn) { (void)pfn; fake.tables_new++; }
void arch_pt_table_free(uint32_t pfn) { (void)pfn; fake.tables_free++; }
void arch_pt_commit(uint32_t flush)
{
    if (flush == FLUSH_ALL)
        fake.flush_all++;
    else if (flush != FLUSH_NONE)
        fake.flush_page++;
}
void arch_as_create(uint32_t l3_pfn) { (void)l3_pfn; fake.created++; }
void arch_as_destroy(uint32_t l3_pfn) { (void)l3_pfn; fake.destroyed++; }
static uint32_t kernel_l2, boot_l2h;
void arch_vm_init(struct kernel_tables *kt)
{
    kernel_l2 = pmm_alloc();
    boot_l2h = pmm_alloc();             /* as the pv flavour: slot 3 in use */
    kt->l2_pfn = kernel_l2;
    kt->l2h_pfn = boot_l2h;
}
void kprintf(const char *fmt, ...) { (void)fmt; }
void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fail_msg("kernel panic");
    abort();
}
/* exec.c's program table: none here. */
const struct program program_table[1];
const uint32_t program_count = 0;

/* ---- helpers */
static uint32_t free_at_start;
static int setup(void **state)
{
    (void)state;
    static int once;
    if (!once) {
        pmm_add_range(1, NFRAMES);
        vm_init();
        once = 1;
    }
    memset(&fake, 0, sizeof(fake));
    free_at_start = pmm_free_count();
    return 0;
}

/* Every test leaves every frame it took back in the pool (once the kept
 * address-space roots are given back). */
static int teardown(void **state)
{
    (void)state;
    vm_trim();
    assert_int_equal(fake.destroyed, fake.created);
    assert_int_equal(pmm_free_count(), free_at_start);
    return 0;
}

static uint64_t pte_of(struct aspace *as, uint32_t va)
{
    uint64_t l2e = ((uint64_t *)pfn_va(as->l2_pfn))[(va >> 21) & 511];
    if (!(l2e & PTE_P))
        return 0;
    return ((uint64_t *)pfn_va(arch_pte_pfn(l2e)))[(va >> 12) & 511];
}

#define VA USER_MMAP_BASE

static void test_demand_zero(void **state)
{
    (void)state;
    struct aspace as;
    const char *why = NULL;
    assert_int_equal(vm_create(&as), 0);
    assert_int_equal(fake.created, 1);
    assert_int_equal(vm_map_region(&as, VA, VA + 4 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(pte_of(&as, VA), 0);
    assert_int_equal(vm_fault(&as, VA + 5, 0, &why), 0);
    uint64_t e = pte_of(&as, VA);
    assert_true((e & (PTE_P | PTE_U | PTE_RW)) == (PTE_P | PTE_U | PTE_RW));
    assert_int_equal(pmm_refs(arch_pte_pfn(e)), 1);
    uint8_t zero[PAGE_SIZE] = { 0 };
    assert_memory_equal(pfn_va(arch_pte_pfn(e)), zero, PAGE_SIZE);
    assert_int_equal(fake.flush_all + fake.flush_page, 0);   /* not present before */

    assert_int_equal(vm_fault(&as, VA + 4 * PAGE_SIZE, 0, &why), -1);
    assert_string_equal(why, "no mapping");
    assert_int_equal(vm_fault(&as, 0x1000, 0, &why), -1);
    assert_int_equal(vm_map_region(&as, VA + 4 * PAGE_SIZE, VA + 5 * PAGE_SIZE, PROT_READ), 0);
    assert_int_equal(vm_fault(&as, VA + 4 * PAGE_SIZE, 1, &why), -1);
    assert_string_equal(why, "write to read-only memory");
    assert_int_equal(vm_map_region(&as, VA, VA + PAGE_SIZE, PROT_READ), -EINVAL);  /* overlap */
    vm_destroy(&as);
    assert_int_equal(fake.destroyed, 0);              /* the root is kept */
    vm_trim();
    assert_int_equal(fake.destroyed, 1);
    assert_int_equal(fake.tables_free, fake.tables_new);
}

/* Every L3 has a slot-3 L2 of its own (Xen's PAE rule), made once: a root
 * is kept when its address space goes and serves the next one. */
static uint64_t l3e(const struct aspace *as, unsigned slot)
{
    return ((const uint64_t *)pfn_va(as->l3_pfn))[slot];
}

static void test_roots(void **state)
{
    (void)state;
    struct aspace a, b, c, many[10];
    assert_int_equal(vm_create(&a), 0);
    assert_int_equal(vm_create(&b), 0);
    assert_int_equal(fake.created, 2);
    assert_true(l3e(&a, 0) == arch_pte(kernel_l2, PTE_P));
    assert_true(l3e(&a, 1) == arch_pte(a.l2_pfn, PTE_P));
    assert_true((l3e(&a, 3) & PTE_P) && (l3e(&b, 3) & PTE_P));
    uint32_t a3 = arch_pte_pfn(l3e(&a, 3)), b3 = arch_pte_pfn(l3e(&b, 3));
    assert_true(a3 != b3 && a3 != boot_l2h && b3 != boot_l2h);
    assert_int_equal(pmm_refs(a3), 1);
    uint8_t zero[PAGE_SIZE] = { 0 };
    assert_memory_equal(pfn_va(a3), zero, PAGE_SIZE);   /* the hypervisor fills it */
    uint32_t a_l3 = a.l3_pfn;
    vm_destroy(&a);
    assert_int_equal(fake.destroyed, 0);
    assert_true(((uint64_t *)pfn_va(a_l3))[1] == 0);     /* slot 1 cleared */
    unsigned sets = fake.sets, news = fake.tables_new;
    assert_int_equal(vm_create(&c), 0);                  /* a's root again */
    assert_int_equal(c.l3_pfn, a_l3);
    assert_int_equal(arch_pte_pfn(l3e(&c, 3)), a3);
    assert_int_equal(fake.created, 2);                   /* no new pin */
    assert_int_equal(fake.sets - sets, 1);               /* slot 1 only */
    assert_int_equal(fake.tables_new - news, 1);         /* its user L2 */
    struct aspace child;                                 /* fork takes one too */
    assert_int_equal(vm_map_region(&c, VA, VA + PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    const char *why;
    assert_int_equal(vm_fault(&c, VA, 1, &why), 0);
    vm_destroy(&b);
    assert_int_equal(vm_clone(&child, &c), 0);
    assert_true(arch_pte_pfn(l3e(&child, 3)) == b3);
    assert_true(arch_pte_pfn(pte_of(&child, VA)) == arch_pte_pfn(pte_of(&c, VA)));
    vm_destroy(&child);
    vm_destroy(&c);
    /* The pool is bounded: past 8 kept roots, a root is given back. */
    for (unsigned i = 0; i < 10; i++)
        assert_int_equal(vm_create(&many[i]), 0);
    assert_int_equal(fake.created, 10);
    for (unsigned i = 0; i < 10; i++)
        vm_destroy(&many[i]);
    assert_int_equal(fake.destroyed, 2);
}

static void test_cow(void **state)
{
    (void)state;
    struct aspace parent, child;
    const char *why;
    assert_int_equal(vm_create(&parent), 0);
    assert_int_equal(vm_map_region(&parent, VA, VA + 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(vm_fault(&parent, VA, 1, &why), 0);
    assert_int_equal(vm_fault(&parent, VA + PAGE_SIZE, 1, &why), 0);
    uint32_t p0 = arch_pte_pfn(pte_of(&parent, VA)), p1 = arch_pte_pfn(pte_of(&parent, VA + PAGE_SIZE));
    memset(pfn_va(p0), 0x11, PAGE_SIZE);
    assert_int_equal(vm_protect(&parent, VA + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);

    fake.flush_all = 0;
    assert_int_equal(vm_clone(&child, &parent), 0);
    assert_int_equal(fake.flush_all, 1);                  /* the parent's PTEs changed */
    for (uint32_t va = VA; va < VA + 2 * PAGE_SIZE; va += PAGE_SIZE) {
        uint64_t pe = pte_of(&parent, va), ce = pte_of(&child, va);
        assert_true(pe == ce);
        assert_true((pe & (PTE_RW | PTE_COW)) == PTE_COW);
    }
    assert_int_equal(pmm_refs(p0), 2);

    /* The child writes: it gets a copy; the parent keeps the original. */
    assert_int_equal(vm_fault(&child, VA, 1, &why), 0);
    uint64_t ce = pte_of(&child, VA);
    uint32_t c0 = arch_pte_pfn(ce);
    assert_true(c0 != p0);
    assert_true((ce & (PTE_RW | PTE_COW)) == PTE_RW);
    assert_int_equal(((uint8_t *)pfn_va(c0))[100], 0x11);
    assert_int_equal(pmm_refs(p0), 1);
    /* The parent, now the only user, writes: no copy, just writable again. */
    assert_int_equal(vm_fault(&parent, VA, 1, &why), 0);
    assert_int_equal(arch_pte_pfn(pte_of(&parent, VA)), p0);
    assert_true((pte_of(&parent, VA) & (PTE_RW | PTE_COW)) == PTE_RW);
    /* The second page, read-only at the fork, is still shared. Made
     * writable in the child, it must still be copied on the first write. */
    assert_int_equal(pmm_refs(p1), 2);
    assert_int_equal(vm_protect(&child, VA + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_false(pte_of(&child, VA + PAGE_SIZE) & PTE_RW);
    assert_int_equal(vm_fault(&child, VA + PAGE_SIZE, 1, &why), 0);
    assert_true(arch_pte_pfn(pte_of(&child, VA + PAGE_SIZE)) != p1);
    assert_int_equal(pmm_refs(p1), 1);
    assert_int_equal(vm_fault(&parent, VA + PAGE_SIZE, 1, &why), -1);   /* still read-only */
    vm_destroy(&child);
    vm_destroy(&parent);
}

static void test_protect_and_unmap(void **state)
{
    (void)state;
    struct aspace as;
    const char *why;
    assert_int_equal(vm_create(&as), 0);
    assert_int_equal(vm_map_region(&as, VA, VA + 4 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(vm_fault(&as, VA + i * PAGE_SIZE, 1, &why), 0);
    uint32_t free_before = pmm_free_count();

    assert_int_equal(vm_protect(&as, VA + PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), 0);
    assert_true(pte_of(&as, VA) & PTE_RW);
    assert_false(pte_of(&as, VA + PAGE_SIZE) & PTE_RW);
    assert_false(pte_of(&as, VA + 2 * PAGE_SIZE) & PTE_RW);
    assert_true(pte_of(&as, VA + 3 * PAGE_SIZE) & PTE_RW);
    assert_int_equal(vm_fault(&as, VA + 2 * PAGE_SIZE, 1, &why), -1);
    assert_int_equal(vm_protect(&as, VA + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
    assert_false(pte_of(&as, VA + PAGE_SIZE) & PTE_U);
    assert_int_equal(vm_fault(&as, VA + PAGE_SIZE, 0, &why), -1);
    assert_string_equal(why, "access to PROT_NONE memory");
    assert_int_equal(vm_protect(&as, VA + 3 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), -ENOMEM);
    assert_int_equal(vm_protect(&as, VA + 1, PAGE_SIZE, PROT_READ), -EINVAL);
    assert_int_equal(vm_protect(&as, VA, PAGE_SIZE, 8), -EINVAL);

    assert_int_equal(vm_unmap_region(&as, VA + PAGE_SIZE, 2 * PAGE_SIZE), 0);
    assert_int_equal(pmm_free_count(), free_before + 2);
    assert_int_equal(pte_of(&as, VA + PAGE_SIZE), 0);
    assert_int_equal(vm_fault(&as, VA + PAGE_SIZE, 0, &why), -1);
    assert_string_equal(why, "no mapping");
    assert_int_equal(vm_fault(&as, VA + 3 * PAGE_SIZE, 1, &why), 0);   /* untouched */
    assert_int_equal(vm_unmap_region(&as, VA, 4 * PAGE_SIZE), 0);
    assert_int_equal(((uint64_t *)pfn_va(as.l2_pfn))[(VA >> 21) & 511], 0);   /* L1 freed */
    assert_int_equal(vm_unmap_region(&as, VA, 0), -EINVAL);
    assert_int_equal(vm_unmap_region(&as, 0x1000, PAGE_SIZE), -EINVAL);   /* kernel */
    vm_destroy(&as);
}

static void test_sbrk_and_mmap(void **state)
{
    (void)state;
    struct aspace as;
    uint32_t old;
    int err;
    assert_int_equal(vm_create(&as), 0);
    as.brk_start = as.brk = USER_BASE + 0x1800;               /* mid-page, as after ELF */
    assert_int_equal(vm_sbrk(&as, 0x1000, &old), 0);
    assert_int_equal(old, USER_BASE + 0x1800);
    assert_int_equal(as.brk, USER_BASE + 0x2800);
    assert_int_equal(vm_sbrk(&as, -0x2000, &old), -ENOMEM);   /* below the start */
    assert_int_equal(vm_sbrk(&as, 0x7fffffff, &old), -ENOMEM);
    assert_int_equal(vm_sbrk(&as, -0x1000, &old), 0);
    assert_int_equal(as.brk, as.brk_start);

    uint32_t a = vm_mmap(&as, 1, PROT_READ, &err);
    assert_int_equal(err, 0);
    assert_int_equal(a, USER_MMAP_BASE);
    uint32_t b = vm_mmap(&as, PAGE_SIZE + 1, PROT_READ | PROT_WRITE, &err);
    assert_int_equal(b, a + 2 * PAGE_SIZE);                   /* a guard page between */
    assert_int_equal(vm_mmap(&as, 0, PROT_READ, &err), 0);
    assert_int_equal(err, -EINVAL);
    assert_int_equal(vm_mmap(&as, 0x40000000, PROT_READ, &err), 0);
    assert_int_equal(err, -EINVAL);
    assert_int_equal(vm_unmap_region(&as, a, PAGE_SIZE), 0);
    assert_int_equal(vm_mmap(&as, PAGE_SIZE, PROT_READ, &err), a);   /* the hole is reused */
    assert_int_equal(vm_mmap(&as, PAGE_SIZE, PROT_READ, &err), b + 3 * PAGE_SIZE);
    vm_destroy(&as);
}

static void test_copy(void **state)
{
    (void)state;
    struct aspace as;
    char buf[3 * PAGE_SIZE], back[3 * PAGE_SIZE];
    assert_int_equal(vm_create(&as), 0);
    assert_int_equal(vm_map_region(&as, VA, VA + 3 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(vm_map_region(&as, VA + 4 * PAGE_SIZE, VA + 5 * PAGE_SIZE, PROT_READ), 0);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 7);
    assert_int_equal(copy_to_user(&as, VA + 10, buf, sizeof(buf) - 10), 0);
    assert_int_equal(copy_from_user(&as, back, VA + 10, sizeof(buf) - 10), 0);
    assert_memory_equal(buf, back, sizeof(buf) - 10);
    assert_int_equal(copy_to_user(&as, VA + 2 * PAGE_SIZE, buf, PAGE_SIZE + 1), -EFAULT);
    assert_int_equal(copy_to_user(&as, VA + 4 * PAGE_SIZE, buf, 1), -EFAULT);   /* read-only */
    assert_int_equal(vm_fill(&as, VA + 4 * PAGE_SIZE, "ro", 3), 0);              /* the loader may */
    assert_false(pte_of(&as, VA + 4 * PAGE_SIZE) & PTE_RW);
    char s[4];
    assert_int_equal(copy_string_from_user(&as, s, VA + 4 * PAGE_SIZE, sizeof(s)), 0);
    assert_string_equal(s, "ro");
    assert_int_equal(copy_to_user(&as, VA + 5 * PAGE_SIZE, "abcd", 4), -EFAULT);
    assert_int_equal(copy_string_from_user(&as, s, VA + 11, sizeof(s)), -E2BIG);
    assert_int_equal(copy_from_user(&as, back, 0x1000, 4), -EFAULT);
    assert_int_equal(copy_from_user(&as, back, USER_END - 2, 4), -EFAULT);
    vm_destroy(&as);
}

/* ---- the ELF loader */
struct image {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
    uint8_t payload[64];
};

static struct image good_image(void)
{
    struct image im;
    memset(&im, 0, sizeof(im));
    memcpy(im.ident, "\177ELF\1\1\1", 7);
    im.type = 2;
    im.machine = 3;
    im.entry = USER_BASE + 0x100;
    im.phoff = offsetof(struct image, p_type);
    im.phentsize = 32;
    im.phnum = 1;
    im.p_type = 1;
    im.p_offset = offsetof(struct image, payload);
    im.p_vaddr = USER_BASE + 0x100;
    im.p_filesz = sizeof(im.payload);
    im.p_memsz = 0x3000;
    im.p_flags = 7;
    memset(im.payload, 0xAB, sizeof(im.payload));
    return im;
}

static int load(struct image *im)
{
    struct aspace as;
    uint32_t entry = 0;
    assert_int_equal(vm_create(&as), 0);
    int rc = elf_load(&as, (const uint8_t *)im, sizeof(*im), &entry);
    if (rc == 0) {
        uint8_t b[2];
        assert_int_equal(entry, USER_BASE + 0x100);
        assert_int_equal(as.brk_start, USER_BASE + 0x4000);
        assert_int_equal(copy_from_user(&as, b, USER_BASE + 0x100 + 63, 2), 0);
        assert_int_equal(b[0], 0xAB);
        assert_int_equal(b[1], 0);                          /* bss */
    }
    vm_destroy(&as);
    return rc;
}

static void test_elf(void **state)
{
    (void)state;
    struct image im = good_image();
    assert_int_equal(load(&im), 0);
#define BAD(field, value) do { im = good_image(); im.field = value; \
        assert_int_equal(load(&im), -ENOEXEC); } while (0)
    BAD(ident[1], 'X');
    BAD(machine, 62);
    BAD(type, 3);
    BAD(phnum, 0);
    BAD(phnum, 4);                  /* headers 3 and 4 would lie past the end */
    BAD(phoff, 0xFFFFFFF0u);
    BAD(phentsize, 56);
    BAD(p_filesz, 0x4000);          /* more than memsz */
    BAD(p_offset, 0xFFFFFF00u);
    BAD(p_vaddr, 0x00400000);       /* the kernel's half */
    BAD(p_memsz, 0xFFFFFFF0u);      /* wraps */
    BAD(p_vaddr, USER_MMAP_BASE - 0x100);   /* reaches the mmap area */
    BAD(entry, USER_BASE + 0x10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_demand_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protect_and_unmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sbrk_and_mmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf, setup, teardown),
    };
    return cmocka_run_group_tests_name("kernel_vm", tests, NULL, NULL);
}
