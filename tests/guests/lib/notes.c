/* notes: the Xen ELF notes that make a test guest a PV guest. */
#include <pv86/elfnote.h>
#include <pv86/xen.h>

extern char hypercall_page[];
extern char _start[];

PV86_ELFNOTE_STR(guest_os, XEN_ELFNOTE_GUEST_OS, "pv86-test-guest");
PV86_ELFNOTE_STR(xen_version, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
PV86_ELFNOTE_STR(loader, XEN_ELFNOTE_LOADER, "generic");
PV86_ELFNOTE_STR(pae_mode, XEN_ELFNOTE_PAE_MODE, "yes");
PV86_ELFNOTE_U32(virt_base, XEN_ELFNOTE_VIRT_BASE, 0);
PV86_ELFNOTE_U32(entry, XEN_ELFNOTE_ENTRY, (uintptr_t)_start);
PV86_ELFNOTE_U32(hypercall_page, XEN_ELFNOTE_HYPERCALL_PAGE, (uintptr_t)hypercall_page);
