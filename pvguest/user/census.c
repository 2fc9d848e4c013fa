/*
 * census: runs every probe of <pvguest/census.h> in kernel context (through
 * SYS_census; not in the pv flavour, whose kernel has no sensitive
 * instruction) and in user context, and prints one line per probe and
 * context:
 *
 *   census kernel SGDT (reads): the kernel's GDT
 *   census user POPF (acts): IF=1 IOPL=0 after popf cleared IF and set IOPL 3
 *
 * (reads or acts: the probe's kind, see <pvguest/census.h>)
 *
 * A kernel-context description compares what the instruction gave with
 * what the kernel set up itself (SYS_census_info). A user-context one says
 * what a process can tell without knowing the kernel: whether a table
 * address is outside its memory, whether a selector is its own, which
 * exception a privileged instruction raises. tools/census-report compares
 * the lines of each mode with the native machine's.
 *
 * Under the hw mode (the hypervisor CPUID range says "pv86 hw", see
 * hvexits.h) each probe line is followed by the #VMEXITs counted around
 * that probe alone (kernel context: around its census system call):
 *
 *   census exits kernel SGDT: 0x67=1
 *   census exits user LAR: none
 *
 * Elsewhere (bare QEMU, pv, te) there is no such line.
 */
#include <pvguest/census.h>

#include "hvexits.h"
#include "lib/format.h"
#include "ulib.h"

/* census_try(fn, obs): fn(obs) with SYS_catch armed; the exception vector
 * it raised, or -1. census_resume is where the kernel resumes a faulting
 * probe (EAX = vector): it drops whatever the probe had on the stack. */
int census_try(void (*fn)(struct census_obs *), struct census_obs *o);
void census_resume(void);
__asm__(
    "    .text\n"
    "    .globl census_try, census_resume\n"
    "census_try:\n"
    "    pushl %ebp; pushl %ebx; pushl %esi; pushl %edi\n"
    "    movl %esp, census_saved_esp\n"
    "    pushl 24(%esp)\n"
    "    call *24(%esp)\n"
    "    addl $4, %esp\n"
    "    movl $-1, %eax\n"
    "1:  popl %edi; popl %esi; popl %ebx; popl %ebp\n"
    "    ret\n"
    "census_resume:\n"
    "    movl census_saved_esp, %esp\n"
    "    jmp 1b\n"
    "    .data\n"
    "census_saved_esp: .long 0\n"
    "    .text\n");

static struct census_info ki;
static int probe_now;

static void run_sensitive(struct census_obs *o)
{
    census_sensitive(probe_now, ki.user_cs, ki.user_ss, o);
}

static void run_int(struct census_obs *o)
{
    int32_t pid;
    __asm__ __volatile__("int $0x80" : "=a"(pid) : "a"(SYS_getpid) : "memory");
    o->v[0] = (uint32_t)pid;
    __asm__ __volatile__("int $0x41" ::: "memory");    /* no gate for ring 3 */
}

/* The privileged instructions, each faulting (or not) in ring 3. */
static void run_privileged(struct census_obs *o)
{
    static const uint32_t zero6[2];
    uint32_t x = 0;
    switch (probe_now) {
    case CP_CLI: __asm__ __volatile__("cli"); break;
    case CP_STI: __asm__ __volatile__("sti"); break;
    case CP_HLT: __asm__ __volatile__("hlt"); break;
    case CP_RDCR0: __asm__ __volatile__("mov %%cr0, %0" : "=r"(x)); break;
    case CP_WRCR3: __asm__ __volatile__("mov %0, %%cr3" :: "r"(x)); break;
    case CP_RDCR4: __asm__ __volatile__("mov %%cr4, %0" : "=r"(x)); break;
    case CP_LGDT: __asm__ __volatile__("lgdt %0" :: "m"(zero6)); break;
    case CP_LIDT: __asm__ __volatile__("lidt %0" :: "m"(zero6)); break;
    case CP_LLDT: __asm__ __volatile__("lldt %w0" :: "r"(x)); break;
    case CP_INVLPG: __asm__ __volatile__("invlpg (%0)" :: "r"(&x) : "memory"); break;
    case CP_IN: __asm__ __volatile__("inb $0x80, %%al" : "=a"(x)); break;
    case CP_OUT: __asm__ __volatile__("outb %%al, $0x80" :: "a"(0)); break;
    case CP_WRMSR: __asm__ __volatile__("wrmsr" :: "c"(0x174), "a"(0), "d"(0)); break;
    case CP_RDMSR: __asm__ __volatile__("rdmsr" : "=a"(x) : "c"(0x174) : "edx"); break;
    case CP_WBINVD: __asm__ __volatile__("wbinvd"); break;
    default: break;
    }
    o->v[0] = x;
}

static const char *kind_name(int p)
{
    return census_probes[p].kind == CENSUS_READS ? "reads" : "acts";
}

static const char *yes(uint32_t v, const char *y, const char *n) { return v ? y : n; }

static int in_process(uint32_t va) { return va >= USER_BASE && va < USER_BASE + 0x40000000u; }

