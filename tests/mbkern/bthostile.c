/*
 * bthostile: what an unmodified kernel may do to a binary translator (the
 * bt mode, docs/bt.md), one attack per boot, picked by test=NAME:
 *   midinsn   calls and jumps into the middle of instructions, whose bytes
 *             there decode to another valid instruction stream
 *   overlap   the same bytes executed at four offsets, interleaved 1000
 *             times, and a jmp whose displacement byte is the next
 *             instruction's opcode (eb ff c0)
 *   ahead     stores into the same block just ahead of EIP, with no jump
 *             between: the next instruction's immediate, and one five
 *             instructions on (P6 and later detect it, SDM vol. 3 11.6;
 *             QEMU's TCG is precise)
 *   int3      the guest's own int3, int $3, an int3 byte inside another
 *             instruction's immediate, into: delivered through its IDT
 *   far       far jmp, far call and far ret to crafted selectors (null,
 *             beyond the GDT limit, an LDT one without an LDT, data, DPL-3
 *             code, conforming DPL-3 code, not present, an LDT descriptor,
 *             and bt's and the hypervisor's reserved 0xe008-0xe021): the
 *             CPU's #GP/#NP with its error code at the faulting far
 *             transfer; and valid ones to 0x08
 *   unmapped  PAE paging: jumps to addresses its tables leave unmapped
 *             (also 0xf5800000, 0xff000000, 0xff200000 and 0xffe00000,
 *             where pv86 keeps its own pages), an instruction straddling
 *             into an unmapped page: #PF with CR2, error code and EIP
 *   tcfill    3 MiB of distinct generated code blocks (bt's cache is 2
 *             MiB), all run, then the first ones again, then a stride
 *   rets      a ret to 8192 different addresses, 24576 times
 *   segload, segvpage, calloutwr, fpip   segment loads of pv86's selectors and the
 *             x87 instruction pointer: in bthostile_seg.c
 *   hvread addr=A   PAE paging, A unmapped in its tables: a read (bare
 *             QEMU: #PF)
 *   hvwrite addr=A  PAE paging, A unmapped: all ones written to each word
 *             of its first 128 bytes (#PF each), then cli, sti, pushf and
 *             three timer interrupts
 *   hvmap addr=A    PAE paging: A's 2 MiB mapped to the kernel's own
 *             memory, then written, read back, code written there and run
 * On bare QEMU each reports what it saw and exits with status 1. Under bt
 * each must give the same output and status, except hvmap: a guest mapping
 * pv86's area is crashed alone, as te does ("te: the guest maps ..."); and
 * hvread and hvwrite may crash it instead of the #PF (tests/bt/hostile.sh).
 */
#include "mbkern.h"
#include "pae.h"

const char mbk_name[] = "bthostile";

extern volatile uint32_t mbk_catching, mbk_caught;
extern char mbk_landing[];

/* ---- catching with the frame's EIP, EAX and CR2 ---- */

static volatile uint32_t got_eip, got_eax;

static void on_fault(struct mbk_frame *f)
{
    got_eip = f->eip;
    got_eax = f->eax;
    if (!mbk_catching) {
        report(0, "unexpected exception %u (error 0x%x)", f->vector, f->error);
        mbk_exit();
    }
    mbk_catching = 0;
    mbk_caught = f->vector;
    f->eip = (uint32_t)mbk_landing;
}

static void catch_faults(void)
{
    static const unsigned v[] = { 6, 10, 11, 12, 13, 14 };
    for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        mbk_handle(v[i], on_fault);
}

/* eax = fn(eax) for code that uses eax only (and the stack). */
static uint32_t call_eax(const void *fn, uint32_t eax)
{
    __asm__ volatile("call *%1" : "+a"(eax) : "r"(fn) : "ecx", "edx", "memory", "cc");
    return eax;
}

/* ---- midinsn ---- */

__asm__(".text\n"
        ".globl mid_mov, mid_jmp\n"
        "mid_mov:\n"                     /* movl $0x4040c031, %eax; ret */
        "  .byte 0xb8, 0x31, 0xc0, 0x40, 0x40, 0xc3\n"
        "mid_jmp:\n"                     /* xor %eax,%eax; jmp +1; then 4 x inc %eax; ret */
        "  .byte 0x31, 0xc0, 0xeb, 0x01\n"
        "  .byte 0xb8, 0x40, 0x40, 0x40, 0x40, 0xc3\n");
