/* pcrules: see pcrules.h. */
#include "vm/pcrules.h"

#include "vdev/lapic.h"

enum vx_msr_route vx_msr_route(uint32_t msr)
{
    if (msr == 0x10)
        return VX_MSR_TSC;
    if (msr >= 0x174 && msr <= 0x176)
        return VX_MSR_SYSENTER;
    if (msr == VLAPIC_MSR_BASE)
        return VX_MSR_PLATFORM;
    return VX_MSR_GP;
}

int vx_desc_sets_accessed(uint64_t desc)
{
    const uint64_t p = 1ull << 47, s = 1ull << 44, code = 1ull << 43;
    return (desc & p) && (desc & s) && !(desc & code) && !(desc & VX_DESC_A);
}

enum vx_gate_np vx_gate_np_action(unsigned vec)
{
    switch (vec) {
    case 8:
        return VX_GATE_SHUTDOWN;
    case 0: case 10: case 11: case 12: case 13: case 14:
        return VX_GATE_DF;
    default:
        return VX_GATE_NP;
    }
}
