/*
 * head (pv): entry, the hypercall page and the trap entry points of the pv
 * flavour. The hypervisor starts us in ring 1 with ESI = start_info, ESP =
 * the top of the boot stack and events masked.
 *
 * Every trap arrives with Xen's bounce frame on the kernel stack:
 *   [error code] eip, cs (| saved upcall mask << 16), eflags, [esp, ss]
 * The stubs complete a struct trap_frame (kernel/kernel.h) and call trap().
 * Exceptions and event upcalls come with events masked; int $0x80 is a
 * direct trap gate (no hypervisor entry) and masks them itself, with its
 * first instruction.
 *
 * Back to ring 3 with nothing pending: unmask and a native iret (ring 1 to
 * ring 3 is allowed; IF stays on). Otherwise, and to ring 1, the iret
 * hypercall, which delivers what is pending and restores the mask from
 * eflags.IF.
 */
#include <pv86/xen.h>

#include "arch/pv/pv.h"

#define VCPU0_PENDING (PV_SHARED_INFO_VA + 0)
#define VCPU0_MASK    (PV_SHARED_INFO_VA + 1)

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    movl %esi, start_info_va
    pushl $0                         /* end of backtraces */
    call kmain
1:  jmp 1b

    .section .text.hypercall_page, "ax"
    .align 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0

    .text
#include "kernel/trap_stubs.inc"
    EXCEPTION_STUBS
    TRAP 256, 0                      /* the event callback */

/* int $0x80: always from ring 3 (trap() panics on one from the kernel),
 * so the way back needs no look at the frame's CS. */
    .globl syscall_entry
syscall_entry:
    movb $1, VCPU0_MASK              /* events off, before anything else */
    pushl $0
    pushl $0x80
    pushal
    pushl %esp
    call trap
    addl $4, %esp
    popal
    addl $8, %esp
    cmpb $0, VCPU0_PENDING
    jne 1f
    movb $0, VCPU0_MASK
    iret
1:  jmp hypercall_page + __HYPERVISOR_iret * 32

trap_common:
    pushal
    pushl %esp
    call trap
    addl $4, %esp
trap_exit:
    popal
    addl $8, %esp                    /* vector, error code */
    testb $3, 4(%esp)                /* back to ring 3? */
    jz 1f
    cmpb $0, VCPU0_PENDING
    jne 1f
    movb $0, VCPU0_MASK
    iret
1:  jmp hypercall_page + __HYPERVISOR_iret * 32

/* trap_return_to(frame): leave through trap_exit with this frame. */
    .globl trap_return_to
trap_return_to:
    movl 4(%esp), %esp
    jmp trap_exit

/*
 * pv_load_user_segments: DS and ES become the ABI's flat ring-3 data
 * selector, usable at CPL 1 and CPL 3 alike, so that no entry or exit path
 * ever has to load a segment register again. Run once at boot.
 */
    .globl pv_load_user_segments
pv_load_user_segments:
    movl $FLAT_RING3_DS, %eax
    movw %ax, %ds
    movw %ax, %es
    ret

/* The failsafe callback: the hypervisor could not load our segments. Never
 * expected, since they are never changed: say so and stop. */
    .globl failsafe_callback
failsafe_callback:
    call pv_load_user_segments
    pushl $0
    pushl $0xfff
    pushal
    pushl %esp
    call pv_failsafe
1:  jmp 1b

    .bss
    .globl start_info_va
start_info_va:
    .long 0
