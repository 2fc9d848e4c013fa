/*
 * io: a ring-1 guest's port I/O against the virtual platform (vdev): in and
 * out, the string forms ins and outs with or without REP, and the I/O
 * permission rules for a guest CPL above its IOPL (the TSS's bitmap).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "vm/deliver.h"
#include "vm/emulate.h"
#include "vm/vcpu.h"
#include "vm/vmem.h"
#include "vm/request.h"

/* Iterations of a REP ins/outs per trap: the rest re-executes the
 * instruction (ECX, ESI, EDI say how far it got, as on the CPU, which
 * takes interrupts between iterations). */
#define TE_STRING_IO_BATCH 4096u

static int tss_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct vcpu *v = ctx;
    return vx_copy_linear(v, vx_of(v)->tss_base + off, buf, len, 0) ? -1 : 0;
}

int vx_io_permitted(struct vcpu *v, const struct te_insn *in)
{
    struct vx_cpu *x = vx_of(v);
    uint16_t port = in->port >= 0 ? (uint16_t)in->port : (uint16_t)v->regs.edx;
    return vx_io_bitmap_allows(port, in->opsize, x->tss_limit, x->tr != 0, tss_read, v);
}

/* After an out: the platform's power-off and exit-port requests. */
static void platform_requests(struct vcpu *v, const struct te_insn *in)
{
    struct vx_cpu *x = vx_of(v);
    if (x->plat.request == VDEV_POWEROFF)
        v->regs.eip += in->len;
    vm_platform_request(v->domain, &x->plat);
}

int vx_do_io(struct vcpu *v, const struct te_insn *in)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t port = in->port >= 0 ? (uint16_t)in->port : (uint16_t)r->edx;
    uint32_t mask = in->opsize == 4 ? 0xFFFFFFFFu : (1u << (8 * in->opsize)) - 1;
    if (in->op == TE_IN) {
        uint32_t val = vplatform_in(&x->plat, port, in->opsize, time_now());
        r->eax = (r->eax & ~mask) | (val & mask);
        return 0;
    }
    vplatform_out(&x->plat, port, in->opsize, r->eax & mask, time_now());
    platform_requests(v, in);
    return 0;
}

/* reg += step within the address size (16 bits of it with 67). */
static void advance(uint32_t *reg, int32_t step, uint32_t amask)
{
    *reg = (*reg & ~amask) | ((*reg + (uint32_t)step) & amask);
}

int vx_do_string_io(struct vcpu *v, const struct te_insn *in, uint32_t ds_base,
                    uint32_t es_base)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t port = (uint16_t)r->edx;
    uint32_t amask = in->addr16 ? 0xFFFFu : 0xFFFFFFFFu;
    int32_t step = (r->eflags & EFLAGS_DF) ? -(int32_t)in->opsize : (int32_t)in->opsize;
    int user = vx_ring_of(v);

    for (unsigned done = 0;; done++) {
        if (in->rep && (r->ecx & amask) == 0)
            return 0;
        if (done == TE_STRING_IO_BATCH)
            return 2;
        uint32_t val = 0;
        if (in->op == TE_OUTS) {              /* DS:ESI, or the override's segment */
            if (vx_access_linear(v, ds_base + (r->esi & amask), &val, in->opsize, 0, user))
                return 1;
            vplatform_out(&x->plat, port, in->opsize, val, time_now());
            advance(&r->esi, step, amask);
        } else {                              /* ES:EDI, never overridden */
            val = vplatform_in(&x->plat, port, in->opsize, time_now());
            if (vx_access_linear(v, es_base + (r->edi & amask), &val, in->opsize, 1, user))
                return 1;
            advance(&r->edi, step, amask);
        }
        if (in->rep)
            advance(&r->ecx, -1, amask);
        if (in->op == TE_OUTS)
            platform_requests(v, in);

        if (!in->rep)
            return 0;
    }
}
