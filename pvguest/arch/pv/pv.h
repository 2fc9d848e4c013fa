/* pv: fixed addresses of the pv flavour (shared by head.S and arch.c). */
#ifndef PVGUEST_ARCH_PV_H
#define PVGUEST_ARCH_PV_H

/* Pages below the kernel image (VA = pfn << 12 for everything else). */
#define PV_SHARED_INFO_VA  0x00001000   /* shared_info: the first vcpu_info at 0 */
#define PV_CONSOLE_VA      0x00002000   /* a domU's console ring */
#define PV_FIRST_FREE_PFN  16           /* pfns below are these fixed pages */

#endif