extern uint8_t mid_mov[], mid_jmp[];

static void attack_midinsn(void)
{
    uint32_t a = call_eax(mid_mov, 10), b = call_eax(mid_mov + 1, 10), c = call_eax(mid_mov + 3, 10);
    uint32_t d = call_eax(mid_mov + 4, 10), e = call_eax(mid_mov + 5, 10);
    mbk_printf("# mov at +0: 0x%x, +1: 0x%x, +3: 0x%x, +4: 0x%x, +5: 0x%x\n", a, b, c, d, e);
    report(a == 0x4040C031u, "movl $0x4040c031, %%eax; ret run from its start");
    report(b == 2, "entered at +1: xor %%eax,%%eax; inc; inc; ret");
    report(c == 12 && d == 11 && e == 10, "entered at +3, +4, +5: two incs, one, none");
    uint32_t m = call_eax(mid_jmp + 4, 0), j = call_eax(mid_jmp, 0);
    uint32_t m2 = call_eax(mid_jmp + 4, 0), j2 = call_eax(mid_jmp, 0);
    mbk_printf("# mid_jmp at +4: 0x%x, from its start: 0x%x\n", m, j);
    report(m == 0x40404040u && m2 == m, "a mov's own start: its immediate");
    report(j == 4 && j2 == 4, "a jmp over the mov's opcode byte into its immediate: four incs");
}

/* ---- overlap ---- */

__asm__(".text\n"
        ".globl ovl4, ovl_ff\n"
        "ovl4:\n"                        /* movb $0x40, %al; inc %eax; ret -- at +1: inc; inc; ret */
        "  .byte 0xb0, 0x40, 0x40, 0xc3\n"
        "ovl_ff:\n"                      /* jmp .-1+2 (to the 0xff): ff c0 = inc %eax; ret */
        "  .byte 0xeb, 0xff, 0xc0, 0xc3\n");
extern uint8_t ovl4[], ovl_ff[];

static uint32_t ovl_expect(unsigned off, uint32_t x)
{
    switch (off) {
    case 0: return ((x & ~0xFFu) | 0x40) + 1;
    case 1: return x + 2;
    case 2: return x + 1;
    default: return x;
    }
}

static void attack_overlap(void)
{
    unsigned bad = 0;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        unsigned off = (i * 3 + i / 7) % 4;
        uint32_t x = i * 0x101u, r = call_eax(ovl4 + off, x);
        if (r != ovl_expect(off, x))
            bad++;
        sum += r;
    }
    mbk_printf("# overlap: sum 0x%x\n", sum);
    report(bad == 0, "the same four bytes run at four offsets, interleaved 1000 times: every result right");
    uint32_t f = 0;
    for (uint32_t i = 0; i < 100; i++)
        f = call_eax(ovl_ff, f);
    report(f == 100, "eb ff c0 (a jmp into its own displacement, which is inc's opcode) 100 times: %u", f);
}

/* ---- ahead ---- */

/* ahead_next(n): the store writes the immediate of the very next
 * instruction; ahead_far(n): of the instruction five on. Both return the
 * sum of the stored immediates. */
__asm__(".text\n"
        ".globl ahead_next, ahead_far, ahead_op\n"
        "ahead_next:\n"
        "  movl 4(%esp), %ecx\n"
        "  xorl %eax, %eax\n"
        "1: movl %ecx, 2f+1\n"
        "2: .byte 0x05\n"
        "  .long 0\n"
        "  loop 1b\n"
        "  ret\n"
        "ahead_far:\n"
        "  movl 4(%esp), %ecx\n"
        "  xorl %eax, %eax\n"
        "  xorl %edx, %edx\n"
        "1: movl %ecx, 3f+1\n"
        "  addl $1, %edx\n"
        "  addl $2, %edx\n"
        "  leal 1(%edx), %edx\n"
        "  addl %ecx, %edx\n"
        "3: .byte 0x05\n"
        "  .long 0\n"
        "  loop 1b\n"
        "  ret\n"
        "ahead_op:\n"                    /* ahead_op(): nop patched to inc %eax just ahead, then back */
        "  xorl %eax, %eax\n"
        "  movl $50, %ecx\n"
        "1: movb $0x40, 2f\n"
        "2: nop\n"
        "  movb $0x90, 2b\n"
        "  loop 1b\n"
        "  ret\n");
