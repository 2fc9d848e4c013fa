/* notes: the Xen ELF notes that make a test guest a PV guest. */
#include <pv86/elfnote.h>

PV86_ELFNOTES_PV("pv86-test-guest");
