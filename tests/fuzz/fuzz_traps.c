/* libFuzzer harness: set_trap_table's rule (desc_trap_entry_check in
 * hypervisor/arch/x86/descriptor.c) applied the way do_set_trap_table
 * applies it, to a table of 256 vectors, with arbitrary entries. Whatever
 * the guest sends, every installed handler's code selector has RPL 1-3
 * (as Xen's, any selector is kept and only RPL 0 becomes 1: one the CPU
 * refuses crashes the domain at delivery), a refused entry changes
 * nothing, and an accepted one is installed as given apart from the RPL
 * fix-up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pv86/errno.h>
#include <pv86/xen.h>

#include "arch/x86/descriptor.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trap_info table[256], before[256];
    memset(table, 0, sizeof(table));
    for (size_t off = 0; off + sizeof(struct trap_info) <= size; off += sizeof(struct trap_info)) {
        struct trap_info ti, given;
        memcpy(&ti, data + off, sizeof(ti));
        if (ti.address == 0)
            break;                                     /* the terminator */
        given = ti;
        memcpy(before, table, sizeof(table));
        int rc = desc_trap_entry_check(&ti);
        CHECK(rc == 0 || rc == -XEN_EPERM);
        if (rc) {
            CHECK(memcmp(before, table, sizeof(table)) == 0);
            break;                                     /* set_trap_table stops here */
        }
        CHECK(ti.vector == given.vector && ti.flags == given.flags &&
              ti.address == given.address);
        CHECK((ti.cs & ~3u) == (given.cs & ~3u));
        CHECK((given.cs & 3) == 0 ? (ti.cs & 3) == 1 : ti.cs == given.cs);
        table[ti.vector] = ti;
    }
    for (unsigned v = 0; v < 256; v++) {
        if (!table[v].address)
            continue;
        /* As Xen's compat set_trap_table: any selector is kept, only an
         * RPL of 0 becomes 1, so no entry names ring 0. (A selector the CPU
         * then refuses crashes the domain at delivery: traps.c.) */
        CHECK((table[v].cs & 3) != 0);
    }
    return 0;
}
