/*
 * start: entry, hypercall page, trap entry and probes of the guest runtime.
 * The hypervisor enters _start in ring 1 with ESI = start_info and events
 * masked. Traps arrive with Xen's bounce frame ([error,] eip, cs, eflags
 * [, esp, ss]); the stubs add the vector and registers for lib_trap(frame)
 * and leave through the iret hypercall.
 */
#include <pv86/xen.h>

#include "asm.h"

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    movl %esi, start_info
    pushl $0
    call guest_start
1:  jmp 1b

    .section .text.hypercall_page, "ax"
    .align 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0

    .text
.macro TRAP vec, has_error
    .globl trap_stub_\vec
trap_stub_\vec:
    .if \has_error == 0
    pushl $0
    .endif
    pushl $\vec
    jmp trap_common
.endm
    .irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,128,256
    TRAP \v, 0
    .endr
    .irp v, 8,10,11,12,13,14,17
    TRAP \v, 1
    .endr

trap_common:
    pushal
    pushl %esp
    call lib_trap
    addl $4, %esp
    popal
    addl $8, %esp
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* The failsafe callback: the hypervisor could not load our segments. */
    .globl failsafe_stub
failsafe_stub:
    movl $FLAT_RING1_DS, %eax
    movw %ax, %ds
    movw %ax, %es
    call lib_failsafe
1:  jmp 1b

/* user_enter(eip): to ring 3 through the iret hypercall; back in
 * user_return (called by lib_trap) with the value to return.
 * user_enter_ring(eip, cs, ss, esp): the same to any outer ring. */
    .globl user_enter, user_enter_ring, user_return
user_enter:
    movl 4(%esp), %eax
    pushl $0x3000 + 4096             /* GUEST_USTACK_VA + 4096 */
    pushl $FLAT_RING3_SS
    pushl $FLAT_RING3_CS
    pushl %eax
    call user_enter_ring
    addl $16, %esp
    ret
user_enter_ring:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, user_run_esp
    pushl 28(%esp)                   /* ss */
    pushl 36(%esp)                   /* esp */
    pushl $0x202
    pushl 36(%esp)                   /* cs */
    pushl 36(%esp)                   /* eip */
    xorl %eax, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32
user_return:
    movl 4(%esp), %eax
    movl user_run_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .section .text.probe, "ax"
    .globl probe_read, probe_write
probe_read:                          /* uint32_t probe_read(uint32_t addr) */
    movl 4(%esp), %edx
    xorl %eax, %eax
1:  movl (%edx), %eax
2:  ret
    PROBE 1b, 2b
probe_write:                         /* void probe_write(uint32_t addr, uint32_t v) */
    movl 4(%esp), %edx
    movl 8(%esp), %eax
1:  movl %eax, (%edx)
2:  ret
    PROBE 1b, 2b

    .bss
    .align 4
user_run_esp:
    .long 0
    .globl start_info
start_info:
    .long 0
