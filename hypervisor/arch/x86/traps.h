/* traps: entry from the switcher, exception bouncing to guests. */
#ifndef HV_ARCH_X86_TRAPS_H
#define HV_ARCH_X86_TRAPS_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/layout.h"

/* The frame switcher.S builds (offsets in layout.h). */
struct cpu_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t gs, fs, es, ds;
    uint32_t vector, error;
    uint32_t eip, cs, eflags, esp, ss;
};
_Static_assert(sizeof(struct cpu_frame) == FRAME_SIZE, "frame size");
_Static_assert(__builtin_offsetof(struct cpu_frame, eax) == FRAME_EAX, "frame eax");
_Static_assert(__builtin_offsetof(struct cpu_frame, gs) == FRAME_GS, "frame gs");
_Static_assert(__builtin_offsetof(struct cpu_frame, vector) == FRAME_VECTOR, "frame vector");
_Static_assert(__builtin_offsetof(struct cpu_frame, eip) == FRAME_EIP, "frame eip");
_Static_assert(__builtin_offsetof(struct cpu_frame, cs) == FRAME_CS, "frame cs");
_Static_assert(__builtin_offsetof(struct cpu_frame, ss) == FRAME_SS, "frame ss");

#define TRAP_DE   0
#define TRAP_DB   1
#define TRAP_NMI  2
#define TRAP_BP   3
#define TRAP_OF   4
#define TRAP_UD   6
#define TRAP_NM   7
#define TRAP_DF   8
#define TRAP_GP  13
#define TRAP_PF  14
#define TRAP_MC  18

/* Called by the switcher (on the hypervisor stack, hypervisor CR3). */
__attribute__((noreturn)) void hv_trap_entry(struct cpu_frame *f);
__attribute__((noreturn)) void hv_trap_fatal(struct cpu_frame *f);
/* A device interrupt that arrived while the hypervisor idled. Returns. */
void hv_irq_idle(struct cpu_frame *f);
/* Acknowledge and handle device interrupt `vector` (0x20-0x2f). */
void irq_handle(unsigned vector);
/* Unmask PIC line irq. */
void pic_unmask(unsigned irq);

/* Set up GDT, IDT, TSS and the PIC; fill the switcher data page. */
void traps_init(void);
/* Start the NMI watchdog (watchdog.c); after time_init, which reads the
 * RTC the watchdog's NMIs then acknowledge. */
void watchdog_init(void);

struct vcpu;
/* Deliver an exception to the guest through its virtual trap table, with
 * Xen's bounce frame. Crashes the domain when that is impossible. */
void bounce_exception(struct vcpu *v, unsigned vector, int has_error, uint32_t error);
/* Enter the guest kernel at cs:eip with Xen's bounce frame ([error,] EIP,
 * CS | mask << 16, EFLAGS, [ESP, SS] from an outer ring) for v->regs; what
 * names the event in a crash line. */
void bounce_to(struct vcpu *v, uint16_t cs, uint32_t eip, int mask_events,
               int has_error, uint32_t error, const char *what);
/* Deliver a pending event upcall if vcpu_info allows it (Xen's frame, no
 * error code, events masked on entry). */
void deliver_pending_upcall(struct vcpu *v);

const char *trap_name(unsigned vector);
/* 1 if the CPU pushes an error code for exception vector v. */
int vector_has_error(unsigned v);
/* The frame's general register number reg (0 eax, 1 ecx, ... 7 edi: the
 * ModRM order). */
uint32_t *frame_reg(struct cpu_frame *r, int reg);
/* Up to 15 instruction bytes at v's EIP into buf; how many could be read. */
size_t fetch_insn(struct vcpu *v, uint8_t *buf);

/* Load an LDT of this many entries from the switcher's LDT area (0: none).
 * The descriptor lives in the shared GDT page, so it follows the vCPU. */
void ldt_load_now(uint32_t entries);
extern uint32_t ldt_loaded;             /* entries of the LDT loaded now */
static inline void ldt_load(uint32_t entries)
{
    if (entries != ldt_loaded)          /* every exit asks: mostly the same */
        ldt_load_now(entries);
}

/* Xen's direct trap gate: when the guest's int $0x80 entry allows ring 3
 * (DPL 3), does not mask events and names a guest code segment, and a
 * kernel stack is set, int $0x80 enters the guest kernel straight through
 * the IDT (a ring-1 trap gate on TSS.ss1/esp1): no hypervisor entry.
 * Recompute v's gate after its trap table or kernel stack changed. */
void int80_update(struct vcpu *v);
/* Put this gate (0: none, int $0x80 then traps to the hypervisor) in the
 * IDT; it follows the vCPU that runs. */
void idt_set_int80_now(uint64_t gate);
extern uint64_t int80_installed;        /* the gate in the IDT now */
static inline void idt_set_int80(uint64_t gate)
{
    if (gate != int80_installed)
        idt_set_int80_now(gate);
}

/* TSS.ss1/esp1: the stack a direct ring 3 -> ring 1 trap gate would use. */
void tss_set_guest_kernel_stack(uint32_t ss, uint32_t sp);

#endif
