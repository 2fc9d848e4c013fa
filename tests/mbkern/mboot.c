/*
 * mboot: the multiboot information block the loader hands over: the magic,
 * the flags, mem_lower / mem_upper, the memory map (entries well formed,
 * available regions not overlapping, RAM from 1 MiB covering mem_upper,
 * the image, the information block and the modules inside available RAM),
 * the command line, and the modules.
 *
 * Its command line must end with the words "mods=N alpha beta=two" (before
 * them, at most the kernel's file name, which QEMU passes); N is the number
 * of modules it must find. Each module's command line ends with
 * "len=L seed=S": the module is L bytes, byte i being
 * (S + 7 * i + (i >> 8)) & 0xff (tests/mbkern/run.sh writes them).
 */
#include "mbkern.h"

const char mbk_name[] = "mboot";

#define AVAILABLE 1

static struct mb_mmap *entries[64];
static unsigned n_entries;

/* [lo, hi) lies inside one available region of the map. */
static int in_ram(uint64_t lo, uint64_t hi)
{
    for (unsigned i = 0; i < n_entries; i++)
        if (entries[i]->type == AVAILABLE && entries[i]->addr <= lo &&
            hi <= entries[i]->addr + entries[i]->len)
            return 1;
    return 0;
}

static int overlap(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1) { return a0 < b1 && b0 < a1; }

/* The words of s past its first one when that is a file name, the loader's
 * prefix: the start of the words the kernel or module was given. */
static const char *own_words(const char *s, const char *first_own)
{
    size_t n = mbk_strlen(first_own);
    while (*s == ' ')
        s++;
    for (unsigned i = 0; i < n; i++)
        if (s[i] != first_own[i]) {
            const char *p = s;                 /* skip one word */
            while (*p && *p != ' ')
                p++;
            while (*p == ' ')
                p++;
            return p;
        }
    return s;
}

static void check_map(void)
{
    struct mb_info *mb = mbk_info;
    int ok = 1;
    uint32_t p = mb->mmap_addr, end = mb->mmap_addr + mb->mmap_length;
    uint64_t avail_above_1m = 0;
    while (p < end) {
        struct mb_mmap *e = (struct mb_mmap *)p;
        if (p + 4 > end || e->size < 20 || p + 4 + e->size > end || n_entries == 64 || e->len == 0 ||
            e->type < 1 || e->type > 5) {
            mbk_printf("# bad entry at 0x%x (size %u)\n", p, e->size);
            ok = 0;
            break;
        }
        mbk_printf("# map: 0x%08x%08x +0x%08x%08x type %u\n", (uint32_t)(e->addr >> 32),
                   (uint32_t)e->addr, (uint32_t)(e->len >> 32), (uint32_t)e->len, e->type);
        entries[n_entries++] = e;
        if (e->type == AVAILABLE && e->addr + e->len > 0x100000)
            avail_above_1m += e->addr + e->len - (e->addr > 0x100000 ? e->addr : 0x100000);
        p += 4 + e->size;
    }
    report(ok && n_entries >= 2 && p == end, "memory map: %s entries, each well formed, ending at mmap_length",
           n_entries >= 2 ? "at least 2" : "fewer than 2");
    int disjoint = 1;
    for (unsigned i = 0; i < n_entries; i++)
        for (unsigned j = i + 1; j < n_entries; j++)
            if (entries[i]->type == AVAILABLE && entries[j]->type == AVAILABLE &&
                entries[i]->addr < entries[j]->addr + entries[j]->len &&
                entries[j]->addr < entries[i]->addr + entries[i]->len)
                disjoint = 0;
    report(disjoint, "memory map: available regions do not overlap");
    mbk_printf("# available above 1 MiB: %u KiB\n", (uint32_t)(avail_above_1m >> 10));
    report(in_ram(0x100000, 0x100000 + (uint64_t)mb->mem_upper * 1024),
           "memory map: available RAM from 1 MiB covers mem_upper");
    report(in_ram(0, (uint64_t)mb->mem_lower * 1024), "memory map: available RAM from 0 covers mem_lower");
    report(in_ram((uint32_t)__image_start, (uint32_t)_end), "the kernel's image lies in available RAM");
    report(in_ram((uint32_t)mb, (uint32_t)mb + sizeof(*mb)) &&
           in_ram(mb->mmap_addr, mb->mmap_addr + mb->mmap_length) &&
           !overlap((uint32_t)mb, (uint32_t)mb + sizeof(*mb), (uint32_t)__image_start, (uint32_t)_end),
           "the information block and the map lie in available RAM, outside the image");
}

