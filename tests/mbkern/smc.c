/*
 * smc: a kernel that patches its own code while running it, the cases a
 * binary translator must get right (docs/bt.md "Self-modifying code") and
 * every x86 CPU and QEMU agree on: each store to code is followed by a
 * jump or call before the new bytes run (SDM vol. 3 8.1.3, option 1).
 *   imm      a function's immediate operand rewritten (32 values) and its
 *            opcode bytes replaced, each time called again
 *   loop     a loop that rewrites the immediate of the instruction it
 *            jumps to next, every iteration (1000 times)
 *   buffer   code generated into a fresh buffer and called, regenerated
 *            at the same addresses with other constants (64 functions)
 *   alias    PAE paging (with "nonpae" on the command line: two-level
 *            paging, 4 MiB pages and one page table): a frame mapped at two
 *            virtual addresses (and its identity address): written
 *            through one, run through another
 *   hot      data sharing a page with hot code: a loop in that page
 *            writing beside itself 50000 times, and 20000 writes from
 *            outside each followed by a call into the page
 * On bare QEMU every check passes (status 1); under --mode bt the same.
 */
#include "mbkern.h"
#include "pae.h"

const char mbk_name[] = "smc";

/* eax = fn(eax) for code that uses eax only (and the stack). */
static uint32_t call_eax(const void *fn, uint32_t eax)
{
    __asm__ volatile("call *%1" : "+a"(eax) : "r"(fn) : "ecx", "edx", "memory", "cc");
    return eax;
}

/* ---- imm: an immediate operand rewritten ---- */

__asm__(".text\n"
        ".globl smc_imm\n"
        "smc_imm:\n"
        "  .byte 0xb8\n"                 /* movl $0x11111111, %eax */
        "  .long 0x11111111\n"
        "  ret\n"
        "  .fill 8, 1, 0x90\n");
extern uint8_t smc_imm[];

static void case_imm(void)
{
    unsigned bad = 0;
    uint32_t first = call_eax(smc_imm, 0);
    for (uint32_t i = 1; i <= 32; i++) {
        uint32_t v = i * 0x01010101u ^ 0x5A000000u;
        *(volatile uint32_t *)(smc_imm + 1) = v;
        if (call_eax(smc_imm, 0) != v)
            bad++;
    }
    report(first == 0x11111111u && bad == 0,
           "an immediate rewritten 32 times, each new value seen by the next call");

    /* the opcodes: xor %eax,%eax; dec %eax; ret -- then the original back */
    static const uint8_t repl[] = { 0x31, 0xC0, 0x48, 0xC3 };
    static const uint8_t orig[] = { 0xB8, 0x11, 0x11, 0x11, 0x11, 0xC3 };
    for (unsigned i = 0; i < sizeof(repl); i++)
        ((volatile uint8_t *)smc_imm)[i] = repl[i];
    uint32_t a = call_eax(smc_imm, 7);
    for (unsigned i = 0; i < sizeof(orig); i++)
        ((volatile uint8_t *)smc_imm)[i] = orig[i];
    uint32_t b = call_eax(smc_imm, 7);
    mbk_printf("# replaced: 0x%x, restored: 0x%x\n", a, b);
    report(a == 0xFFFFFFFFu && b == 0x11111111u, "the function's opcodes replaced and restored, each seen");
}

/* ---- loop: the next instruction rewritten every iteration ---- */

/* smc_loop(n): for i = n..1 it stores i as the immediate of the add it
 * then jumps to; returns the sum of the added immediates. */
__asm__(".text\n"
        ".globl smc_loop\n"
        "smc_loop:\n"
        "  movl 4(%esp), %ecx\n"
        "  xorl %eax, %eax\n"
        "1: movl %ecx, 2f+1\n"
        "  jmp 2f\n"
        "2: .byte 0x05\n"                /* addl $imm32, %eax */
        "  .long 0\n"
        "  loop 1b\n"
        "  ret\n");
uint32_t smc_loop(uint32_t n);

static void case_loop(void)
{
    uint32_t s = smc_loop(1000);
    mbk_printf("# loop: sum 0x%x\n", s);
    report(s == 500500, "a loop rewriting the add it jumps to next, 1000 times: the sum of the new immediates");
}

/* ---- buffer: code written into a fresh buffer and called ---- */

static uint8_t buf[8192] __attribute__((aligned(4096)));

/* movl 4(%esp), %eax; imull $k, %eax, %eax; addl $c, %eax; ret */
static void gen(uint8_t *p, uint32_t k, uint32_t c)
{
    static const uint8_t load[] = { 0x8B, 0x44, 0x24, 0x04, 0x69, 0xC0 };
    volatile uint8_t *q = p;
    for (unsigned i = 0; i < sizeof(load); i++)
        *q++ = load[i];
    for (unsigned i = 0; i < 4; i++)
        *q++ = (uint8_t)(k >> (8 * i));
    *q++ = 0x05;
    for (unsigned i = 0; i < 4; i++)
        *q++ = (uint8_t)(c >> (8 * i));
    *q = 0xC3;
}

static void case_buffer(void)
{
    unsigned bad = 0;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 64; i++) {
        uint8_t *f = buf + (i % 4) * 64 + (i % 8 >= 4 ? 4096 : 0);
        uint32_t k = 2 * i + 3, c = 0x1000 * i + 7;
        gen(f, k, c);
        uint32_t r = ((uint32_t (*)(uint32_t))f)(i + 100);
        if (r != (i + 100) * k + c)
            bad++;
        sum += r;
    }
    mbk_printf("# buffer: sum 0x%x\n", sum);
    report(bad == 0, "64 functions generated at 8 addresses of a fresh buffer (each rewritten 8 times): every result right");
}

/* ---- alias: one frame at two virtual addresses ---- */

