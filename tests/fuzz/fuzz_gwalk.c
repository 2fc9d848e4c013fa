/* libFuzzer harness: the guest page walker (hypervisor/vm/gwalk.c) in
 * every paging mode, on arbitrary control registers, address, access and
 * guest memory. Properties: it reads only inside the guest's memory (ASan:
 * the callback hands out pointers to 8 bytes inside it), ends in one of
 * its three results, a translation keeps the page offset and stays within
 * the mode's physical width, a fault's error code names the access exactly
 * (W, U, I/D only for a fetch, RSVD only with P), a walk with A/D setting
 * changes nothing but A and D bits and comes out as the same walk without. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/gwalk.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define MEM_SIZE (2 * 4096)
static uint8_t mem[MEM_SIZE] __attribute__((aligned(8)));
static uint8_t before[MEM_SIZE];

static void *at(void *ctx, uint64_t gpa)
{
    (void)ctx;
    return gpa + 8 <= MEM_SIZE ? mem + gpa : NULL;
}

/* Input: cr0 bits, cr4 bits, nxe/maxphy, va (4), access, cr3 (4), PDPTEs
 * (32; used when bit 7 of byte 2), then the guest's memory. */
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 44)
        return 0;
    uint64_t pdpte[4];
    struct gwalk_cpu c = { 0 };
    uint32_t va;
    c.cr0 = (d[0] & 1 ? GWALK_CR0_PG : 0) | (d[0] & 2 ? GWALK_CR0_WP : 0);
    c.cr4 = (d[1] & 1 ? GWALK_CR4_PSE : 0) | (d[1] & 2 ? GWALK_CR4_PAE : 0) |
            (d[1] & 4 ? GWALK_CR4_SMEP : 0) | (d[1] & 8 ? GWALK_CR4_SMAP : 0);
    c.nxe = d[2] & 1;
    c.maxphy = (d[2] >> 1) & 63;
    memcpy(&va, d + 3, 4);
    unsigned access = d[7] & (GWALK_WRITE | GWALK_USER | GWALK_FETCH);
    if (d[7] & 1)
        access |= GWALK_AC;
    memcpy(&c.cr3, d + 8, 4);
    c.cr3 %= 2 * MEM_SIZE;                          /* mostly inside, sometimes not */
    memcpy(pdpte, d + 12, 32);
    c.pdpte = (d[2] & 128) ? pdpte : NULL;
    memset(mem, 0, sizeof(mem));
    memcpy(mem, d + 44, n - 44 < MEM_SIZE ? n - 44 : MEM_SIZE);
    memcpy(before, mem, sizeof(mem));

    struct gwalk w, w2;
    int rc = gwalk(&c, at, NULL, va, access, &w);
    CHECK(rc == GWALK_OK || rc == GWALK_FAULT || rc == GWALK_BAD_TABLE);
    CHECK(memcmp(before, mem, sizeof(mem)) == 0);   /* no SET_AD: nothing written */
    int write = (access & GWALK_WRITE) != 0;
    if (rc == GWALK_OK) {
        CHECK(w.page_shift == 0 || w.page_shift == 12 || w.page_shift == 21 ||
              w.page_shift == 22);
        if (!(c.cr0 & GWALK_CR0_PG))
            CHECK(w.gpa == va && w.page_shift == 0);
        else
            CHECK((w.gpa & ((1ull << w.page_shift) - 1)) == (va & ((1ull << w.page_shift) - 1)));
        CHECK(w.gpa < ((c.cr4 & GWALK_CR4_PAE) ? 1ull << 52 : 1ull << 40));
        if (access & GWALK_USER)
            CHECK(w.user);
        if (write && ((access & GWALK_USER) || (c.cr0 & GWALK_CR0_WP)))
            CHECK(w.writable);
    } else if (rc == GWALK_FAULT) {
        CHECK((w.error & ~0x1Fu) == 0);
        CHECK(((w.error & GWALK_PF_W) != 0) == write);
        CHECK(((w.error & GWALK_PF_U) != 0) == ((access & GWALK_USER) != 0));
        if (w.error & GWALK_PF_ID)
            CHECK((access & GWALK_FETCH) && !write);
        if (w.error & GWALK_PF_RSVD)
            CHECK(w.error & GWALK_PF_P);
        CHECK(c.cr0 & GWALK_CR0_PG);
    } else {
        CHECK(w.table_gpa + 8 > MEM_SIZE);
    }

    /* With A/D setting: the same outcome; only bits 5 and 6 of entries
     * changed, and only from 0 to 1. */
    int rc2 = gwalk(&c, at, NULL, va, access | GWALK_SET_AD, &w2);
    CHECK(rc2 == rc);
    if (rc == GWALK_OK)
        CHECK(w2.gpa == w.gpa && w2.page_shift == w.page_shift && w2.writable == w.writable &&
              w2.user == w.user && w2.nx == w.nx);
    if (rc == GWALK_OK && write && (c.cr0 & GWALK_CR0_PG))
        CHECK(w2.dirty);
    if (rc == GWALK_FAULT)
        CHECK(w2.error == w.error);
    for (size_t i = 0; i < MEM_SIZE; i++)
        CHECK((mem[i] & ~before[i] & ~0x60u) == 0 && (before[i] & ~mem[i]) == 0);
    if (!(c.cr0 & GWALK_CR0_PG))
        CHECK(memcmp(before, mem, sizeof(mem)) == 0);
    return 0;
}
