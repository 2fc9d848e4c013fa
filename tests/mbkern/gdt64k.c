/*
 * gdt64k: a GDT of the architectural maximum, 64 KiB (limit 0xffff, 8192
 * descriptors): lgdt and sgdt, code and data selectors near the top (0x8000,
 * 0xfff0, 0xfff8) loaded and used (a far jump, an interrupt gate through
 * 0x8000, data through a based descriptor, the accessed bit the CPU sets),
 * and the limit enforced: past it a selector load is #GP(selector), a
 * descriptor not present #NP(selector).
 */
#include "mbkern.h"

const char mbk_name[] = "gdt64k";

#define N_DESC 8192
static uint64_t gdt[N_DESC] __attribute__((aligned(4096)));
static volatile uint32_t marker[4] __attribute__((aligned(16))) = { 0x6d61726b, 0x2d746f70, 0, 0 };

#define SEL_CODE_HI 0x8000               /* index 4096: flat code */
#define SEL_DATA_BASED 0xFFF0            /* index 8190: data, base &marker, limit 15 */
#define SEL_DATA_TOP 0xFFF8              /* index 8191: flat data */
#define SEL_NOT_PRESENT 0xFFE8           /* index 8189: flat data, P clear */
#define SEL_CODE_MID 0x7FF8              /* index 4095: flat code (the last one under 0x7fff) */

static uint64_t desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t gran)
{
    return (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)gran << 52) |
           ((uint64_t)(base >> 24) << 56);
}

struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

static void lgdt(uint16_t limit)
{
    struct dtr d = { limit, (uint32_t)gdt };
    __asm__ volatile("lgdt %0" :: "m"(d) : "memory");
}

static void load_fs(void *sel) { __asm__ volatile("movw %w0, %%fs" :: "r"((uint32_t)sel) : "memory"); }
static void load_gs(void *sel) { __asm__ volatile("movw %w0, %%gs" :: "r"((uint32_t)sel) : "memory"); }

static uint32_t far_jump_cs(uint32_t sel)
{
    uint32_t cs;
    /* to sel:1f, read cs there, and back to 0x08:2f */
    __asm__ volatile("pushl %1\n\tpushl $1f\n\tlret\n"
                     "1:\tmovl %%cs, %0\n\t"
                     "pushl $0x08\n\tpushl $2f\n\tlret\n"
                     "2:" : "=&r"(cs) : "r"(sel) : "memory");
    return cs;
}

static void far_jump(void *sel) { (void)far_jump_cs((uint32_t)sel); }

static volatile uint32_t gate_cs;
static void on_gate(struct mbk_frame *f)
{
    (void)f;
    uint32_t cs;
    __asm__ volatile("movl %%cs, %0" : "=r"(cs));
    gate_cs = cs;
}

