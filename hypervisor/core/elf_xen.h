/*
 * elf_xen: parsing of a Xen PV guest image (ELF32 i386 ET_EXEC with "Xen"
 * notes). Pure: works on a byte buffer, never trusts any offset or size in
 * it, and is unit-tested on the host with truncated and malformed images.
 */
#ifndef HV_CORE_ELF_XEN_H
#define HV_CORE_ELF_XEN_H

#include <stdint.h>
#include <stddef.h>

#define ELF_XEN_MAX_SEGS  16

struct elf_xen_seg {
    uint32_t vaddr;     /* where the segment goes */
    uint32_t memsz;     /* bytes of memory, the tail past filesz is zeroed */
    uint32_t offset;    /* file offset of its bytes */
    uint32_t filesz;
};

struct elf_xen_info {
    uint32_t entry;             /* ENTRY note, else e_entry */
    uint32_t virt_base;         /* VIRT_BASE note, else 0 */
    uint32_t paddr_offset;      /* PADDR_OFFSET note, else 0 */
    uint32_t hypercall_page;    /* HYPERCALL_PAGE note VA; valid if has_hypercall_page */
    int has_hypercall_page;
    uint32_t kstart, kend;      /* VA range covered by the PT_LOAD segments */
    uint32_t features_required; /* XENFEAT_* bits marked '!' in FEATURES */
    uint32_t features_wanted;   /* XENFEAT_* bits listed without '!' */
    /* The notes Xen reads for a 32-bit PAE PV guest beyond the above. */
    uint64_t hv_start_low;      /* HV_START_LOW; valid if has_hv_start_low */
    int has_hv_start_low;
    uint64_t init_p2m;          /* INIT_P2M; valid if has_init_p2m (ignored: 32-bit) */
    int has_init_p2m;
    int mod_start_pfn;          /* MOD_START_PFN note with a nonzero value */
    int suspend_cancel;         /* SUSPEND_CANCEL note with a nonzero value */
    int l1_mfn_valid;           /* an L1_MFN_VALID note was seen (ignored) */
    uint32_t supported_features;/* SUPPORTED_FEATURES submap 0, if has_supported */
    int has_supported;
    /* BSD_SYMTAB "yes" with a usable .symtab/.strtab: the builder writes
     * them at symtab_start (ELF_XEN_SYMTAB_* layout, as Xen's libelf) and
     * the kernel's virtual end, virt_kend, counts them. */
    int bsd_symtab;
    uint32_t symtab_start;      /* VA of the size word, 0 = none */
    uint32_t symtab_off, symtab_size;   /* the .symtab bytes in the file */
    uint32_t strtab_off, strtab_size;   /* its .strtab */
    uint8_t symtab_shdr[40], strtab_shdr[40];  /* their section headers */
    uint8_t ehdr[52];           /* the image's ELF header */
    uint32_t virt_kend;         /* kend, or the end of the symbol table */
    char why_buf[128];           /* a refusal that names a feature */
    int notes_from_sections;    /* 1 when found through SHT_NOTE, not PT_NOTE */
    unsigned nsegs;
    struct elf_xen_seg segs[ELF_XEN_MAX_SEGS];
    char guest_os[32];
    char xen_version[16];
    char loader[16];
    char pae_mode[16];
};

/*
 * The required FEATURES the loader honours (what Xen's PV builders load and
 * pv86 really provides): writable_page_tables (mm/ptwr emulates the direct
 * writes), pae_pgdir_above_4gb (an L3 anywhere) and dom0 (a kernel that can
 * run as the initial domain: Xen's builders accept it wherever it runs).
 * Xen's FEATURES parser knows seven names; a required name outside them is
 * refused as Xen refuses it, and so is a known one outside this mask
 * (writable_descriptor_tables, auto_translated_physmap,
 * supervisor_mode_kernel, hvm_callback_vector). Not what
 * xen_version(XENVER_get_features) reports (HV_FEATURES, core/hypercall.h).
 */
#define ELF_XEN_LOADER_FEATURES  ((1u << 0 /* writable_page_tables */) | \
                                  (1u << 4 /* pae_pgdir_above_4gb */) | \
                                  (1u << 11 /* dom0 */))

/* The start of the hypervisor area for a 32-bit PAE guest (Xen's
 * __HYPERVISOR_COMPAT_VIRT_START); HV_START_LOW may not lie above it. */
#define ELF_XEN_HV_START  0xF5800000u

/* BSD_SYMTAB layout after the image, from symtab_start (Xen's libelf for a
 * 32-bit image): the size word, the ELF header (52 bytes, zero-padded to
 * 64), three section headers (null, .symtab, .strtab) at 68, the .symtab at
 * 260, the .strtab after it (4-byte aligned); the size word counts the
 * bytes from the ELF header to the end of the .strtab; sh_offset is from
 * the ELF header. */
#define ELF_XEN_SYMTAB_SHDRS   68u
#define ELF_XEN_SYMTAB_TABLES  260u

/*
 * Parse img[0..size). Returns 0 and fills *info, or a negative XEN errno
 * with *why set to a human-readable reason (static, or info->why_buf):
 * -XEN_EOPNOTSUPP for a required feature outside `honoured` (the line names
 * it), -XEN_EINVAL for anything else.
 */
int elf_xen_parse(const void *img, size_t size, uint32_t honoured,
                  struct elf_xen_info *info, const char **why);

/* What Xen's builder of the initial domain checks beyond the image itself:
 * a SUPPORTED_FEATURES note, when there is one, must have the dom0 bit;
 * HV_START_LOW, rounded up to 2 MiB, may not lie above ELF_XEN_HV_START
 * (a domU's builder ignores both). 0 or -XEN_EINVAL with *why. */
int elf_xen_check_initial(const struct elf_xen_info *info, const char **why);

/* Write the BSD_SYMTAB block (when info->symtab_start is set) through
 * put(ctx, offset from symtab_start, bytes, length); img is the image the
 * info came from. The block is info->virt_kend - symtab_start bytes and
 * every byte of it not written here must be zero. */
void elf_xen_write_symtab(const struct elf_xen_info *info, const void *img,
                          void (*put)(void *ctx, uint32_t off, const void *src, uint32_t len),
                          void *ctx);

/* A multiboot kernel as an ELF: the PT_LOAD segments by physical address
 * (segs[].vaddr holds p_paddr) and e_entry. Refuses images without a
 * multiboot header or with the a.out kludge. Same return as above. */
int elf_multiboot_parse(const void *img, size_t size, struct elf_xen_info *info,
                        const char **why);
/* The flags of the multiboot header in the first 8 KiB (magic, flags and
 * checksum summing to 0, 4-byte aligned), or -1 if there is none. */
int32_t multiboot_header_flags(const void *img, size_t size);

/* The XENFEAT_ bit for a FEATURES note name, or -1. */
int elf_xen_feature_bit(const char *name, size_t len);

#endif
