/*
 * loader: what the domain builder gave us, as Xen's gives it: the FEATURES
 * note Linux carries loaded (we run), the BSD_SYMTAB note's symbol table
 * after the image, laid out as Xen's libelf lays it out, and every field of
 * start_info with the exact value Xen's builders give the initial domain
 * (as d1) and a domU (as d2).
 *
 * Command line (the shutdown boot tests, tests/boot/shutdown.sh): code=N
 * (SCHEDOP_shutdown_code first), remote=D reason=R (SCHEDOP_remote_shutdown
 * of domain D), shutdown=N (SCHEDOP_shutdown with reason N); with any of
 * them the guest prints what each answered and powers off instead of
 * running its TAP topics.
 */
#include <pv86/elfnote.h>
#include <pv86/hypercall.h>
#include <pv86/xen.h>

#include "xenpv.h"

/* Xen's libelf loads the symbol table after the image for this note. */
PV86_ELFNOTE_STR(bsd_symtab, XEN_ELFNOTE_BSD_SYMTAB, "yes");

extern char __image_end[];

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static uint32_t round4(uint32_t v) { return (v + 3u) & ~3u; }

static int str_is(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The shutdown boot tests: nonzero if the command line asked for one. */
static int shutdown_modes(void)
{
    size_t len;
    int any = 0;
    if (cmdline_arg("code", &len)) {
        struct sched_shutdown c = { cmdline_num("code", 0) };
        printf("xenpv: shutdown_code %u: %d\n", (unsigned)c.reason,
               (int)hv_sched_op(SCHEDOP_shutdown_code, &c));
        any = 1;
    }
    if (cmdline_arg("remote", &len)) {
        struct sched_remote_shutdown r = { (domid_t)cmdline_num("remote", 0), 0,
                                           cmdline_num("reason", 0) };
        printf("xenpv: remote_shutdown of d%u, reason %u\n", (unsigned)r.domain_id,
               (unsigned)r.reason);
        int32_t rc = hv_sched_op(SCHEDOP_remote_shutdown, &r);
        printf("xenpv: remote_shutdown of d%u answered %d\n", (unsigned)r.domain_id, (int)rc);
        any = 1;
    }
    if (cmdline_arg("shutdown", &len)) {
        struct sched_shutdown s = { cmdline_num("shutdown", 0) };
        printf("xenpv: shutdown, reason %u\n", (unsigned)s.reason);
        int32_t rc = hv_sched_op(SCHEDOP_shutdown, &s);
        printf("xenpv: shutdown returned %d\n", (int)rc);     /* never, as in Xen */
        any = 1;
    }
    return any;
}

/* The symbol table's value for name, or 0; *count: the symbols seen. */
static uint32_t symbol(const uint8_t *eh, const char *name, unsigned *count)
{
    const uint8_t *sh = eh + get32(eh + 32);
    const uint8_t *sym = sh + 40, *str = sh + 80;
    const uint8_t *tab = eh + get32(sym + 16);
    const char *names = (const char *)eh + get32(str + 16);
    uint32_t n = get32(sym + 20) / 16, strsz = get32(str + 20), found = 0;
    *count = n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = get32(tab + i * 16);
        if (at < strsz && str_is(names + at, name))
            found = get32(tab + i * 16 + 4);
    }
    return found;
}

static void check_symtab(void)
{
    /* Xen: 4-byte aligned after the PT_LOAD segments; a size word, an ELF
     * header, three section headers at 68, the .symtab at 260. */
    const uint8_t *base = (const uint8_t *)round4((uint32_t)(uintptr_t)__image_end);
    const uint8_t *eh = base + 4, *sh = eh + 64;
    ok(memcmp(eh, "\177ELF", 4) == 0 && get16(eh + 16) == 2 && get16(eh + 18) == 3 &&
       get32(eh + 24) == 0x400000u,
       "BSD_SYMTAB: an ELF header after the image, as ours (ET_EXEC, EM_386, entry 0x400000)");
    ok(get32(eh + 28) == 0 && get32(eh + 32) == 64 && get16(eh + 40) == 52 &&
       get16(eh + 42) == 0 && get16(eh + 44) == 0 && get16(eh + 46) == 40 &&
       get16(eh + 48) == 3 && get16(eh + 50) == 0,
       "BSD_SYMTAB: no program headers, 3 section headers at offset 64, no shstrtab");
    static const uint8_t zero[40];
    ok(memcmp(sh, zero, 40) == 0 && get32(sh + 40 + 4) == 2 && get32(sh + 40 + 16) == 256 &&
       get32(sh + 40 + 24) == 2 && get32(sh + 40 + 36) == 16 && get32(sh + 80 + 4) == 3 &&
       get32(sh + 80 + 16) == 256 + round4(get32(sh + 40 + 20)),
       "BSD_SYMTAB: null, .symtab at 256 (link 2), .strtab after it");
    uint32_t total = 256 + round4(get32(sh + 40 + 20)) + get32(sh + 80 + 20);
    ok(get32(base) == total, "BSD_SYMTAB: the size word is %u (want %u)",
       (unsigned)get32(base), (unsigned)total);
    unsigned n;
    uint32_t at = symbol(eh, "xenpv_loader", &n);
    ok(at == (uint32_t)(uintptr_t)xenpv_loader && n > 10,
       "BSD_SYMTAB: xenpv_loader is at %#x in our own symbol table (want %#x, %u symbols)",
       (unsigned)at, (unsigned)(uintptr_t)xenpv_loader, n);
    ok(symbol(eh, "guest_main", &n) == (uint32_t)(uintptr_t)guest_main,
       "BSD_SYMTAB: so is guest_main");
}

