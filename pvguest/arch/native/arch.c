/*
 * arch (native): the kernel's arch layer on bare (virtual) hardware, with
 * the real instructions: lgdt/lidt/ltr, cli/sti/hlt, mov to CR0/CR3/CR4,
 * invlpg, in/out to the 8259 PIC, the 8254 PIT (the TICK_MS timer) and the
 * 8250 UART (console out and input interrupts). Exit through ACPI poweroff
 * (QEMU status 0) or, on failure, isa-debug-exit (status 3).
 */
#include <multiboot/multiboot.h>

#include <pvguest/census.h>

#include "arch/native/native.h"
#include "kernel/kernel.h"
#include "lib/string.h"

#define PIT_HZ    1193182u

void kmain(void);
void load_segments(uint32_t cs, uint32_t ds);
#define STUB(v) void trap_stub_##v(void);
#define STUBS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) \
    X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(32) X(33) X(34) X(35) X(36) X(37) X(38) \
    X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) X(128)
STUBS(STUB)

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ __volatile__("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ __volatile__("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ __volatile__("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ __volatile__("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ __volatile__("mov %0, %%cr4" :: "r"(v) : "memory"); }

static struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} tss;
static uint64_t gdt[6];
static uint64_t idt[256];
static char cmdline[256];
static uint32_t nr_pfns;
static volatile uint64_t ticks;
static uint32_t cur_l3;

const char *arch_name(void) { return "native"; }
const char *arch_cmdline(void) { return cmdline; }

/* ---- console: the 8250 UART on COM1 */

static void uart_init(void)
{
    outb(COM1 + 1, 0x00);      /* no interrupts yet */
    outb(COM1 + 3, 0x80);      /* DLAB on */
    outb(COM1 + 0, 0x01);      /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);      /* 8N1, DLAB off */
    outb(COM1 + 2, 0x00);      /* no FIFO */
    outb(COM1 + 4, 0x0B);      /* DTR, RTS, OUT2 (the interrupt line) */
}

void arch_console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (!(inb(COM1 + 5) & 0x20))
            ;
        outb(COM1, (uint8_t)s[i]);
    }
}

void arch_poweroff(int ok)
{
    if (ok) {
        /* ACPI PM1a control (PIIX4 PM base 0x600): S5. QEMU acts on it from
         * its main loop, some time later however loaded the host is: wait
         * for it halted, never for a fixed number of steps. */
        outw(0x604, 0x2000);
        for (;;)
            __asm__ __volatile__("cli; hlt");
    }
    outb(0xF4, 1);             /* isa-debug-exit: QEMU exits with 2 * 1 + 1 = 3 */
    for (;;)
        __asm__ __volatile__("cli; hlt");
}

/* ---- boot */

static uint64_t seg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (limit & 0xFFFFull) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static void set_gate(unsigned vec, void (*fn)(void), unsigned dpl)
{
    uint32_t a = (uint32_t)(uintptr_t)fn;
    idt[vec] = (a & 0xFFFF) | ((uint64_t)KERNEL_CS << 16) |
               ((uint64_t)(0x8E | (dpl << 5)) << 40) | ((uint64_t)(a >> 16) << 48);
}

