/* debugreg: the rules for a PV guest's debug registers (see debugreg.h). Pure. */
#include "arch/x86/debugreg.h"

#include <pv86/errno.h>

#include "arch/x86/emulate.h"

void debugreg_init(struct debugreg_vcpu *d)
{
    for (unsigned i = 0; i < 4; i++)
        d->dr[i] = 0;
    d->dr6 = DR6_DEFAULT;
    d->dr7 = DR7_DEFAULT;
    d->dr7_emul = 0;
    d->hw_dr6 = DR6_DEFAULT;
}

/* Bits 4-11 and 16-31 read as 1 except the inverted RTM and BLD flags of a
 * CPU that has them; bit 12 as 0. */
static uint32_t dr6_fixed(const struct debugreg_cpu *cpu, uint32_t dr6)
{
    uint32_t ones = DR6_DEFAULT;
    if (cpu->rtm)
        ones &= ~DR6_RTM;
    if (cpu->bld)
        ones &= ~DR6_BLD;
    return (dr6 | ones) & ~DR6_ZEROS;
}

static uint32_t dr7_fixed(const struct debugreg_cpu *cpu, uint32_t dr7)
{
    uint32_t zeros = DR7_ZEROS | (cpu->rtm ? 0 : DR7_RTM);
    return (dr7 & ~zeros) | DR7_DEFAULT;
}

uint32_t debugreg_merge_dr6(const struct debugreg_cpu *cpu, uint32_t dr6, uint32_t pending)
{
    uint32_t positive = (dr6 ^ DR6_DEFAULT) & DR6_KNOWN_MASK;
    positive = (positive & ~DR6_BP_MASK) | (pending & DR6_KNOWN_MASK);
    return dr6_fixed(cpu, positive ^ DR6_DEFAULT);
}

uint32_t debugreg_pending(uint32_t hw_dr6)
{
    return (hw_dr6 ^ DR6_DEFAULT) & DR6_KNOWN_MASK;
}

static unsigned rw_of(uint32_t dr7, unsigned n)
{
    return (dr7 >> (DR7_RW_SHIFT + 4 * n)) & 3;
}

static int32_t set_dr7(struct debugreg_vcpu *d, const struct debugreg_cpu *cpu,
                       uint32_t value, int cr4_de)
{
    value = dr7_fixed(cpu, value);
    if (value & DR7_GD)
        return -XEN_EPERM;
    uint32_t io = 0;
    if (value & DR7_ACTIVE_MASK) {
        /* Any breakpoint whose R/W is 10b (I/O) needs CR4.DE, enabled or
         * not; an enabled one is the hypervisor's to watch, not the CPU's. */
        for (unsigned n = 0; n < 4; n++) {
            if (rw_of(value, n) != DR7_RW_IO)
                continue;
            if (!cr4_de)
                return -XEN_EPERM;
            io |= value & (3u << (2 * n));
        }
        /* Breakpoints switched on from none: the CPU gets DR0-3 and DR6
         * again (Xen's activate_debugregs writes the guest's DR6). */
        if (!debugreg_active(d))
            d->hw_dr6 = d->dr6;
    }
    d->dr7_emul = io;
    d->dr7 = value & ~io;
    return 0;
}

int32_t debugreg_set(struct debugreg_vcpu *d, const struct debugreg_cpu *cpu,
                     uint32_t reg, uint32_t value, int cr4_de)
{
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (value > DR_ADDR_MAX)
            return -XEN_EPERM;
        d->dr[reg] = value;
        return 0;
    case 4:
    case 6:
        if (reg == 4 && cr4_de)
            return -XEN_ENODEV;
        d->dr6 = dr6_fixed(cpu, value);
        d->hw_dr6 = d->dr6;          /* Xen writes the CPU's DR6 too */
        return 0;
    case 5:
    case 7:
        if (reg == 5 && cr4_de)
            return -XEN_ENODEV;
        return set_dr7(d, cpu, value, cr4_de);
    default:
        return -XEN_ENODEV;
    }
}

int32_t debugreg_get(const struct debugreg_vcpu *d, uint32_t reg, int cr4_de,
                     uint32_t *value)
{
    switch (reg) {
    case 0: case 1: case 2: case 3:
        *value = d->dr[reg];
        return 0;
    case 4:
    case 6:
        if (reg == 4 && cr4_de)
            return -XEN_ENODEV;
        *value = d->dr6;
        return 0;
    case 5:
    case 7:
        if (reg == 5 && cr4_de)
            return -XEN_ENODEV;
        *value = d->dr7 | d->dr7_emul;
        return 0;
    default:
        return -XEN_ENODEV;
    }
}

uint32_t debugreg_io_match(const struct debugreg_vcpu *d, uint32_t port, uint32_t len,
                           int cr4_de)
{
    static const uint32_t width[4] = { 1, 2, 8, 4 };    /* LEN 00, 01, 10, 11 */
    uint32_t match = 0;
    if (!d->dr7_emul || !cr4_de)
        return 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!(d->dr7_emul & (3u << (2 * n))))
            continue;
        /* 64-bit sums: no wrap at the top of the address space. */
        uint64_t start = d->dr[n];
        uint64_t w = width[(d->dr7 >> (DR7_RW_SHIFT + 4 * n + 2)) & 3];
        if (start < (uint64_t)port + len && start + w > port)
            match |= 1u << n;
    }
    return match;
}

int debugreg_decode_mov(const uint8_t *b, size_t n, struct mov_dr *out)
{
    struct x86_prefixes p;
    unsigned k = emul_prefixes(b, n, &p);
    if (p.lock || k + 3 > X86_MAX_INSN_LEN || n < k + 3)
        return 0;
    b += k;
    if (b[0] != 0x0F || (b[1] != 0x21 && b[1] != 0x23))
        return 0;
    out->to_dr = b[1] == 0x23;
    out->dr = (b[2] >> 3) & 7;
    out->reg = b[2] & 7;
    out->len = (int)k + 3;
    return 1;
}
