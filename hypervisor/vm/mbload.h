/*
 * mbload: the multiboot loader for unmodified kernels (te, hw). The
 * hypervisor plays the multiboot loader: the ELF's segments go to their
 * physical addresses in the guest's memory, a multiboot information block
 * (memory size, command line) to MB_INFO_GPA, and the mode starts the kernel
 * as a multiboot loader leaves it: protected mode without paging,
 * EAX = 0x2BADB002, EBX = the block, flat CS and DS, interrupts off.
 */
#ifndef HV_VM_MBLOAD_H
#define HV_VM_MBLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/elf_xen.h"
#include "vm/gpmem.h"

#define MB_INFO_GPA     0x8000u   /* the information block; the stack grows below */
#define MB_CMDLINE_GPA  0x8100u

struct mb_boot {
    uint32_t entry;               /* EIP */
    uint32_t mbi_gpa;             /* EBX */
};

/* Can the kernel load into ram_mb MiB? 0, or -errno after a line "dN: ..."
 * saying why (nothing is allocated yet when it is asked). */
int mb_check(uint16_t domid, const void *image, size_t size, unsigned ram_mb,
             struct elf_xen_info *info);
/* Load it (checked) into m, with the information block. */
void mb_load(const struct gpmem *m, const void *image, const struct elf_xen_info *info,
             const char *cmdline, struct mb_boot *out);

#endif