uint32_t ahead_next(uint32_t n);
uint32_t ahead_far(uint32_t n);
uint32_t ahead_op(void);

static void attack_ahead(void)
{
    uint32_t a = ahead_next(1000), b = ahead_far(1000), c = ahead_op();
    mbk_printf("# ahead: 0x%x, 0x%x, %u\n", a, b, c);
    report(a == 500500, "a store into the next instruction's immediate, no jump between, 1000 times");
    report(b == 500500, "a store into the immediate five instructions ahead in the same block, 1000 times");
    report(c == 50, "a nop just ahead patched to inc %%eax and back, 50 times: %u incs", c);
}

/* ---- int3 ---- */

static volatile uint32_t traps, trap_eip_ok;
static volatile uint32_t want_eip;

static void on_trap(struct mbk_frame *f)
{
    traps++;
    if (f->eip == want_eip)
        trap_eip_ok++;
}

__asm__(".text\n"
        ".globl cc_imm\n"
        "cc_imm:\n"                      /* movl $0xcccccccc, %eax; ret -- at +1: int3 */
        "  .byte 0xb8, 0xcc, 0xcc, 0xcc, 0xcc, 0xc3\n");
extern uint8_t cc_imm[];

static void attack_int3(void)
{
    mbk_handle(3, on_trap);
    mbk_handle(4, on_trap);
    mbk_handle(0x80, on_trap);
    uint32_t r;
    __asm__ volatile("movl $1f, %0\n\tint3\n1:" : "=m"(want_eip) :: "memory");
    report(traps == 1 && trap_eip_ok == 1 && mbk_count[3] == 1, "int3: vector 3, the frame's EIP after it");
    __asm__ volatile("movl $1f, %0\n\t.byte 0xcd, 0x03\n1:" : "=m"(want_eip) :: "memory");
    report(traps == 2 && trap_eip_ok == 2 && mbk_count[3] == 2, "int $3 (cd 03): vector 3, EIP after it");
    __asm__ volatile("movl $1f, %0\n\tint $0x80\n1:" : "=m"(want_eip) :: "memory");
    report(traps == 3 && trap_eip_ok == 3 && mbk_count[0x80] == 1, "int $0x80: vector 0x80, EIP after it");
    __asm__ volatile("movl $0x7fffffff, %%eax\n\taddl $1, %%eax\n\tmovl $1f, %0\n\tinto\n1:"
                     : "=m"(want_eip) :: "eax", "memory", "cc");
    report(traps == 4 && trap_eip_ok == 4 && mbk_count[4] == 1, "into with OF set: vector 4, EIP after it");
    r = call_eax(cc_imm, 0);
    report(r == 0xCCCCCCCCu && traps == 4, "movl $0xcccccccc: no trap from its immediate's bytes");
    want_eip = (uint32_t)cc_imm + 2;
    uint32_t r2 = call_eax(cc_imm + 1, 5);
    mbk_printf("# cc_imm at +1: 0x%x, %u traps\n", r2, traps - 4);
    report(traps == 8 && trap_eip_ok == 5 && r2 == 5,
           "entered at +1: its immediate's four 0xcc bytes are four int3 (the first's EIP +2), then ret");
}

/* ---- far ---- */

struct farptr { uint32_t off; uint16_t sel; } __attribute__((packed));
static struct farptr fp;
static volatile uint32_t site;

static void far_jmp(void *sel)
{
    fp.sel = (uint16_t)(uint32_t)sel;
    __asm__ volatile("movl $2f, %0\n\tmovl $1f, %1\n1:\tljmp *%2\n2:"
                     : "=m"(fp.off), "=m"(site) : "m"(fp) : "memory");
}

static void far_call(void *sel)
{
    fp.sel = (uint16_t)(uint32_t)sel;
    __asm__ volatile("movl $3f, %0\n\tmovl $1f, %1\n1:\tlcall *%2\n\tjmp 2f\n3:\tlret\n2:"
                     : "=m"(fp.off), "=m"(site) : "m"(fp) : "memory");
}

static void far_ret(void *sel)
{
    __asm__ volatile("movl $1f, %0\n\tpushl %1\n\tpushl $2f\n1:\tlret\n2:"
                     : "=m"(site) : "r"((uint32_t)sel) : "memory");
}

