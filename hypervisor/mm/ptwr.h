/*
 * ptwr: Xen's writable page tables, as pure logic (Xen:
 * xen/arch/x86/pv/ro-page-fault.c and the #PF fixup in xen/arch/x86/traps.c).
 *
 * A PV guest maps its own page tables read-only. With the vm_assist
 * VMASST_TYPE_writable_pagetables (2) enabled, a write by its kernel (ring
 * 1) that faults on such a mapping of one of its L1 tables in use is not
 * bounced: the hypervisor decodes the instruction, takes the new entry
 * through exactly the check an mmu_update MMU_NORMAL_PT_UPDATE of that
 * entry makes (page_table_update), writes it and moves the guest past the
 * instruction. Anything it cannot do so (not such a fault, not such a
 * frame, an instruction not handled here, an access that is not naturally
 * aligned within the faulting page, an entry the check refuses) leaves the
 * fault to be bounced as it came: #PF with the CPU's error code and CR2.
 *
 * The fault qualifies (Xen's fixup_page_fault) when the guest's real
 * EFLAGS.IF is set, it ran in ring 1, the address is below the hypervisor
 * area, and the error code is present + write, no reserved bit and no
 * instruction fetch (ring 1 never sets the user bit); the entry that maps
 * the address is present and read-only; its frame is the domain's own L1
 * table in use (validated, type count > 0).
 *
 * Instructions (memory operand, any legacy prefix: 66, 67, segment
 * overrides, which like Xen's ptwr do not move the address, F2/F3, LOCK
 * where the CPU allows it): mov r/imm -> m (88 89 C6 C7, A2 A3), xchg (86 87,
 * implicitly locked), add/or/adc/sbb/and/sub/xor r/imm -> m (00-31, 80-83),
 * inc/dec/not/neg (FE FF F6 F7), cmpxchg (0F B0 B1), xadd (0F C0 C1),
 * cmpxchg8b (0F C7 /1), bts/btr/btc (0F AB B3 BB, 0F BA /5-7) in 8, 16, 32
 * or 64 bits. A write narrower than the 8-byte entry is merged with the rest
 * of the current entry. As in Xen's x86_emulate, a read-modify-write that
 * leaves the value unchanged writes nothing, and a failed compare writes
 * nothing. Xen's PAE special case: a plain (not locked, not cmpxchg) 4-byte
 * write of an entry's upper half that makes a present entry the check
 * refuses is written with _PAGE_PRESENT cleared (the guest is taken to
 * write the low half next).
 *
 * Registers and EFLAGS change only when the write is done (or a compare
 * fails, which is done too); EIP then moves past the instruction and
 * EFLAGS.RF is cleared.
 */
#ifndef HV_MM_PTWR_H
#define HV_MM_PTWR_H

#include <stddef.h>
#include <stdint.h>

#include "mm/pte.h"

/* #PF error code bits (SDM Vol. 3, 4.7). */
#define PFEC_PRESENT   0x01u
#define PFEC_WRITE     0x02u
#define PFEC_USER      0x04u
#define PFEC_RSVD      0x08u
#define PFEC_FETCH     0x10u
/* What a ptwr fault's error code must be, under this mask. */
#define PTWR_PFEC_MASK (PFEC_PRESENT | PFEC_WRITE | PFEC_USER | PFEC_RSVD | PFEC_FETCH)
#define PTWR_PFEC_WANT (PFEC_PRESENT | PFEC_WRITE)

#define PTWR_VMASST_BIT 2u     /* VMASST_TYPE_writable_pagetables */

#define EFL_CF 0x001u
#define EFL_PF 0x004u
#define EFL_AF 0x010u
#define EFL_ZF 0x040u
#define EFL_SF 0x080u
#define EFL_TF 0x100u
#define EFL_IF 0x200u
#define EFL_OF 0x800u
#define EFL_RF 0x10000u
#define EFL_ARITH (EFL_CF | EFL_PF | EFL_AF | EFL_ZF | EFL_SF | EFL_OF)

/* Does this #PF ask for ptwr? The cheap part, on the fault's own state:
 * error code, ring, real IF, address, the domain's vm_assist bits. */
static inline int ptwr_fault_qualifies(uint32_t error, uint32_t cs, uint32_t eflags,
                                       uint32_t cr2, uint32_t vm_assist)
{
    return (error & PTWR_PFEC_MASK) == PTWR_PFEC_WANT && (cs & 3) == 1 &&
           (eflags & EFL_IF) && ((vm_assist >> PTWR_VMASST_BIT) & 1) &&
           guest_range_ok(cr2, 1) == 0;
}

enum ptwr_op {
    PTWR_MOV = 1, PTWR_XCHG, PTWR_ALU, PTWR_INC, PTWR_DEC, PTWR_NOT, PTWR_NEG,
    PTWR_CMPXCHG, PTWR_CMPXCHG8B, PTWR_XADD, PTWR_BTS, PTWR_BTR, PTWR_BTC,
};
/* PTWR_ALU's operation: the ModRM reg field of 80-83 (and opcode bits 3-5
 * of 00-31). */
enum ptwr_alu { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR };

struct ptwr_insn {
    enum ptwr_op op;
    unsigned alu;          /* PTWR_ALU: enum ptwr_alu */
    unsigned size;         /* operand bytes: 1, 2, 4 or 8 (cmpxchg8b) */
    unsigned len;          /* bytes, prefixes included */
    int lock;              /* F0 (xchg: always) */
    int src_imm;           /* the source is imm, not register `reg` */
    uint32_t imm;          /* sign- or zero-extended as the opcode says */
    int reg;               /* ModRM reg field: the source register */
    int addr16;            /* 67: 16-bit addressing */
    int base, index;       /* memory operand registers (0 eax .. 7 edi) or -1 */
    unsigned scale;
    int32_t disp;
};

/* Decode b[0..n): 1 if it is one of the instructions above with a memory
 * operand, as the CPU would run it (no LOCK where it would #UD, at most 15
 * bytes); 0 otherwise. */
int ptwr_decode(const uint8_t *b, size_t n, struct ptwr_insn *out);
/* The memory operand's offset (its segment's base is not added: Xen's ptwr
 * takes the offset as the linear address). gpr: eax .. edi. */
uint32_t ptwr_operand_offset(const struct ptwr_insn *i, const uint32_t gpr[8]);

/* The guest state ptwr reads and changes. */
struct ptwr_regs {
    uint32_t gpr[8];       /* eax, ecx, edx, ebx, esp, ebp, esi, edi */
    uint32_t eip, eflags;
};

/*
 * Emulate the write that faulted at cr2 for domain dom, whose base table is
 * l3_mfn, if it is a ptwr write: insn[0..n) are the bytes at regs->eip.
 * 1: done (the entry written through page_table_update, *regs moved on);
 * 0: not ptwr's, nothing changed: bounce the #PF as it came. Call only
 * when ptwr_fault_qualifies.
 */
int ptwr_emulate(const struct mm_ops *ops, uint16_t dom, mfn_t l3_mfn, uint32_t cr2,
                 const uint8_t *insn, size_t n, struct ptwr_regs *regs);

/* The hypervisor's side (mm/ptwr_fault.c): the #PF v took at cr2,
 * emulated if it qualifies and is ptwr's (1), else 0: bounce it. */
struct vcpu;
int ptwr_page_fault(struct vcpu *v, uint32_t cr2);

#endif
