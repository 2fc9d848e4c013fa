/*
 * The mbkern runtime (mbkern.h): COM1 output, TAP reports, the exit port,
 * descriptors, the trap dispatcher, the 8259 and 8254, the command line.
 */
#include "mbkern.h"

#define COM1 0x3F8
#define EXIT_PORT 0xF4

unsigned mbk_checks, mbk_failures;
uint32_t mbk_magic;
struct mb_info *mbk_info;
const char *mbk_cmdline = "";

/* ---- output ---- */

static void putc_(char c)
{
    /* wait (boundedly) for the transmitter holding register, as a driver
     * for a real 8250 does; the emulated ones are always ready */
    for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (uint8_t)c);
}

static void puts_(const char *s) { while (*s) putc_(*s++); }

size_t mbk_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

static void putnum(uint32_t v, unsigned base, unsigned width, char pad, int neg)
{
    char b[12];
    unsigned n = 0;
    do {
        b[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        b[n++] = '-';
    while (n < width)
        putc_(pad), width--;
    while (n)
        putc_(b[--n]);
}

/* %s %c %d %u %x with an optional 0 flag and width, and %%. */
void mbk_vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc_(*fmt);
            continue;
        }
        char pad = ' ';
        unsigned width = 0;
        if (*++fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');
        switch (*fmt) {
        case 's': { const char *s = va_arg(ap, const char *); puts_(s ? s : "(null)"); break; }
        case 'c': putc_((char)va_arg(ap, int)); break;
        case 'u': putnum(va_arg(ap, unsigned), 10, width, pad, 0); break;
        case 'x': putnum(va_arg(ap, unsigned), 16, width, pad, 0); break;
        case 'd': {
            int v = va_arg(ap, int);
            putnum(v < 0 ? 0u - (unsigned)v : (unsigned)v, 10, width, pad, v < 0);
            break;
        }
        case '%': putc_('%'); break;
        default: putc_('%'); putc_(*fmt); break;
        }
        if (!*fmt)
            break;
    }
}

void mbk_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mbk_vprintf(fmt, ap);
    va_end(ap);
}

int report(int ok, const char *fmt, ...)
{
    va_list ap;
    mbk_checks++;
    if (!ok)
        mbk_failures++;
    mbk_printf("%sok %u - %s: ", ok ? "" : "not ", mbk_checks, mbk_name);
    va_start(ap, fmt);
    mbk_vprintf(fmt, ap);
    va_end(ap);
    putc_('\n');
    return ok;
}

void mbk_exit_code(unsigned code)
{
    cli();
    outb(EXIT_PORT, (uint8_t)code);
    for (;;)                     /* no exit port: stop here */
        __asm__ volatile("hlt");
}

void mbk_exit(void)
{
    mbk_printf("1..%u\n# %s: %u checks, %u failed\n", mbk_checks, mbk_name, mbk_checks,
               mbk_failures);
    mbk_exit_code(mbk_failures > 127 ? 127 : mbk_failures);
}

/* ---- descriptors ---- */

static uint64_t seg(uint32_t type)      /* flat 4 GiB, 32-bit, access byte type */
{
    return 0xFFFFull | ((uint64_t)type << 40) | (0xFull << 48) | (0xCull << 52);
}

uint64_t mbk_gdt[8] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
extern char mbk_stubs[];

void mbk_set_gate(unsigned v, uint16_t sel)
{
    uint32_t a = (uint32_t)mbk_stubs + 16 * v;
    idt[v] = (a & 0xFFFF) | ((uint64_t)sel << 16) | (0x8Eull << 40) |   /* interrupt gate */
             ((uint64_t)(a >> 16) << 48);
}

void mbk_load_idt(void)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        d = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
}

static void setup_cpu(void)
{
    mbk_gdt[1] = seg(0x9A);              /* 0x08 code */
    mbk_gdt[2] = seg(0x92);              /* 0x10 data */
    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        g = { sizeof(mbk_gdt) - 1, (uint32_t)mbk_gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n1:\n\t"
                     "movl $0x10, %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\tmovl %%eax, %%fs\n\tmovl %%eax, %%gs"
                     :: "m"(g) : "eax", "memory");
    for (unsigned v = 0; v < 256; v++)
        mbk_set_gate(v, 0x08);
    mbk_load_idt();
}

/* ---- traps ---- */

volatile uint32_t mbk_count[256];
volatile uint32_t mbk_last_vector, mbk_last_error, mbk_last_cr2, mbk_last_cs;
static mbk_handler handlers[256];
extern volatile uint32_t mbk_catching, mbk_caught;
extern char mbk_landing[];

void mbk_handle(unsigned v, mbk_handler h) { handlers[v & 0xFF] = h; }

