/*
 * elf_xen: read a Xen PV guest image (see elf_xen.h).
 * Every field read from the image is range-checked before it is used: the
 * image is guest-supplied data.
 */
#include "core/elf_xen.h"

#include <pv86/elfnote.h>
#include <pv86/version.h>
#include <pv86/xen.h>
#include <string.h>

/* ELF32 constants and layouts (System V ABI). */
#define EI_NIDENT   16
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_386      3
#define PT_LOAD     1
#define PT_NOTE     4
#define SHT_SYMTAB  2
#define SHT_STRTAB  3
#define SHT_NOTE    7

struct elf32_ehdr {
    uint8_t  e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf32_phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
struct elf32_shdr {
    uint32_t sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size,
             sh_link, sh_info, sh_addralign, sh_entsize;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header");
_Static_assert(sizeof(struct elf32_shdr) == 40, "ELF32 section header");
_Static_assert(ELF_XEN_HV_START == HYPERVISOR_VIRT_START, "the hypervisor area starts there");

/* The FEATURES names Xen's loader knows (libelf's table: seven of them;
 * the XENFEAT_* numbers between are names it does not read). */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_dom0] = "dom0",
};

int elf_xen_feature_bit(const char *name, size_t len)
{
    for (unsigned i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
        const char *f = feature_names[i];
        if (f && strlen(f) == len && memcmp(f, name, len) == 0)
            return (int)i;
    }
    return -1;
}

/* Is [off, off+len) inside [0, size)? Written so it cannot overflow. */
static int in_file(size_t size, uint32_t off, uint32_t len)
{
    return off <= size && len <= size - off;
}

static int fail(const char **why, const char *reason)
{
    *why = reason;
    return -XEN_EINVAL;
}

/* Copy a string note's text, which must be NUL-terminated inside desc. */
static int note_string(char *dst, size_t dstsz, const uint8_t *desc, uint32_t n)
{
    size_t len = strnlen((const char *)desc, n);
    if (len == n || len >= dstsz)
        return -1;
    memcpy(dst, desc, len + 1);
    return 0;
}

/* A numeric note: 4 or 8 bytes little-endian; the value must fit 32 bits. */
static int note_u32(const uint8_t *desc, uint32_t n, uint32_t *out)
{
    uint32_t lo, hi = 0;
    if (n != 4 && n != 8)
        return -1;
    memcpy(&lo, desc, 4);
    if (n == 8)
        memcpy(&hi, desc + 4, 4);
    if (hi)
        return -1;
    *out = lo;
    return 0;
}

/* "it requires feature <name>, <tail>" in info->why_buf. */
static int refuse_feature(struct elf_xen_info *info, const char *name, size_t len,
                          const char *tail, const char **why)
{
    static const char head[] = "it requires feature ";
    char *p = info->why_buf;
    size_t tl = strlen(tail);
    memcpy(p, head, sizeof(head) - 1);
    p += sizeof(head) - 1;
    memcpy(p, name, len);
    p += len;
    memcpy(p, tail, tl + 1);
    *why = info->why_buf;
    return -XEN_EOPNOTSUPP;
}

/*
 * FEATURES as Xen's libelf reads it: names separated by '|', each cut at 63
 * characters; '!' marks a required one. A required name Xen does not know
 * is refused (as Xen's loader refuses the image); a known one the loader
 * does not honour is refused too (pv86 cannot provide it); a name without
 * '!' is only noted, or ignored when unknown.
 */
#define FEATURE_NAME_MAX 63
static int parse_features(const char *s, uint32_t honoured, struct elf_xen_info *info,
                          const char **why)
{
    while (*s) {
        size_t len = 0;
        while (len < FEATURE_NAME_MAX && s[len] && s[len] != '|')
            len++;
        const char *name = s;
        size_t next = len + (len < FEATURE_NAME_MAX && s[len] == '|');
        int required = len && name[0] == '!';
        if (required) {
            name++;
            len--;
        }
        int bit = elf_xen_feature_bit(name, len);
        if (required) {
            if (bit < 0)
                return refuse_feature(info, name, len, ", which Xen's loader does not know", why);
            if (!(honoured & (1u << bit)))
                return refuse_feature(info, name, len, ", which pv86 does not offer", why);
            info->features_required |= 1u << bit;
        } else if (bit >= 0) {
            info->features_wanted |= 1u << bit;
        }
        s += next;
    }
    return 0;
}