void mbk_main(void)
{
    gdt[1] = mbk_gdt[1];                                 /* 0x08, 0x10 as before */
    gdt[2] = mbk_gdt[2];
    gdt[SEL_CODE_MID / 8] = desc(0, 0xFFFFF, 0x9A, 0xC);
    gdt[SEL_CODE_HI / 8] = desc(0, 0xFFFFF, 0x9A, 0xC);
    gdt[SEL_DATA_BASED / 8] = desc((uint32_t)marker, sizeof(marker) - 1, 0x92, 0x4);
    gdt[SEL_DATA_TOP / 8] = desc(0, 0xFFFFF, 0x92, 0xC);
    gdt[SEL_NOT_PRESENT / 8] = desc(0, 0xFFFFF, 0x12, 0xC);

    lgdt(0xFFFF);
    struct dtr r = { 0, 0 };
    __asm__ volatile("sgdt %0" : "=m"(r));
    report(r.limit == 0xFFFF && r.base == (uint32_t)gdt, "sgdt reads back limit 0xffff and the base");

    /* data at the very top: ds and ss, then used */
    uint32_t ds = 0, ss = 0;
    volatile uint32_t probe = 1;
    __asm__ volatile("movw %w2, %%ds\n\tmovw %w2, %%es\n\tmovw %w2, %%ss\n\t"
                     "movl %%ds, %0\n\tmovl %%ss, %1\n\t"
                     "addl $41, (%3)\n\t"                    /* through ds, on the stack */
                     "movw $0x10, %%ax\n\tmovw %%ax, %%ds\n\tmovw %%ax, %%es\n\tmovw %%ax, %%ss"
                     : "=&r"(ds), "=&r"(ss) : "r"(SEL_DATA_TOP), "r"(&probe) : "eax", "memory");
    report(ds == SEL_DATA_TOP && ss == SEL_DATA_TOP && probe == 42,
           "ds, es, ss = 0xfff8 (the last descriptor) loaded and used");
    report((gdt[SEL_DATA_TOP / 8] >> 40) & 1, "the CPU set the accessed bit of descriptor 0xfff8");

    /* a based data segment at 0xfff0: fs:0 is marker[0] */
    uint32_t m0 = 0, m1 = 0;
    load_fs((void *)SEL_DATA_BASED);
    __asm__ volatile("movl %%fs:0, %0\n\tmovl %%fs:4, %1\n\tmovl $0x706f742d, %%fs:8"
                     : "=&r"(m0), "=&r"(m1) :: "memory");
    report(m0 == marker[0] && m1 == marker[1] && marker[2] == 0x706f742d,
           "fs = 0xfff0: its base is the descriptor's");
    load_fs((void *)0x10);
    /* the limit through lsl (QEMU's TCG does not check data accesses
     * against segment limits: no check of an access past it) */
    uint32_t lim = 0, ok = 0;
    __asm__ volatile("lsl %2, %0\n\tsetz %b1" : "=&r"(lim), "=&q"(ok) : "r"((uint32_t)SEL_DATA_BASED) : "cc");
    report((ok & 1) && lim == sizeof(marker) - 1, "lsl 0xfff0: limit %u", lim);

    /* code near the top: far jumps, and an interrupt gate through 0x8000 */
    report(far_jump_cs(SEL_CODE_HI) == SEL_CODE_HI && far_jump_cs(SEL_CODE_MID) == SEL_CODE_MID,
           "far jumps to cs 0x8000 and 0x7ff8 and back");
    uint32_t ar = 0;
    __asm__ volatile("lar %2, %0\n\tsetz %b1" : "=&r"(ar), "=&q"(ok) : "r"((uint32_t)SEL_CODE_HI) : "cc");
    mbk_printf("# lar 0x8000: access byte 0x%x\n", (ar >> 8) & 0xFF);   /* accessed or not */
    report((ok & 1) && ((ar >> 8) & 0xFE) == 0x9A, "lar 0x8000: a present ring-0 code segment");
    mbk_handle(0x80, on_gate);
    mbk_set_gate(0x80, SEL_CODE_HI);
    __asm__ volatile("int $0x80" ::: "memory");
    mbk_set_gate(0x80, 0x08);
    report(mbk_count[0x80] == 1 && gate_cs == SEL_CODE_HI, "an interrupt gate through cs 0x8000 (handler's cs 0x%x)",
           gate_cs);

    /* the limit: 0x7fff (4096 descriptors) */
    lgdt(0x7FFF);
    __asm__ volatile("sgdt %0" : "=m"(r));
    report(r.limit == 0x7FFF, "sgdt reads back limit 0x7fff");
    int v = mbk_catch(load_gs, (void *)SEL_CODE_MID);
    report(v == -1, "with limit 0x7fff, 0x7ff8 (the last descriptor under it) loads");
    v = mbk_catch(load_gs, (void *)SEL_CODE_HI);
    report(v == 13 && mbk_last_error == SEL_CODE_HI, "with limit 0x7fff, 0x8000 is #GP(0x8000) (got %d, 0x%x)",
           v, mbk_last_error);
    v = mbk_catch(load_gs, (void *)SEL_DATA_TOP);
    report(v == 13 && mbk_last_error == SEL_DATA_TOP, "with limit 0x7fff, 0xfff8 is #GP(0xfff8) (got %d, 0x%x)",
           v, mbk_last_error);
    v = mbk_catch(far_jump, (void *)SEL_CODE_HI);
    report(v == 13 && mbk_last_error == SEL_CODE_HI, "with limit 0x7fff, a far jump to 0x8000 is #GP(0x8000)");
    ok = 1;
    __asm__ volatile("lsl %2, %0\n\tsetz %b1" : "=&r"(lim), "=&q"(ok) : "r"((uint32_t)SEL_DATA_BASED) : "cc");
    report(!(ok & 1), "with limit 0x7fff, lsl 0xfff0 fails (ZF clear)");

    lgdt(0xFFFF);
    v = mbk_catch(load_gs, (void *)SEL_DATA_TOP);
    report(v == -1, "limit 0xffff again: 0xfff8 loads");
    v = mbk_catch(load_gs, (void *)SEL_NOT_PRESENT);
    report(v == 11 && mbk_last_error == SEL_NOT_PRESENT, "a descriptor not present, 0xffe8, is #NP(0xffe8) (got %d, 0x%x)",
           v, mbk_last_error);
    load_gs((void *)0x10);
}