#define DIRECT(name, sel)                                                                        \
    static void name(void *a)                                                                    \
    {                                                                                            \
        (void)a;                                                                                 \
        __asm__ volatile("movl $1f, %0\n1:\tljmp %1, $2f\n2:" : "=m"(site) : "i"(sel) : "memory"); \
    }
DIRECT(direct_0, 0x0000)
DIRECT(direct_8, 0x0008)
DIRECT(direct_e008, 0xe008)
DIRECT(direct_e019, 0xe019)

static uint64_t desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    return (limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xF) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

static int far_one(const char *how, void (*fn)(void *), uint32_t sel, int vec, uint32_t err, const char *what)
{
    got_eip = 0;
    int v = mbk_catch(fn, (void *)sel);
    int at = got_eip == site;
    if (vec < 0) {
        uint16_t cs;
        __asm__ volatile("movw %%cs, %0" : "=r"(cs));
        return report(v == -1 && cs == 0x08, "%s 0x%x (%s): done, cs 0x%x", how, sel, what, cs);
    }
    mbk_printf("# %s 0x%x: vector %d, error 0x%x%s\n", how, sel, v, mbk_last_error, v >= 0 && at ? ", at it" : "");
    return report(v == vec && mbk_last_error == err && at, "%s 0x%x (%s): %s(0x%x) at the instruction", how, sel,
                  what, vec == 11 ? "#NP" : "#GP", err);
}

static void attack_far(void)
{
    mbk_gdt[3] = desc(0, 0xFFFFF, 0xFA, 0xC);      /* 0x18 code, DPL 3 */
    mbk_gdt[4] = desc(0, 0xFFFFF, 0x1A, 0xC);      /* 0x20 code, not present */
    mbk_gdt[5] = desc(0, 0xFFFFF, 0xFE, 0xC);      /* 0x28 conforming code, DPL 3 */
    mbk_gdt[7] = desc(0x1000, 0xFF, 0x82, 0x0);    /* 0x38 an LDT descriptor */
    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        g = { sizeof(mbk_gdt) - 1, (uint32_t)mbk_gdt };
    __asm__ volatile("lgdt %0" :: "m"(g) : "memory");

    static const struct { uint32_t sel; int vec; uint32_t err; const char *what; } t[] = {
        { 0x0000, 13, 0x0000, "null" },
        { 0x0003, 13, 0x0000, "null, RPL 3" },
        { 0x0040, 13, 0x0040, "beyond the GDT limit" },
        { 0x0004, 13, 0x0004, "LDT, none loaded" },
        { 0x0010, 13, 0x0010, "data" },
        { 0x0018, 13, 0x0018, "code, DPL 3" },
        { 0x001b, 13, 0x0018, "code, DPL 3, RPL 3" },
        { 0x0028, 13, 0x0028, "conforming code, DPL 3" },
        { 0x0020, 11, 0x0020, "code, not present" },
        { 0x0038, 13, 0x0038, "an LDT descriptor" },
        { 0xe008, 13, 0xe008, "the hypervisor's code" },
        { 0xe010, 13, 0xe010, "the hypervisor's data" },
        { 0xe018, 13, 0xe018, "bt's code" },
        { 0xe019, 13, 0xe018, "bt's code, RPL 1" },
        { 0xe020, 13, 0xe020, "bt's vpage data" },
        { 0xe021, 13, 0xe020, "bt's vpage data, RPL 1" },
    };
    catch_faults();
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        far_one("ljmp", far_jmp, t[i].sel, t[i].vec, t[i].err, t[i].what);
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        far_one("lcall", far_call, t[i].sel, t[i].vec, t[i].err, t[i].what);
    far_one("ljmp", far_jmp, 0x08, -1, 0, "the kernel's code");
    far_one("lcall", far_call, 0x08, -1, 0, "the kernel's code, lret back");
    far_one("lret", far_ret, 0x08, -1, 0, "the kernel's code");
    far_one("lret", far_ret, 0x0000, 13, 0x0000, "null");
    far_one("lret", far_ret, 0x0040, 13, 0x0040, "beyond the GDT limit");
    far_one("lret", far_ret, 0xe019, 13, 0xe018, "bt's code, RPL 1");
    far_one("ljmp direct", direct_0, 0x0000, 13, 0x0000, "null");
    far_one("ljmp direct", direct_8, 0x0008, -1, 0, "the kernel's code");
    far_one("ljmp direct", direct_e008, 0xe008, 13, 0xe008, "the hypervisor's code");
    far_one("ljmp direct", direct_e019, 0xe019, 13, 0xe018, "bt's code, RPL 1");
}