/* A number as Xen's libelf reads one: 1, 2, 4 or 8 bytes little-endian;
 * any other size reads as 0. */
static uint64_t note_numeric(const uint8_t *desc, uint32_t n)
{
    uint64_t v = 0;
    if (n == 1 || n == 2 || n == 4 || n == 8)
        memcpy(&v, desc, n);
    return v;
}

/* Walk the notes in img[off, off+len). */
static int parse_notes(const uint8_t *img, uint32_t off, uint32_t len,
                       struct elf_xen_info *info, char *features, size_t featsz,
                       unsigned *seen, const char **why)
{
    uint32_t pos = 0;
    while (len - pos >= 12) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, img + off + pos, 4);
        memcpy(&descsz, img + off + pos + 4, 4);
        memcpy(&type, img + off + pos + 8, 4);
        pos += 12;
        uint32_t name_al = (namesz + 3u) & ~3u, desc_al = (descsz + 3u) & ~3u;
        if (namesz > len || descsz > len || name_al < namesz || desc_al < descsz ||
            name_al > len - pos || desc_al > len - pos - name_al)
            return fail(why, "truncated ELF note");
        const uint8_t *name = img + off + pos;
        const uint8_t *desc = name + name_al;
        pos += name_al + desc_al;
        if (namesz != 4 || memcmp(name, XEN_ELFNOTE_OWNER, 4) != 0)
            continue;                       /* someone else's note */
        if (type > XEN_ELFNOTE_MAX)
            continue;                       /* newer than we know: ignore */
        int bad = 0;
        switch (type) {
        case XEN_ELFNOTE_ENTRY:
            bad = note_u32(desc, descsz, &info->entry);
            break;
        case XEN_ELFNOTE_HYPERCALL_PAGE:
            bad = note_u32(desc, descsz, &info->hypercall_page);
            info->has_hypercall_page = !bad;
            break;
        case XEN_ELFNOTE_VIRT_BASE:
            bad = note_u32(desc, descsz, &info->virt_base);
            break;
        case XEN_ELFNOTE_PADDR_OFFSET:
            bad = note_u32(desc, descsz, &info->paddr_offset);
            break;
        case XEN_ELFNOTE_XEN_VERSION:
            bad = note_string(info->xen_version, sizeof(info->xen_version), desc, descsz);
            break;
        case XEN_ELFNOTE_GUEST_OS:
            bad = note_string(info->guest_os, sizeof(info->guest_os), desc, descsz);
            break;
        case XEN_ELFNOTE_LOADER:
            bad = note_string(info->loader, sizeof(info->loader), desc, descsz);
            break;
        case XEN_ELFNOTE_PAE_MODE:
            bad = note_string(info->pae_mode, sizeof(info->pae_mode), desc, descsz);
            break;
        case XEN_ELFNOTE_FEATURES:
            bad = note_string(features, featsz, desc, descsz);
            break;
        case XEN_ELFNOTE_BSD_SYMTAB: {
            char yes[4];
            info->bsd_symtab = note_string(yes, sizeof(yes), desc, descsz) == 0 &&
                               strcmp(yes, "yes") == 0;
            break;
        }
        case XEN_ELFNOTE_HV_START_LOW:
            info->hv_start_low = note_numeric(desc, descsz);
            info->has_hv_start_low = 1;
            break;
        case XEN_ELFNOTE_INIT_P2M:
            info->init_p2m = note_numeric(desc, descsz);
            info->has_init_p2m = 1;
            break;
        case XEN_ELFNOTE_MOD_START_PFN:
            info->mod_start_pfn = note_numeric(desc, descsz) != 0;
            break;
        case XEN_ELFNOTE_SUSPEND_CANCEL:
            info->suspend_cancel = note_numeric(desc, descsz) != 0;
            break;
        case XEN_ELFNOTE_SUPPORTED_FEATURES:
            /* Xen reads an array of u32 submaps; pv86 knows submap 0 */
            info->supported_features = 0;
            if (descsz >= 4)
                memcpy(&info->supported_features, desc, 4);
            info->has_supported = 1;
            break;
        case XEN_ELFNOTE_L1_MFN_VALID:
            info->l1_mfn_valid = 1;         /* Xen's builders read no more of it */
            break;
        default:
            break;                          /* known, not needed here */
        }
        if (bad)
            return fail(why, "malformed Xen ELF note");
        *seen |= 1u << type;
    }
    return 0;
}

