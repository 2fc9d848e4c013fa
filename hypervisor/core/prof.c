/*
 * prof: the per-path instruction profile (see prof.h). Built into the
 * profiled hypervisor only (make bench-profile: build/prof/hypervisor.elf).
 *
 * One record per entry into the hypervisor: the instructions of each
 * phase, from the switcher's entry stamp to its exit stamp, and the
 * entry's path. A record is added to its path's totals at the next entry
 * (the exit stamp is taken in the switcher, after the last C code ran).
 * The profiler's own instructions are left out: a mark reads the TSC when
 * it starts and again when it is done, and what is left between two marks
 * with nothing in between (measured at boot, prof_init) is taken off every
 * interval.
 */
#include "core/prof.h"

#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/layout.h"
#include "core/console.h"
#include "core/hypercall.h"
#include "lib/format.h"

/* The switcher's stamps (switcher.S, PV86_PROFILE): its entry's after the
 * pushal, its exit's just before the guest's CR3 is loaded. */
uint32_t prof_switcher_in, prof_switcher_out;

/* What the stamps cannot see, counted from switcher.S: before the entry
 * stamp the stub (pushl $0, pushl $vector, jmp; 2 for an exception with an
 * error code), cld, four segment pushes and pushal; after the exit stamp
 * the CR3 load, the DR7 test, popal, four pops, the add and the iret. The
 * switcher's own stamp instructions (the entry's two moves, the exit's
 * store) are not the hypervisor's: taken off. */
#define ENTRY_UNSEEN 9u
#define EXIT_UNSEEN  9u
#define ENTRY_OWN    2u

static inline uint32_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    (void)hi;
    return lo;
}

/* The trampolines PROF_* call (prof.h): every register saved around the C
 * mark, the arguments popped on return. */