static uint32_t word_value(const char *s, const char *key, int *ok)
{
    /* "key=V" as a word of s */
    size_t n = mbk_strlen(key);
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - w) > n + 1 && w[n] == '=') {
            unsigned i = 0;
            while (i < n && w[i] == key[i])
                i++;
            if (i == n) {
                char buf[16];
                size_t len = (size_t)(p - w) - n - 1;
                if (len >= sizeof(buf))
                    break;
                for (size_t k = 0; k < len; k++)
                    buf[k] = w[n + 1 + k];
                buf[len] = 0;
                return mbk_strtou(buf, ok);
            }
        }
    }
    *ok = 0;
    return 0;
}

static void check_modules(uint32_t want)
{
    struct mb_info *mb = mbk_info;
    uint32_t count = (mb->flags & (1u << 3)) ? mb->mods_count : 0;
    mbk_printf("# flags bit 3 %s, mods_count %u\n", (mb->flags & (1u << 3)) ? "set" : "clear", mb->mods_count);
    report(count == want, "%u modules", want);
    if (count != want || !count)
        return;
    struct mb_module *m = (struct mb_module *)mb->mods_addr;
    report(in_ram(mb->mods_addr, mb->mods_addr + count * sizeof(*m)), "the module list lies in available RAM");
    for (uint32_t i = 0; i < count; i++) {
        const char *s = m[i].string ? (const char *)m[i].string : "";
        const char *own = own_words(s, "len=");
        mbk_printf("# module %u: %u bytes, \"%s\"%s\n", i + 1, m[i].mod_end - m[i].mod_start, own,
                   own == s ? "" : " after its file name");
        int ok1, ok2;
        uint32_t len = word_value(own, "len", &ok1), seed = word_value(own, "seed", &ok2);
        report(ok1 && ok2, "module %u: its command line ends with \"len=L seed=S\"", i + 1);
        if (!ok1 || !ok2)
            continue;
        report(m[i].mod_end - m[i].mod_start == len, "module %u: %u bytes", i + 1, len);
        report((m[i].mod_start & 0xFFF) == 0, "module %u: page-aligned (header flag 0)", i + 1);
        int placed = in_ram(m[i].mod_start, m[i].mod_end) &&
                     !overlap(m[i].mod_start, m[i].mod_end, (uint32_t)__image_start, (uint32_t)_end) &&
                     !overlap(m[i].mod_start, m[i].mod_end, (uint32_t)mb, (uint32_t)mb + sizeof(*mb));
        for (uint32_t j = 0; j < count; j++)
            if (j != i && overlap(m[i].mod_start, m[i].mod_end, m[j].mod_start, m[j].mod_end))
                placed = 0;
        report(placed, "module %u: in available RAM, apart from the image, the block and the others", i + 1);
        const uint8_t *b = (const uint8_t *)m[i].mod_start;
        uint32_t bad = 0;
        for (uint32_t k = 0; k < len && k < m[i].mod_end - m[i].mod_start; k++)
            if (b[k] != (uint8_t)(seed + 7 * k + (k >> 8)))
                bad++;
        report(bad == 0, "module %u: every byte as given (%u differ)", i + 1, bad);
    }
}

void mbk_main(void)
{
    struct mb_info *mb = mbk_info;
    report(mbk_magic == MB_LOADER_MAGIC, "the loader's magic 0x2badb002 in eax");
    if (mbk_magic != MB_LOADER_MAGIC)
        return;
    mbk_printf("# flags 0x%x mem_lower %u mem_upper %u\n", mb->flags, mb->mem_lower, mb->mem_upper);
    report((mb->flags & 0x45) == 0x45, "flags: memory (bit 0), command line (bit 2), memory map (bit 6)");
    report(mb->mem_lower >= 1 && mb->mem_lower <= 640, "mem_lower within 640 KiB");
    report(mb->mem_upper >= 1024, "mem_upper at least 1 MiB");
    if (mb->flags & (1u << 6))
        check_map();

    /* the command line: [FILE] mods=N alpha beta=two */
    const char *own = own_words(mbk_cmdline, "mods=");
    mbk_printf("# command line \"%s\"%s\n", own, own == mbk_cmdline ? "" : " after the kernel's file name");
    int ok;
    uint32_t mods = word_value(own, "mods", &ok);
    const char *p = own;
    while (*p && *p != ' ')
        p++;
    report(ok && mods < 16 && streq(p, " alpha beta=two"),
           "the command line ends with the words given: mods=N alpha beta=two");
    report(in_ram((uint32_t)mbk_cmdline, (uint32_t)mbk_cmdline + mbk_strlen(mbk_cmdline) + 1),
           "the command line lies in available RAM");
    if (ok)
        check_modules(mods);
}