void mbk_trap(struct mbk_frame *f)
{
    uint32_t v = f->vector & 0xFF;
    mbk_count[v]++;
    mbk_last_vector = v;
    mbk_last_error = f->error;
    mbk_last_cs = f->cs;
    if (v == 14) {
        uint32_t cr2;
        __asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
        mbk_last_cr2 = cr2;
    }
    if (handlers[v]) {
        handlers[v](f);
        return;
    }
    if (v >= 32)
        return;
    if (mbk_catching) {
        mbk_catching = 0;
        mbk_caught = v;
        f->eip = (uint32_t)mbk_landing;
        return;
    }
    report(0, "unexpected exception %u (error 0x%x) at 0x%x", v, f->error, f->eip);
    mbk_exit();
}

void mbk_wait(volatile uint32_t *counter, uint32_t target)
{
    for (;;) {
        cli();
        if (*counter >= target)
            break;
        __asm__ volatile("sti; hlt" ::: "memory");   /* sti's shadow: no lost wakeup */
    }
    sti();
}

/* ---- the 8259 pair and the 8254 ---- */

static uint8_t pic_masks[2] = { 0xFF, 0xFF };

static void pic_init(void)
{
    outb(0x20, 0x11); outb(0xA0, 0x11);          /* ICW1: edge, cascade, ICW4 */
    outb(0x21, PIC_VEC); outb(0xA1, PIC_VEC + 8);
    outb(0x21, 4);    outb(0xA1, 2);             /* the slave on IRQ 2 */
    outb(0x21, 1);    outb(0xA1, 1);             /* 8086 mode */
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}

void pic_unmask(unsigned irq)
{
    pic_masks[irq >= 8] &= (uint8_t)~(1u << (irq & 7));
    if (irq >= 8)
        pic_masks[0] &= (uint8_t)~(1u << 2);
    outb(0x21, pic_masks[0]);
    outb(0xA1, pic_masks[1]);
}

void pic_mask(unsigned irq)
{
    pic_masks[irq >= 8] |= (uint8_t)(1u << (irq & 7));
    outb(0x21, pic_masks[0]);
    outb(0xA1, pic_masks[1]);
}

volatile uint32_t pit_ticks;

static void pit_irq(struct mbk_frame *f)
{
    (void)f;
    pit_ticks++;
    outb(0x20, 0x20);                             /* EOI to the master */
}

void pit_start(uint16_t div)
{
    mbk_handle(PIC_VEC + 0, pit_irq);
    outb(0x43, 0x34);                             /* channel 0, lo/hi, mode 2 */
    outb(0x40, (uint8_t)div);
    outb(0x40, (uint8_t)(div >> 8));
    pic_unmask(0);
}

void pit_stop(void)
{
    pic_mask(0);
    outb(0x43, 0x30);                             /* mode 0, no count: stops */
}

/* ---- the command line ---- */

int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The word at p compared with w (the word ends at a space or the end). */
static int word_is(const char *p, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != w[i])
            return 0;
    return 1;
}

static const char *find_word(const char *prefix, size_t n, int whole)
{
    const char *p = mbk_cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t len = (size_t)(p - w);
        if (whole ? len == n && word_is(w, prefix, n) : len >= n && word_is(w, prefix, n))
            return w + n;
    }
    return NULL;
}

const char *cmdline_value(const char *key)
{
    static char buf[128];
    char k[64];
    size_t n = mbk_strlen(key);
    if (n + 2 > sizeof(k))
        return NULL;
    for (size_t i = 0; i < n; i++)
        k[i] = key[i];
    k[n] = '=';
    const char *v = find_word(k, n + 1, 0);
    if (!v)
        return NULL;
    size_t i = 0;
    while (v[i] && v[i] != ' ' && i + 1 < sizeof(buf))
        buf[i] = v[i], i++;
    buf[i] = 0;
    return buf;
}

int cmdline_has(const char *word) { return find_word(word, mbk_strlen(word), 1) != NULL; }

uint32_t mbk_strtou(const char *s, int *ok)
{
    uint32_t v = 0, base = 10;
    *ok = 0;
    if (!s || !*s)
        return 0;
    if (s[0] == '0' && s[1] == 'x')
        base = 16, s += 2;
    for (; *s; s++) {
        uint32_t d;
        if (*s >= '0' && *s <= '9')
            d = (uint32_t)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (uint32_t)(*s - 'a' + 10);
        else
            return 0;
        if (v > (0xFFFFFFFFu - d) / base)
            return 0;
        v = v * base + d;
        *ok = 1;
    }
    return v;
}

/* ---- the entry ---- */

void mbk_start(uint32_t magic, struct mb_info *mbi) __attribute__((noreturn));
void mbk_start(uint32_t magic, struct mb_info *mbi)
{
    mbk_magic = magic;
    mbk_info = mbi;
    setup_cpu();
    pic_init();
    if (magic == MB_LOADER_MAGIC && (mbi->flags & (1u << 2)) && mbi->cmdline)
        mbk_cmdline = (const char *)mbi->cmdline;
    mbk_printf("# mbkern %s\n", mbk_name);
    mbk_main();
    mbk_exit();
}
