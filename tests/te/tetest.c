/*
 * tetest: a small multiboot kernel that checks, on the te mode, what the
 * Intel SDM says a CPU does: legacy prefixes (rep cli is cli, lock cli is
 * #UD), string I/O (rep outsb, outsb, rep insb, backwards with DF), an
 * exception taken with EFLAGS.NT set, single-step after an emulated
 * instruction (with DR6.BS), the reserved bits of CR0, CR4 and the PAE
 * PDPTEs, invlpg of a 2 MiB page, ring 2: #GP for every privileged
 * instruction, the TSS's I/O bitmap and IOPL, and a 64 KiB GDT (gdt.c).
 * TAP on COM1; it ends through
 * isa-debug-exit (0 if every test passed, else 1).
 *
 * "iret16" tries a 16-bit iret, which te refuses; "vm86" an iret to
 * virtual-8086 mode (te refuses it when the CPU faults; QEMU's TCG instead
 * enters vm86 at CPL 1, issue 13's finding 6).
 * "only-prefixes", "only-stringio", "only-nt-tf", "only-paging",
 * "only-ring2" and "only-gdt" on its command line run those parts alone. With "ring1" on
 * its command line it only far-returns to a ring-1 code
 * segment, which te refuses (the domain crashes with a clear line); with
 * "gdt-reserved" it loads a descriptor of its own where te keeps the
 * hypervisor's (the same). "gdt-hostile" runs gdt_hostile.c's attacks on
 * the shadow GDT alone (TAP, then the exit port); "gdt-unmapped" loads a
 * descriptor from past the guest's memory (te crashes the domain).
 * "port-sweep" runs ports_hostile.c's port accesses alone.
 */
#include <stddef.h>
#include <stdint.h>

#include "tetest.h"

/* ---- ports and output ---- */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

#define COM1 0x3F8

static void putc_(char c) { outb(COM1, (uint8_t)c); }
void puts_(const char *s) { while (*s) putc_(*s++); }
static size_t strlen_(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

static char *utoa(char *p, uint32_t v, unsigned base)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    *p = 0;
    return p;
}

static void putu(uint32_t v) { char b[12]; utoa(b, v, 10); puts_(b); }
void putx(uint32_t v) { char b[12]; puts_("0x"); utoa(b, v, 16); puts_(b); }

static unsigned test_no, failures;

void result(int ok, const char *name)
{
    test_no++;
    if (!ok) {
        failures++;
        puts_("not ");
    }
    puts_("ok ");
    putu(test_no);
    puts_(" - ");
    puts_(name);
    puts_("\n");
}

/* ---- descriptors ---- */

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
    uint8_t bitmap[0x400 / 8 + 1];     /* ports 0-0x3FF, then the 0xFF end byte */
} __attribute__((packed));

uint64_t gdt[8] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static struct tss tss __attribute__((aligned(128)));
extern char int_stack_top[];

uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t type_dpl)
{
    /* type_dpl: the access byte (P, DPL, S, type); flags G and D set */
    return (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)type_dpl << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           (0xCull << 52) | ((uint64_t)(base >> 24) << 56);
}

struct frame {
    uint32_t edi, esi, ebp, esp_, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags, esp, ss;
};

extern void stub_0(void), stub_1(void), stub_2(void), stub_3(void), stub_4(void),
    stub_5(void), stub_6(void), stub_7(void), stub_8(void), stub_9(void), stub_10(void),
    stub_11(void), stub_12(void), stub_13(void), stub_14(void), stub_15(void),
    stub_16(void), stub_17(void), stub_18(void), stub_19(void), stub_20(void),
    stub_21(void), stub_22(void), stub_23(void), stub_24(void), stub_25(void),
    stub_26(void), stub_27(void), stub_28(void), stub_29(void), stub_30(void),
    stub_31(void), stub_32(void), stub_48(void);
static void (*const stubs[32])(void) = {
    stub_0, stub_1, stub_2, stub_3, stub_4, stub_5, stub_6, stub_7, stub_8, stub_9,
    stub_10, stub_11, stub_12, stub_13, stub_14, stub_15, stub_16, stub_17, stub_18,
    stub_19, stub_20, stub_21, stub_22, stub_23, stub_24, stub_25, stub_26, stub_27,
    stub_28, stub_29, stub_30, stub_31,
};

static void set_gate(unsigned vec, void (*fn)(void), unsigned dpl)
{
    uint32_t a = (uint32_t)fn;
    idt[vec] = (a & 0xFFFF) | (0x08ull << 16) | ((uint64_t)(0x8E | dpl << 5) << 40) |
               ((uint64_t)(a >> 16) << 48);
}

extern void ring2_back(void);

void set_tss_ss0(uint32_t ss0) { tss.ss0 = ss0; }
extern void lret_to(uint32_t cs);

static void setup_cpu(void)
{
    gdt[1] = seg_desc(0, 0xFFFFF, 0x9A);      /* 0x08 ring-0 code */
    gdt[2] = seg_desc(0, 0xFFFFF, 0x92);      /* 0x10 ring-0 data */
    gdt[3] = seg_desc(0, 0xFFFFF, 0xDA);      /* 0x18 ring-2 code */
    gdt[4] = seg_desc(0, 0xFFFFF, 0xD2);      /* 0x20 ring-2 data */
    uint32_t tb = (uint32_t)&tss, tl = sizeof(tss) - 1;
    gdt[5] = (tl & 0xFFFF) | ((uint64_t)(tb & 0xFFFFFF) << 16) | (0x89ull << 40) |
             ((uint64_t)(tb >> 24) << 56);   /* 0x28 TSS */
    gdt[6] = seg_desc(0, 0xFFFFF, 0xBA);      /* 0x30 ring-1 code */
    tss.esp0 = (uint32_t)int_stack_top;
    tss.ss0 = 0x10;
    tss.iomap = offsetof(struct tss, bitmap);
    for (unsigned i = 0; i < sizeof(tss.bitmap); i++)
        tss.bitmap[i] = 0xFF;
    tss.bitmap[0x3F8 / 8] = 0x00;             /* COM1 for ring 2 */
    for (unsigned v = 0; v < 32; v++)
        set_gate(v, stubs[v], v == 3 ? 3 : 0);
    set_gate(32, stub_32, 0);
    set_gate(48, stub_48, 3);                 /* back from ring 2 */
    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        g = { sizeof(gdt) - 1, (uint32_t)gdt }, i = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1" :: "m"(g), "m"(i));
    __asm__ volatile("ljmp $0x08, $1f\n1:\n\t"
                     "movl $0x10, %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\txorl %%eax, %%eax\n\tmovl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\tmovw $0x28, %%ax\n\tltr %%ax" ::: "eax", "memory");
    /* 8259: vectors 32-47, everything masked */
    outb(0x20, 0x11); outb(0xA0, 0x11);
    outb(0x21, 32);   outb(0xA1, 40);
    outb(0x21, 4);    outb(0xA1, 2);
    outb(0x21, 1);    outb(0xA1, 1);
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}

/* ---- faults: TRY runs code; a fault resumes after it ---- */

volatile int got_vector;
volatile uint32_t got_error, fixup_eip;
static volatile uint32_t ticks, db_count, db_eip, bp_count, bp_eflags;
static volatile uint32_t record_tick_eip, tick_eip;

volatile uint32_t try_esp;

void trap(struct frame *f)
{
    switch (f->vector) {
    case 32:
        ticks++;
        if (record_tick_eip) {
            tick_eip = f->eip;
            record_tick_eip = 0;
        }
        outb(0x20, 0x20);
        return;
    case 48:                                  /* int $0x30 from ring 2: back */
        f->cs = 0x08;
        f->eip = (uint32_t)ring2_back;
        return;
    case 1:
        db_count++;
        db_eip = f->eip;
        f->eflags &= ~0x100u;
        return;
    case 3:
        bp_count++;
        bp_eflags = f->eflags;
        return;
    }
    if (fixup_eip) {
        got_vector = (int)f->vector;
        got_error = f->error;
        f->eip = fixup_eip;
        fixup_eip = 0;
        return;
    }
    puts_("not ok - unexpected vector ");
    putu(f->vector);
    puts_(" error ");
    putx(f->error);
    puts_(" at ");
    putx(f->eip);
    puts_("\n");
    outb(0xF4, 1);
    for (;;)
        ;
}

static int gp0(int vec) { return vec == 13 && got_error == 0; }

/* ---- 1. prefixes ---- */

extern char after_hlt[];

static void wait_irq0_pending(void)
{
    for (uint32_t i = 0; i < 100000000u; i++) {
        outb(0x20, 0x0A);                     /* OCW3: read IRR */
        if (inb(0x20) & 1)
            return;
    }
}

static void test_prefixes(void)
{
    outb(0x43, 0x34);                         /* PIT channel 0: 1 kHz */
    outb(0x40, 1193 & 0xFF);
    outb(0x40, 1193 >> 8);
    outb(0x21, 0xFE);                         /* IRQ 0 only */
    __asm__ volatile("sti");
    while (ticks == 0)
        __asm__ volatile("hlt");
    int v = TRY(".byte 0xF3\n\tcli");
    uint32_t t0 = ticks;
    wait_irq0_pending();
    uint32_t t1 = ticks;
    result(v == -1 && t1 == t0, "rep cli acts as cli: no fault, a pending timer IRQ waits");
    v = TRY(".byte 0xF3\n\tsti\n\tnop\n\tnop");
    result(v == -1 && ticks > t1, "rep sti acts as sti: the pending IRQ is taken");
    /* STI's shadow: with an IRQ pending, sti; hlt takes it after hlt */
    __asm__ volatile("cli");
    wait_irq0_pending();
    record_tick_eip = 1;
    __asm__ volatile("sti\n\thlt\n.globl after_hlt\nafter_hlt:\n\tcli" ::: "memory");
    result(tick_eip == (uint32_t)after_hlt,
           "sti; hlt with an IRQ pending: taken after hlt (STI's interrupt shadow)");
    v = TRY(".byte 0xF2\n\tcli");
    result(v == -1, "repne cli: no fault");
    outb(0x21, 0xFF);
    v = TRY(".byte 0xF0\n\tcli");
    result(v == 6, "lock cli raises #UD");
    v = TRY(".byte 0x2E, 0x3E, 0x26, 0x64, 0x65, 0x36, 0x66, 0x67\n\tmovl %cr0, %eax");
    result(v == -1, "eight prefixes before mov %cr0: emulated");
    v = TRY(".byte 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E\n\tcli");
    result(v == -1, "14 prefixes and cli (15 bytes): emulated");
    v = TRY(".byte 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E\n\tcli");
    result(gp0(v), "15 prefixes and cli (16 bytes): #GP(0)");
}

/* ---- 2. string I/O ---- */

static char line[96];

static void test_string_io(void)
{
    char *p = line;
    const char *s = "ok ";
    while (*s) *p++ = *s++;
    p = utoa(p, test_no + 1, 10);
    s = " - rep outsb writes this whole line to COM1\n";
    while (*s) *p++ = *s++;
    uint32_t len = (uint32_t)(p - line), ecx = len, esi = (uint32_t)line;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\trep outsb\n9:\n\tmovl $0, fixup_eip"
                     : "+c"(ecx), "+S"(esi) : "d"(COM1) : "memory");
    test_no++;
    if (got_vector != -1) {
        failures++;
        puts_("not ok ");
        putu(test_no);
        puts_(" - rep outsb: vector ");
        putu((uint32_t)got_vector);
        puts_("\n");
    }
    result(got_vector == -1 && ecx == 0 && esi == (uint32_t)line + len,
           "rep outsb: ECX 0, ESI past the string");

    /* outsb alone, one byte each */
    p = line;
    s = "ok ";
    while (*s) *p++ = *s++;
    p = utoa(p, test_no + 1, 10);
    s = " - outsb without rep, one byte at a time\n";
    while (*s) *p++ = *s++;
    len = (uint32_t)(p - line);
    esi = (uint32_t)line;
    got_vector = -1;
    for (uint32_t i = 0; i < len && got_vector == -1; i++)
        __asm__ volatile("movl $9f, fixup_eip\n\toutsb\n9:\n\tmovl $0, fixup_eip"
                         : "+S"(esi) : "d"(COM1) : "memory");
    test_no++;
    if (got_vector != -1) {
        failures++;
        puts_("\nnot ok ");
        putu(test_no);
        puts_(" - outsb faulted\n");
    }

    /* backwards: DF set, from the last byte of the line stored reversed */
    char fwd[96];
    p = fwd;
    s = "ok ";
    while (*s) *p++ = *s++;
    p = utoa(p, test_no + 1, 10);
    s = " - std; rep outsb: the line stored backwards, sent from its end\n";
    while (*s) *p++ = *s++;
    len = (uint32_t)(p - fwd);
    for (uint32_t i = 0; i < len; i++)
        line[i] = fwd[len - 1 - i];
    ecx = len;
    esi = (uint32_t)line + len - 1;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tstd\n\trep outsb\n9:\n\tcld\n\tmovl $0, fixup_eip"
                     : "+c"(ecx), "+S"(esi) : "d"(COM1) : "memory");
    test_no++;
    if (got_vector != -1 || ecx != 0 || esi != (uint32_t)line - 1) {
        failures++;
        puts_("\nnot ok ");
        putu(test_no);
        puts_(" - std; rep outsb\n");
    }

    /* rep insb: four reads of the 8250's line status (THR and line empty) */
    uint8_t in[6] = { 0, 0, 0, 0, 0x11, 0x22 };
    uint32_t edi = (uint32_t)in;
    ecx = 4;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\trep insb\n9:\n\tmovl $0, fixup_eip"
                     : "+c"(ecx), "+D"(edi) : "d"(COM1 + 5) : "memory");
    result(got_vector == -1 && ecx == 0 && edi == (uint32_t)in + 4 && in[0] == 0x60 &&
           in[1] == 0x60 && in[2] == 0x60 && in[3] == 0x60 && in[4] == 0x11,
           "rep insb: four bytes of LSR (0x60), ECX 0, EDI + 4");
    /* insw with 66 and 16-bit addressing: 67 uses DI and CX */
    edi = (uint32_t)in;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tinsw\n9:\n\tmovl $0, fixup_eip"
                     : "+D"(edi) : "d"(COM1 + 5) : "memory");
    result(got_vector == -1 && edi == (uint32_t)in + 2, "insw (66 6d): two bytes, EDI + 2");
}

/* ---- 3. NT, single-step ---- */

extern char ss_after[], ss_after2[];

static void test_nt_tf(void)
{
    bp_count = 0;
    __asm__ volatile("pushfl\n\torl $0x4000, (%%esp)\n\tpopfl\n\tint3\n\t"
                     "pushfl\n\tandl $~0x4000, (%%esp)\n\tpopfl" ::: "memory", "cc");
    result(bp_count == 1 && (bp_eflags & 0x4000),
           "int3 with EFLAGS.NT set: the handler sees NT in its frame and its iret returns");

    db_count = 0;
    __asm__ volatile("pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n\t"
                     "movl %%cr0, %%eax\n"
                     ".globl ss_after\nss_after:\n\tnop\n"
                     ".globl ss_after2\nss_after2:\n\tnop" ::: "eax", "memory", "cc");
    result(db_count == 1 && db_eip == (uint32_t)ss_after,
           "TF: #DB right after the emulated mov %cr0");
    if (db_eip != (uint32_t)ss_after) {
        puts_("# #DB at ");
        putx(db_eip);
        puts_(", after the emulated instruction is ");
        putx((uint32_t)ss_after);
        puts_("\n");
    }
    uint32_t dr6 = 0;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tmovl %%dr6, %0\n9:\n\tmovl $0, fixup_eip"
                     : "+r"(dr6) :: "memory");
    result(got_vector == -1 && (dr6 & 0x4000), "DR6.BS set by that single step");
    __asm__ volatile("movl $9f, fixup_eip\n\tmovl %0, %%dr6\n9:\n\tmovl $0, fixup_eip"
                     :: "r"(0u) : "memory");
}

/* ---- 4. CR0, CR4, PDPTEs, invlpg of a 2 MiB page ---- */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pdpt_bad[4] __attribute__((aligned(32)));
static uint64_t l2[512] __attribute__((aligned(4096)));

static int load_cr3(uint32_t v)
{
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tmovl %0, %%cr3\n9:\n\tmovl $0, fixup_eip"
                     :: "r"(v) : "memory");
    return got_vector;
}

static uint32_t read_cr3(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

static void test_paging(void)
{
    uint32_t cr0, cr4;
    __asm__ volatile("movl %%cr0, %0\n\tmovl %%cr4, %1" : "=r"(cr0), "=r"(cr4));
    int v;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tmovl %0, %%cr0\n9:\n\tmovl $0, fixup_eip"
                     :: "r"(cr0 | 0x40) : "memory");
    v = got_vector;
    result(gp0(v), "mov to CR0 with reserved bit 6: #GP(0)");
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tmovl %0, %%cr0\n9:\n\tmovl $0, fixup_eip"
                     :: "r"(cr0 | 0x20000000) : "memory");
    v = got_vector;
    result(gp0(v), "mov to CR0 with NW but not CD: #GP(0)");
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tmovl %0, %%cr4\n9:\n\tmovl $0, fixup_eip"
                     :: "r"(cr4 | (1u << 13)) : "memory");
    v = got_vector;
    result(gp0(v), "mov to CR4 with bit 13 (VMXE, not modelled): #GP(0)");

    volatile uint32_t *a = (uint32_t *)0x800000, *b = (uint32_t *)0xA00000;
    a[0x1000 / 4] = 0xAAAA0001; a[0x3000 / 4] = 0xAAAA0003;
    b[0x1000 / 4] = 0xBBBB0001; b[0x3000 / 4] = 0xBBBB0003;
    for (unsigned i = 0; i < 512; i++)
        l2[i] = ((uint64_t)i << 21) | 0x83;        /* 2 MiB, P RW */
    l2[256] = 0x800000 | 0x83;                     /* VA 512 MiB -> 8 MiB */
    pdpt[0] = (uint32_t)l2 | 1;
    __asm__ volatile("movl %0, %%cr4" :: "r"(cr4 | 0x20));       /* PAE */
    __asm__ volatile("movl %0, %%cr3" :: "r"((uint32_t)pdpt));
    __asm__ volatile("movl %0, %%cr0" :: "r"(cr0 | 0x80010000u) : "memory");   /* PG WP */
    volatile uint32_t *va = (uint32_t *)0x20000000;
    uint32_t r1 = va[0x1000 / 4], r3 = va[0x3000 / 4];    /* both in the TLB now */
    __asm__ volatile("" ::: "memory");
    l2[256] = 0xA00000 | 0x83;                     /* now -> 10 MiB */
    __asm__ volatile("invlpg (%0)" :: "r"(0x20001000) : "memory");
    uint32_t n3 = va[0x3000 / 4], n1 = va[0x1000 / 4];
    result(r1 == 0xAAAA0001 && r3 == 0xAAAA0003 && n3 == 0xBBBB0003 && n1 == 0xBBBB0001,
           "invlpg of one address drops every entry of its 2 MiB page");
    if (n3 != 0xBBBB0003 || n1 != 0xBBBB0001) {
        puts_("# before ");
        putx(r1);
        puts_(" ");
        putx(r3);
        puts_(", after ");
        putx(n1);
        puts_(" ");
        putx(n3);
        puts_("\n");
    }

    for (int i = 0; i < 4; i++)
        pdpt_bad[i] = pdpt[i];
    v = load_cr3((uint32_t)pdpt_bad);
    result(v == -1 && read_cr3() == (uint32_t)pdpt_bad, "CR3 load of a valid PDPT");
    pdpt_bad[0] |= 2;
    v = load_cr3((uint32_t)pdpt);
    v = load_cr3((uint32_t)pdpt_bad);
    result(gp0(v) && read_cr3() == (uint32_t)pdpt,
           "CR3 load with a PDPTE's reserved bit 1 set: #GP(0), CR3 unchanged");
    pdpt_bad[0] = pdpt[0] | (1ull << 63);
    v = load_cr3((uint32_t)pdpt_bad);
    result(gp0(v) && read_cr3() == (uint32_t)pdpt,
           "CR3 load with a PDPTE's bit 63 set: #GP(0)");
    pdpt_bad[0] = pdpt[0] | 0x80;
    v = load_cr3((uint32_t)pdpt_bad);
    result(gp0(v), "CR3 load with a PDPTE's PS bit set: #GP(0)");
    load_cr3((uint32_t)pdpt);
}

/* ---- 5. ring 2 ---- */

volatile uint32_t gdtr_buf[2];
static int r2_vec[32];
static uint32_t r2_err[32];
static unsigned r2_n;

#define R2(code) do { r2_vec[r2_n] = TRY(code); r2_err[r2_n] = got_error; r2_n++; } while (0)

static void ring2_privileged(void)
{
    r2_n = 0;
    R2("cli");
    R2("sti");
    R2("hlt");
    R2("inb $0x60, %al");
    R2("outb %al, $0x80");
    R2("movw $0x3F7, %dx\n\toutb %al, %dx");
    R2("movl %cr0, %eax");
    R2("movl %cr0, %eax\n\tmovl %eax, %cr0");
    R2("movl %cr3, %eax");
    R2("movl $0, %eax\n\tmovl %eax, %cr3");
    R2("movl %cr4, %eax");
    R2("movl $0, %eax\n\tmovl %eax, %cr4");
    R2("lgdt gdtr_buf");
    R2("lidt gdtr_buf");
    R2("movw $0x28, %ax\n\tltr %ax");
    R2("xorl %eax, %eax\n\tlldt %ax");
    R2("movl $1, %eax\n\tlmsw %ax");
    R2("clts");
    R2("invlpg 0x400000");
    R2("movl $0x10, %ecx\n\trdmsr");
    R2("movl $0x174, %ecx\n\txorl %eax, %eax\n\txorl %edx, %edx\n\twrmsr");
    R2("wbinvd");
    R2("invd");
    R2("movl %dr6, %eax");
    R2("movl %eax, %dr7");
    R2(".byte 0xF3\n\tcli");
    R2("movl $0x10, %eax\n\tmovl %eax, %ss");
    R2("pushl $0x10\n\tpopl %ss");
    R2("pushl $0x08\n\tpushl $8f\n\tlret\n8:");
    R2("pushfl\n\tpushl $0x08\n\tpushl $8f\n\tiret\n8:");
}

static const char *const r2_names[] = {
    "cli", "sti", "hlt", "in from port 0x60", "out to port 0x80",
    "out to port 0x3f7 (not in the I/O bitmap)", "mov from CR0", "mov to CR0",
    "mov from CR3", "mov to CR3", "mov from CR4", "mov to CR4", "lgdt", "lidt", "ltr",
    "lldt", "lmsw", "clts", "invlpg", "rdmsr", "wrmsr", "wbinvd", "invd", "mov from DR6",
    "mov to DR7", "rep cli", "mov to SS of a ring-0 selector", "pop SS of a ring-0 selector",
    "lret to ring 0", "iret to ring 0",
};

static uint8_t r2_lsr;
static int r2_lsr_vec, r2_iopl_vec[3];

static void ring2_io(void)
{
    r2_lsr = 0;
    got_vector = -1;
    __asm__ volatile("movl $9f, fixup_eip\n\tinb %w1, %0\n9:\n\tmovl $0, fixup_eip"
                     : "=a"(r2_lsr) : "d"(COM1 + 5) : "memory");
    r2_lsr_vec = got_vector;
    puts_("# ring 2 writes this line to COM1 through the TSS's I/O bitmap\n");
}

static void ring2_iopl(void)
{
    r2_iopl_vec[0] = TRY("cli");
    r2_iopl_vec[1] = TRY("sti");
    r2_iopl_vec[2] = TRY("inb $0x60, %al");
}

/* IOPL as an iret at CPL 0 sets it (the CPU's pushf would not show it) */
static void set_iopl(unsigned iopl)
{
    __asm__ volatile("pushfl\n\tpopl %%eax\n\tandl $~0x3200, %%eax\n\torl %0, %%eax\n\t"
                     "pushl %%eax\n\tpushl $0x08\n\tpushl $1f\n\tiret\n1:"
                     :: "r"(iopl << 12) : "eax", "memory", "cc");
}

