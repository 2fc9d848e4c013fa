/* lib: the guest runtime (see guest.h). */
#include "guest.h"

struct shared_info *shared_info;
volatile struct trap_record last_trap;
void (*guest_crash_hook)(void);
event_fn event_handler;

struct probe_entry { uint32_t insn, resume; };
extern const struct probe_entry __probe_table_start[], __probe_table_end[];
extern char __user_start[], __user_end[];
void user_return(uint32_t value) __attribute__((noreturn));
void failsafe_stub(void);
#define STUB(v) void trap_stub_##v(void);
STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7) STUB(8) STUB(9)
STUB(10) STUB(11) STUB(12) STUB(13) STUB(14) STUB(15) STUB(16) STUB(17) STUB(18)
STUB(19) STUB(128) STUB(256)

static uint8_t kernel_stack[8192] __attribute__((aligned(16)));
static int in_user;

static int initial_domain(void) { return (start_info->flags & SIF_INITDOMAIN) != 0; }

/* ---- what the compiler may call */

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

/* ---- console */

void console_write(const char *s, size_t n)
{
    if (initial_domain()) {
        hv_console_io(CONSOLEIO_write, (uint32_t)n, (char *)(uintptr_t)s);
        return;
    }
    pv86_console_write((struct xencons_interface *)GUEST_CONSOLE_VA,
                       start_info->console.domU.evtchn, s, (uint32_t)n);
}

/* A small vsnprintf: %d %u %x (with 0 and width), %s, %c, %p, %%, l ignored. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    size_t n = 0;
#define PUT(c) do { if (n + 1 < size) buf[n] = (c); n++; } while (0)
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            PUT(*fmt);
            continue;
        }
        fmt++;
        int zero = 0, width = 0, alt = 0;
        if (*fmt == '#') { alt = 1; fmt++; }
        if (*fmt == '0') { zero = 1; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            fmt++;
        char tmp[12];
        int len = 0, neg = 0;
        uint32_t v;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                PUT(*s);
            continue;
        }
        case 'c':
            PUT((char)va_arg(ap, int));
            continue;
        case '%':
            PUT('%');
            continue;
        case 'd': {
            int32_t x = va_arg(ap, int32_t);
            neg = x < 0;
            v = neg ? 0u - (uint32_t)x : (uint32_t)x;
            do tmp[len++] = (char)('0' + v % 10); while (v /= 10);
            break;
        }
        case 'u':
            v = va_arg(ap, uint32_t);
            do tmp[len++] = (char)('0' + v % 10); while (v /= 10);
            break;
        case 'p':
            alt = 1;
            /* fall through */
        case 'x':
            v = va_arg(ap, uint32_t);
            do tmp[len++] = "0123456789abcdef"[v % 16]; while (v /= 16);
            break;
        default:
            PUT('%');
            PUT(*fmt);
            continue;
        }
        if (neg)
            PUT('-');
        if (alt) {
            PUT('0');
            PUT('x');
        }
        for (int i = len + neg; i < width; i++)
            PUT(zero ? '0' : ' ');
        while (len)
            PUT(tmp[--len]);
    }
    if (size)
        buf[n < size ? n : size - 1] = 0;
    return (int)n;
#undef PUT
}

int printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}

static unsigned tap_count, tap_failed;

void ok(int cond, const char *fmt, ...)
{
    char desc[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%s %u - %s\n", cond ? "ok" : "not ok", tap_count, desc);
}

int tap_done(void)
{
    printf("1..%u\n", tap_count);
    printf("# %u passed, %u failed\n", tap_count - tap_failed, tap_failed);
    return tap_failed != 0;
}

/* ---- command line */

const char *cmdline_arg(const char *key, size_t *len)
{
    const char *s = start_info->cmd_line;
    size_t klen = 0;
    while (key[klen])
        klen++;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        size_t i = 0;
        while (i < klen && w + i < s && w[i] == key[i])
            i++;
        if (i == klen && w + klen < s && w[klen] == '=') {
            *len = (size_t)(s - (w + klen + 1));
            return w + klen + 1;
        }
    }
    return NULL;
}

uint32_t cmdline_num(const char *key, uint32_t dflt)
{
    size_t len;
    const char *v = cmdline_arg(key, &len);
    if (!v)
        return dflt;
    uint32_t n = 0;
    for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
        n = n * 10 + (uint32_t)(v[i] - '0');
    return n;
}

/* ---- memory */

int32_t map_page(uint32_t va, uint32_t mfn, uint64_t flags)
{
    return hv_update_va_mapping(va, ((uint64_t)mfn << 12) | flags, UVMF_INVLPG);
}

int owns_mfn(uint32_t mfn)
{
    uint32_t pfn = mfn_to_pfn(mfn);
    return pfn < start_info->nr_pages && pfn_to_mfn(pfn) == mfn;
}

/* ---- traps */

__attribute__((noreturn)) void poweroff(int success)
{
    struct sched_shutdown s = { success ? SHUTDOWN_poweroff : SHUTDOWN_crash };
    hv_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        ;
}