#define TRAMPOLINE(name, fn, args)                                          \
    __asm__(".text\n.globl " #name "\n" #name ":\n"                        \
            "\tpushal\n" args "\tcall " #fn "\n\taddl $" ARGSIZE_##name ", %esp\n" \
            "\tpopal\n\tret $" ARGSIZE_##name "\n")
#define ARG1 "\tpushl 36(%esp)\n"
#define ARG2 "\tpushl 40(%esp)\n\tpushl 40(%esp)\n"
#define ARGSIZE_prof_begin_t "0"
#define ARGSIZE_prof_pop_t "0"
#define ARGSIZE_prof_to_t "4"
#define ARGSIZE_prof_push_t "4"
#define ARGSIZE_prof_trap_t "4"
#define ARGSIZE_prof_mmuext_t "4"
#define ARGSIZE_prof_hypercall_t "8"
#define ARGSIZE_prof_subcall_t "8"

void prof_begin(void);
void prof_to(enum prof_phase ph);
void prof_push(enum prof_phase ph);
void prof_pop(void);
void prof_trap(unsigned vector);
void prof_hypercall(uint32_t nr, uint32_t count);
void prof_subcall(uint32_t op, uint32_t count);
void prof_mmuext(uint32_t cmd);

TRAMPOLINE(prof_begin_t, prof_begin, "");
TRAMPOLINE(prof_pop_t, prof_pop, "");
TRAMPOLINE(prof_to_t, prof_to, ARG1);
TRAMPOLINE(prof_push_t, prof_push, ARG1);
TRAMPOLINE(prof_trap_t, prof_trap, ARG1);
TRAMPOLINE(prof_mmuext_t, prof_mmuext, ARG1);
TRAMPOLINE(prof_hypercall_t, prof_hypercall, ARG2);
TRAMPOLINE(prof_subcall_t, prof_subcall, ARG2);

#define DEPTH_MAX 8

static struct {
    int open, broken;
    uint32_t last;                      /* the TSC when the last mark was done */
    uint8_t ph, depth, stack[DEPTH_MAX];
    uint32_t cyc[PROF_PHASES], marks[PROF_PHASES];
    uint64_t key;
    unsigned nsub;
} rec;

static uint32_t mark_cost_milli;        /* a pair of empty marks, prof_init: 1/1000ths */

/*
 * Path keys: bits 0-7 the vector or hypercall number, 8-9 the kind, 10-11
 * the count class (1: one entry, 2: more) of mmu_update and mmuext_op,
 * 12-16 the first mmuext command + 1; multicall entries, two of them, 16
 * bits each from bit 20 (op, class at 8, command + 1 at 10, present at 15);
 * bit 52: more than two.
 */
#define KIND_TRAP 1u
#define KIND_IRQ  2u
#define KIND_HC   3u

struct slot {
    uint64_t key;
    uint32_t calls;
    uint64_t cyc[PROF_PHASES];
};
#define SLOTS 48
static struct slot window[SLOTS + 1], total[SLOTS + 1];    /* [SLOTS]: the rest */

static void add_to(struct slot *tab, uint64_t key, uint32_t calls, const uint64_t *cyc)
{
    struct slot *s = tab;
    while (s < tab + SLOTS && s->calls && s->key != key)
        s++;
    if (s < tab + SLOTS && !s->calls)
        s->key = key;
    else if (s == tab + SLOTS)
        s->key = ~0ull;
    s->calls += calls;
    for (unsigned p = 0; p < PROF_PHASES; p++)
        s->cyc[p] += cyc[p];
}

static void close_record(void)
{
    uint64_t cyc[PROF_PHASES];
    if (!rec.open || rec.broken || !prof_switcher_out || rec.ph != PROF_EXIT || rec.depth)
        return;                         /* not ended by the switcher's exit: dropped */
    rec.cyc[PROF_EXIT] += prof_switcher_out - rec.last;
    rec.marks[PROF_EXIT]++;
    for (unsigned p = 0; p < PROF_PHASES; p++) {
        uint32_t own = (rec.marks[p] * mark_cost_milli + 500) / 1000;
        cyc[p] = rec.cyc[p] > own ? rec.cyc[p] - own : 0;
    }
    cyc[PROF_ENTRY] = cyc[PROF_ENTRY] + ENTRY_UNSEEN > ENTRY_OWN ?
                      cyc[PROF_ENTRY] + ENTRY_UNSEEN - ENTRY_OWN : 0;
    cyc[PROF_EXIT] += EXIT_UNSEEN;
    add_to(window, rec.key, 1, cyc);
}

void prof_begin(void)
{
    uint32_t t = tsc();
    close_record();
    memset(&rec, 0, sizeof(rec));
    rec.open = 1;
    rec.ph = PROF_ENTRY;
    rec.cyc[PROF_ENTRY] = t - prof_switcher_in;
    rec.marks[PROF_ENTRY] = 1;
    prof_switcher_out = 0;
    rec.last = tsc();
}

void prof_to(enum prof_phase ph)
{
    uint32_t t = tsc();
    rec.cyc[rec.ph] += t - rec.last;
    rec.marks[rec.ph]++;
    rec.ph = (uint8_t)ph;
    rec.last = tsc();
}

void prof_push(enum prof_phase ph)
{
    uint32_t t = tsc();
    rec.cyc[rec.ph] += t - rec.last;
    rec.marks[rec.ph]++;
    if (rec.depth < DEPTH_MAX)
        rec.stack[rec.depth++] = rec.ph;
    else
        rec.broken = 1;
    rec.ph = (uint8_t)ph;
    rec.last = tsc();
}

void prof_pop(void)
{
    uint32_t t = tsc();
    rec.cyc[rec.ph] += t - rec.last;
    rec.marks[rec.ph]++;
    if (rec.depth)
        rec.ph = rec.stack[--rec.depth];
    else
        rec.broken = 1;
    rec.last = tsc();
}

static unsigned count_class(uint32_t count)
{
    return count == 1 ? 1u : 2u;
}

static int has_count(uint32_t nr)
{
    return nr == __HYPERVISOR_mmu_update || nr == __HYPERVISOR_mmuext_op;
}

/* The path marks are marks too: their own instructions are left out the
 * same way (an interval closed when they start, one opened when done). */
static inline void mark_in(void)
{
    uint32_t t = tsc();
    rec.cyc[rec.ph] += t - rec.last;
    rec.marks[rec.ph]++;
}

static inline void mark_out(void)
{
    rec.last = tsc();
}

void prof_trap(unsigned vector)
{
    mark_in();
    unsigned kind = vector >= 0x20 && vector < 0x30 ? KIND_IRQ : KIND_TRAP;
    rec.key = (vector > 0xFF ? 0xFFu : vector) | kind << 8;
    mark_out();
}

void prof_hypercall(uint32_t nr, uint32_t count)
{
    mark_in();
    rec.key = (nr > 0xFF ? 0xFFu : nr) | KIND_HC << 8;
    if (has_count(nr))
        rec.key |= (uint64_t)count_class(count) << 10;
    mark_out();
}

void prof_subcall(uint32_t op, uint32_t count)
{
    mark_in();
    if (rec.nsub < 2) {
        uint64_t sub = (op > 0xFF ? 0xFFu : op) | 1u << 15;
        if (has_count(op))
            sub |= count_class(count) << 8;
        rec.key |= sub << (20 + 16 * rec.nsub);
    } else {
        rec.key |= 1ull << 52;
    }
    rec.nsub++;
    mark_out();
}

void prof_mmuext(uint32_t cmd)
{
    mark_in();
    uint64_t c = cmd < 30 ? cmd + 1 : 31;
    if (rec.nsub == 0) {
        if (!(rec.key & (0x1Full << 12)))
            rec.key |= c << 12;
    } else if (rec.nsub <= 2) {
        unsigned shift = 20 + 16 * (rec.nsub - 1) + 10;
        if (!(rec.key & (0x1Full << shift)))
            rec.key |= c << shift;
    }
    mark_out();
}

/* ---- names and reports ---- */

static const char *mmuext_name(unsigned cmd)
{
    switch (cmd) {
    case MMUEXT_PIN_L1_TABLE: return "pin_l1";
    case MMUEXT_PIN_L2_TABLE: return "pin_l2";
    case MMUEXT_PIN_L3_TABLE: return "pin_l3";
    case MMUEXT_UNPIN_TABLE: return "unpin";
    case MMUEXT_NEW_BASEPTR: return "new_baseptr";
    case MMUEXT_TLB_FLUSH_LOCAL: return "tlb_flush_local";
    case MMUEXT_INVLPG_LOCAL: return "invlpg_local";
    case MMUEXT_TLB_FLUSH_MULTI: return "tlb_flush_multi";
    case MMUEXT_INVLPG_MULTI: return "invlpg_multi";
    case MMUEXT_TLB_FLUSH_ALL: return "tlb_flush_all";
    case MMUEXT_INVLPG_ALL: return "invlpg_all";
    case MMUEXT_SET_LDT: return "set_ldt";
    default: return "other";
    }
}

/* "mmu_update*1", "mmuext_op*1(new_baseptr)": op, class, command + 1. */
static int call_name(char *buf, size_t size, unsigned op, unsigned cls, unsigned cmd)
{
    int n = fmt_snprintf(buf, size, "%s", hypercall_name(op));
    if (cls && (size_t)n < size)
        n += fmt_snprintf(buf + n, size - (size_t)n, "*%s", cls == 1 ? "1" : "n");
    if (cmd && (size_t)n < size)
        n += fmt_snprintf(buf + n, size - (size_t)n, "(%s)", mmuext_name(cmd - 1));
    return n;
}

static const char *const vec_names[32] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP",
    "PF", "15", "MF", "AC", "MC", "XM", "VE", "CP",
};

