/* bt's translations executed (a 32-bit host program, TAP, no cmocka):
 * guest functions in this program's own text are translated by the
 * cache and run from a TC mapped RWX, with GS an LDT segment whose base
 * is a vpage / guard / lookup-table region laid out as bt/layout.h's;
 * a SIGTRAP/SIGSEGV handler plays the runtime (exits resolved and
 * chained, lookup misses, a callout emulated, the pending check). It
 * checks results, registers and flags against what the guest code
 * computes natively, and that a second run goes through chains and
 * inline lookups without the handler. Linux i386 ABI (gcc -m32). */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "bt/cache.h"

#define EXIT_EIP 0x1000u            /* the guest's "return to the harness" */
#define VP_SEL   0x7                /* LDT entry 0, RPL 3 */
#define REGION   (0x2000u + BT_LOOKUP_ENTRIES * 4u)
#define TC_BYTES 0x100000u

struct regs { uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, eflags; };

extern uint8_t guest_begin[], guest_end[], g_sum[], g_regs[], g_flags[], g_call[], g_in[],
    g_stc[], g_clc[], g_of[], g_popf[], g_after_nop[];
void tramp(uint32_t tc, struct regs *r);
extern uint8_t landing[];

/* The guest code (AT&T). */
__asm__(
    ".text\n"
    ".globl guest_begin\nguest_begin:\n"
    /* eax = 1 + ... + ecx: loop, jcc, ident */
    ".globl g_sum\ng_sum:\n"
    "    xor %eax, %eax\n"
    "1:  add %ecx, %eax\n"
    "    loop 1b\n"
    "    test %eax, %eax\n"
    "    jnz 2f\n"
    "    mov $-1, %eax\n"
    "2:  ret\n"
    /* touches nothing but eax and flags, through every lookup form */
    ".globl g_regs\ng_regs:\n"
    "    mov $5, %eax\n"
    "    call *g_regs_ptr\n"
    "    ret\n"
    "g_regs_leaf:\n"
    "    add $1, %eax\n"
    "    jmp *g_regs_ptr2\n"
    "g_regs_leaf2:\n"
    "    ret\n"
    /* ebx = pushf after cli, esi = pushf after sti, edi = CF kept (setc) */
    ".globl g_flags\ng_flags:\n"
    "    stc\n"
    "    cli\n"
    "    pushf\n"
    "    pop %ebx\n"
    "    sti\n"
    "    nop\n"
    ".globl g_after_nop\ng_after_nop:\n"
    "    pushf\n"
    "    pop %esi\n"
    "    setc %al\n"
    "    movzbl %al, %edi\n"
    "    ret\n"
    /* eax = sum(10) + sum(3) via call rel, call [mem], jmp reg */
    ".globl g_call\ng_call:\n"
    "    mov $10, %ecx\n"
    "    call g_sum\n"
    "    mov %eax, %edx\n"
    "    mov $3, %ecx\n"
    "    call *g_table\n"
    "    add %eax, %edx\n"
    "    mov $g_after, %ebx\n"
    "    jmp *%ebx\n"
    "g_after:\n"
    "    mov %edx, %eax\n"
    "    ret\n"
    /* a callout (in al, 0x60) in the middle of a block */
    ".globl g_in\ng_in:\n"
    "    mov $0x11223344, %eax\n"
    "    in $0x60, %al\n"
    "    add $1, %eax\n"
    "    ret\n"
    ".globl g_stc\ng_stc:\n    stc\n    ret\n"
    ".globl g_clc\ng_clc:\n    clc\n    ret\n"
    /* OF SF set by add, then pushf: image and flags after */
    ".globl g_of\ng_of:\n"
    "    mov $0x7fffffff, %eax\n"
    "    add $1, %eax\n"
    "    pushf\n"
    "    pop %ebx\n"
    "    ret\n"
    /* popf of an image with IF clear and CF DF set: vIF 0, CF DF real */
    ".globl g_popf\ng_popf:\n"
    "    push $0x00000401\n"
    "    popf\n"
    "    pushf\n"
    "    pop %ebx\n"
    "    cld\n"
    "    ret\n"
    ".balign 4\n"
    "g_table: .long g_sum\n"
    "g_regs_ptr: .long g_regs_leaf\n"
    "g_regs_ptr2: .long g_regs_leaf2\n"
    ".globl guest_end\nguest_end:\n"
    /* tramp(tc, regs): run translated code with the guest's registers */
    ".globl tramp\ntramp:\n"
    "    push %ebp\n    push %ebx\n    push %esi\n    push %edi\n"
    "    mov %esp, saved_esp\n"
    "    mov 20(%esp), %eax\n    mov %eax, jump_to\n"
    "    mov 24(%esp), %ecx\n"
    "    mov $7, %eax\n    mov %eax, %gs\n"
    "    mov 16(%ecx), %esp\n"
    "    pushl 32(%ecx)\n    popf\n"
    "    mov 0(%ecx), %eax\n    mov 8(%ecx), %edx\n    mov 12(%ecx), %ebx\n"
    "    mov 20(%ecx), %ebp\n    mov 24(%ecx), %esi\n    mov 28(%ecx), %edi\n"
    "    mov 4(%ecx), %ecx\n"
    "    jmp *jump_to\n"
    ".globl landing\nlanding:\n"
    "    mov saved_esp, %esp\n"
    "    pop %edi\n    pop %esi\n    pop %ebx\n    pop %ebp\n"
    "    ret\n");

uint32_t saved_esp, jump_to;
static uint16_t host_gs;
static uint8_t *region, *tcmem;
static struct bt_cache C;
static struct regs result;
static unsigned n_exit, n_miss, n_callout, n_pend, n_bad;
static uint32_t pend_next;
static uint32_t gstack[16384];
static uint8_t altstack[65536];
static int tap_n, tap_failed;

#define VP32(off) (*(volatile uint32_t *)(region + (off)))

static size_t fetch(void *ctx, uint32_t va, uint8_t *buf, size_t n, uint32_t *gpfn)
{
    (void)ctx;
    size_t got = 0;
    *gpfn = va >> 12;
    while (got < n && va + got >= (uint32_t)guest_begin && va + got < (uint32_t)guest_end) {
        buf[got] = *(const uint8_t *)(uintptr_t)(va + got);
        got++;
    }
    return got;
}
static const struct bt_env env = { .fetch = fetch };

static uint32_t tc_of(uint32_t eip)
{
    uint32_t tc = 0, f;
    int r;
    for (int i = 0; i < 2; i++)
        if ((r = bt_cache_get(&C, &env, eip, &tc, &f)) == BT_GET_OK)
            return tc;
    return 0;
}

static void handler(int sig, siginfo_t *si, void *vuc)
{
    (void)si;
    __asm__ volatile("mov %0, %%gs" : : "r"(host_gs));     /* libc's TLS back */
    ucontext_t *uc = vuc;
    greg_t *g = uc->uc_mcontext.gregs;
    uint32_t eip = (uint32_t)g[REG_EIP];
    struct bt_where w;
    if (sig == SIGSEGV) {
        bt_cache_where(&C, eip, &w);
        if (w.site != BT_SITE_PEND)
            goto bad;
        n_pend++;
        pend_next = w.next;
        VP32(BT_VP_PEND) = BT_VP_PEND_OK;                  /* "delivered" */
        g[REG_EIP] = (greg_t)w.resume;
        return;
    }
    bt_cache_where(&C, eip - 1, &w);
    switch (w.site) {
    case BT_SITE_EXIT: {
        uint32_t tc = tc_of(w.eip);
        if (!tc)
            goto bad;
        bt_cache_chain(&C, eip - 1, tc);
        n_exit++;
        g[REG_EIP] = (greg_t)tc;
        return;
    }
    case BT_SITE_MISS: {
        uint32_t target = VP32(BT_VP_TARGET);
        n_miss++;
        if (target == EXIT_EIP) {
            result = (struct regs){ (uint32_t)g[REG_EAX], (uint32_t)g[REG_ECX], (uint32_t)g[REG_EDX],
                                    (uint32_t)g[REG_EBX], (uint32_t)g[REG_ESP], (uint32_t)g[REG_EBP],
                                    (uint32_t)g[REG_ESI], (uint32_t)g[REG_EDI], (uint32_t)g[REG_EFL] };
            g[REG_GS] = host_gs;
            g[REG_EIP] = (greg_t)(uintptr_t)landing;
            return;
        }
        uint32_t tc = tc_of(target);
        if (!tc)
            goto bad;
        g[REG_EIP] = (greg_t)tc;
        return;
    }
    case BT_SITE_CALLOUT:
        if (*(uint8_t *)(uintptr_t)w.eip == 0xE4 && w.resume) {   /* in al, imm8 */
            g[REG_EAX] = (greg_t)(((uint32_t)g[REG_EAX] & ~0xFFu) | 0x5A);
            n_callout++;
            g[REG_EIP] = (greg_t)w.resume;
            return;
        }
        goto bad;
    default:
        break;
    }
bad:
    n_bad++;
    g[REG_GS] = host_gs;
    g[REG_EIP] = (greg_t)(uintptr_t)landing;
}

/* Run the guest function at eip; its return lands in result. */
static int run(void *fn, struct regs in)
{
    uint32_t tc = tc_of((uint32_t)(uintptr_t)fn);
    if (!tc)
        return 0;
    gstack[16383] = EXIT_EIP;
    in.esp = (uint32_t)(uintptr_t)&gstack[16383];
    memset(&result, 0, sizeof result);
    tramp(tc, &in);
    return n_bad == 0;
}

static void ok(int cond, const char *desc)
{
    tap_n++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, desc);
}

static struct regs base(void)
{
    return (struct regs){ .eax = 0xA0A0A0A0, .ecx = 0xC1C1C1C1, .edx = 0xD2D2D2D2,
                          .ebx = 0xB3B3B3B3, .ebp = 0xE5E5E5E5, .esi = 0x5E5E5E5E,
                          .edi = 0xD1D1D1D1, .eflags = 0x202 };
}

int main(void)
{
    __asm__ volatile("mov %%gs, %0" : "=r"(host_gs));
    region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    tcmem = mmap(NULL, TC_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED || tcmem == MAP_FAILED || mprotect(region + 0x1000, 0x1000, PROT_NONE)) {
        printf("1..0 # SKIP no memory\n");
        return 0;
    }
    struct user_desc d = { .entry_number = 0, .base_addr = (unsigned)(uintptr_t)region,
                           .limit = (REGION >> 12) - 1, .seg_32bit = 1, .limit_in_pages = 1,
                           .useable = 1 };
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) {
        printf("1..0 # SKIP modify_ldt refused\n");
        return 0;
    }
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    bt_cache_init(&C, tcmem, (uint32_t)(uintptr_t)tcmem, TC_BYTES,
                  (uint32_t *)(void *)(region + 0x2000));
    VP32(BT_VP_VFLAGS) = 0x200;
    VP32(BT_VP_VIOPL) = 0;
    VP32(BT_VP_PEND) = BT_VP_PEND_OK;

    printf("1..16\n");
    struct regs r = base();
    r.ecx = 10;
    ok(run(g_sum, r) && result.eax == 55 && result.ecx == 0, "sum 1..10 (loop, jcc) is 55");
    ok(result.edx == r.edx && result.ebx == r.ebx && result.ebp == r.ebp && result.esi == r.esi &&
       result.edi == r.edi && result.esp == (uint32_t)(uintptr_t)&gstack[16383] + 4,
       "registers kept, ret popped");

    r = base();
    unsigned m0 = n_miss;
    ok(run(g_regs, r) && result.eax == 6, "call [mem], jmp [mem], ret through lookups");
    ok(result.ecx == r.ecx && result.edx == r.edx && result.ebx == r.ebx && result.esi == r.esi &&
       result.edi == r.edi && result.ebp == r.ebp, "lookups keep ecx and every register");
    unsigned m1 = n_miss, e1 = n_exit;
    ok(run(g_regs, r) && result.eax == 6 && n_miss - m1 == 1 && n_exit == e1,
       "second run: inline lookup hits, no callout but the harness's return");
    (void)m0;

    r = base();
    unsigned c0 = C.stats.chains;
    ok(run(g_call, r) && result.eax == 61, "call rel, call [table], jmp reg: 55 + 6");
    unsigned m2 = n_miss, e2 = n_exit;
    ok(run(g_call, r) && result.eax == 61 && n_miss - m2 == 1 && n_exit == e2 &&
       C.stats.chains > c0, "second run chained and looked up inline");

    r = base();
    VP32(BT_VP_PEND) = BT_VP_PEND_TRAP;                        /* an interrupt waits */
    ok(run(g_flags, r) && (result.ebx & 0x200) == 0 && (result.esi & 0x200) != 0,
       "pushf sees the virtual IF: clear after cli, set after sti");
    ok(result.edi == 1 && (result.eflags & 1), "cli/sti/pushf keep CF");
    ok(n_pend == 1 && pend_next == (uint32_t)(uintptr_t)g_after_nop,
       "the pending check faults after sti's shadow (the nop), once");
    ok(VP32(BT_VP_VFLAGS) & 0x200, "vIF set at the end");

    r = base();
    ok(run(g_in, r) && result.eax == 0x1122335B && n_callout == 1,
       "callout in the middle of a block: emulated, resumed after the int3");

    r = base();
    ok(run(g_stc, r) && (result.eflags & 1), "ret keeps CF set");
    ok(run(g_clc, r) && !(result.eflags & 1), "ret keeps CF clear");
    ok(run(g_of, r) && (result.eflags & 0x880) == 0x880 && (result.ebx & 0x880) == 0x880 &&
       (result.ebx & 0x200), "add sets OF SF: pushf image and the flags after keep them");

    r = base();
    ok(run(g_popf, r) && !(VP32(BT_VP_VFLAGS) & 0x200) && (result.ebx & 0x601) == 0x401 &&
       (result.eflags & 1) && n_bad == 0,
       "popf: IF into the vpage (clear), CF and DF real, pushf shows them");
    return tap_failed ? 1 : 0;
}
