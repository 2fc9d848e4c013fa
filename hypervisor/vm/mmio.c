/* mmio: a guest access to a device of the virtual PC: see mmio.h. */
#include <pv86/xen.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "hw/mmio.h"
#include "vm/deliver.h"
#include "vm/emulate.h"
#include "vm/mmio.h"
#include "vm/pcrules.h"
#include "vm/vcpu.h"
#include "vm/vgdt.h"

static int dev_read(void *ctx, uint64_t gpa, unsigned size, uint32_t *val)
{
    struct vx_cpu *x = ctx;
    uint64_t v = 0;
    if (!vplatform_mmio_read(&x->plat, gpa, size, &v, time_now()))
        return -1;
    *val = (uint32_t)v;
    return 0;
}

static int dev_write(void *ctx, uint64_t gpa, unsigned size, uint32_t val)
{
    struct vx_cpu *x = ctx;
    return vplatform_mmio_write(&x->plat, gpa, size, val, time_now()) ? 0 : -1;
}

void vx_mmio_access(struct vcpu *v, uint32_t va, uint64_t gpa)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint8_t insn[15];
    size_t n = vx_fetch(v, insn);
    uint32_t *const gpr[8] = { &r->eax, &r->ecx, &r->edx, &r->ebx,
                               &r->esp, &r->ebp, &r->esi, &r->edi };
    struct mmio_regs m;
    for (unsigned i = 0; i < 8; i++)
        m.gpr[i] = *gpr[i];
    m.eflags = r->eflags;
    uint64_t cs = (r->cs & 4) ? 0 : vx_gdt_entry(v, (r->cs & 0xFFF8u) >> 3);
    int cs32 = cs ? vx_desc_cs32(cs) : 1;
    const struct mmio_ops ops = { x, dev_read, dev_write };
    unsigned len = 0;
    switch (mmio_emulate(insn, n, cs32, &m, gpa, &ops, &len)) {
    case MMIO_DONE:
        break;
    case MMIO_UNHANDLED:
        vx_crash(v, "MMIO at %#x (guest-physical %#llx) by an instruction pv86 does not "
                 "emulate (eip %#x: %02x %02x %02x %02x)", va, (unsigned long long)gpa,
                 r->eip, n > 0 ? insn[0] : 0, n > 1 ? insn[1] : 0, n > 2 ? insn[2] : 0,
                 n > 3 ? insn[3] : 0);
        return;
    default:
        vx_crash(v, "%#x is guest-physical %#llx, a device that refused the access "
                 "(eip %#x)", va, (unsigned long long)gpa, r->eip);
        return;
    }
    for (unsigned i = 0; i < 8; i++)
        *gpr[i] = m.gpr[i];
    r->eflags = m.eflags;
    r->eip += len;
    x->mmio++;
    /* The instruction completed: an interrupt shadow it was in is over,
     * and under the guest's TF the single step follows it. */
    if (x->shadow)
        vx_intr_shadow_end(v);
    if (r->eflags & EFLAGS_TF) {
        x->dr[6] |= VX_DR6_BS;
        vx_inject(v, TRAP_DB, 0, 0);
    }
}
