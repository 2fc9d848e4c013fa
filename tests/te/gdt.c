/*
 * gdt: tetest's GDT of the architectural 64 KiB (limit 0xFFFF, 8192
 * descriptors; SDM Vol. 3, 3.5.1), run after the other parts (paging on,
 * an identity map). Descriptors at 0x8000 and 0xFFF8 and past 512
 * entries, loaded into FS, GS, SS and CS; a descriptor written after lgdt,
 * seen at its load (the CPU reads the GDT at every load); a smaller limit:
 * #GP(selector) just past it, and nothing left of the larger table; the
 * entries where te keeps the hypervisor's own (0xe008, 0xe010, 0xe038,
 * 0xe040) and those where pv keeps its flat ones (0xe018-0xe030); SGDT;
 * and the last page of this image, past 16 MiB.
 */
#include <stdint.h>

#include "tetest.h"

struct gdtr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static uint64_t big[8192] __attribute__((aligned(4096)));
volatile struct gdtr gdtr_big, gdtr_small, gdtr_boot, gdtr_read;
volatile uint32_t gdt_val, gdt_sel;
static volatile uint32_t m8000 = 0x80008000u, mfff8 = 0xfff8fff8u, m9000 = 0x90009000u,
                         me020 = 0xe020e020u, m7f8 = 0x07f807f8u;
/* The image's last page: past 16 MiB (linker.ld), zero as the loader
 * leaves what the ELF file does not hold. */
static volatile uint32_t tail[1024] __attribute__((section(".tail"), aligned(4096)));

#define DATA0 0x92                      /* present, DPL 0, data, writable */
#define CODE0 0x9A                      /* present, DPL 0, code, readable */

static int has_umip(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    if (a < 7)
        return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    return (c >> 2) & 1;
}

/* Load selector sel into FS and read FS:0 into gdt_val: the vector (-1
 * if none) with the error code in got_error. */
static int read_fs(uint16_t sel)
{
    gdt_sel = sel;
    gdt_val = 0;
    return TRY("movl gdt_sel, %eax\n\tmovw %ax, %fs\n\tmovl %fs:0, %eax\n\t"
               "movl %eax, gdt_val\n\txorl %eax, %eax\n\tmovw %ax, %fs");
}

static int gp_sel(int vec, uint32_t sel) { return vec == 13 && got_error == sel; }

/* result(), and what happened when not ok. */
static void check(int ok, int vec, const char *name)
{
    result(ok, name);
    if (ok)
        return;
    puts_("# vector ");
    putx((uint32_t)vec);
    puts_(" error ");
    putx(got_error);
    puts_(" value ");
    putx(gdt_val);
    puts_("\n");
}

static void sgdt_check(uint16_t limit, const void *base, int umip, const char *with_umip,
                       const char *without)
{
    __asm__ volatile("sgdt gdtr_read" ::: "memory");
    if (umip)
        result(gdtr_read.limit == limit && gdtr_read.base == (uint32_t)base, with_umip);
    else    /* sensitive, not privileged: the machine's GDTR (te's, 16 pages) */
        result(gdtr_read.limit == 0xFFFF && gdtr_read.base == 0xFFE04000u, without);
}

static void ring2_nothing(void) {}

