/*
 * pv86 ABI: the ELF notes (owner "Xen") a PV guest image carries in a
 * PT_NOTE segment, and a macro to emit them from C. The loader reads them
 * as Xen's libelf and PV domain builders read them:
 *   FEATURES: Xen's seven names (writable_page_tables,
 *     writable_descriptor_tables, auto_translated_physmap,
 *     supervisor_mode_kernel, pae_pgdir_above_4gb, hvm_callback_vector,
 *     dom0); '!' marks a required one. Required writable_page_tables,
 *     pae_pgdir_above_4gb and dom0 are honoured; any other required name
 *     refuses the image with "(pv86) dN: cannot load the guest image: it
 *     requires feature <name>, ..." (exit status 13). Optional names are
 *     noted, unknown ones ignored.
 *   BSD_SYMTAB "yes": the .symtab and its .strtab are loaded after the
 *     image as Xen's libelf loads them (a size word, an ELF header, three
 *     section headers, the tables), inside the kernel's virtual end.
 *   HV_START_LOW: d1 (the initial domain) is refused if it, rounded up to
 *     2 MiB, lies above 0xF5800000 (Xen's dom0 builder); a domU ignores it.
 *   INIT_P2M: refused inside the image, else ignored (32-bit, as Xen).
 *   L1_MFN_VALID, SUSPEND_CANCEL: read and ignored (no toolstack).
 *   MOD_START_PFN: changes nothing, as in Xen without an initial module
 *     (pv86 gives none: mod_start = mod_len = 0).
 *   SUPPORTED_FEATURES: when present without the dom0 bit, the kernel
 *     cannot be d1 (Xen's dom0 builder: "Kernel does not support Dom0
 *     operation"); a domU ignores it.
 */
#ifndef PV86_ELFNOTE_H
#define PV86_ELFNOTE_H

#include "abi.h"

#define XEN_ELFNOTE_INFO            0
#define XEN_ELFNOTE_ENTRY           1   /* VA of the entry point (u32) */
#define XEN_ELFNOTE_HYPERCALL_PAGE  2   /* VA of the hypercall page (u32) */
#define XEN_ELFNOTE_VIRT_BASE       3   /* VA of pfn 0 (u32), default 0 */
#define XEN_ELFNOTE_PADDR_OFFSET    4   /* u32, default 0 */
#define XEN_ELFNOTE_XEN_VERSION     5   /* "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS        6   /* free text */
#define XEN_ELFNOTE_GUEST_VERSION   7   /* free text */
#define XEN_ELFNOTE_LOADER          8   /* "generic" */
#define XEN_ELFNOTE_PAE_MODE        9   /* "yes" */
#define XEN_ELFNOTE_FEATURES       10   /* "a|!b": '!' marks a required one */
#define XEN_ELFNOTE_BSD_SYMTAB     11   /* "yes": load the symbol table */
#define XEN_ELFNOTE_HV_START_LOW   12   /* lowest hypervisor start it accepts */
#define XEN_ELFNOTE_L1_MFN_VALID   13   /* (mask, value) pairs: ignored */
#define XEN_ELFNOTE_SUSPEND_CANCEL 14   /* number: ignored */
#define XEN_ELFNOTE_INIT_P2M       15   /* VA for the p2m list: 32-bit ignores */
#define XEN_ELFNOTE_MOD_START_PFN  16   /* nonzero: module as a pfn */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17  /* u32 XENFEAT_* bitmap the kernel supports */
#define XEN_ELFNOTE_MAX            17

#define XEN_ELFNOTE_OWNER  "Xen"

#if defined(__GNUC__) && !defined(__cplusplus) && !defined(__ASSEMBLER__)
/*
 * Emit one note into section .note.Xen (link it into a PT_NOTE segment).
 * PV86_ELFNOTE_STR(tag, type, "string") and PV86_ELFNOTE_U32(tag, type, value);
 * tag makes the object's name unique.
 */
#define PV86_ELFNOTE_STR(tag, type, str)                                      \
    __attribute__((section(".note.Xen"), used, aligned(4)))                   \
    static const struct {                                                     \
        uint32_t namesz, descsz, ntype;                                       \
        char name[4];                                                         \
        char desc[(sizeof(str) + 3) & ~3u];                                   \
    } pv86_note_##tag = { 4, sizeof(str), (type), XEN_ELFNOTE_OWNER, str }

#define PV86_ELFNOTE_U32(tag, type, value)                                    \
    __attribute__((section(".note.Xen"), used, aligned(4)))                   \
    static const struct {                                                     \
        uint32_t namesz, descsz, ntype;                                       \
        char name[4];                                                         \
        uint32_t desc;                                                        \
    } pv86_note_##tag = { 4, 4, (type), XEN_ELFNOTE_OWNER, (uint32_t)(value) }

/*
 * PV86_ELFNOTES_PV("os"): the seven notes of a plain pv86 PV guest, in this
 * order: GUEST_OS "os", XEN_VERSION "xen-3.0", LOADER "generic", PAE_MODE
 * "yes", VIRT_BASE 0 (VA = pfn << 12), ENTRY _start, HYPERCALL_PAGE
 * hypercall_page. The image defines the symbols _start (its entry) and
 * hypercall_page (a page-aligned page); the macro declares both. Use it once
 * per image, at file scope: PV86_ELFNOTES_PV("my-guest");
 */
#define PV86_ELFNOTES_PV(os)                                                  \
    extern char _start[], hypercall_page[];                                   \
    PV86_ELFNOTE_STR(guest_os, XEN_ELFNOTE_GUEST_OS, os);                     \
    PV86_ELFNOTE_STR(xen_version, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");        \
    PV86_ELFNOTE_STR(loader, XEN_ELFNOTE_LOADER, "generic");                  \
    PV86_ELFNOTE_STR(pae_mode, XEN_ELFNOTE_PAE_MODE, "yes");                  \
    PV86_ELFNOTE_U32(virt_base, XEN_ELFNOTE_VIRT_BASE, 0);                    \
    PV86_ELFNOTE_U32(entry, XEN_ELFNOTE_ENTRY, (uintptr_t)_start);            \
    PV86_ELFNOTE_U32(hypercall_page, XEN_ELFNOTE_HYPERCALL_PAGE,              \
                     (uintptr_t)hypercall_page)
#endif

#endif /* PV86_ELFNOTE_H */