/* ---- unmapped and the hypervisor's area ---- */

static struct pae pae;
#define VA_PT 0x40000000u                /* 4 KiB pages: page 0 code, page 1 absent */
static uint8_t page0[4096] __attribute__((aligned(4096)));

static void jump_to(void *va)
{
    __asm__ volatile("call *%0" :: "r"(va) : "eax", "ecx", "edx", "memory", "cc");
}
static void read_at(void *va) { (void)*(volatile uint32_t *)va; }
static void write_at(void *va) { *(volatile uint32_t *)va = 0x5A5A5A5A; }

static int pf(const char *how, void (*fn)(void *), uint32_t va, uint32_t err, uint32_t eip)
{
    got_eip = 0;
    int v = mbk_catch(fn, (void *)va);
    mbk_printf("# %s 0x%x: vector %d, CR2 0x%x, error 0x%x%s\n", how, va, v, mbk_last_cr2, mbk_last_error,
               eip && got_eip == eip ? ", EIP the target" : "");
    return v == 14 && mbk_last_cr2 == va && mbk_last_error == err && (!eip || got_eip == eip);
}

static void attack_unmapped(void)
{
    catch_faults();
    pae_build(&pae, VA_PT);
    pae_map4k(&pae, VA_PT, (uint32_t)page0);
    pae_on(&pae);
    static const uint32_t far[] = { 0x50000000u, 0x40003000u, 0xF5800000u, 0xFF000000u, 0xFF200000u,
                                    0xFFE00000u, 0xFFFFF000u };
    for (unsigned i = 0; i < sizeof(far) / sizeof(far[0]); i++)
        report(pf("call", jump_to, far[i], 0, far[i]), "a call to unmapped 0x%x: #PF, CR2 and EIP the target, error 0",
               far[i]);
    report(pf("read", read_at, 0x50000010u, 0, 0), "a read of unmapped 0x50000010: #PF, error 0");
    report(pf("write", write_at, 0x40003ffcu, 2, 0), "a write to unmapped 0x40003ffc: #PF, error 2");

    /* xor %eax,%eax and 11 incs from 0x40000ff0, then movl $imm32, %eax
     * at 0x40000ffd with its last two bytes in the unmapped page */
    volatile uint8_t *p = (volatile uint8_t *)VA_PT;
    p[0xFF0] = 0x31;
    p[0xFF1] = 0xC0;
    for (unsigned i = 0xFF2; i < 0xFFD; i++)
        p[i] = 0x40;
    p[0xFFD] = 0xB8;
    p[0xFFE] = 0x11;
    p[0xFFF] = 0x22;
    got_eax = 0;
    got_eip = 0;
    int v = mbk_catch((void (*)(void *))(VA_PT + 0xFF0), (void *)0);
    mbk_printf("# straddling: vector %d, CR2 0x%x, error 0x%x, EIP %s, eax %u\n", v, mbk_last_cr2, mbk_last_error,
               got_eip == VA_PT + 0xFFD ? "the mov" : "elsewhere", got_eax);
    report(v == 14 && mbk_last_cr2 == VA_PT + 0x1000 && mbk_last_error == 0 && got_eip == VA_PT + 0xFFD,
           "a mov straddling into an unmapped page: #PF, CR2 the second page, EIP the mov");
    report(got_eax == 11, "the xor and the 11 incs before it ran");
    pae_off();
}

static uint32_t addr_arg(void)
{
    int ok;
    uint32_t a = mbk_strtou(cmdline_value("addr"), &ok);
    if (!ok) {
        report(0, "addr=ADDRESS on the command line");
        return 0;
    }
    return a;
}

static void attack_hvread(void)
{
    uint32_t a = addr_arg();
    if (!a)
        return;
    catch_faults();
    pae_build(&pae, VA_PT);
    pae_on(&pae);
    report(pf("read", read_at, a, 0, 0), "a read of 0x%x, unmapped in its tables: #PF, CR2, error 0", a);
    report(pf("write", write_at, a + 8, 2, 0), "a write to 0x%x, unmapped: #PF, CR2, error 2", a + 8);
    pae_off();
}