/* The ELF header: a 32-bit i386 executable with program headers. */
static int read_ehdr(const uint8_t *img, size_t size, struct elf32_ehdr *eh,
                     struct elf_xen_info *info, const char **why)
{
    memset(info, 0, sizeof(*info));
    if (size < sizeof(*eh))
        return fail(why, "image smaller than an ELF header");
    memcpy(eh, img, sizeof(*eh));
    if (memcmp(eh->e_ident, "\177ELF", 4) != 0)
        return fail(why, "not an ELF image");
    if (eh->e_ident[4] != ELFCLASS32 || eh->e_ident[5] != ELFDATA2LSB ||
        eh->e_ident[6] != EV_CURRENT || eh->e_machine != EM_386)
        return fail(why, "not a 32-bit little-endian i386 ELF image");
    if (eh->e_type != ET_EXEC)
        return fail(why, "ELF image is not ET_EXEC");
    if (eh->e_phentsize != sizeof(struct elf32_phdr) || eh->e_phnum == 0 ||
        !in_file(size, eh->e_phoff, (uint32_t)eh->e_phnum * sizeof(struct elf32_phdr)))
        return fail(why, "ELF program headers missing or outside the image");
    info->kstart = 0xFFFFFFFFu;
    return 0;
}

/* A PT_LOAD segment that goes to addr (virtual for Xen, physical for
 * multiboot). Empty ones are skipped. */
static int add_segment(const struct elf32_phdr *ph, uint32_t addr, size_t size,
                       struct elf_xen_info *info, const char **why)
{
    if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
        return 0;
    if (ph->p_filesz > ph->p_memsz || !in_file(size, ph->p_offset, ph->p_filesz))
        return fail(why, "PT_LOAD segment outside the image");
    if (addr > HYPERVISOR_VIRT_START || ph->p_memsz > HYPERVISOR_VIRT_START - addr)
        return fail(why, "PT_LOAD segment reaches the hypervisor area");
    if (info->nsegs == ELF_XEN_MAX_SEGS)
        return fail(why, "too many PT_LOAD segments");
    struct elf_xen_seg *s = &info->segs[info->nsegs++];
    s->vaddr = addr;
    s->memsz = ph->p_memsz;
    s->offset = ph->p_offset;
    s->filesz = ph->p_filesz;
    if (addr < info->kstart)
        info->kstart = addr;
    if (addr + ph->p_memsz > info->kend)
        info->kend = addr + ph->p_memsz;
    return 0;
}

static int check_segments(const struct elf_xen_info *info, const char **why)
{
    if (info->nsegs == 0)
        return fail(why, "no PT_LOAD segment");
    for (unsigned i = 0; i < info->nsegs; i++)
        for (unsigned j = i + 1; j < info->nsegs; j++) {
            const struct elf_xen_seg *a = &info->segs[i], *b = &info->segs[j];
            if (a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz)
                return fail(why, "PT_LOAD segments overlap");
        }
    return 0;
}

static uint32_t round4(uint32_t v) { return (v + 3u) & ~3u; }

/*
 * BSD_SYMTAB: the first SHT_SYMTAB section whose sh_link names a section
 * (Xen's elf_init stops at the first with a bad link) and that section if
 * it is an SHT_STRTAB. Without one nothing is loaded, as in Xen; with one
 * whose bytes lie outside the image the image is refused.
 */
static int find_symtab(const uint8_t *img, size_t size, const struct elf32_ehdr *eh,
                       struct elf_xen_info *info, const char **why)
{
    struct elf32_shdr sh, st;
    if (eh->e_shnum == 0)
        return 0;
    if (eh->e_shentsize != sizeof(sh) ||
        !in_file(size, eh->e_shoff, (uint32_t)eh->e_shnum * sizeof(sh)))
        return fail(why, "ELF section headers outside the image");
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        memcpy(&sh, img + eh->e_shoff + i * sizeof(sh), sizeof(sh));
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        if (sh.sh_link == 0 || sh.sh_link >= eh->e_shnum)
            return 0;
        memcpy(&st, img + eh->e_shoff + sh.sh_link * sizeof(st), sizeof(st));
        if (st.sh_type != SHT_STRTAB)
            return 0;
        if (!in_file(size, sh.sh_offset, sh.sh_size) || !in_file(size, st.sh_offset, st.sh_size))
            return fail(why, "BSD_SYMTAB: the symbol table lies outside the image");
        uint64_t start = round4(info->kend);
        uint64_t str = start + ELF_XEN_SYMTAB_TABLES + round4(sh.sh_size);
        uint64_t end = (str + st.sh_size + 3u) & ~(uint64_t)3u;
        if (end > HYPERVISOR_VIRT_START)
            return fail(why, "BSD_SYMTAB: the symbol table reaches the hypervisor area");
        info->symtab_start = (uint32_t)start;
        info->symtab_off = sh.sh_offset;
        info->symtab_size = sh.sh_size;
        info->strtab_off = st.sh_offset;
        info->strtab_size = st.sh_size;
        memcpy(info->symtab_shdr, &sh, sizeof(sh));
        memcpy(info->strtab_shdr, &st, sizeof(st));
        memcpy(info->ehdr, eh, sizeof(*eh));
        info->virt_kend = (uint32_t)end;
        return 0;
    }
    return 0;
}

