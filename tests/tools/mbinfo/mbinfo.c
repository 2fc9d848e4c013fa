/*
 * mbinfo: a tiny multiboot kernel for tools/run-qemu's tests
 * (tests/tools/run-qemu-mode.sh). It prints, on COM1, what its multiboot
 * loader gave it (the information block's flags, command line, loader
 * name, memory sizes and map, and each module's place, size, string and
 * an FNV-1a sum of its bytes), then ends as its command line says:
 *   exit=V [width=1|2|4]  write V to the exit port (isa-debug-exit) with
 *                         an out of that width (default exit=0 width=1)
 *   poweroff              ACPI S5 (PIIX4 PM1a control, port 0x604)
 *   crash                 an iret with EFLAGS.NT set (a task return: te
 *                         crashes the domain; bare QEMU, with no TSS,
 *                         triple-faults)
 * The same image runs on bare QEMU (tools/run-qemu --native) and on pv86
 * (tools/run-qemu --mode te|hw), so the two can be compared.
 */
#include <stdint.h>

#define MB_MAGIC 0x1BADB002u
#define MB_FLAGS 0x3u                 /* modules page-aligned, memory info */

__asm__(".section .multiboot, \"a\"\n"
        ".align 4\n"
        ".long 0x1BADB002, 0x3, -(0x1BADB002 + 0x3)\n"
        ".text\n"
        ".globl _start\n"
        "_start:\n"
        "  cli\n"
        "  movl $stack_top, %esp\n"
        "  pushl %ebx\n"
        "  pushl %eax\n"
        "  call kmain\n"
        "1: hlt\n"
        "  jmp 1b\n"
        ".bss\n"
        ".align 16\n"
        ".space 8192\n"
        "stack_top:\n"
        ".text\n");

extern char _end[];

struct mbi {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4], mmap_length, mmap_addr, drives_length, drives_addr, config_table;
    uint32_t boot_loader_name;
};
struct mod { uint32_t start, end, string, pad; };
struct __attribute__((packed)) mmap { uint32_t size; uint64_t addr, len; uint32_t type; };

static inline void outb(uint16_t port, uint8_t v) { __asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void putc(char c)
{
    if (c == '\n')
        putc('\r');
    for (unsigned i = 0; i < 100000 && !(inb(0x3FD) & 0x20); i++)
        ;
    outb(0x3F8, (uint8_t)c);
}
static void puts(const char *s) { while (*s) putc(*s++); }
static void hex(uint64_t v)
{
    char b[17];
    int n = 0;
    puts("0x");
    do { b[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    while (n) putc(b[--n]);
}
static void dec(uint32_t v)
{
    char b[11];
    int n = 0;
    do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) putc(b[--n]);
}

/* The word of s that starts with w and ends at end (' ' or '='), or NULL:
 * what follows it. */
static const char *word(const char *s, const char *w, char end)
{
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        const char *k = w, *q = p;
        while (*k && *q == *k)
            k++, q++;
        if (!*k && (*q == end || (end == ' ' && !*q)))
            return end == '=' ? q + 1 : q;
        while (*p && *p != ' ')
            p++;
    }
    return 0;
}
#define value(s, key) word(s, key, '=')
#define has_word(s, w) (word(s, w, ' ') != 0)
static uint32_t number(const char *p)
{
    uint32_t v = 0, base = 10;
    if (p[0] == '0' && p[1] == 'x')
        base = 16, p += 2;
    for (;; p++) {
        unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0')
                   : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10) : 99;
        if (d >= base)
            return v;
        v = v * base + d;
    }
}

void kmain(uint32_t magic, const struct mbi *mbi);
void kmain(uint32_t magic, const struct mbi *mbi)
{
    puts("mbinfo: magic "); hex(magic); puts(", flags "); hex(mbi->flags); puts("\n");
    const char *cl = (mbi->flags & 4) ? (const char *)mbi->cmdline : "";
    puts("mbinfo: cmdline '"); puts(cl); puts("'\n");
    if (mbi->flags & 0x200) {
        puts("mbinfo: loader '"); puts((const char *)mbi->boot_loader_name); puts("'\n");
    }
    if (mbi->flags & 1) {
        puts("mbinfo: mem_lower "); dec(mbi->mem_lower); puts(" KiB, mem_upper ");
        dec(mbi->mem_upper); puts(" KiB\n");
    }
    if (mbi->flags & 0x40) {
        for (uint32_t off = 0; off + 4 <= mbi->mmap_length;) {
            const struct mmap *e = (const struct mmap *)(mbi->mmap_addr + off);
            puts("mbinfo: mmap "); hex(e->addr); puts(" + "); hex(e->len);
            puts(" type "); dec(e->type); puts("\n");
            off += e->size + 4;
        }
    }
    if (mbi->flags & 8) {
        const struct mod *m = (const struct mod *)mbi->mods_addr;
        puts("mbinfo: "); dec(mbi->mods_count); puts(" module(s)\n");
        uint32_t above = (uint32_t)_end;
        for (uint32_t i = 0; i < mbi->mods_count; i++) {
            uint32_t sum = 2166136261u;
            for (uint32_t a = m[i].start; a < m[i].end; a++)
                sum = (sum ^ *(const uint8_t *)a) * 16777619u;
            puts("mbinfo: module "); dec(i + 1); puts(": "); dec(m[i].end - m[i].start);
            puts(" bytes, sum "); hex(sum);
            puts((m[i].start & 0xFFF) ? ", NOT page-aligned" : ", page-aligned");
            puts(m[i].start >= above ? ", above the kernel" : ", NOT above the kernel");
            puts(", string '"); puts(m[i].string ? (const char *)m[i].string : ""); puts("'\n");
            above = m[i].end;
        }
    }
    if (has_word(cl, "poweroff")) {
        puts("mbinfo: powering off\n");
        outw(0x604, 0x2000);
        for (;;)
            __asm__ __volatile__("hlt");
    }
    if (has_word(cl, "crash")) {
        puts("mbinfo: iret with NT set\n");
        __asm__ __volatile__("pushfl\n\torl $0x4000, (%%esp)\n\tpopfl\n\t"
                             "pushfl\n\tpushl %%cs\n\tpushl $1f\n\tiret\n1:" : : : "memory");
        puts("mbinfo: the iret came back\n");
    }
    const char *v = value(cl, "exit"), *w = value(cl, "width");
    uint32_t val = v ? number(v) : 0, width = w ? number(w) : 1;
    puts("mbinfo: exit "); dec(val); puts(" width "); dec(width); puts("\n");
    if (width == 4)
        outl(0xF4, val);
    else if (width == 2)
        outw(0xF4, (uint16_t)val);
    else
        outb(0xF4, (uint8_t)val);
    puts("mbinfo: the exit port did not stop the machine\n");
    for (;;)
        __asm__ __volatile__("hlt");
}
