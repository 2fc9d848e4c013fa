/* smc_store: the callout's store (bt_smc_emulate; see smc.h). */
#include "bt/smc.h"

#include <string.h>

#include "arch/x86/emulate.h"
#include "arch/x86/x86dec.h"
#include "hw/mmio.h"

#define PAGE 4096u

static int decode(const uint8_t *b, size_t n, struct x86_insn *xi, struct mmio_insn *mi)
{
    if (!x86_decode(b, n, xi) || xi->fault != X86F_NONE || !xi->has_mem)
        return 0;
    if (!mmio_decode(b, n, 1, mi) || !mi->writes || mi->len != xi->len)
        return 0;
    return 1;
}

int bt_smc_can_emulate(const uint8_t *b, size_t n)
{
    struct x86_insn xi;
    struct mmio_insn mi;
    return decode(b, n, &xi, &mi);
}

int bt_smc_segment(const uint8_t *b, size_t n)
{
    struct x86_insn xi;
    if (!x86_decode(b, n, &xi))
        return X86_SEG_DS;
    if (xi.seg >= 0)
        return xi.seg;
    return xi.base == 4 || xi.base == 5 ? X86_SEG_SS : X86_SEG_DS;
}

struct access {
    struct bt_smc *s;
    const struct bt_smc_mem *mem;
    int fault;                    /* the walk refused: fault_va, error */
    uint32_t fault_va, error;
    int had_code;                 /* a frame written had translations */
};

/* The frames of [va, va + size) (one or two pages), walked for the access. */
static int walk(struct access *a, uint32_t va, unsigned size, int write, uint32_t gpfn[2],
                uint8_t *page[2], unsigned *first)
{
    unsigned off = va & (PAGE - 1);
    unsigned pieces = off + size > PAGE ? 2 : 1;
    *first = pieces == 2 ? PAGE - off : size;
    for (unsigned p = 0; p < pieces; p++) {
        uint32_t at = p ? (va & ~(PAGE - 1)) + PAGE : va;
        if (a->mem->walk(a->mem->ctx, at, write, &gpfn[p], &a->error)) {
            a->fault = 1;
            a->fault_va = at;
            return -1;
        }
        page[p] = a->mem->frame(a->mem->ctx, gpfn[p]);
        if (!page[p])
            return -1;
    }
    if (pieces == 1)
        page[1] = NULL;
    return 0;
}

static int mem_read(void *ctx, uint64_t va64, unsigned size, uint32_t *val)
{
    struct access *a = ctx;
    uint32_t va = (uint32_t)va64, gpfn[2];
    uint8_t *page[2], bytes[4];
    unsigned first;
    if (walk(a, va, size, 0, gpfn, page, &first))
        return -1;
    memcpy(bytes, page[0] + (va & (PAGE - 1)), first);
    if (first < size)
        memcpy(bytes + first, page[1], size - first);
    *val = 0;
    for (unsigned i = 0; i < size; i++)
        *val |= (uint32_t)bytes[i] << (8 * i);
    return 0;
}

static int mem_write(void *ctx, uint64_t va64, unsigned size, uint32_t val)
{
    struct access *a = ctx;
    uint32_t va = (uint32_t)va64, gpfn[2];
    uint8_t *page[2], bytes[4];
    unsigned first, off = va & (PAGE - 1);
    if (walk(a, va, size, 1, gpfn, page, &first))
        return -1;
    for (unsigned i = 0; i < size; i++)
        bytes[i] = (uint8_t)(val >> (8 * i));
    /* translations the bytes overlap go before the bytes change */
    for (unsigned p = 0; p < (first < size ? 2u : 1u); p++) {
        unsigned o = p ? 0 : off, l = p ? size - first : first;
        if (bt_smc_hv_write(a->s, gpfn[p], o, l))
            a->had_code = 1;
    }
    memcpy(page[0] + off, bytes, first);
    if (first < size)
        memcpy(page[1], bytes + first, size - first);
    return 0;
}

int bt_smc_emulate(struct bt_smc *s, uint32_t eip, const uint8_t *b, size_t n,
                   uint32_t seg_base, struct bt_smc_regs *r, const struct bt_smc_mem *mem,
                   unsigned *len, uint32_t *fault_va, uint32_t *error)
{
    struct x86_insn xi;
    struct mmio_insn mi;
    if (!decode(b, n, &xi, &mi))
        return BT_SMC_UNHANDLED;
    struct x86_memop m = { .addr16 = xi.addr16, .base = xi.base, .index = xi.index,
                           .scale = xi.scale, .disp = xi.disp };
    uint32_t va = seg_base + emul_effective_address(&m, r->gpr);
    struct access a = { .s = s, .mem = mem };
    const struct mmio_ops ops = { &a, mem_read, mem_write };
    struct mmio_regs mr;
    memcpy(mr.gpr, r->gpr, sizeof(mr.gpr));
    mr.eflags = r->eflags;
    if (mmio_execute(&mi, &mr, va, &ops) != MMIO_DONE) {
        if (!a.fault)
            return BT_SMC_UNHANDLED;
        *fault_va = a.fault_va;
        *error = a.error;
        return BT_SMC_FAULT;
    }
    memcpy(r->gpr, mr.gpr, sizeof(r->gpr));
    r->eflags = mr.eflags;
    *len = mi.len;
    s->callout_stores++;
    bt_adapt_callout(&s->adapt, eip, a.had_code);
    return BT_SMC_DONE;
}

