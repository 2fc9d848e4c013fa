/* libFuzzer harness: te's instruction decoder (hypervisor/te/decode.c) on
 * arbitrary bytes at a guest's EIP. Beyond "does not crash" (ASan sees any
 * read past the n bytes it is given), every accepted instruction must be
 * one the CPU could run: 1 to 15 bytes, no more than it was given, operand
 * fields in range, and decoded the same from exactly its own bytes (the
 * decoder must not depend on what follows the instruction). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "te/decode.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* te's prefix-aware decoder (issue 13) also returns instructions the CPU
 * refuses before running them (LOCK: #UD; longer than 15 bytes: #GP), with
 * insn.fault set; its decode.h brings X86_MAX_INSN_LEN. Those are checked
 * for length only. */
#ifdef X86_MAX_INSN_LEN
#define REFUSED(i) ((i)->fault != 0)
#define TOO_LONG(i) ((i)->fault == TE_FAULT_GP)
#else
#define REFUSED(i) 0
#define TOO_LONG(i) 0
#endif

static int reg_or_none(int r) { return r >= -1 && r <= 7; }

/* The operand fields of an instruction te will emulate. */
static void check_fields(const struct te_insn *a)
{
    CHECK(a->op > TE_NONE && a->op < TE_NR_OPS);
    CHECK(strcmp(te_op_name(a->op), "?") != 0);
    CHECK(a->opsize == 1 || a->opsize == 2 || a->opsize == 4);
    CHECK(a->reg >= 0 && a->reg <= 7);
    CHECK(reg_or_none(a->base) && reg_or_none(a->index) && a->index != 4);  /* no %esp index */
    if (a->index >= 0)                        /* a scaled index: SIB's 1, 2, 4 or 8 */
        CHECK(a->scale == 1 || a->scale == 2 || a->scale == 4 || a->scale == 8);
    CHECK(a->port >= -1 && a->port <= 255);
    if (a->mod_reg)
        CHECK(a->rm >= 0 && a->rm <= 7);
    /* Descriptor-table loads and stores and invlpg take a memory operand. */
    if (a->op == TE_LGDT || a->op == TE_LIDT || a->op == TE_SGDT || a->op == TE_SIDT ||
        a->op == TE_INVLPG)
        CHECK(!a->mod_reg);
    uint32_t gpr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    (void)te_effective_address(a, gpr);       /* UBSan: no overflow traps */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct te_insn a, b;
    int rc = te_decode(data, size, &a);
    CHECK(rc == 0 || rc == 1);
    if (!rc)
        return 0;
    CHECK(a.len >= 1 && a.len <= size);
    CHECK(a.len <= 15 || TOO_LONG(&a));
    if (!REFUSED(&a))
        check_fields(&a);
    /* Its own bytes, in a buffer of exactly that size, decode the same... */
    uint8_t *copy = malloc(a.len);
    CHECK(copy);
    memcpy(copy, data, a.len);
    CHECK(te_decode(copy, a.len, &b) == 1);
    CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    /* ...and one byte fewer is not an instruction. */
    CHECK(te_decode(copy, a.len - 1, &b) == 0);
    free(copy);
    return 0;
}
