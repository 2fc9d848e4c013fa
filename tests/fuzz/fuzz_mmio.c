/* libFuzzer harness: the MMIO-exit emulator (hypervisor/hw/mmio.c) on
 * arbitrary bytes at a guest's EIP, registers and device values.
 * Properties: an accepted instruction is 1 to 15 bytes, within those
 * given, decoded the same from exactly its own bytes and refused when cut
 * short; the device is read at most once and written at most once, each
 * at the faulting address with the decoded size, read before write, as
 * the decoding says; EFLAGS changes only in CF PF AF ZF SF OF; only the
 * instruction's register operand changes (its 8, 16 or 32 bits); a
 * refusing device leaves the registers as they were. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/mmio.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define GPA 0xFEE00300ull

static struct {
    uint32_t val;
    int fail;                  /* 1: reads refused, 2: writes refused */
    unsigned reads, writes, order;
    unsigned rsize, wsize;
} dev;

static int rd(void *ctx, uint64_t gpa, unsigned size, uint32_t *val)
{
    (void)ctx;
    CHECK(gpa == GPA && (size == 1 || size == 2 || size == 4) && dev.writes == 0);
    dev.reads++;
    dev.rsize = size;
    if (dev.fail == 1)
        return -1;
    *val = size == 4 ? dev.val : dev.val & ((1u << (8 * size)) - 1);
    return 0;
}

static int wr(void *ctx, uint64_t gpa, unsigned size, uint32_t val)
{
    (void)ctx;
    CHECK(gpa == GPA && (size == 1 || size == 2 || size == 4));
    CHECK(size == 4 || val < (1u << (8 * size)));
    dev.writes++;
    dev.wsize = size;
    return dev.fail == 2 ? -1 : 0;
}

static const struct mmio_ops ops = { NULL, rd, wr };

/* Input: flags byte (cs32, device failure), device value (4), EFLAGS (4),
 * eax..edi (32), then up to 20 instruction bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 41)
        return 0;
    int cs32 = d[0] & 1;
    struct mmio_regs r, r0;
    memset(&dev, 0, sizeof(dev));
    dev.fail = (d[0] >> 1) % 4 == 3 ? 1 + ((d[0] >> 3) & 1) : 0;
    memcpy(&dev.val, d + 1, 4);
    memcpy(&r.eflags, d + 5, 4);
    memcpy(r.gpr, d + 9, 32);
    r0 = r;
    const uint8_t *b = d + 41;
    size_t bn = n - 41 < 20 ? n - 41 : 20;

    struct mmio_insn in, in2;
    if (!mmio_decode(b, bn, cs32, &in)) {
        unsigned len = 0;
        CHECK(mmio_emulate(b, bn, cs32, &r, GPA, &ops, &len) == MMIO_UNHANDLED);
        CHECK(memcmp(&r, &r0, sizeof(r)) == 0 && dev.reads == 0 && dev.writes == 0);
        return 0;
    }
    CHECK(in.len >= 1 && in.len <= 15 && in.len <= bn);
    CHECK(in.size == 1 || in.size == 2 || in.size == 4);
    CHECK(in.op > MMIO_NONE && in.op < MMIO_NR_OPS && in.alu < 8);
    CHECK(in.reg >= -1 && in.reg <= 7);
    CHECK(in.reads || in.writes);
    CHECK(mmio_name(&in) != NULL);
    CHECK(mmio_decode(b, in.len, cs32, &in2) == 1 && memcmp(&in, &in2, sizeof(in)) == 0);
    CHECK(mmio_decode(b, in.len - 1, cs32, &in2) == 0);

    int rc = mmio_execute(&in, &r, GPA, &ops);
    CHECK(dev.reads == (unsigned)in.reads && (dev.reads == 0 || dev.rsize == in.size));
    if (rc == MMIO_DEVICE_ERROR) {
        CHECK(dev.fail != 0);
        CHECK(memcmp(&r, &r0, sizeof(r)) == 0);
        return 0;
    }
    CHECK(rc == MMIO_DONE);
    CHECK(dev.writes == (unsigned)in.writes && (dev.writes == 0 || dev.wsize == in.size));
    CHECK(((r.eflags ^ r0.eflags) & ~0x8D5u) == 0);
    /* the register operand's bits only */
    unsigned dsize = (in.op == MMIO_MOVZX || in.op == MMIO_MOVSX) ? in.opsize : in.size;
    for (int i = 0; i < 8; i++) {
        uint32_t may = 0;
        int dest = in.op == MMIO_LOAD || in.op == MMIO_MOVZX || in.op == MMIO_MOVSX ||
                   in.op == MMIO_XCHG || (in.op == MMIO_ALU_REG && in.alu != MMIO_CMP);
        if (dest && in.reg >= 0) {
            if (dsize == 1)
                may = in.reg < 4 ? (i == in.reg ? 0xFFu : 0) : (i == in.reg - 4 ? 0xFF00u : 0);
            else if (i == in.reg)
                may = dsize == 2 ? 0xFFFFu : 0xFFFFFFFFu;
        }
        CHECK(((r.gpr[i] ^ r0.gpr[i]) & ~may) == 0);
    }
    return 0;
}
