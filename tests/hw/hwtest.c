/*
 * hwtest: a small multiboot kernel that checks what an hw guest sees of
 * the CPU under pv86's SVM mode: the SVM instructions raise #UD (the
 * guest's EFER.SVME reads 0, so a CPU would), CPUID hides SVM, the MSRs
 * behave as QEMU's TCG keeps them, HLT waits for the timer, and an
 * interrupt pending while IF is clear is taken exactly one instruction
 * after sti (the interrupt shadow), string I/O, DR0-3, single-stepping
 * over an emulated instruction, and the local APIC's
 * registers, timer and self-IPI through MMIO (with paging off, and through
 * 4 MiB pages at another address). TAP on COM1; it ends through
 * isa-debug-exit (0 if every test passed, else 1).
 *
 * "portable" runs the parts that hold on bare QEMU -cpu max too (MSRs,
 * string I/O, DR0-3, the LAPIC): the boot test runs them on both and compares the
 * output line for line.
 * "costs" prints what each exiting operation costs (docs/hw.md).
 * Hostile modes, each of which must crash this domain alone with its line:
 * "wild" writes guest-physical 0xF0000000 (outside RAM and every device),
 * "spin" loops with interrupts off (the pv domain beside it must run on),
 * "triple" takes an exception with an empty IDT (a triple fault),
 * "mmio-movs" reads the LAPIC with movs (an MMIO form pv86 does not
 * emulate); "reset" asks for a reset through port 0xCF9 (the domain
 * reboots, i.e. stops with that reason).
 */
#include <stddef.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

#define COM1 0x3F8

static void putc_(char c) { outb(COM1, (uint8_t)c); }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static size_t strlen_(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

static void putx(uint32_t v)
{
    char tmp[9];
    int n = 0;
    puts_("0x");
    do {
        tmp[n++] = "0123456789abcdef"[v % 16];
        v /= 16;
    } while (v);
    while (n)
        putc_(tmp[--n]);
}

static void putu(uint32_t v)
{
    char tmp[11];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_(tmp[--n]);
}

static unsigned test_no, failures;

static void result(int ok, const char *name)
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

/* ---- descriptors and traps ---- */

static uint64_t gdt[6] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(128)));

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access)
{
    return (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           (0xCull << 52) | ((uint64_t)(base >> 24) << 56);
}

struct frame {
    uint32_t edi, esi, ebp, esp_, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags;
};

#define STUB_DECL(v) extern void stub_##v(void);
#define STUBS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) \
    X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25)      \
    X(26) X(27) X(28) X(29) X(30) X(31) X(32)
STUBS(STUB_DECL)
STUB_DECL(64) STUB_DECL(68)

static void set_gate(unsigned vec, void (*fn)(void))
{
    uint32_t a = (uint32_t)fn;
    idt[vec] = (a & 0xFFFF) | (0x08ull << 16) | (0x8Eull << 40) | ((uint64_t)(a >> 16) << 48);
}

static void setup_cpu(void)
{
    gdt[1] = seg_desc(0, 0xFFFFF, 0x9A);      /* 0x08 code */
    gdt[2] = seg_desc(0, 0xFFFFF, 0x92);      /* 0x10 data */
    uint32_t tb = (uint32_t)tss;
    gdt[3] = (sizeof(tss) - 1) | ((uint64_t)(tb & 0xFFFFFF) << 16) | (0x89ull << 40) |
             ((uint64_t)(tb >> 24) << 56);   /* 0x18 TSS */
#define GATE(v) set_gate(v, stub_##v);
    STUBS(GATE)
    GATE(64) GATE(68)
#undef GATE
    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        g = { sizeof(gdt) - 1, (uint32_t)gdt }, i = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1" :: "m"(g), "m"(i));
    __asm__ volatile("ljmp $0x08, $1f\n1:\n\t"
                     "movl $0x10, %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\tmovl %%eax, %%fs\n\tmovl %%eax, %%gs" ::: "eax", "memory");
    outb(0x20, 0x11); outb(0xA0, 0x11);       /* 8259: vectors 32-47, all masked */
    outb(0x21, 32);   outb(0xA1, 40);
    outb(0x21, 4);    outb(0xA1, 2);
    outb(0x21, 1);    outb(0xA1, 1);
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}