void lib_trap(struct trap_frame *f)
{
    if (f->vector == EVENT_VECTOR) {
        shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
        if (event_handler)
            event_handler();            /* it scans (pv86_evtchn_scan) */
        else                            /* the pending bits stay, for pollers; the
                                         * selector is cleared, as a Xen guest's
                                         * upcall does, or the next event on its
                                         * word would raise no upcall (2-level) */
            __atomic_store_n(&shared_info->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        return;
    }
    last_trap.count++;
    last_trap.vector = f->vector;
    last_trap.error = f->error;
    last_trap.eip = f->eip;
    last_trap.cs = f->cs;
    last_trap.eflags = f->eflags;
    last_trap.cr2 = shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
    last_trap.user_esp = (f->cs & 2) ? f->user_esp : 0;
    last_trap.user_ss = (f->cs & 2) ? f->user_ss : 0;
    if ((f->cs & 2) && in_user) {              /* ring 2 or 3: ends user_run */
        user_return(f->vector == 0x80 ? f->eax : USER_TRAPPED | f->vector);
    }
    for (const struct probe_entry *p = __probe_table_start; p < __probe_table_end; p++)
        if (p->insn == f->eip) {
            f->eip = p->resume;
            return;
        }
    printf("unexpected trap %u (error %#x) at eip %#x, cr2 %#x\n", (unsigned)f->vector,
           (unsigned)f->error, (unsigned)f->eip, (unsigned)last_trap.cr2);
    if (guest_crash_hook)
        guest_crash_hook();
    poweroff(0);
}

void lib_failsafe(void)
{
    printf("failsafe callback: our segments could not be loaded\n");
    poweroff(0);
}

int probe_vector(void (*fn)(void))
{
    unsigned before = last_trap.count;
    fn();
    return last_trap.count == before ? -1 : (int)last_trap.vector;
}

int user_setup(void)
{
    for (uint32_t va = (uint32_t)(uintptr_t)__user_start; va < (uint32_t)(uintptr_t)__user_end;
         va += 4096)
        if (map_page(va, pfn_to_mfn(va >> 12), PTE_P | PTE_A | PTE_U))
            return -1;
    return map_page(GUEST_USTACK_VA, pfn_to_mfn(GUEST_USTACK_VA >> 12),
                    PTE_P | PTE_RW | PTE_A | PTE_D | PTE_U);
}

uint32_t user_enter(uint32_t eip);          /* start.S */

uint32_t user_run(uint32_t eip)
{
    in_user = 1;
    uint32_t v = user_enter(eip);
    in_user = 0;
    return v;
}

uint32_t user_enter_ring(uint32_t eip, uint32_t cs, uint32_t ss, uint32_t esp);  /* start.S */

uint32_t user_run_ring(uint32_t eip, uint32_t cs, uint32_t ss, uint32_t esp)
{
    in_user = 1;
    uint32_t v = user_enter_ring(eip, cs, ss, esp);
    in_user = 0;
    return v;
}

/* ---- events and time */

int32_t evtchn_send(uint32_t port)
{
    struct evtchn_port_arg a = { port };
    return hv_event_channel_op(EVTCHNOP_send, &a);
}

void signal_domain(uint32_t peer)
{
    for (unsigned attempt = 0; attempt < 200; attempt++) {
        for (uint32_t port = 1; port < 8; port++) {
            struct evtchn_bind_interdomain b = { (domid_t)peer, 0, port, 0 };
            if (hv_event_channel_op(EVTCHNOP_bind_interdomain, &b) == 0) {
                evtchn_send(b.local_port);
                return;
            }
        }
        hv_sched_op(SCHEDOP_yield, NULL);
    }
}

int32_t poll_port(uint32_t port, uint64_t deadline_ns)
{
    uint32_t p = port;
    struct sched_poll poll = { (uint32_t)(uintptr_t)&p, 1, deadline_ns };
    return hv_sched_op(SCHEDOP_poll, &poll);
}

uint64_t system_time_ns(void)
{
    return pv86_system_time_ns(&shared_info->vcpu_info[0].time);
}

/* ---- start */

static const struct trap_info traps[] = {
#define T(v) { v, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_##v }
    T(0), T(1), T(2), { 3, 3, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_3 },
    T(4), T(5), T(6), T(7), T(8), T(9), T(10), T(11), T(12), T(13), T(14), T(15),
    T(16), T(17), T(18), T(19),
#undef T
    { 0x80, 3, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_128 },
    { 0, 0, 0, 0 },
};

int guest_traps_install(void)
{
    if (hv_set_trap_table(NULL) || hv_set_trap_table(traps) ||
        hv_set_callbacks(FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_256, FLAT_RING1_CS,
                         (uint32_t)(uintptr_t)failsafe_stub) ||
        hv_stack_switch(FLAT_RING1_SS, (uint32_t)(uintptr_t)kernel_stack + sizeof(kernel_stack)))
        return -1;
    return 0;
}

void guest_start(void)
{
    if (map_page(GUEST_SHARED_VA, start_info->shared_info >> 12, PTE_P | PTE_RW | PTE_A | PTE_D))
        poweroff(0);
    shared_info = (struct shared_info *)GUEST_SHARED_VA;
    if (!initial_domain() &&
        map_page(GUEST_CONSOLE_VA, start_info->console.domU.mfn, PTE_P | PTE_RW | PTE_A | PTE_D))
        poweroff(0);
    if (guest_traps_install()) {
        printf("guest runtime: trap setup refused\n");
        poweroff(0);
    }
    poweroff(guest_main() == 0);
}