void elf_xen_write_symtab(const struct elf_xen_info *info, const void *image,
                          void (*put)(void *ctx, uint32_t off, const void *src, uint32_t len),
                          void *ctx)
{
    const uint8_t *img = image;
    if (!info->symtab_start)
        return;
    uint32_t str = ELF_XEN_SYMTAB_TABLES + round4(info->symtab_size);
    uint32_t total = str + info->strtab_size - 4;   /* from the ELF header on */
    struct elf32_ehdr eh;
    struct elf32_shdr sh[3];
    memcpy(&eh, info->ehdr, sizeof(eh));
    eh.e_version = EV_CURRENT;
    eh.e_phoff = 0;
    eh.e_shoff = ELF_XEN_SYMTAB_SHDRS - 4;
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = 0;
    eh.e_phnum = 0;
    eh.e_shentsize = sizeof(sh[0]);
    eh.e_shnum = 3;
    eh.e_shstrndx = 0;
    memset(&sh[0], 0, sizeof(sh[0]));
    memcpy(&sh[1], info->symtab_shdr, sizeof(sh[1]));
    memcpy(&sh[2], info->strtab_shdr, sizeof(sh[2]));
    sh[1].sh_offset = ELF_XEN_SYMTAB_TABLES - 4;
    sh[1].sh_link = 2;
    sh[2].sh_offset = str - 4;
    put(ctx, 0, &total, 4);
    put(ctx, 4, &eh, sizeof(eh));
    put(ctx, ELF_XEN_SYMTAB_SHDRS, sh, sizeof(sh));
    put(ctx, ELF_XEN_SYMTAB_TABLES, img + info->symtab_off, info->symtab_size);
    put(ctx, str, img + info->strtab_off, info->strtab_size);
}

int elf_xen_check_initial(const struct elf_xen_info *info, const char **why)
{
    const uint64_t mask = (1u << 21) - 1;      /* 2 MiB, wrapping as Xen's does */
    if (info->has_supported && !(info->supported_features & (1u << XENFEAT_dom0)))
        return fail(why, "its SUPPORTED_FEATURES note lacks dom0: the kernel does not "
                         "support running as the initial domain");
    if (info->has_hv_start_low && ((info->hv_start_low + mask) & ~mask) > ELF_XEN_HV_START)
        return fail(why, "HV_START_LOW expects the hypervisor above 0xf5800000");
    return 0;
}

int elf_xen_parse(const void *image, size_t size, uint32_t honoured,
                  struct elf_xen_info *info, const char **why)
{
    const uint8_t *img = image;
    struct elf32_ehdr eh;
    char features[256] = "";
    unsigned seen = 0;
    int rc;