/* What a process can tell from what the probe saw. */
static void describe_user(int p, const struct census_obs *o, char *s, size_t n)
{
    const uint32_t a = o->v[0], b = o->v[1];
    if (o->fault >= 0) {
        fmt_snprintf(s, n, "fault: vector %d", (int)o->fault);
        return;
    }
    switch (p) {
    case CP_SGDT: case CP_SIDT:
        fmt_snprintf(s, n, "%s", in_process(a) ? "an address in the process" :
                 "an address outside the process");
        return;
    case CP_SLDT: fmt_snprintf(s, n, "selector %#x", (unsigned)a); return;
    case CP_SMSW: fmt_snprintf(s, n, "PE=%u", (unsigned)(a & 1)); return;
    case CP_STR:
        fmt_snprintf(s, n, "%s", a && !(a & 4) ? "a GDT selector" : "not a GDT selector");
        return;
    case CP_PUSHF:
        fmt_snprintf(s, n, "IF=%u IOPL=%u", (unsigned)((a >> 9) & 1), (unsigned)((a >> 12) & 3));
        return;
    case CP_POPF:
        fmt_snprintf(s, n, "IF=%u IOPL=%u after popf cleared IF and set IOPL 3",
                 (unsigned)((a >> 9) & 1), (unsigned)((a >> 12) & 3));
        return;
    case CP_LAR:
        fmt_snprintf(s, n, "own CS: %s, DPL %u", b ? "valid" : "refused", (unsigned)((a >> 13) & 3));
        return;
    case CP_LSL:
        fmt_snprintf(s, n, "own SS: %s", b && a >= USER_BASE + 0x3FFFFFFFu ?
                 "limit covers the process" : "limit too small or refused");
        return;
    case CP_VERR: fmt_snprintf(s, n, "own CS %s", yes(a, "readable", "not readable")); return;
    case CP_VERW: fmt_snprintf(s, n, "own SS %s", yes(a, "writable", "not writable")); return;
    case CP_PUSH: case CP_CALL:
        fmt_snprintf(s, n, "%s", a == ki.user_cs ? "the process's CS" : "another CS");
        return;
    case CP_MOV:
        fmt_snprintf(s, n, "%s", a == ki.user_ss ? "the process's SS" : "another SS");
        return;
    case CP_POP: case CP_JMP: case CP_RET: fmt_snprintf(s, n, "completes"); return;
    default: fmt_snprintf(s, n, "no fault"); return;
    }
}

/* Against what the kernel set up. */
static void describe_kernel(int p, const struct census_obs *o, char *s, size_t n)
{
    const uint32_t a = o->v[0], b = o->v[1];
    if (o->fault >= 0) {
        fmt_snprintf(s, n, "fault: vector %d", (int)o->fault);
        return;
    }
    switch (p) {
    case CP_SGDT: case CP_SIDT: {
        uint32_t base = p == CP_SGDT ? ki.gdt_base : ki.idt_base;
        uint32_t limit = p == CP_SGDT ? ki.gdt_limit : ki.idt_limit;
        if (a == base && b == limit)
            fmt_snprintf(s, n, "the kernel's %s", p == CP_SGDT ? "GDT" : "IDT");
        else
            fmt_snprintf(s, n, "base %#x limit %#x", (unsigned)a, (unsigned)b);
        return;
    }
    case CP_SLDT: case CP_STR: {
        uint32_t want = p == CP_SLDT ? ki.ldtr : ki.tr;
        if (a == want)
            fmt_snprintf(s, n, "the kernel's %s %#x", p == CP_SLDT ? "LDTR" : "TR", (unsigned)a);
        else
            fmt_snprintf(s, n, "%#x", (unsigned)a);
        return;
    }
    case CP_SMSW:
        if (a == (ki.cr0 & 0xFFFF))
            fmt_snprintf(s, n, "CR0's low word %#x", (unsigned)a);
        else
            fmt_snprintf(s, n, "%#x (the kernel's CR0 has %#x)", (unsigned)a,
                     (unsigned)(ki.cr0 & 0xFFFF));
        return;
    case CP_PUSHF:
        fmt_snprintf(s, n, "IF=%u IOPL=%u after cli", (unsigned)((a >> 9) & 1),
                 (unsigned)((a >> 12) & 3));
        return;
    case CP_POPF:
        fmt_snprintf(s, n, "%s", a ? "sets IF: the pending tick is taken"
                                : "IF stays clear: the pending tick waits");
        return;
    case CP_LAR:
        fmt_snprintf(s, n, "kernel CS: %s, rights %#x", b ? "valid" : "refused",
                 (unsigned)(a & 0x00F0FF00u));
        return;
    case CP_LSL: fmt_snprintf(s, n, "kernel SS: limit %#x", (unsigned)a); return;
    case CP_VERR: fmt_snprintf(s, n, "kernel CS %s", yes(a, "readable", "not readable")); return;
    case CP_VERW: fmt_snprintf(s, n, "kernel SS %s", yes(a, "writable", "not writable")); return;
    case CP_PUSH: case CP_CALL: case CP_MOV: {
        uint32_t want = p == CP_MOV ? ki.kernel_ss : ki.kernel_cs;
        if (a == want)
            fmt_snprintf(s, n, "the kernel's %s %#x", p == CP_MOV ? "SS" : "CS", (unsigned)a);
        else
            fmt_snprintf(s, n, "%#x, not the kernel's %#x", (unsigned)a, (unsigned)want);
        return;
    }
    case CP_INT: fmt_snprintf(s, n, "int $3 reaches vector %u", (unsigned)a); return;
    case CP_CLI: fmt_snprintf(s, n, "%s", yes(a, "the pending tick waits", "a tick got through")); return;
    case CP_STI: fmt_snprintf(s, n, "%s", yes(a, "the pending tick is taken", "the tick waits")); return;
    case CP_HLT: fmt_snprintf(s, n, "%s", yes(a, "wakes on the tick", "did not wait")); return;
    case CP_RDCR0: case CP_RDCR4: case CP_RDMSR:
        fmt_snprintf(s, n, "%#x", (unsigned)a);
        return;
    case CP_IN: fmt_snprintf(s, n, "UART line status %#x", (unsigned)a); return;
    default: fmt_snprintf(s, n, "completes"); return;
    }
}