static void path_name(char *buf, size_t size, uint64_t key)
{
    unsigned nr = key & 0xFF, kind = (key >> 8) & 3;
    if (key == ~0ull) {
        fmt_snprintf(buf, size, "other");
        return;
    }
    if (kind == KIND_IRQ) {
        fmt_snprintf(buf, size, "irq:%#x", nr);
        return;
    }
    if (kind == KIND_TRAP) {
        if (nr < 32 && vec_names[nr])
            fmt_snprintf(buf, size, "trap:#%s", vec_names[nr]);
        else
            fmt_snprintf(buf, size, "trap:%#x", nr);
        return;
    }
    if (kind != KIND_HC) {
        fmt_snprintf(buf, size, "unknown");
        return;
    }
    int n = call_name(buf, size, nr, (key >> 10) & 3, (key >> 12) & 0x1F);
    if (nr != __HYPERVISOR_multicall)
        return;
    for (unsigned i = 0; i < 2 && (size_t)n < size; i++) {
        uint32_t sub = (uint32_t)(key >> (20 + 16 * i)) & 0xFFFF;
        if (!(sub & (1u << 15)))
            break;
        n += fmt_snprintf(buf + n, size - (size_t)n, "%s", i ? "," : "[");
        if ((size_t)n < size)
            n += call_name(buf + n, size - (size_t)n, sub & 0xFF, (sub >> 8) & 3, (sub >> 10) & 0x1F);
    }
    if ((size_t)n < size && (key & (1ull << 52)))
        n += fmt_snprintf(buf + n, size - (size_t)n, ",...");
    if ((size_t)n < size && (key & (1ull << 35)))
        fmt_snprintf(buf + n, size - (size_t)n, "]");
}