/* hvwrite addr=A: all ones written to each word of A's first 128 bytes
 * (under bt at 0xff000000: the vpage's flags, pending word, scratch),
 * then cli, sti, pushf, popf and three timer interrupts taken */
static void write_ones(void *va) { *(volatile uint32_t *)va = 0xFFFFFFFFu; }

static void attack_hvwrite(void)
{
    uint32_t a = addr_arg();
    if (!a)
        return;
    catch_faults();
    pae_build(&pae, VA_PT);
    pae_on(&pae);
    unsigned faults = 0;
    for (uint32_t off = 0; off < 128; off += 4)
        if (pf("write", write_ones, a + off, 2, 0))
            faults++;
    report(faults == 32, "32 writes of all ones to 0x%x-0x%x, unmapped in its tables: each #PF, error 2", a, a + 127);
    uint32_t fl;
    __asm__ volatile("cli\n\tpushfl\n\tpopl %0\n\tsti" : "=r"(fl) :: "memory");
    report(!(fl & 0x200), "then cli: pushf reads IF clear");
    pit_start(11932);                            /* 100 Hz */
    mbk_wait(&pit_ticks, 3);
    pit_stop();
    __asm__ volatile("pushfl\n\tpopl %0" : "=r"(fl) :: "memory");
    report(pit_ticks >= 3 && (fl & 0x200), "three timer interrupts taken, IF set after");
    pae_off();
}

static uint8_t big[PAE_2M] __attribute__((aligned(PAE_2M)));

static void attack_hvmap(void)
{
    uint32_t a = addr_arg();
    if (!a)
        return;
    catch_faults();
    pae_build(&pae, VA_PT);
    pae_map2m(&pae, a, (uint32_t)big);
    pae_on(&pae);
    uint32_t off = a & (PAE_2M - 1);
    mbk_printf("# 0x%x mapped to the kernel's own 2 MiB\n", a);
    big[off + 0x40] = 0x77;
    uint32_t r = *(volatile uint8_t *)(a + 0x40);
    report(r == 0x77, "a read at 0x%x sees the kernel's byte", a + 0x40);
    *(volatile uint32_t *)(a + 0x80) = 0x600DF00D;
    report(*(volatile uint32_t *)(big + off + 0x80) == 0x600DF00D, "a write at 0x%x lands in the kernel's page", a + 0x80);
    volatile uint8_t *q = (volatile uint8_t *)(a + 0x100);
    q[0] = 0xB8, q[1] = 0x21, q[2] = 0x43, q[3] = 0x65, q[4] = 0x87, q[5] = 0xC3;
    uint32_t x = call_eax((void *)(a + 0x100), 0);
    report(x == 0x87654321u, "code written at 0x%x runs there", a + 0x100);
    pae_off();
}

/* ---- tcfill and rets: in bthostile_gen.c ---- */
void attack_tcfill(void);
void attack_rets(void);
/* ---- segload and fpip: in bthostile_seg.c ---- */
void attack_segload(void);
void attack_segvpage(void);
void attack_fpip(void);
void attack_hotmmio(void);
void attack_calloutwr(void);

void mbk_main(void)
{
    const char *t = cmdline_value("test");
    mbk_printf("# test=%s\n", t ? t : "(none)");
    if (!t)
        report(0, "test=NAME on the command line");
    else if (streq(t, "midinsn"))
        attack_midinsn();
    else if (streq(t, "overlap"))
        attack_overlap();
    else if (streq(t, "ahead"))
        attack_ahead();
    else if (streq(t, "int3"))
        attack_int3();
    else if (streq(t, "far"))
        attack_far();
    else if (streq(t, "unmapped"))
        attack_unmapped();
    else if (streq(t, "tcfill"))
        attack_tcfill();
    else if (streq(t, "rets"))
        attack_rets();
    else if (streq(t, "segload"))
        attack_segload();
    else if (streq(t, "segvpage"))
        attack_segvpage();
    else if (streq(t, "calloutwr"))
        attack_calloutwr();
    else if (streq(t, "hotmmio"))
        attack_hotmmio();
    else if (streq(t, "fpip"))
        attack_fpip();
    else if (streq(t, "hvread"))
        attack_hvread();
    else if (streq(t, "hvwrite"))
        attack_hvwrite();
    else if (streq(t, "hvmap"))
        attack_hvmap();
    else
        report(0, "test=%s: no such attack", t);
}