static int have_exits;
static struct hv_exits exits_before, exits_after, exits_delta;

/* Under hw, a probe is measured again (up to CENSUS_TRIES times) when the
 * kernel's clock ticked during its window: the tick's own exits (the timer
 * interrupt, the handler's EOI to the 8259) are not the probe's, and an EOI
 * cannot be told from an OUT by its exit code. The interrupt probes wait
 * for a tick by design; their last window stands. */
#define CENSUS_TRIES 5
static int32_t exits_t0;

static void exits_begin(void)
{
    if (have_exits) {
        exits_t0 = (int32_t)syscall3(SYS_time, 0, 0, 0);
        hv_exits_read(&exits_before);
    }
}

/* 1: measure again (a tick fell in the window and tries are left). */
static int exits_done(int try)
{
    if (!have_exits)
        return 0;
    hv_exits_read(&exits_after);
    return (int32_t)syscall3(SYS_time, 0, 0, 0) != exits_t0 && try + 1 < CENSUS_TRIES;
}

/* After the probe's own line: the exits between exits_begin and the
 * reading of exits_after right after the probe (exits_done; the printing
 * is outside the window). */
static void exits_print(const char *ctx, int p)
{
    char s[200];
    if (!have_exits)
        return;
    hv_exits_delta(&exits_before, &exits_after, &exits_delta);
    hv_exits_format(&exits_delta, s, sizeof(s));
    printf("census exits %s %s: %s\n", ctx, census_probes[p].name, s);
}

int main(void)
{
    char line[160];
    struct census_obs o;
    int have_kernel = 1;

    have_exits = hv_exits_present();

    syscall3(SYS_catch, (uint32_t)(uintptr_t)census_resume, 0, 0);
    if (syscall3(SYS_census_info, (uint32_t)(uintptr_t)&ki, 0, 0) != 0) {
        printf("census: no census_info system call\n");
        return 1;
    }
    for (int p = 0; p < CENSUS_NR; p++) {
        int rc;
        for (int try = 0;; try++) {
            exits_begin();
            rc = have_kernel ? syscall3(SYS_census, (uint32_t)p, (uint32_t)(uintptr_t)&o, 0)
                             : -ENOSYS;
            if (!exits_done(try))
                break;
        }
        if (rc == -ENOSYS) {
            have_kernel = 0;
            printf("census kernel %s (%s): -\n", census_probes[p].name, kind_name(p));
        } else if (rc) {
            printf("census kernel %s (%s): error %d\n", census_probes[p].name, kind_name(p), rc);
        } else {
            describe_kernel(p, &o, line, sizeof(line));
            printf("census kernel %s (%s): %s\n", census_probes[p].name, kind_name(p), line);
        }
        exits_print("kernel", p);
    }
    for (int p = 0; p < CENSUS_NR; p++) {
        memset(&o, 0, sizeof(o));
        probe_now = p;
        void (*fn)(struct census_obs *) = p == CP_INT ? run_int :
                                          p < CENSUS_NR_SENSITIVE ? run_sensitive : run_privileged;
        for (int try = 0;; try++) {
            exits_begin();
            o.fault = census_try(fn, &o);
            if (!exits_done(try))
                break;
            memset(&o, 0, sizeof(o));
        }
        if (p == CP_INT)
            fmt_snprintf(line, sizeof(line), "int $0x80 %s; int $0x41: vector %d",
                     o.v[0] == (uint32_t)getpid() ? "is a system call" : "went wrong",
                     (int)o.fault);
        else
            describe_user(p, &o, line, sizeof(line));
        printf("census user %s (%s): %s\n", census_probes[p].name, kind_name(p), line);
        exits_print("user", p);
    }
    syscall3(SYS_catch, 0, 0, 0);
    printf("census: done\n");
    return 0;
}
