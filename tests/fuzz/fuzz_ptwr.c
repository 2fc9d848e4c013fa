/* libFuzzer harness: writable page tables (hypervisor/mm/ptwr.c) on
 * arbitrary instruction bytes, registers, faulting address and L1 contents.
 * Properties: a decoded instruction lies within the bytes given and is at
 * most 15 bytes; a refused write changes neither the registers nor the
 * table; a done one moves EIP by the instruction's length; and after any
 * number of writes every present entry of the L1 names a frame of the
 * domain, never a page table when writable, and every frame's reference
 * counts are exactly those its entries hold (no reference made or lost). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pv86/xen.h>

#include "mm/pagetable.h"
#include "mm/ptwr.h"

#define FAKE_FRAMES 16
#include "../unit/fake_machine.h"

#define DOM 1
static const struct mm_ops ops = { fake_page, fake_map, NULL, NULL, NULL, NULL, 0, NULL };

static void check_counts(void)
{
    unsigned count[FAKE_FRAMES] = { 0 }, writable[FAKE_FRAMES] = { 0 };
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = fake_mem[4][i];
        if (!(e & _PAGE_PRESENT))
            continue;
        mfn_t m = pte_mfn(e);
        if (m >= FAKE_FRAMES || pages[m].owner != DOM || (e & PTE_RSVD_MASK))
            abort();
        count[m]++;
        writable[m] += (e & _PAGE_RW) != 0;
    }
    count[4]++;                                      /* the pins */
    count[15]++;
    for (unsigned m = 0; m < FAKE_FRAMES; m++) {
        if (pages[m].count != count[m])
            abort();
        if (writable[m] && (pages[m].type != PGT_writable || pages[m].type_count != writable[m]))
            abort();
        if (!writable[m] && pages[m].type == PGT_writable)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ptwr_insn in;
    size_t n = size < 20 ? size : 20;
    if (ptwr_decode(data, n, &in) && (in.len > n || in.len > 15 || in.size == 0))
        abort();

    /* Frames: 1 L3, 2 L2, 3 the L1 mapping VA 0-2 MiB, 4 the L1 under test
     * (pinned, read-only at 0x4000), 5-13 data of ours, 14 another's,
     * 15 a pinned L2 of ours. */
    fake_reset(DOM);
    pages[14].owner = 2;
    fake_mem[1][0] = ((uint64_t)2 << 12) | _PAGE_PRESENT;
    fake_mem[2][0] = ((uint64_t)3 << 12) | _PAGE_PRESENT | _PAGE_RW;
    fake_mem[3][4] = ((uint64_t)4 << 12) | _PAGE_PRESENT;
    if (page_table_pin(&ops, DOM, 4, PGT_l1) || page_table_pin(&ops, DOM, 15, PGT_l2))
        abort();
    /* Rounds of 40 bytes: 20 of instruction, 8 16-bit register seeds,
     * flags, the faulting offset, two frame numbers. Base registers point
     * into the table; eax and ecx hold entry-like values (or bit offsets),
     * edx a high half, usually 0. */
    const uint8_t *p = data;
    size_t left = size;
    while (left >= 40) {
        struct ptwr_regs r, before;
        uint16_t seed[8];
        memcpy(seed, p + 20, sizeof(seed));
        for (unsigned i = 0; i < 8; i++)
            r.gpr[i] = 0x4000u + (seed[i] & 0xFFFu);
        r.gpr[4] = 0x4800;
        r.gpr[0] = (seed[0] & 0xFFFu) | (uint32_t)(p[38] % FAKE_FRAMES) << 12;
        r.gpr[1] = (p[39] & 0x40) ? (seed[1] & 0x7F) - 64u
                                  : (seed[1] & 0xFFFu) | (uint32_t)(p[39] % FAKE_FRAMES) << 12;
        r.gpr[2] = (p[39] & 0x80) ? seed[2] : 0;
        r.eip = 0x100000;
        r.eflags = 0x202 | (p[36] & 0x8D5);
        before = r;
        uint64_t table[512];
        memcpy(table, fake_mem[4], sizeof(table));
        uint32_t cr2 = 0x4000u | ((uint32_t)p[37] << 4);
        struct ptwr_insn d;
        int decoded = ptwr_decode(p, 20, &d);
        int rc = ptwr_emulate(&ops, DOM, 1, cr2, p, 20, &r);
        if (rc != 0 && rc != 1)
            abort();
        if (rc == 0 && (memcmp(&r, &before, sizeof(r)) || memcmp(table, fake_mem[4], sizeof(table))))
            abort();
        if (rc == 1 && (!decoded || r.eip != before.eip + d.len))
            abort();
        check_counts();
        p += 40;
        left -= 40;
    }
    return 0;
}
