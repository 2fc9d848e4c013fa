/*
 * switcher: the only hypervisor code mapped in guest address spaces
 * (linked at SWITCHER_VA, see layout.h). It enters the hypervisor from a
 * trap, interrupt or hypercall, and leaves it for a guest.
 *
 * Entry. The CPU switches to the entry stack (TSS.esp0: every vCPU has an
 * entry-stack frame of its own, mapped at SW_STACK_VA in its domain's
 * switcher L1 and, while it runs, in the hypervisor's) and pushes:
 *
 *   SW_STACK_TOP ->  +-----------+
 *                    | gs fs ds es|  (virtual-8086 mode only: 16 bytes more)
 *                    | ss        |  (guest ring 1, 2 or 3, or vm86)
 *                    | esp       |
 *                    | eflags    |
 *                    | cs        |
 *                    | eip       |
 *                    | error     |  (pushed by the stub when the CPU has none)
 *                    | vector    |  (pushed by the stub)
 *                    | ds es fs gs|  (switcher_common)
 *                    | pushal    |  <- struct cpu_frame, FRAME_SIZE bytes
 *                    +-----------+
 *
 * switcher_common then loads the hypervisor's CR3 and stack and calls the C
 * entry with the frame's address (still the entry stack, mapped in both
 * address spaces); C copies the frame out before doing anything else. From
 * vm86 the frame starts 16 bytes lower; C sees EFLAGS.VM and never returns
 * through it.
 *
 * Whose trap it is follows from the CPU's state alone, never from a value
 * a guest chose: the hypervisor's own only when it ran on the hypervisor's
 * page tables (CR3 at entry), in protected mode (no EFLAGS.VM) and in the
 * hypervisor's code segment. Everything else is a guest's, including a
 * fault inside the exit sequence (after its CR3 load: a guest frame the
 * CPU refused), which the C entry tells apart by CS and EIP. A trap of the
 * hypervisor's own is a bug, except a device interrupt while it idles with
 * interrupts on: that is handled on the current stack and returns to the
 * idle loop; and a #DB, which is noted and returned from (Xen's way), though
 * none should come: a guest's breakpoints are armed only while it runs.
 *
 * Exit. switcher_exit(frame, cr3) copies a whole frame onto the entry stack,
 * switches to the guest's CR3, loads the guest's DR7 when it arms a
 * breakpoint (SWD_GUEST_DR7) and pops the frame. It never returns.
 */
#include "arch/x86/layout.h"

    .section .switcher.text, "ax"
    .globl switcher_start
switcher_start:

.macro STUB vec, has_error
    .align 16
stub_\vec:
    .if \has_error == 0
    pushl $0
    .endif
    pushl $\vec
    jmp switcher_common
.endm

/* Exceptions that push an error code: 8, 10-14, 17, 21. NMI (2) below. */
.irp v, 0,1,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,29,30,31
    STUB \v, 0
.endr
.irp v, 8,10,11,12,13,14,17,21
    STUB \v, 1
.endr
/* PIC interrupts 0x20-0x2f and the hypercall vector. */
.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,130
    STUB \v, 0
.endr

/*
 * NMI: the watchdog's tick (watchdog.c), taken anywhere: in a guest, in the
 * hypervisor, inside the entry or exit path. Acknowledge it at the RTC and
 * return at once, touching nothing but EAX (saved) and the stack -- unless
 * it interrupted virtual-8086 mode: then it is a guest trap like any other
 * (the C entry crashes that domain).
 */
    .align 16
stub_2:
    pushl %eax
    movb $0x0C, %al                   /* RTC register C: read to re-arm */
    outb %al, $0x70
    inb $0x71, %al
    popl %eax
    testl $EFLAGS_VM_BIT, 8(%esp)     /* the frame: eip, cs, eflags */
    jnz 1f
    iret
1:  pushl $0
    pushl $2
    jmp switcher_common

/*
 * SYSENTER (arch/x86/sysenter.c sets IA32_SYSENTER_CS/ESP/EIP to HV_CS,
 * SW_STACK_TOP and here). The CPU enters at CPL 0 on the entry stack with
 * IF, VM and RF clear and pushes nothing: the guest's EIP and ESP are
 * gone, as on every CPU (the guest keeps them in registers). Its other
 * registers are still its own, and so are TF, NT, DF, AC and IOPL. Build
 * the frame Xen's sysenter entry builds (ring-3 null CS, EIP and ESP 0)
 * with the guest's EFLAGS; run on with EFLAGS = 2 (NT clear: the exit's
 * iret must never be a task return; switcher_common clears DF).
 * With TF set the CPU raises #DB before the first instruction here: that
 * trap arrives through stub_1 and traps.c hands it to sysenter.c as well.
 */
    .align 16
    .globl sysenter_entry