static void test_ring2(void)
{
    run_ring2(ring2_privileged);
    for (unsigned i = 0; i < r2_n; i++) {
        uint32_t want = i == r2_n - 1 || i == r2_n - 2 ? 0x08 : i >= r2_n - 4 ? 0x10 : 0;
        char name[96], *p = name;
        const char *s = "ring 2: ";
        while (*s) *p++ = *s++;
        s = r2_names[i];
        while (*s) *p++ = *s++;
        s = want ? " gets #GP(sel)" : " gets #GP(0)";
        while (*s) *p++ = *s++;
        *p = 0;
        result(r2_vec[i] == 13 && r2_err[i] == want, name);
        if (r2_vec[i] != 13 || r2_err[i] != want) {
            puts_("# vector ");
            putu((uint32_t)r2_vec[i]);
            puts_(" error ");
            putx(r2_err[i]);
            puts_("\n");
        }
    }
    run_ring2(ring2_io);
    result(r2_lsr_vec == -1 && r2_lsr == 0x60, "ring 2: in from 0x3fd, allowed by the I/O bitmap");
    set_iopl(3);
    run_ring2(ring2_iopl);
    __asm__ volatile("cli");
    set_iopl(0);
    __asm__ volatile("cli");
    result(r2_iopl_vec[0] == -1 && r2_iopl_vec[1] == -1 && r2_iopl_vec[2] == -1,
           "ring 2 with IOPL 3: cli, sti and in run");
}

/* ---- main ---- */

static int has_word(const char *s, const char *w)
{
    size_t n = strlen_(w);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] == w[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

struct mbi { uint32_t flags, mem_lower, mem_upper, boot_device, cmdline; };

void kmain(const struct mbi *mbi)
{
    const char *cmdline = (mbi->flags & 4) ? (const char *)mbi->cmdline : "";
    setup_cpu();
    puts_("tetest: the SDM's rules under te\n");
    if (has_word(cmdline, "ring1")) {
        puts_("tetest: far return to a ring-1 code segment\n");
        lret_to(0x31);
        puts_("not ok - lret to ring 1 was let through\n");
        outb(0xF4, 1);
        for (;;)
            ;
    }
    if (has_word(cmdline, "vm86")) {
        puts_("tetest: iret to virtual-8086 mode\n");
        __asm__ volatile("pushl $0\n\tpushl $0\n\tpushl $0\n\tpushl $0\n\t"
                         "pushl $0x10\n\tpushl $0x1000\n\tpushl $0x20002\n\t"
                         "pushl $0x08\n\tpushl $0x100\n\tiret" ::: "memory");
        puts_("not ok - iret to virtual-8086 mode was let through\n");
        outb(0xF4, 1);
        for (;;)
            ;
    }
    if (has_word(cmdline, "gdt-hostile") || has_word(cmdline, "port-sweep")) {
        if (has_word(cmdline, "gdt-hostile"))
            test_gdt_hostile();
        else
            test_port_sweep();
        puts_("1..");
        putu(test_no);
        puts_("\n");
        outb(0xF4, failures ? 1 : 0);
        for (;;)
            ;
    }
    if (has_word(cmdline, "gdt-unmapped")) {
        gdt_unmapped();
        outb(0xF4, 1);
        for (;;)
            ;
    }
    if (has_word(cmdline, "gdt-reserved")) {
        gdt_reserved();
        outb(0xF4, 1);
        for (;;)
            ;
    }
    if (has_word(cmdline, "iret16")) {
        puts_("tetest: 16-bit iret\n");
        __asm__ volatile("pushw $0x2\n\tpushw $0x08\n\tpushw $0\n\tiretw" ::: "memory");
        puts_("not ok - 16-bit iret was let through\n");
        outb(0xF4, 1);
        for (;;)
            ;
    }
    /* "only-NAME ..." runs those parts alone (to see each fail alone on
     * an older te); by default all of them. */
    int all = !has_word(cmdline, "only-");
    if (all || has_word(cmdline, "only-prefixes"))
        test_prefixes();
    if (all || has_word(cmdline, "only-stringio"))
        test_string_io();
    if (all || has_word(cmdline, "only-nt-tf"))
        test_nt_tf();
    if (all || has_word(cmdline, "only-paging"))
        test_paging();
    if (all || has_word(cmdline, "only-ring2"))
        test_ring2();
    if (all || has_word(cmdline, "only-gdt"))
        test_gdt();
    puts_("1..");
    putu(test_no);
    puts_("\n");
    outb(0xF4, failures ? 1 : 0);
    for (;;)
        ;
}
