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
    int notes_from_sections;    /* 1 when found through SHT_NOTE, not PT_NOTE */
    unsigned nsegs;
    struct elf_xen_seg segs[ELF_XEN_MAX_SEGS];
    char guest_os[32];
    char xen_version[16];
    char loader[16];
    char pae_mode[16];
};

/*
 * Parse img[0..size). Returns 0 and fills *info, or a negative XEN errno
 * with *why set to a static, human-readable reason.
 * supported_features: the XENFEAT_* bits this hypervisor offers; a required
 * feature outside them is refused.
 */
int elf_xen_parse(const void *img, size_t size, uint32_t supported_features,
                  struct elf_xen_info *info, const char **why);

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