volatile int got_vector;
volatile uint32_t fixup_eip, try_esp, got_error, got_cr2;
static volatile uint32_t ticks, record_tick_eip, tick_eip, lapic_timer_irqs, ipis;
static volatile uint32_t db_count, db_eip, db_dr6;

#define LAPIC 0xFEE00000u
static volatile uint32_t *lapic_at(uint32_t base, uint32_t off)
{
    return (volatile uint32_t *)(base + off);
}

/* Run code; a fault resumes after it with got_vector set (else -1). */
#define TRY(code)                                                               \
    ({ got_vector = -1;                                                         \
       __asm__ volatile("pushal\n\tmovl %esp, try_esp\n\tmovl $9f, fixup_eip\n\t" \
                        code "\n9:\n\tmovl try_esp, %esp\n\tmovl $0, fixup_eip\n\tpopal"); \
       got_vector; })

static void stop(int status)
{
    outb(0xF4, (uint8_t)status);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void trap(struct frame *f)
{
    if (f->vector == 1) {
        uint32_t dr6, clean = 0xFFFF0FF0u;
        __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
        __asm__ volatile("mov %0, %%dr6" :: "r"(clean));
        db_count++;
        db_eip = f->eip;
        db_dr6 = dr6;
        f->eflags &= ~0x100u;                  /* TF off */
        return;
    }
    if (f->vector == 64 || f->vector == 68) {
        if (f->vector == 64)
            lapic_timer_irqs++;
        else
            ipis++;
        *lapic_at(LAPIC, 0xB0) = 0;            /* EOI */
        return;
    }
    if (f->vector == 32) {
        ticks++;
        if (record_tick_eip) {
            tick_eip = f->eip;
            record_tick_eip = 0;
        }
        outb(0x20, 0x20);
        return;
    }
    if (fixup_eip) {
        uint32_t cr2;
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        got_vector = (int)f->vector;
        got_error = f->error;
        got_cr2 = cr2;
        f->eip = fixup_eip;
        return;
    }
    puts_("hwtest: unexpected trap ");
    putu(f->vector);
    puts_(" at eip ");
    putx(f->eip);
    puts_("\n");
    stop(1);
}

/* ---- the checks ---- */

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void test_svm_instructions(void)
{
    result(TRY(".byte 0x0f, 0x01, 0xd9") == 6, "vmmcall raises #UD");
    result(TRY("movl $0x1000, %eax\n\t.byte 0x0f, 0x01, 0xd8") == 6, "vmrun raises #UD");
    result(TRY("movl $0x1000, %eax\n\t.byte 0x0f, 0x01, 0xda") == 6, "vmload raises #UD");
    result(TRY("movl $0x1000, %eax\n\t.byte 0x0f, 0x01, 0xdb") == 6, "vmsave raises #UD");
    result(TRY(".byte 0x0f, 0x01, 0xdc") == 6, "stgi raises #UD");
    result(TRY(".byte 0x0f, 0x01, 0xdd") == 6, "clgi raises #UD");
    result(TRY("movl $0x1000, %eax\n\t.byte 0x0f, 0x01, 0xde") == 6, "skinit raises #UD");
    result(TRY("xorl %ecx, %ecx\n\txorl %eax, %eax\n\txorl %edx, %edx\n\t"
               ".byte 0x0f, 0x01, 0xd1") == 6, "xsetbv raises #UD (no XSAVE)");
}

static void test_cpuid(void)
{
    uint32_t r[4];
    cpuid(0x80000001u, r);
    result(!(r[2] & (1u << 2)), "CPUID 0x80000001 ECX.SVM is clear");
    cpuid(0x8000000Au, r);
    result(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0, "CPUID 0x8000000A is zero");
    cpuid(1, r);
    result(!(r[2] & (1u << 26)) && !(r[2] & (1u << 27)), "CPUID 1 ECX: no XSAVE, no OSXSAVE");
}

static void test_msrs(void)
{
    result(!(rdmsr(0xC0000080u) & (1u << 12)), "EFER.SVME reads 0");
    wrmsr(0x174, 0x12345);
    result(rdmsr(0x174) == 0x2345, "SYSENTER_CS keeps its low 16 bits");
    wrmsr(0x175, 0xC0DE0000u);
    result(rdmsr(0x175) == 0xC0DE0000u, "SYSENTER_ESP keeps what was written");
    result(rdmsr(0x277) == 0x0007040600070406ull, "PAT reads its power-on value");
    wrmsr(0x277, 0x0606060606060606ull);
    result(rdmsr(0x277) == 0x0606060606060606ull, "PAT keeps what was written");
    wrmsr(0x2FF, 0xC06);
    result(rdmsr(0x2FF) == 0xC06, "MTRRdefType keeps what was written");
    result(rdmsr(0x12345678u) == 0, "an MSR QEMU lacks reads 0 (QEMU's TCG: no #GP)");
    result(rdmsr(0x10) == 0, "the TSC MSR reads 0 (QEMU 7.2's TCG has none; RDTSC counts)");
}

/* Not on bare QEMU -cpu max, whose CPU has SVM: the guest's does not. */
static void test_svm_msrs(void)
{
    uint64_t efer = rdmsr(0xC0000080u);
    wrmsr(0xC0000080u, efer | (1u << 12));
    result(!(rdmsr(0xC0000080u) & (1u << 12)), "EFER.SVME written 1 still reads 0");
    wrmsr(0xC0000080u, efer);
}

static void pit_start(void)
{
    outb(0x43, 0x34);                         /* channel 0, rate generator, ~1 ms */
    outb(0x40, 0xA9);
    outb(0x40, 0x04);
    outb(0x21, 0xFE);                         /* IRQ 0 only */
}

static void test_interrupts(void)
{
    pit_start();
    uint32_t t = ticks;
    __asm__ volatile("sti; hlt; cli" ::: "memory");
    result(ticks > t, "sti; hlt wakes at the timer's interrupt");

    /* With IF clear, wait until IRQ 0 is requested (OCW3: read IRR), then
     * sti; nop: the interrupt comes after the nop, not before it. */
    int seen = 0;
    for (int i = 0; i < 100000000 && !seen; i++) {
        outb(0x20, 0x0A);
        seen = inb(0x20) & 1;
    }
    record_tick_eip = 1;
    uint32_t want;
    __asm__ volatile("movl $1f, %0\n\tsti\n\tnop\n1:\tnop\n\tcli" : "=r"(want) :: "memory");
    result(seen && tick_eip == want, "an interrupt pending under cli is taken one instruction after sti");
    outb(0x21, 0xFF);
}

static void test_string_io(void)
{
    static const char msg[] = "# a line written with rep outsb\n";
    uint32_t esi = (uint32_t)msg, ecx = sizeof(msg) - 1;
    __asm__ volatile("cld\n\trep outsb" : "+S"(esi), "+c"(ecx) : "d"(COM1) : "memory");
    result(ecx == 0 && esi == (uint32_t)msg + sizeof(msg) - 1, "rep outsb: ECX 0, ESI past the string");
    static const char one[] = "#\n";
    esi = (uint32_t)one;
    __asm__ volatile("outsb\n\toutsb" : "+S"(esi) : "d"(COM1) : "memory");
    result(esi == (uint32_t)one + 2, "outsb twice: ESI moved by 2");
    static uint8_t buf[16];
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = 0x5A;
    uint32_t edi = (uint32_t)buf;
    ecx = 8;
    __asm__ volatile("cld\n\trep insb" : "+D"(edi), "+c"(ecx) : "d"(0x80) : "memory");
    int ok = ecx == 0 && edi == (uint32_t)buf + 8;
    for (unsigned i = 0; i < sizeof(buf); i++)
        ok &= buf[i] == (i < 8 ? 0xFF : 0x5A);
    result(ok, "rep insb from port 0x80: 8 bytes of 0xff, the rest untouched");
    edi = (uint32_t)buf + 15;
    ecx = 4;
    uint16_t w = 0;
    __asm__ volatile("std\n\trep insb\n\tcld" : "+D"(edi), "+c"(ecx) : "d"(0x80) : "memory");
    result(ecx == 0 && edi == (uint32_t)buf + 11 && buf[15] == 0xFF && buf[11] == 0x5A,
           "rep insb backwards (DF set)");
    edi = (uint32_t)&w;
    __asm__ volatile("insw" : "+D"(edi) : "d"(0x80) : "memory");
    result(w == 0xFFFF && edi == (uint32_t)&w + 2, "insw: a word of ones");

    /* A segment override and 16-bit addressing: FS based at the text,
     * outsb %fs:(%si) with ESI's high half set; only SI moves. */
    static const char fsmsg[] = "#fs\n";
    gdt[4] = seg_desc((uint32_t)fsmsg, 0xFFFFF, 0x92);
    uint32_t fsel = 0x20;
    esi = 0x12340000u;
    ecx = 4;
    __asm__ volatile("movl %2, %%fs\n\t"
                     "cld\n\trep; .byte 0x64, 0x67, 0x6e\n\t"   /* rep outsb %fs:(%si), (%dx) */
                     "movl %3, %%eax\n\tmovl %%eax, %%fs"
                     : "+S"(esi), "+c"(ecx) : "r"(fsel), "i"(0x10), "d"(COM1) : "eax", "memory");
    result(esi == 0x12340004u && ecx == 0, "rep outsb with FS and 16-bit addressing: SI alone moves");
}

static void test_debugregs(void)
{
    uint32_t a = 0x12345678u, b = 0, c = 0x00401000u, d = 0;
    __asm__ volatile("mov %0, %%dr0" :: "r"(a));
    __asm__ volatile("mov %0, %%dr3" :: "r"(c));
    __asm__ volatile("mov %%dr0, %0" : "=r"(b));
    __asm__ volatile("mov %%dr3, %0" : "=r"(d));
    result(b == a && d == c, "DR0 and DR3 keep what was written");
    a = 0;
    __asm__ volatile("mov %0, %%dr0\n\tmov %0, %%dr3" :: "r"(a));
}

/* TF set by popf: the trap comes after the instruction that follows,
 * here one pv86 emulates at an exit, at the instruction after it. */
#define STEP_OVER(setup, insn, regs...)                                         \
    ({ uint32_t want_;                                                          \
       db_count = 0;                                                            \
       __asm__ volatile(setup "\n\tmovl $1f, %0\n\tpushfl\n\torl $0x100, (%%esp)\n\t" \
                        "popfl\n\t" insn "\n1:\tnop" : "=&r"(want_) : : regs, "memory"); \
       db_count == 1 && db_eip == want_ && (db_dr6 & 0x4000); })

static void test_single_step(void)
{
    result(STEP_OVER("movl $0, %%eax", "cpuid", "eax", "ebx", "ecx", "edx"),
           "single step over cpuid: #DB after it, DR6.BS");
    result(STEP_OVER("movl $0x174, %%ecx", "rdmsr", "eax", "ecx", "edx"),
           "single step over rdmsr: #DB after it, DR6.BS");
    result(STEP_OVER("movw $0x80, %%dx", "inb %%dx, %%al", "eax", "edx"),
           "single step over in: #DB after it, DR6.BS");
}

/* The LAPIC at base (0xFEE00000 with paging off, or an alias). */
static void test_lapic_at(uint32_t base, const char *where)
{
    puts_("# lapic at ");
    puts_(where);
    puts_(": id ");
    putx(*lapic_at(base, 0x20));
    puts_(", version ");
    putx(*lapic_at(base, 0x30));
    puts_(", svr ");
    putx(*lapic_at(base, 0xF0));
    puts_(", lint0 ");
    putx(*lapic_at(base, 0x350));
    puts_("\n");
    *lapic_at(base, 0x80) = 0x20;              /* TPR */
    uint32_t tpr = *lapic_at(base, 0x80);
    *lapic_at(base, 0x80) |= 0x10;             /* a read-modify-write: or */
    uint32_t tpr2 = *lapic_at(base, 0x80);
    *lapic_at(base, 0x80) = 0;
    result(tpr == 0x20 && tpr2 == 0x30, "LAPIC TPR: mov and or through MMIO");
}

volatile uint32_t insb_ecx, insb_edi;

static void test_lapic(void)
{
    result(rdmsr(0x1B) == 0xFEE00900u, "IA32_APIC_BASE: 0xfee00000, BSP, enabled");
    test_lapic_at(LAPIC, "0xfee00000");
    *lapic_at(LAPIC, 0xF0) = 0x1FF;            /* SVR: enabled, spurious 0xff */
    *lapic_at(LAPIC, 0x3E0) = 0xB;             /* divide by 1 */
    *lapic_at(LAPIC, 0x320) = 64;              /* LVT timer: one-shot, vector 64 */
    *lapic_at(LAPIC, 0x380) = 1000000;         /* 1 ms at QEMU's 1 GHz */
    for (int i = 0; i < 1000 && !lapic_timer_irqs; i++)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    result(lapic_timer_irqs == 1, "LAPIC one-shot timer: one interrupt, vector 64");
    result(*lapic_at(LAPIC, 0x390) == 0, "LAPIC current count 0 after the one shot");
    *lapic_at(LAPIC, 0x300) = 0x40000 | 68;    /* ICR: self, fixed, vector 68 */
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    result(ipis == 1, "LAPIC self-IPI through the ICR arrives");

    /* 4 MiB pages: identity for the kernel, and the LAPIC's 4 MiB region
     * also at 0x00800000, so the registers appear at 0x00a00000. */
    static uint32_t pd[1024] __attribute__((aligned(4096)));
    for (unsigned i = 0; i < 2; i++)
        pd[i] = (i << 22) | 0x83;              /* P, RW, PS */
    pd[2] = 0xFEC00000u | 0x9B;                /* P, RW, PWT, PCD, PS */
    pd[0xFEC00000u >> 22] = 0xFEC00000u | 0x9B;
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | 0x10));      /* PSE */
    __asm__ volatile("mov %0, %%cr3" :: "r"(pd));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 | 0x80000000u) : "memory");
    test_lapic_at(0x00A00000u, "0x00a00000 (paging, 4 MiB pages)");
    /* rep insb into a page that is not there: #PF (write, not present),
     * CR2 the address, ECX and EDI as they were. */
    insb_ecx = 4;
    insb_edi = 0x01000000u;
    int vec = TRY("movl insb_edi, %edi\n\tmovl insb_ecx, %ecx\n\tmovw $0x80, %dx\n\t"
                  "cld\n\trep insb\n\tmovl %ecx, insb_ecx\n\tmovl %edi, insb_edi");
    result(vec == 14 && got_cr2 == 0x01000000u && got_error == 2,
           "rep insb to an unmapped page: #PF, CR2 the address, error code 2");
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0) : "memory");
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* "costs": what one of each exiting operation costs, in TSC ticks (under
 * -icount shift=0: instructions, the guest's and the hypervisor's), over
 * 1000 of them; for docs/hw.md, not a test. */
