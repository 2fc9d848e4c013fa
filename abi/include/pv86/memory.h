/*
 * pv86 ABI: memory_op(cmd, void *arg).
 *   XENMEM_maximum_ram_page     arg unused; returns 1 + the highest machine
 *                               frame number of RAM
 *   XENMEM_current_reservation  IN domid_t (DOMID_SELF); returns nr_pages
 *   XENMEM_maximum_reservation  IN domid_t (DOMID_SELF); returns the most
 *                               pages the domain may have
 *   XENMEM_memory_map           IN/OUT struct xen_memory_map: the domain's
 *                               pseudo-physical map (e820 entries)
 * Returns -EFAULT for unreadable arguments, -EPERM for another domain,
 * -EINVAL for a map buffer of no entries, -ENOSYS for other commands.
 */
#ifndef PV86_MEMORY_H
#define PV86_MEMORY_H

#include "abi.h"

#define XENMEM_increase_reservation   0
#define XENMEM_decrease_reservation   1
#define XENMEM_maximum_ram_page       2
#define XENMEM_current_reservation    3
#define XENMEM_maximum_reservation    4
#define XENMEM_populate_physmap       6
#define XENMEM_memory_map             9
#define XENMEM_machine_memory_map    10

#define E820_RAM       1
#define E820_RESERVED  2

#ifndef __ASSEMBLER__
/* One e820 entry: 20 bytes, 64-bit fields split so no packing is needed. */
struct e820_entry {
    uint32_t addr_lo, addr_hi;   /*  0 */
    uint32_t size_lo, size_hi;   /*  8 */
    uint32_t type;               /* 16: E820_* */
};
PV86_STATIC_ASSERT(sizeof(struct e820_entry) == 20, "e820 entry is 20 bytes");

struct xen_memory_map {
    uint32_t nr_entries;         /* 0: IN: room in buffer; OUT: entries written */
    uint32_t buffer;             /* 4: pointer to struct e820_entry[] */
};
PV86_STATIC_ASSERT(sizeof(struct xen_memory_map) == 8, "xen_memory_map is 8 bytes");
#endif

#endif /* PV86_MEMORY_H */