#define VA_X 0x40000000u                 /* executed through */
#define VA_W 0x40001000u                 /* written through */
static struct pae pae;
static uint8_t frame[4096] __attribute__((aligned(4096)));

static void put_mov_ret(uint32_t at, uint32_t v)   /* movl $v, %eax; ret */
{
    volatile uint8_t *q = (volatile uint8_t *)at;
    q[0] = 0xB8;
    q[1] = (uint8_t)v;
    q[2] = (uint8_t)(v >> 8);
    q[3] = (uint8_t)(v >> 16);
    q[4] = (uint8_t)(v >> 24);
    q[5] = 0xC3;
}

/* non-PAE: 4 MiB identity pages, one page table at VA_X's 4 MiB */
static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32[1024] __attribute__((aligned(4096)));

static void nonpae_on(uint32_t id)
{
    for (unsigned i = 0; i < 1024; i++)
        pd32[i] = (i << 22) | 0x83, pt32[i] = 0;        /* PS, W, P */
    pd32[VA_X >> 22] = (uint32_t)pt32 | 0x3;
    pt32[(VA_X >> 12) & 1023] = id | 0x3;
    pt32[(VA_W >> 12) & 1023] = id | 0x3;
    uint32_t v;
    __asm__ volatile("movl %%cr4, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr4" :: "r"((v & ~0x20u) | 0x10) : "memory");   /* PSE, not PAE */
    __asm__ volatile("movl %0, %%cr3" :: "r"(pd32) : "memory");
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    __asm__ volatile("movl %0, %%cr0" :: "r"(v | 0x80010000u) : "memory");
}

static void case_alias(void)
{
    uint32_t id = (uint32_t)frame;
    int nonpae = cmdline_has("nonpae");
    if (nonpae) {
        nonpae_on(id);
    } else {
        pae_build(&pae, VA_X);
        pae_map4k(&pae, VA_X, id);
        pae_map4k(&pae, VA_W, id);
        pae_on(&pae);
    }
    mbk_printf("# alias: %s paging\n", nonpae ? "non-PAE" : "PAE");

    put_mov_ret(VA_W + 0x100, 0xA1);
    uint32_t r1 = call_eax((void *)(VA_X + 0x100), 0);
    put_mov_ret(VA_W + 0x100, 0xA2);
    uint32_t r2 = call_eax((void *)(VA_X + 0x100), 0);
    report(r1 == 0xA1 && r2 == 0xA2, "written through 0x%x, run through 0x%x: the first code, then the rewritten (got 0x%x, 0x%x)",
           VA_W, VA_X, r1, r2);

    uint32_t r3 = call_eax((void *)(id + 0x100), 0);
    put_mov_ret(VA_X + 0x100, 0xA3);              /* written where it runs, run at the identity */
    uint32_t r4 = call_eax((void *)(id + 0x100), 0);
    uint32_t r5 = call_eax((void *)(VA_X + 0x100), 0);
    report(r3 == 0xA2 && r4 == 0xA3 && r5 == 0xA3,
           "run at its identity address too, rewritten through the executing alias: both see it (got 0x%x, 0x%x, 0x%x)",
           r3, r4, r5);

    unsigned bad = 0;
    for (uint32_t i = 0; i < 300; i++) {
        uint32_t at = i % 3 == 0 ? VA_W : i % 3 == 1 ? VA_X : id;
        uint32_t run = i % 2 ? VA_X : id;
        put_mov_ret(at + 0x100 + (i % 5) * 8, 0xC0DE0000u + i);
        if (call_eax((void *)(run + 0x100 + (i % 5) * 8), 0) != 0xC0DE0000u + i)
            bad++;
    }
    report(bad == 0, "300 rewrites through one of the three addresses, each run through another: all seen");
    pae_off();
}

/* ---- hot: data in the same page as hot code ---- */

__asm__(".section .text.smc_hot, \"ax\"\n"
        ".balign 4096\n"
        ".globl hot_loop, hot_get, hot_count, hot_sum, hot_in\n"
        "hot_loop:\n"                    /* hot_loop(n): n times count++, sum += i */
        "  movl 4(%esp), %ecx\n"
        "1: incl hot_count\n"
        "  addl %ecx, hot_sum\n"
        "  loop 1b\n"
        "  movl hot_sum, %eax\n"
        "  ret\n"
        "hot_get:\n"                     /* hot_get(): 3 * hot_in + 1 */
        "  movl hot_in, %eax\n"
        "  leal 1(%eax,%eax,2), %eax\n"
        "  ret\n"
        ".balign 64\n"
        "hot_count: .long 0\n"
        "hot_sum:   .long 0\n"
        "hot_in:    .long 0\n"
        ".balign 4096\n"
        ".text\n");
uint32_t hot_loop(uint32_t n);
uint32_t hot_get(void);
extern volatile uint32_t hot_count, hot_sum, hot_in;

static void case_hot(void)
{
    report(((uint32_t)hot_loop >> 12) == ((uint32_t)&hot_in >> 12), "the hot code and its data share page 0x%x",
           (uint32_t)hot_loop & ~0xFFFu);
    uint32_t s = hot_loop(50000);
    report(hot_count == 50000 && s == 1250025000u,
           "a loop writing two words of its own page 50000 times: count %u, sum %u", hot_count, s);
    uint32_t t = 0;
    for (uint32_t i = 0; i < 20000; i++) {
        hot_in = i;
        t += hot_get();
    }
    /* sum of 3i + 1 for i < 20000 */
    report(t == 3u * (19999u * 20000u / 2) + 20000u,
           "20000 writes into the page of the code called after each: the sum of results 0x%x", t);
}

void mbk_main(void)
{
    case_imm();
    case_loop();
    case_buffer();
    case_alias();
    case_hot();
}