static void print_table(const char *name, const struct slot *tab)
{
    char path[96];
    for (const struct slot *s = tab; s <= tab + SLOTS; s++) {
        if (!s->calls)
            continue;
        path_name(path, sizeof(path), s->key);
        printk("prof window=%s path=%s calls=%u entry=%llu dispatch=%llu work=%llu copy=%llu "
               "walk=%llu validate=%llu bounce=%llu exit=%llu idle=%llu\n", name, path,
               (unsigned)s->calls, (unsigned long long)s->cyc[PROF_ENTRY],
               (unsigned long long)s->cyc[PROF_DISPATCH], (unsigned long long)s->cyc[PROF_WORK],
               (unsigned long long)s->cyc[PROF_COPY], (unsigned long long)s->cyc[PROF_WALK],
               (unsigned long long)s->cyc[PROF_VALIDATE], (unsigned long long)s->cyc[PROF_BOUNCE],
               (unsigned long long)s->cyc[PROF_EXIT], (unsigned long long)s->cyc[PROF_IDLE]);
    }
}

/* The window so far, then it is added to the run's total. window NULL:
 * the end of the run: the rest, then the total. The entry that asked
 * (a console write) is left out: it carries the printing. */
void prof_report(const char *name)
{
    print_table(name ? name : "rest", window);
    for (const struct slot *s = window; s <= window + SLOTS; s++)
        if (s->calls)
            add_to(total, s->key, s->calls, s->cyc);
    memset(window, 0, sizeof(window));
    if (!name)
        print_table("all", total);
    rec.broken = 1;
    rec.last = tsc();
}

void prof_console_line(uint16_t domid, const char *buf, size_t len)
{
    char name[32];
    size_t n = 0;
    if (len >= 8 && memcmp(buf, "# bench:", 8) == 0) {
        prof_report("start");           /* boot and the program's start */
        return;
    }
    if (len < 7 || memcmp(buf, "bench ", 6) != 0)
        return;
    while (6 + n < len && n + 1 < sizeof(name) && buf[6 + n] != ' ' && buf[6 + n] != '\0')
        name[n] = buf[6 + n], n++;
    name[n] = '\0';
    (void)domid;
    prof_report(name);
}

/* A mark's own cost: intervals with nothing in them, between calls made
 * as everywhere else (the marks are never inlined). Phase CAL is never
 * used otherwise; the first mark of the sequence closes an interval of the
 * caller's (rec is closed here, at boot: nothing is kept). */
void prof_init(void)
{
    memset(&rec, 0, sizeof(rec));
    PROF_PUSH(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_TO(PROF_CAL);
    PROF_POP();
    mark_cost_milli = rec.cyc[PROF_CAL] * 1000 / rec.marks[PROF_CAL];
    printk("prof: the profiled hypervisor; a mark costs %u.%03u instructions (%u over %u "
           "empty intervals), taken off each interval\n", (unsigned)mark_cost_milli / 1000,
           (unsigned)mark_cost_milli % 1000, (unsigned)rec.cyc[PROF_CAL],
           (unsigned)rec.marks[PROF_CAL]);
    memset(&rec, 0, sizeof(rec));
}