void xenpv_loader(void)
{
    if (shutdown_modes()) {
        struct sched_shutdown s = { SHUTDOWN_poweroff };
        hv_sched_op(SCHEDOP_shutdown, &s);
    }
    /* innocent=1: we are d2, a domU; otherwise d1, the initial domain. */
    int domu = cmdline_num("innocent", 0) == 1;
    const struct start_info *si = start_info;
    const uint32_t *p2m = (const uint32_t *)si->mfn_list;

    ok(memcmp(si->magic, "xen-3.0-x86_32p", 16) == 0, "start_info magic is xen-3.0-x86_32p");
    check_symtab();

    /* Xen's builders' layout after the kernel (which the symbol table
     * ends): the p2m list, start_info, then (pv86, both roles) xenstore and
     * console pages, the page tables, the boot stack. */
    const uint8_t *base = (const uint8_t *)round4((uint32_t)(uintptr_t)__image_end);
    uint32_t kend = round4((uint32_t)(uintptr_t)base + 4 + get32(base));
    uint32_t p2m_pfn = (kend + 4095) >> 12;
    uint32_t si_pfn = p2m_pfn + (4096 * 4 + 4095) / 4096;
    ok(si->nr_pages == 4096, "nr_pages is 4096 (16 MiB; got %u)", (unsigned)si->nr_pages);
    ok(si->mfn_list == p2m_pfn << 12, "mfn_list %#x: the page after the symbol table (%#x)",
       (unsigned)si->mfn_list, (unsigned)(p2m_pfn << 12));
    ok((uint32_t)(uintptr_t)si == si_pfn << 12, "start_info at %#x: after the p2m list (%#x)",
       (unsigned)(uintptr_t)si, (unsigned)(si_pfn << 12));
    ok((si->shared_info & 0xFFF) == 0 && !owns_mfn(si->shared_info >> 12),
       "shared_info %#x: a page-aligned machine address of a frame not ours",
       (unsigned)si->shared_info);
    ok(si->flags == (domu ? 0u : SIF_PRIVILEGED | SIF_INITDOMAIN), "flags %#x (want %#x)",
       (unsigned)si->flags, domu ? 0u : (unsigned)(SIF_PRIVILEGED | SIF_INITDOMAIN));
    ok(si->store_mfn == p2m[si_pfn + 1] && si->store_evtchn == 0,
       "store_mfn %#x: the page after start_info; store_evtchn %u (no xenstored)",
       (unsigned)si->store_mfn, (unsigned)si->store_evtchn);
    if (domu)
        ok(si->console.domU.mfn == p2m[si_pfn + 2] && si->console.domU.evtchn == 1,
           "console.domU: mfn %#x, the page after xenstore; evtchn %u (want 1)",
           (unsigned)si->console.domU.mfn, (unsigned)si->console.domU.evtchn);
    else
        ok(si->console.dom0.info_off == 0 && si->console.dom0.info_size == 0,
           "console.dom0: no VGA console (info_off %u, info_size %u)",
           (unsigned)si->console.dom0.info_off, (unsigned)si->console.dom0.info_size);
    ok(si->pt_base == (si_pfn + 3) << 12 && si->nr_pt_frames == 9,
       "pt_base %#x, nr_pt_frames %u: L3, four L2s and four L1s (0-8 MiB) after the console page",
       (unsigned)si->pt_base, (unsigned)si->nr_pt_frames);
    uint32_t here = (uint32_t)(uintptr_t)&here;
    ok(here >> 12 == (si->pt_base >> 12) + si->nr_pt_frames,
       "the boot stack is the page after the page tables (we run at %#x)", (unsigned)here);
    ok(si->mod_start == 0 && si->mod_len == 0, "no initial module (mod_start %#x, mod_len %u)",
       (unsigned)si->mod_start, (unsigned)si->mod_len);
    /* Xen's dom0 builder: the pages of its first allocation (2^order for
     * the 8 MiB bootstrap mapping), no p2m frames; a domU: both 0. */
    ok(si->first_p2m_pfn == (domu ? 0u : 2048u) && si->nr_p2m_frames == 0,
       "first_p2m_pfn %u, nr_p2m_frames %u (want %u, 0)", (unsigned)si->first_p2m_pfn,
       (unsigned)si->nr_p2m_frames, domu ? 0u : 2048u);
    ok(str_is((const char *)si->cmd_line, domu ? "innocent=1" : "innocent=2"),
       "cmd_line \"%s\"", (const char *)si->cmd_line);
}
