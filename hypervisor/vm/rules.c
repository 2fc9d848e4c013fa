/* rules: see rules.h. */
#include "vm/rules.h"

#include "arch/x86/layout.h"
#include "vm/gwalk.h"

#define F_CF_OF   0x00000DD5u    /* CF PF AF ZF SF TF DF OF */
#define F_IF      (1u << 9)
#define F_IOPL    (3u << 12)
#define F_NT      (1u << 14)
#define F_RF      (1u << 16)
#define F_AC      (1u << 18)
#define F_VIF     (1u << 19)
#define F_VIP     (1u << 20)
#define F_ID      (1u << 21)

enum vx_verdict vx_privilege(enum te_op op, unsigned cpl, unsigned iopl, int umip)
{
    switch (op) {
    case TE_CLI:
    case TE_STI:
        return cpl <= iopl ? VX_RUN_IT : VX_RAISE_GP;
    case TE_IN: case TE_OUT: case TE_INS: case TE_OUTS:
        return cpl <= iopl ? VX_RUN_IT : VX_CHECK_IO_BITMAP;
    case TE_SGDT: case TE_SIDT: case TE_SLDT: case TE_STR: case TE_SMSW:
        return cpl > 0 && umip ? VX_RAISE_GP : VX_RUN_IT;
    case TE_NONE:
        return VX_RAISE_GP;
    default:
        /* CPL 0 only: the privileged instructions, and the far returns and
         * SS loads that fault only because they ask for RPL 0. */
        return cpl == 0 ? VX_RUN_IT : VX_RAISE_GP;
    }
}

int vx_io_bitmap_allows(uint16_t port, unsigned size, uint32_t tss_limit, int have_tss,
                        vx_tss_read_fn read, void *ctx)
{
    uint16_t base, bits;
    if (!have_tss || tss_limit < 0x67 || size < 1 || size > 4)
        return 0;
    if (read(ctx, 0x66, &base, 2))
        return 0;
    uint32_t at = (uint32_t)base + port / 8u;
    if (at + 1 > tss_limit)                  /* both bytes within the limit */
        return 0;
    if (read(ctx, at, &bits, 2))
        return 0;
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    return (bits & mask) == 0;
}

uint32_t vx_iret_eflags(uint32_t popped)
{
    return (popped & (F_CF_OF | F_IF | F_IOPL | F_NT | F_RF | F_AC | F_VIF | F_VIP | F_ID)) |
           0x2u;
}

int vx_single_step_after(enum te_op op, int tf_before)
{
    return tf_before && op != TE_MOV_TO_SS && op != TE_POP_SS;
}

uint64_t vx_pdpte_reserved(uint64_t e, unsigned maxphy)
{
    return gwalk_pdpte_reserved(e, maxphy);
}

int vx_cr0_invalid(uint32_t val)
{
    const uint32_t defined = 0xE005003Fu;    /* PE MP EM TS ET NE WP AM NW CD PG */
    if (val & ~defined)
        return 1;
    if ((val & (1u << 31)) && !(val & 1u))   /* PG without PE */
        return 1;
    if ((val & (1u << 29)) && !(val & (1u << 30)))   /* NW without CD */
        return 1;
    return 0;
}

int vx_cr0_write_loads_pdptes(uint32_t old_cr0, uint32_t new_cr0, uint32_t cr4)
{
    const uint32_t pg = 1u << 31, cd_nw = 3u << 29, pae = 1u << 5;
    return (new_cr0 & pg) && (cr4 & pae) && ((old_cr0 ^ new_cr0) & (pg | cd_nw));
}

int vx_cr4_invalid(uint32_t val)
{
    return (val & ~0xFFFu) != 0;
}

int vx_gdt_reserved(unsigned index)
{
    return index == HV_CS >> 3 || index == HV_DS >> 3 || index == HV_TSS_SEL >> 3 ||
           index == HV_LDT_SEL >> 3;
}

unsigned vx_gdt_fault_index(unsigned vec, uint32_t error, uint16_t gdt_limit)
{
    if (vec != 10 && vec != 11 && vec != 12 && vec != 13)
        return 0;
    if (error & 6)                           /* IDT or TI: not a GDT entry */
        return 0;
    unsigned index = (error & 0xFFF8u) >> 3;
    if (index == 0 || !vx_gdt_within(index, gdt_limit) || vx_gdt_reserved(index))
        return 0;
    return index;
}

uint64_t vx_sl2_marks(unsigned page_shift)
{
    if (page_shift == 22)
        return VX_SL2_LARGE | VX_SL2_4M;
    return page_shift == 21 ? VX_SL2_LARGE : 0;
}

unsigned vx_invlpg_plan(uint64_t sl2e, uint64_t buddy)
{
    unsigned plan = 0;
    if (sl2e & 1)                                     /* present */
        plan |= (sl2e & VX_SL2_LARGE) ? VX_INVLPG_SLOT : VX_INVLPG_ENTRY;
    if ((buddy & 1) && (buddy & VX_SL2_4M))
        plan |= VX_INVLPG_BUDDY;
    return plan;
}

enum vx_fill vx_fill_decision(int write, int writable, int dirty, int protected_frame,
                              int have_callback)
{
    if (protected_frame) {
        if (!write)
            return VX_FILL_RO;                        /* even if writable and dirty */
        return have_callback ? VX_FILL_CODE_WRITE : VX_FILL_UNPROTECT;
    }
    return writable && dirty ? VX_FILL_RW : VX_FILL_RO;
}

void vx_shadow_rights(int write, int user_access, int wp, int *writable, int *user)
{
    if (write && !user_access && !wp && !*writable) {
        *writable = 1;
        *user = 0;
    }
}

uint32_t vx_prefetch_flags(uint32_t lo, uint32_t hi, uint32_t rights, uint32_t nr_pages)
{
    const uint32_t p = 0x001u, rw = 0x002u, us = 0x004u, a = 0x020u, d = 0x040u;
    if ((lo & (p | a)) != (p | a) || hi || (lo >> 12) >= nr_pages)
        return 0;
    rights &= lo;
    return p | a | (rights & us) | ((rights & rw) && (lo & d) ? rw | d : 0);
}
