/*
 * debugreg_code: the attack's #DB handler, mov-to-%drN probes and the code
 * it single-steps (tests/guests/attack/debugreg.c).
 */
#include <pv86/xen.h>

#include "asm.h"

    .text
/* #DB: Xen's bounce frame (eip, cs, eflags [, esp, ss]); atk_db(frame). */
    .globl atk_db_stub
atk_db_stub:
    pushal
    pushl %esp
    call atk_db
    addl $4, %esp
    popal
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* atk_set_drN(value): mov %eax,%drN in ring 1, resuming after a #GP. */
.macro ATK_SET n
    PROBE_SET_FN atk_set_dr\n, mov %eax, %dr\n
.endm
    ATK_SET 0
    ATK_SET 1
    ATK_SET 2
    ATK_SET 3

/* atk_store(p, v): one store; atk_store_done: the #DB's EIP. */
    .globl atk_store, atk_store_done
    DB_STORE_FN atk_store, movl %eax, (%edx)

/* atk_step(): TF on, then a yield (int $0x82: the innocent runs while our
 * frame holds TF), a #PF bounced to us and back by the iret hypercall, and
 * TF off. Single-step #DBs at as_1 .. as_8 and, in the hypercall page, at
 * the sched_op slot and slot + 5. */
    .globl atk_step, as_1, as_2, as_3, as_4, as_5, as_6, as_7, as_8
atk_step:
    pushl %ebx
    pushfl
    orl $0x100, (%esp)
    popfl
    nop
as_1:
    xorl %ecx, %ecx
as_2:
    xorl %ebx, %ebx                 /* SCHEDOP_yield */
as_3:
    call hypercall_page + __HYPERVISOR_sched_op * 32
as_4:
1:  movl 0xf6000000, %eax           /* #PF: the hypervisor area */
2:  nop
as_5:
    pushfl
as_6:
    andl $~0x100, (%esp)
as_7:
    popfl
as_8:
    popl %ebx
    ret
    PROBE 1b, 2b