static void costs(void)
{
    enum { N = 1000 };
    uint32_t r[4];
    uint64_t t0 = rdtsc();
    uint64_t t1 = rdtsc();
    uint64_t base = t1 - t0;
    t0 = rdtsc();
    for (int i = 0; i < N; i++)
        cpuid(0, r);
    t1 = rdtsc();
    puts_("# cost: cpuid "); putu((uint32_t)((t1 - t0 - base) / N)); puts_("\n");
    t0 = rdtsc();
    for (int i = 0; i < N; i++)
        (void)inb(0x80);
    t1 = rdtsc();
    puts_("# cost: inb 0x80 "); putu((uint32_t)((t1 - t0 - base) / N)); puts_("\n");
    t0 = rdtsc();
    for (int i = 0; i < N; i++)
        (void)rdmsr(0x174);
    t1 = rdtsc();
    puts_("# cost: rdmsr 0x174 "); putu((uint32_t)((t1 - t0 - base) / N)); puts_("\n");
    t0 = rdtsc();
    for (int i = 0; i < N; i++)
        (void)*lapic_at(LAPIC, 0x80);
    t1 = rdtsc();
    puts_("# cost: LAPIC TPR read (MMIO) "); putu((uint32_t)((t1 - t0 - base) / N)); puts_("\n");
    t0 = rdtsc();
    for (int i = 0; i < N; i++)
        __asm__ volatile("nop");
    t1 = rdtsc();
    puts_("# cost: loop of nop "); putu((uint32_t)((t1 - t0 - base) / N)); puts_("\n");
}

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
    puts_("hwtest: the CPU an hw guest sees\n");
    if (has_word(cmdline, "wild")) {
        puts_("hwtest: a write to guest-physical 0xf0000000\n");
        *(volatile uint32_t *)0xF0000000u = 1;
        puts_("not ok - the wild write was let through\n");
        stop(1);
    }
    if (has_word(cmdline, "spin")) {
        /* Interrupts off, then about 0.6 s of virtual time (icount) in a
         * loop: the host's tick still gets the CPU to the others. */
        puts_("hwtest: spinning with interrupts off\n");
        __asm__ volatile("cli");
        for (volatile uint32_t i = 0; i < 100000000u; i++)
            ;
        puts_("hwtest: spin done\n");
        stop(0);
    }
    if (has_word(cmdline, "reset")) {
        puts_("hwtest: a reset through port 0xcf9\n");
        outb(0xCF9, 0x06);
        puts_("not ok - the reset was let through\n");
        stop(1);
    }
    if (has_word(cmdline, "mmio-movs")) {
        puts_("hwtest: movsl from the LAPIC\n");
        static uint32_t dst;
        uint32_t esi = LAPIC + 0x30, edi = (uint32_t)&dst;
        __asm__ volatile("movsl" : "+S"(esi), "+D"(edi) :: "memory");
        puts_("not ok - movs on MMIO was let through\n");
        stop(1);
    }
    if (has_word(cmdline, "triple")) {
        puts_("hwtest: an exception with an empty IDT\n");
        static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) none = { 0, 0 };
        __asm__ volatile("lidt %0\n\tint3" :: "m"(none));
        puts_("not ok - the triple fault was let through\n");
        stop(1);
    }
    if (has_word(cmdline, "costs")) {
        costs();
    } else if (has_word(cmdline, "portable")) {
        test_msrs();
        test_string_io();
        test_debugregs();
        test_single_step();
        test_lapic();
    } else {
        test_svm_instructions();
        test_cpuid();
        test_msrs();
        test_svm_msrs();
        test_interrupts();
        test_string_io();
        test_debugregs();
        test_single_step();
        test_lapic();
    }
    puts_("1..");
    putu(test_no);
    puts_("\n");
    stop(failures ? 1 : 0);
}
