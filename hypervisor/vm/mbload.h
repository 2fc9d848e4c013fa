/*
 * mbload: the multiboot loader for unmodified kernels (te, hw). The
 * hypervisor plays the multiboot loader: the ELF's segments go to their
 * physical addresses in the guest's memory, its modules page-aligned above
 * it, a multiboot information block (memory size and map, command line,
 * modules, the loader's name) to the low area of vm/mbinfo.h, and the mode
 * starts the kernel as a multiboot loader leaves it: protected mode without
 * paging, EAX = 0x2BADB002, EBX = the block, flat CS and DS, interrupts off.
 */
#ifndef HV_VM_MBLOAD_H
#define HV_VM_MBLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/elf_xen.h"
#include "vm/gpmem.h"
#include "vm/mbinfo.h"

struct mb_boot {
    uint32_t entry;               /* EIP */
    uint32_t mbi_gpa;             /* EBX */
};

/* The hypervisor option onevm (core/main.c): the run is one virtual
 * machine, and the next kernel loaded gets kernel_string (its whole module
 * string, "KERNEL.elf ARGS", as GRUB and QEMU give the command line) and
 * these modules (their bytes must stay until it is loaded). Without it a
 * kernel gets "kernel ARGS" and no module. 0, or -1 when there are more
 * than MB_MAX_MODULES (nothing is set then). */
int mb_set_onevm(const char *kernel_string, const struct mb_module *mods, unsigned nmods);

/* Can the kernel (and its modules) load into ram_mb MiB? 0, or -errno
 * after a line "dN: ..." saying why (nothing is allocated yet when it is
 * asked). */
int mb_check(uint16_t domid, const void *image, size_t size, unsigned ram_mb,
             struct elf_xen_info *info);
/* Load it (checked) into m, with its modules and the information block. */
void mb_load(const struct gpmem *m, const void *image, const struct elf_xen_info *info,
             const char *cmdline, struct mb_boot *out);

#endif