static void cpu_init(void)
{
    gdt[1] = seg(0, 0xFFFFF, 0x9A, 0xC);        /* kernel code */
    gdt[2] = seg(0, 0xFFFFF, 0x92, 0xC);        /* kernel data (SS) */
    gdt[3] = seg(0, 0xFFFFF, 0xFA, 0xC);        /* user code */
    gdt[4] = seg(0, 0xFFFFF, 0xF2, 0xC);        /* user data, also DS/ES of the kernel */
    gdt[5] = seg((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1, 0x89, 0);
    tss.ss0 = KERNEL_DS;
    tss.iomap = sizeof(tss);                     /* no I/O bitmap: ring 3 has no ports */
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gp = {
        sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt }, ip = {
        sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    __asm__ __volatile__("lgdt %0" :: "m"(gp));
    load_segments(KERNEL_CS, USER_DS);
    __asm__ __volatile__("ltr %w0" :: "r"(TSS_SEL));
#define GATE(v) set_gate(v, trap_stub_##v, 0);
    STUBS(GATE)
#undef GATE
    set_gate(0x80, trap_stub_128, 3);            /* system calls from ring 3 */
    __asm__ __volatile__("lidt %0" :: "m"(ip));
}

static void pic_init(void)
{
    outb(0x20, 0x11); outb(0xA0, 0x11);          /* ICW1: edge, cascade, ICW4 */
    outb(0x21, 32);   outb(0xA1, 40);            /* ICW2: vectors 32-47 */
    outb(0x21, 4);    outb(0xA1, 2);             /* ICW3: slave on IRQ2 */
    outb(0x21, 1);    outb(0xA1, 1);             /* ICW4: 8086 mode */
    outb(0x21, 0xFF); outb(0xA1, 0xFF);          /* all masked until the timer starts */
}

/* The multiboot command line starts with the image's name: skip it. */
static void copy_cmdline(const char *s)
{
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    if (n >= sizeof(cmdline))
        n = sizeof(cmdline) - 1;
    memcpy(cmdline, s, n);
    cmdline[n] = 0;
}

void native_boot(uint32_t magic, const multiboot_info_t *mbi)
{
    uart_init();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        arch_console_write("pvguest: not started by a multiboot loader\n", 43);
        arch_poweroff(0);
    }
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
        copy_cmdline((const char *)(uintptr_t)mbi->cmdline);
    uint32_t ram = (mbi->flags & MULTIBOOT_INFO_MEMORY) ? (1024 + mbi->mem_upper) / 4 : 0;
    cpu_init();
    pic_init();
    uint32_t mb = cmdline_number("mem", 16);     /* as much as a pv domain has */
    nr_pfns = (mb < MAX_PFNS >> 8 ? mb : MAX_PFNS >> 8) << 8;
    if (nr_pfns > ram)
        nr_pfns = ram;
    kmain();
}

void arch_early_init(void)
{
    extern char _end[];
    if (nr_pfns < ((uint32_t)(uintptr_t)_end >> PAGE_SHIFT) + 256)
        panic("mem=: too little memory for the kernel (%u pages)", (unsigned)nr_pfns);
}

uint32_t arch_nr_pfns(void) { return nr_pfns; }

/* Free: 1 MiB up to the image, and everything after it. */
void arch_mem_ranges(void (*add)(uint32_t first, uint32_t end))
{
    extern char _text_start[], _end[];
    add(256, (uint32_t)(uintptr_t)_text_start >> PAGE_SHIFT);
    add((uint32_t)(uintptr_t)_end >> PAGE_SHIFT, nr_pfns);
}

/* ---- page tables: written in place */

uint64_t arch_pte(uint32_t pfn, uint64_t flags) { return ((uint64_t)pfn << PAGE_SHIFT) | flags; }
uint32_t arch_pte_pfn(uint64_t pte) { return (uint32_t)((pte & 0x000FFFFFFFFFF000ull) >> PAGE_SHIFT); }
void arch_pt_set(uint64_t *entry, uint64_t value) { *(volatile uint64_t *)entry = value; }
void arch_pt_table_new(uint32_t pfn) { (void)pfn; }
void arch_pt_table_free(uint32_t pfn) { (void)pfn; }
void arch_as_create(uint32_t l3_pfn) { (void)l3_pfn; }
void arch_as_destroy(uint32_t l3_pfn) { (void)l3_pfn; }

void arch_pt_commit(uint32_t flush)
{
    if (flush == FLUSH_ALL)
        write_cr3(cur_l3 << PAGE_SHIFT);
    else if (flush != FLUSH_NONE)
        __asm__ __volatile__("invlpg (%0)" :: "r"(flush) : "memory");
}

void arch_switch(uint32_t l3_pfn, uint32_t kstack_top)
{
    tss.esp0 = kstack_top;
    if (l3_pfn != cur_l3) {
        cur_l3 = l3_pfn;
        write_cr3(l3_pfn << PAGE_SHIFT);
    }
}

/* The direct map (pfn 0 left out), then PAE paging on. */
void arch_vm_init(struct kernel_tables *kt)
{
    uint32_t l2 = pmm_alloc(), l3 = pmm_alloc();
    if (!l2 || !l3)
        panic("no memory for the kernel's page tables");
    uint64_t *t2 = pfn_va(l2);
    for (uint32_t c = 0; c < (nr_pfns + 511) / 512; c++) {
        uint32_t l1 = pmm_alloc();
        if (!l1)
            panic("no memory for the direct map");
        uint64_t *t1 = pfn_va(l1);
        for (uint32_t i = 0; i < 512 && c * 512 + i < nr_pfns; i++)
            if (c * 512 + i)
                t1[i] = arch_pte(c * 512 + i, PTE_P | PTE_RW | PTE_A | PTE_D);
        t2[c] = arch_pte(l1, PTE_P | PTE_RW | PTE_A);
    }
    ((uint64_t *)pfn_va(l3))[0] = arch_pte(l2, PTE_P);
    kt->l2_pfn = l2;
    kt->l2h_pfn = 0;
    cur_l3 = l3;
    write_cr4(read_cr4() | 0x20);                  /* PAE */
    write_cr3(l3 << PAGE_SHIFT);
    write_cr0(read_cr0() | 0x80010000u);          /* PG, WP */
}

/* ---- the FPU: with FXSR, fxsave and SSE (CR4.OSFXSR, OSXMMEXCPT). CR0
 * keeps the loader's MP and NE (clear) and EM (clear): TS alone does the
 * lazy switching, and the census's SMSW under te still shows the host's
 * CR0 (docs/census.md). */
int arch_fpu_init(void)
{
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(d & (1u << 24)))
        return 0;
    write_cr4(read_cr4() | 0x200u | ((d & (1u << 25)) ? 0x400u : 0));
    return 1;
}

