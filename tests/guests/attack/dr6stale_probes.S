/*
 * dr6stale_probes: the code attack/dr6stale.c runs. dr6s_sysenter_tf()
 * makes a SYSENTER from ring 1 with TF set; dr6s_cb, the sysenter callback,
 * counts, records the frame's EFLAGS and returns to ring 1 at EDX on ECX
 * with TF clear (the iret hypercall's ring-1 frame). dr6s_db_stub: #DB,
 * dr6s_db() then back.
 */
#include <pv86/xen.h>

#include "asm.h"

    .text
    .globl dr6s_sysenter_tf
dr6s_sysenter_tf:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, %ecx
    movl $1f, %edx
    pushfl
    orl $0x100, (%esp)
    popfl
    sysenter
1:  popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .globl dr6s_cb
dr6s_cb:
    incl %ss:dr6s_cb_count
    movl 8(%esp), %eax
    movl %eax, %ss:dr6s_cb_eflags
    andl $~0x100, %eax
    movl %ecx, %esp
    pushl %eax
    pushl $FLAT_RING1_CS
    pushl %edx
    jmp hypercall_page + __HYPERVISOR_iret * 32

    .globl dr6s_db_stub
dr6s_db_stub:
    pushal
    pushl %esp
    call dr6s_db
    addl $4, %esp
    popal
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* dr6s_ptwr_step(p, v): TF on, one store of v at p (a write to our own
 * L1, emulated), TF off. Single-step #DBs at dr6s_ps_1 .. dr6s_ps_4. */
    .globl dr6s_ptwr_step, dr6s_ps_1, dr6s_ps_2, dr6s_ps_3, dr6s_ps_4
dr6s_ptwr_step:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
    pushfl
    orl $0x100, (%esp)
    popfl
    movl %eax, (%edx)
dr6s_ps_1:
    pushfl
dr6s_ps_2:
    andl $~0x100, (%esp)
dr6s_ps_3:
    popfl
dr6s_ps_4:
    ret
