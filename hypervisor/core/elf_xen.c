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

static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad] = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist] = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits] = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock] = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs] = "hvm_pirqs",
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

static int parse_features(const char *s, uint32_t supported, struct elf_xen_info *info,
                          const char **why)
{
    while (*s) {
        size_t len = 0;
        int required = 0;
        if (*s == '!') {
            required = 1;
            s++;
        }
        while (s[len] && s[len] != '|')
            len++;
        int bit = elf_xen_feature_bit(s, len);
        if (required) {
            if (bit < 0 || !(supported & (1u << bit)))
                return fail(why, "guest requires a feature this hypervisor does not offer");
            info->features_required |= 1u << bit;
        } else if (bit >= 0) {
            info->features_wanted |= 1u << bit;
        }
        s += len;
        if (*s == '|')
            s++;
    }
    return 0;
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

int elf_xen_parse(const void *image, size_t size, uint32_t supported,
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
    rc = parse_features(features, supported, info, why);
    if (rc)
        return rc;
    if (!(seen & (1u << XEN_ELFNOTE_ENTRY)))
        info->entry = eh.e_entry;
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
