/*
 * gdt_hostile: tetest's "gdt-hostile" part, a guest kernel that reaches
 * for the hypervisor through te's shadow GDT (paging off, right after
 * boot). With a 64 KiB GDT whose own entries at the hypervisor's four
 * slots (0xe008 code, 0xe010 data, 0xe038 TSS, 0xe040 LDT) are null, every
 * way of loading one fails as the CPU fails a null entry, #GP(selector):
 * a far jump, an lret and an iret to it (te emulates those at the guest's
 * CPL 0), SS, DS, ltr. A descriptor changed in the guest's table and the
 * same table loaded again is seen (nothing stale stays in the shadow), and
 * a GDT based near 4 GiB wraps to low memory as the CPU's linear address
 * does. "gdt-unmapped" (gdt_unmapped) reads a descriptor past the guest's
 * memory: te ends that domain alone with a clear line.
 */
#include <stdint.h>

#include "tetest.h"

struct gdtr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static uint64_t table[8192] __attribute__((aligned(4096)));
volatile struct gdtr hgdtr;
volatile uint32_t h_val, h_sel;
static volatile uint32_t h_marker = 0x4e4f4e45u, h_low_marker = 0x4c4f5721u;

#define DATA0 0x92                      /* present, DPL 0, data, writable */
#define DATA0_NP 0x12                   /* the same, not present */

static int gp_sel(int vec, uint32_t sel) { return vec == 13 && got_error == sel; }

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
    putx(h_val);
    puts_("\n");
}

static void load(uint32_t base, uint16_t limit)
{
    hgdtr.base = base;
    hgdtr.limit = limit;
    __asm__ volatile("lgdt hgdtr" ::: "memory");
}

/* FS = h_sel, then FS:0 into h_val (FS back to null): the vector or -1. */
static int read_fs(uint16_t sel)
{
    h_sel = sel;
    h_val = 0;
    return TRY("movl h_sel, %eax\n\tmovw %ax, %fs\n\tmovl %fs:0, %eax\n\t"
               "movl %eax, h_val\n\txorl %eax, %eax\n\tmovw %ax, %fs");
}

void test_gdt_hostile(void)
{
    for (unsigned i = 0; i < 8; i++)
        table[i] = gdt[i];
    table[0x8000 >> 3] = seg_desc((uint32_t)&h_marker, 0xFFFFF, DATA0);
    load((uint32_t)table, 0xFFFF);

    int v = TRY("ljmp $0xe008, $1f\n1:");
    check(gp_sel(v, 0xe008), v, "ljmp to 0xe008 (the hypervisor's code under te): #GP(0xe008)");
    v = TRY("pushl $0xe008\n\tpushl $1f\n\tlret\n1:");
    check(gp_sel(v, 0xe008), v, "lret to 0xe008: #GP(0xe008)");
    v = TRY("pushl $0xe00b\n\tpushl $1f\n\tlret\n1:");
    check(gp_sel(v, 0xe008), v, "lret to 0xe00b (RPL 3): #GP(0xe008)");
    v = TRY("pushfl\n\tpushl $0xe008\n\tpushl $1f\n\tiret\n1:");
    check(gp_sel(v, 0xe008), v, "iret to 0xe008: #GP(0xe008)");
    v = TRY("movw %ss, %bx\n\tmovw $0xe010, %ax\n\tmovw %ax, %ss\n\tmovw %bx, %ss");
    check(gp_sel(v, 0xe010), v, "SS = 0xe010 (the hypervisor's data under te): #GP(0xe010)");
    v = TRY("movw %ds, %bx\n\tmovw $0xe013, %ax\n\tmovw %ax, %ds\n\tmovw %bx, %ds");
    check(gp_sel(v, 0xe010), v, "DS = 0xe013: #GP(0xe010)");
    v = TRY("movw $0xe038, %ax\n\tltr %ax");
    check(gp_sel(v, 0xe038), v, "ltr 0xe038 (the hypervisor's TSS under te): #GP(0xe038)");
    v = read_fs(0xe040);
    check(gp_sel(v, 0xe040), v, "FS = 0xe040 (the hypervisor's LDT slot): #GP(0xe040)");

    v = read_fs(0x8000);
    check(v == -1 && h_val == h_marker, v, "FS = 0x8000: its base is used");
    table[0x8000 >> 3] = seg_desc((uint32_t)&h_marker, 0xFFFFF, DATA0_NP);
    load((uint32_t)table, 0xFFFF);
    v = read_fs(0x8000);
    check(v == 11 && got_error == 0x8000, v,
          "0x8000 made not present, the same table loaded again: #NP(0x8000)");

    /* Base 0xfffffff8, limit 0x1f: entries 1-3 lie at linear 0x0-0x17,
     * low memory: the boot code and data descriptors, then one based on
     * h_low_marker (selector 0x18). */
    volatile uint64_t *low = (volatile uint64_t *)(uintptr_t)0;
    __asm__ volatile("" : "+r"(low));        /* an address, not a null pointer */
    low[0] = gdt[1];
    low[1] = gdt[2];
    low[2] = seg_desc((uint32_t)&h_low_marker, 0xFFFFF, DATA0);
    load(0xFFFFFFF8u, 0x1F);
    v = read_fs(0x18);
    check(v == -1 && h_val == h_low_marker, v,
          "GDT base 0xfffffff8: entries 1-3 wrap to linear 0, as on the CPU (FS = 0x18)");
    load((uint32_t)gdt, 8 * 8 - 1);
    v = read_fs(0x10);
    check(v == -1, v, "the boot GDT again: FS = 0x10 loads");
}

void gdt_unmapped(void)
{
    /* The last page of the guest's 128 MiB, with the boot code and data
     * descriptors at 0x08 and 0x10: entry 0x200 (selector 0x1000) lies
     * just past the guest's memory. */
    volatile uint64_t *top = (volatile uint64_t *)0x7FFF000u;
    top[1] = gdt[1];
    top[2] = gdt[2];
    load(0x7FFF000u, 0xFFFF);
    puts_("tetest: FS = 0x1000, whose descriptor lies past the guest's memory\n");
    __asm__ volatile("movw $0x1000, %%ax\n\tmovw %%ax, %%fs" ::: "eax", "memory");
    puts_("not ok - FS = 0x1000 was let through\n");
}