void test_gdt(void)
{
    int umip = has_umip();
    for (unsigned i = 0; i < 8; i++)
        big[i] = gdt[i];
    big[0x8000 >> 3] = seg_desc((uint32_t)&m8000, 0xFFFFF, DATA0);
    big[0xFFF8 >> 3] = seg_desc((uint32_t)&mfff8, 0xFFFFF, DATA0);
    big[0xFFF0 >> 3] = seg_desc(0, 0xFFFFF, CODE0);
    big[0xC000 >> 3] = seg_desc(0, 0xFFFFF, DATA0);
    big[0xe020 >> 3] = seg_desc((uint32_t)&me020, 0xFFFFF, DATA0);
    big[0x7F8 >> 3] = seg_desc((uint32_t)&m7f8, 0xFFFFF, DATA0);
    big[0x800 >> 3] = seg_desc(0, 0xFFFFF, DATA0);
    gdtr_big.limit = 0xFFFF;
    gdtr_big.base = (uint32_t)big;
    gdtr_small.limit = 0x7FF;
    gdtr_small.base = (uint32_t)big;
    gdtr_boot.limit = 8 * 8 - 1;
    gdtr_boot.base = (uint32_t)gdt;

    int v = TRY("lgdt gdtr_big");
    check(v == -1, v, "lgdt of a 64 KiB GDT (limit 0xffff, 8192 descriptors)");
    sgdt_check(0xFFFF, big, umip, "sgdt (UMIP: emulated) reads back the guest's limit 0xffff and base",
               "sgdt without UMIP runs on the CPU: the machine's GDTR (0xffe04000, limit 0xffff)");
    v = read_fs(0x8000);
    check(v == -1 && gdt_val == m8000, v, "FS = 0x8000 (entry 4096): its base is used");
    v = read_fs(0xFFF8);
    check(v == -1 && gdt_val == mfff8, v, "FS = 0xfff8 (the last entry): its base is used");
    gdt_val = 0;
    v = TRY("movw %gs, %bx\n\tmovw $0xFFF8, %ax\n\tmovw %ax, %gs\n\tmovl %gs:0, %eax\n\t"
            "movl %eax, gdt_val\n\tmovw %bx, %gs");
    check(v == -1 && gdt_val == mfff8, v, "GS = 0xfff8: its base is used");
    gdt_val = 0;
    v = TRY("ljmp $0xFFF0, $1f\n1:\n\tmovl $0x77, gdt_val\n\tljmp $0x08, $2f\n2:");
    check(v == -1 && gdt_val == 0x77, v, "ljmp to code segment 0xfff0 and back to 0x08");
    gdt_val = 0;
    v = TRY("movw %ss, %bx\n\tmovw $0xC000, %ax\n\tmovw %ax, %ss\n\tmovl $0x55, gdt_val\n\t"
            "movw %bx, %ss");
    check(v == -1 && gdt_val == 0x55, v, "SS = 0xc000 (entry 6144), then back");
    /* An interrupt from ring 2 switches to the TSS's SS0: 0xd000, never
     * loaded before (the CPU reads its descriptor then). */
    big[0xD000 >> 3] = seg_desc(0, 0xFFFFF, DATA0);
    set_tss_ss0(0xD000);
    run_ring2(ring2_nothing);
    uint32_t ss;
    __asm__ volatile("movl %%ss, %0" : "=r"(ss));
    set_tss_ss0(0x10);
    __asm__ volatile("movl %0, %%ss" :: "r"(0x10) : "memory");
    check((ss & 0xFFFC) == 0xD000, (int)ss, "int from ring 2 onto the TSS's SS0 0xd000, loaded there first");
    big[0x9000 >> 3] = seg_desc((uint32_t)&m9000, 0xFFFFF, DATA0);
    v = read_fs(0x9000);
    check(v == -1 && gdt_val == m9000, v, "a descriptor written after lgdt is seen at its load");
    v = read_fs(0xe008);
    check(gp_sel(v, 0xe008), v, "FS = 0xe008, a null entry (the hypervisor's code under te): #GP(0xe008)");
    v = read_fs(0xe010);
    check(gp_sel(v, 0xe010), v, "FS = 0xe010, a null entry (the hypervisor's data under te): #GP(0xe010)");
    v = read_fs(0xe020);
    check(v == -1 && gdt_val == me020, v, "FS = 0xe020 (pv's flat ring-1 data): the guest's own descriptor");

    v = TRY("lgdt gdtr_small");
    check(v == -1, v, "lgdt of the same table with limit 0x7ff (256 descriptors)");
    v = read_fs(0x7F8);
    check(v == -1 && gdt_val == m7f8, v, "FS = 0x7f8, the last entry within the limit");
    v = read_fs(0x800);
    check(gp_sel(v, 0x800), v, "FS = 0x800, just past the limit: #GP(0x800)");
    v = read_fs(0x8000);
    check(gp_sel(v, 0x8000), v, "FS = 0x8000, loaded before under the larger limit: #GP(0x8000)");
    v = read_fs(0xe008);
    check(gp_sel(v, 0xe008), v, "FS = 0xe008, past the limit: #GP(0xe008)");
    sgdt_check(0x7FF, big, umip, "sgdt (UMIP: emulated) reads back the limit 0x7ff",
               "sgdt without UMIP: still the machine's GDTR");

    v = TRY("lgdt gdtr_boot\n\tljmp $0x08, $1f\n1:\n\tmovl $0x10, %eax\n\tmovl %eax, %ds\n\t"
            "movl %eax, %es\n\tmovl %eax, %ss");
    check(v == -1, v, "lgdt of the 8-entry GDT again");
    uint32_t sum = 0;
    for (unsigned i = 0; i < 1024; i++)
        sum |= tail[i];
    tail[1023] = 0x16161616u;
    result(sum == 0 && tail[1023] == 0x16161616u && (uint32_t)tail >= 0x1000000u,
           "the image's last page, past 16 MiB, is there and zero");
}

void gdt_reserved(void)
{
    for (unsigned i = 0; i < 8; i++)
        big[i] = gdt[i];
    big[0xe010 >> 3] = seg_desc(0, 0xFFFFF, DATA0);
    gdtr_big.limit = 0xFFFF;
    gdtr_big.base = (uint32_t)big;
    __asm__ volatile("lgdt gdtr_big" ::: "memory");
    puts_("tetest: loading 0xe010, the guest's own descriptor there\n");
    __asm__ volatile("movw $0xe010, %%ax\n\tmovw %%ax, %%fs" ::: "eax", "memory");
    puts_("not ok - FS = 0xe010 was let through\n");
}