    rc = read_ehdr(img, size, &eh, info, why);
    if (rc)
        return rc;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        struct elf32_phdr ph;
        memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_NOTE) {
            if (!in_file(size, ph.p_offset, ph.p_filesz))
                return fail(why, "PT_NOTE outside the image");
            rc = parse_notes(img, ph.p_offset, ph.p_filesz, info, features,
                             sizeof(features), &seen, why);
            if (rc)
                return rc;
            continue;
        }
        rc = add_segment(&ph, ph.p_vaddr, size, info, why);
        if (rc)
            return rc;
    }
    rc = check_segments(info, why);
    if (rc)
        return rc;

    /* No PT_NOTE with Xen notes: fall back to SHT_NOTE sections. */
    if (!seen && eh.e_shnum) {
        if (eh.e_shentsize != sizeof(struct elf32_shdr) ||
            !in_file(size, eh.e_shoff, (uint32_t)eh.e_shnum * sizeof(struct elf32_shdr)))
            return fail(why, "ELF section headers outside the image");
        for (unsigned i = 0; i < eh.e_shnum; i++) {
            struct elf32_shdr sh;
            memcpy(&sh, img + eh.e_shoff + i * sizeof(sh), sizeof(sh));
            if (sh.sh_type != SHT_NOTE)
                continue;
            if (!in_file(size, sh.sh_offset, sh.sh_size))
                return fail(why, "SHT_NOTE section outside the image");
            rc = parse_notes(img, sh.sh_offset, sh.sh_size, info, features,
                             sizeof(features), &seen, why);
            if (rc)
                return rc;
        }
        info->notes_from_sections = seen != 0;
    }
    if (!seen)
        return fail(why, "no Xen ELF notes: not a Xen PV guest image");

    if (!(seen & (1u << XEN_ELFNOTE_XEN_VERSION)) || strcmp(info->xen_version, "xen-3.0") != 0)
        return fail(why, "XEN_VERSION note is not \"xen-3.0\"");
    if (!(seen & (1u << XEN_ELFNOTE_LOADER)) || strcmp(info->loader, "generic") != 0)
        return fail(why, "LOADER note is not \"generic\"");
    if (!(seen & (1u << XEN_ELFNOTE_PAE_MODE)) ||
        (strcmp(info->pae_mode, "yes") != 0 && strcmp(info->pae_mode, "extended-cr3") != 0 &&
         strcmp(info->pae_mode, "bimodal") != 0))
        return fail(why, "guest is not PAE (PAE_MODE note missing or not \"yes\")");
    rc = parse_features(features, honoured, info, why);
    if (rc)
        return rc;
    if (!(seen & (1u << XEN_ELFNOTE_ENTRY)))
        info->entry = eh.e_entry;
    info->virt_kend = info->kend;
    if (info->bsd_symtab) {
        rc = find_symtab(img, size, &eh, info, why);
        if (rc)
            return rc;
    }
    /* Xen refuses a P2M base inside the kernel, then ignores the note for
     * a 32-bit guest (the p2m list goes where it always goes). */
    if (info->has_init_p2m && info->init_p2m >= info->kstart && info->init_p2m < info->virt_kend)
        return fail(why, "INIT_P2M lies inside the image");
    if (info->virt_base > info->kstart)
        return fail(why, "VIRT_BASE is above the image");
    if (info->paddr_offset > info->virt_base)
        return fail(why, "PADDR_OFFSET is above VIRT_BASE");
    if (info->entry < info->kstart || info->entry >= info->kend)
        return fail(why, "entry point outside the image");
    if (info->has_hypercall_page &&
        ((info->hypercall_page & 0xFFFu) || info->hypercall_page < info->kstart ||
         info->hypercall_page >= info->kend))
        return fail(why, "HYPERCALL_PAGE is not a page inside the image");
    return 0;
}

int elf_multiboot_parse(const void *image, size_t size, struct elf_xen_info *info,
                        const char **why)
{
    const uint8_t *img = image;
    struct elf32_ehdr eh;
    int rc = read_ehdr(img, size, &eh, info, why);
    if (rc)
        return rc;
    int32_t flags = multiboot_header_flags(img, size);
    if (flags < 0)
        return fail(why, "no multiboot header in the first 8 KiB");
    if (flags & (1 << 16))
        return fail(why, "multiboot a.out kludge (flag 16) is not supported");
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        struct elf32_phdr ph;
        memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        rc = add_segment(&ph, ph.p_paddr, size, info, why);
        if (rc)
            return rc;
    }
    rc = check_segments(info, why);
    if (rc)
        return rc;
    /* Multiboot jumps to e_entry as a physical address: inside the image
     * when the kernel is linked where it is loaded. */
    info->entry = eh.e_entry;
    if (info->entry < info->kstart || info->entry >= info->kend)
        return fail(why, "entry point outside the loaded segments");
    return 0;
}

int32_t multiboot_header_flags(const void *image, size_t size)
{
    const uint8_t *img = image;
    for (size_t off = 0; off + 12 <= size && off < 8192; off += 4) {
        uint32_t h[3];
        memcpy(h, img + off, sizeof(h));
        if (h[0] == 0x1BADB002u && h[0] + h[1] + h[2] == 0)
            return (int32_t)(h[1] & 0x7FFFFFFF);
    }
    return -1;
}
