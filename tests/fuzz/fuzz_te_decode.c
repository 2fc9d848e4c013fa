/* libFuzzer harness: te's instruction decoder (hypervisor/te/decode.c),
 * the pv #GP path's (emul_decode_mov_cr) and te's guest page walk, on
 * arbitrary bytes. Properties: a decoded instruction lies within the bytes
 * given; without a fault it is at most 15 bytes and one of te's ops; the
 * walk only reads entries inside the guest's memory and ends in one of its
 * three results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/emulate.h"
#include "te/decode.h"
#include "vm/walk.h"

static uint64_t mem[3 * 512];

static uint64_t *entry(void *ctx, uint64_t gpa)
{
    (void)ctx;
    return gpa % 8 == 0 && gpa + 8 <= sizeof(mem) ? &mem[gpa / 8] : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct te_insn in;
    uint32_t gpr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    size_t n = size < 20 ? size : 20;
    if (te_decode(data, n, &in)) {
        if (in.len > n && in.fault != TE_FAULT_GP)
            abort();
        if (in.fault == TE_FAULT_NONE && (in.len > 15 || in.op == TE_NONE || in.op >= TE_NR_OPS))
            abort();
        (void)te_effective_address(&in, gpr);
        if (te_operand_segment(&in) < 0 || te_operand_segment(&in) > 5 || !te_op_name(in.op))
            abort();
    }
    struct mov_cr m;
    if (emul_decode_mov_cr(data, n, &m) && (m.len > 15 || (size_t)m.len > n || m.cr > 7 || m.reg > 7))
        abort();
    if (size >= 24) {
        uint64_t pdpte[4] = { 0, 0, 0, 0 };
        memset(mem, 0, sizeof(mem));
        memcpy(mem, data + 24, size - 24 < sizeof(mem) ? size - 24 : sizeof(mem));
        memcpy(pdpte, data, 16);
        uint32_t va;
        memcpy(&va, data + 16, 4);
        struct vx_walk w;
        int rc = vx_walk_pae(entry, NULL, pdpte, data[20] & 1, 32 + data[21] % 21, va,
                             data[22] & (VX_ACC_WRITE | VX_ACC_USER), &w);
        if (rc != VX_WALK_OK && rc != VX_WALK_FAULT && rc != VX_WALK_BAD_TABLE)
            abort();
    }
    return 0;
}