void arch_fpu_ts(int on)
{
    if (on)
        write_cr0(read_cr0() | 0x8u);
    else
        __asm__ __volatile__("clts");
}

void arch_fpu_nm_ack(void)
{
    __asm__ __volatile__("clts");
}

/* ---- interrupts: the PIT tick and UART input */

void arch_start_timer(void)
{
    uint32_t divisor = (PIT_HZ * TICK_MS + 500) / 1000;
    outb(0x43, 0x34);                             /* channel 0, lo/hi, rate generator */
    outb(0x40, (uint8_t)divisor);
    outb(0x40, (uint8_t)(divisor >> 8));
    outb(COM1 + 1, 0x01);                         /* interrupt on received data */
    outb(0x21, (uint8_t)~((1u << 0) | (1u << 4)));   /* IRQ0 timer, IRQ4 COM1 */
}

void arch_interrupt(struct trap_frame *f)
{
    unsigned irq = f->vector - 32;
    if (f->vector < 32 || irq >= 16)
        panic("unexpected vector %u", (unsigned)f->vector);
    if (irq == 7 || irq == 15) {                  /* spurious unless in service */
        outb(irq == 7 ? 0x20 : 0xA0, 0x0B);
        if (!(inb(irq == 7 ? 0x20 : 0xA0) & 0x80)) {
            if (irq == 15)
                outb(0x20, 0x20);                 /* the master saw IRQ2 */
            return;
        }
    }
    if (irq == 0) {
        ticks++;
        kernel_tick();
    } else if (irq == 4) {
        while (inb(COM1 + 5) & 1)
            console_input((char)inb(COM1));
    }
    if (irq >= 8)
        outb(0xA0, 0x20);
    outb(0x20, 0x20);
}

/* ---- benchmarks' primitives */

void arch_device_read(void)
{
    (void)inb(COM1 + 5);                          /* the UART's line status */
}

uint32_t arch_irq_save(void)
{
    uint32_t flags;
    __asm__ __volatile__("pushf; pop %0; cli" : "=r"(flags) :: "memory");
    return flags;
}

void arch_irq_restore(uint32_t flags)
{
    __asm__ __volatile__("push %0; popf" :: "r"(flags) : "memory", "cc");
}

void arch_irq_enable(void)
{
    __asm__ __volatile__("sti" ::: "memory");
}

int arch_hv_counters(struct pv86_counters *out)
{
    (void)out;
    return -ENOSYS;                               /* no hypervisor below */
}

int arch_hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    __asm__ __volatile__("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
                         : "a"(leaf), "c"(subleaf));
    return 0;
}

void arch_idle(uint64_t wake_ns)
{
    (void)wake_ns;                                /* the PIT ticks on */
    __asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

uint32_t arch_fault_addr(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
    return v;
}

void arch_census_info(struct census_info *out)
{
    out->gdt_base = (uint32_t)(uintptr_t)gdt;
    out->gdt_limit = sizeof(gdt) - 1;
    out->idt_base = (uint32_t)(uintptr_t)idt;
    out->idt_limit = sizeof(idt) - 1;
    out->tr = TSS_SEL;
    out->ldtr = 0;
    out->kernel_cs = KERNEL_CS;
    out->kernel_ss = KERNEL_DS;
    out->user_cs = USER_CS;
    out->user_ss = USER_DS;
    out->cr0 = read_cr0();
}

uint64_t native_ticks(void) { return ticks; }

void arch_user_frame(struct trap_frame *f)
{
    f->cs = USER_CS;
    f->user_ss = USER_DS;
    f->eflags = 0x202;                            /* IF */
}

uint64_t arch_time_ns(void)
{
    return ticks * TICK_MS * 1000000ull;
}