sysenter_entry:
    pushl $0                          /* ss: sysenter.c writes Xen's */
    pushl $0                          /* esp */
    pushfl                            /* eflags: the guest's */
    pushl $2
    popfl
    pushl $3                          /* cs: ring 3, null */
    pushl $0                          /* eip */
    pushl $0                          /* error */
    pushl $SW_VEC_SYSENTER
    jmp switcher_common

switcher_common:
    cld
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal
#ifdef PV86_PROFILE
    rdtsc                             /* core/prof.c: the entry stamp */
    movl %eax, %esi
#endif
    movl $HV_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl %cr3, %ebx                   /* whose page tables the CPU was on */
    movl SW_DATA_VA + SWD_HV_CR3, %eax
    movl %eax, %cr3
    cmpl %eax, %ebx
    jne from_guest
    testl $EFLAGS_VM_BIT, FRAME_EFLAGS(%esp)
    jnz from_guest
    cmpw $HV_CS, FRAME_CS(%esp)
    je from_hypervisor
from_guest:                 /* also: a failed exit to a guest, and vm86 */
    /* The guest's breakpoints (DR0-3 lie below the hypervisor area) are off
     * before the first access below it: the hypervisor's stack, code and
     * direct map share those linear addresses. Everything above touched only
     * switcher pages. */
    cmpl $0, SW_DATA_VA + SWD_GUEST_DR7
    jne guest_dr7_off
from_guest_dr7_off:
#ifdef PV86_PROFILE
    movl %esi, prof_switcher_in       /* the hypervisor's CR3 is loaded now */
#endif
    movl %esp, %eax
    movl SW_DATA_VA + SWD_HV_STACK, %esp
    pushl %eax
    call *SW_DATA_VA + SWD_HV_ENTRY
    ud2                               /* the C entry never returns */
from_hypervisor:
    movl FRAME_VECTOR(%esp), %eax
    cmpl $1, %eax                     /* #DB */
    je hypervisor_debug
    cmpl $0x20, %eax
    jb fatal
    cmpl $0x30, %eax
    jae fatal
    pushl %esp
    call *SW_DATA_VA + SWD_HV_IRQ
hypervisor_return:
    addl $4, %esp
    /* The same pops as the exit below, on purpose not shared: a fault
     * after the exit's CR3 load is taken to be the guest's, and these
     * restore the hypervisor's own state. */
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp
    iret
fatal:
    movl %esp, %eax
    pushl %eax
    call *SW_DATA_VA + SWD_HV_FATAL
    ud2
hypervisor_debug:           /* #DB in the hypervisor: noted, then go on (Xen's way) */
    pushl %esp
    call *SW_DATA_VA + SWD_HV_DEBUG
    jmp hypervisor_return
guest_dr7_off:
    xorl %eax, %eax
    movl %eax, %dr7
    jmp from_guest_dr7_off

/* void switcher_exit(const struct cpu_frame *frame, uint32_t cr3) */
    .globl switcher_exit
switcher_exit:
    movl 4(%esp), %esi
    movl 8(%esp), %ebx
    movl $(SW_STACK_TOP - FRAME_SIZE), %edi
    movl $(FRAME_SIZE / 4), %ecx
    rep movsl
    movl $(SW_STACK_TOP - FRAME_SIZE), %esp
#ifdef PV86_PROFILE
    rdtsc                             /* core/prof.c: the exit stamp */
    movl %eax, prof_switcher_out
#endif
    movl %ebx, %cr3
    /* The guest's DR7, when it arms a breakpoint: from here on only
     * switcher pages are touched before the iret. */
    cmpl $0, SW_DATA_VA + SWD_GUEST_DR7
    jne exit_dr7_on
    .globl switcher_exit_pops
switcher_exit_pops:          /* from here on (guest CR3), faults are the guest's */
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp
    .globl switcher_exit_iret
switcher_exit_iret:
    iret
    .globl switcher_exit_end
switcher_exit_end:
exit_dr7_on:
    movl SW_DATA_VA + SWD_GUEST_DR7, %eax
    movl %eax, %dr7
    jmp switcher_exit_pops

/* The IDT is built from this table: vector, stub address. */
    .align 4
    .globl switcher_stubs
switcher_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,130
    .long \v, stub_\v
.endr
    .long -1, 0
    .globl switcher_end
switcher_end:
