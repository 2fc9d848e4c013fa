/*
 * debugreg_code: the code debugreg.c sets breakpoints on and single-steps,
 * at labels that say where each #DB must report EIP; its #DB handler; and
 * the mov to/from %drN probes (ring 1 resumes after a fault, ring 3 ends
 * with int $0x80).
 */
#include <pv86/xen.h>

#include "asm.h"

    .text
/* The #DB handler: Xen's bounce frame (eip, cs, eflags [, esp, ss]), no
 * error code; db_trap(frame) may change eflags (RF, TF) before the iret. */
    .globl db_stub
db_stub:
    pushal
    pushl %esp
    call db_trap
    addl $4, %esp
    popal
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* uint32_t bp_target(uint32_t x): 3x + 1. The execution breakpoint's target. */
    .globl bp_target
bp_target:
    movl 4(%esp), %eax
    leal 1(%eax,%eax,2), %eax
    ret

/* store_word(p, v), store_byte(p, v), load_word(p): one access each; the
 * label after it is where a data breakpoint's #DB reports EIP. */
    .globl store_word, store_word_done, store_byte, store_byte_done
    .globl load_word, load_word_done
    DB_STORE_FN store_word, movl %eax, (%edx)
    DB_STORE_FN store_byte, movb %al, (%edx)
load_word:
    movl 4(%esp), %edx
    movl (%edx), %eax
load_word_done:
    ret

/* uint32_t step_run(void): sets TF, runs a fixed sequence and clears TF;
 * returns xen_version(0). Single-step #DBs report EIP at step_1 .. step_11
 * and, inside the hypercall page, at the xen_version slot and slot + 5
 * (its int $0x82): the ret after int $0x82 runs before the next #DB, as on
 * the CPU (the iret that ends a hypercall sets TF again). */
    .globl step_run
    .globl step_1, step_2, step_3, step_4, step_5, step_6, step_7, step_8
    .globl step_9, step_10, step_11
step_run:
    pushl %ebx
    pushl %esi
    pushfl
    orl $0x100, (%esp)
    popfl                           /* TF on: no #DB after this one */
    nop
step_1:
    movl $5, %ecx
step_2:
    addl %ecx, %ecx
step_3:
    xorl %ebx, %ebx                 /* XENVER_version */
step_4:
    call hypercall_page + __HYPERVISOR_xen_version * 32
step_5:
    movl %eax, %esi
step_6:
    mov %dr7, %edx                  /* #GP, emulated: the step after it */
step_7:
    ud2a                            /* forced-emulation cpuid: the same */
    .ascii "xen"
    cpuid
step_8:
    pushfl
step_9:
    andl $~0x100, (%esp)
step_10:
    popfl                           /* TF was on when it began: one more #DB */
step_11:
    movl %esi, %eax
    popl %esi
    popl %ebx
    ret

/* Ring 1 probes: mov to/from %drN, resuming after a fault (#GP, #UD).
 * The reads return 0xbadbad00 when they fault. */
.macro DR_SET n
    PROBE_SET_FN r1_set_dr\n, mov %eax, %dr\n
.endm
.macro DR_GET n
    .globl r1_get_dr\n
r1_get_dr\n:
    movl $0xbadbad00, %eax
1:  mov %dr\n, %eax
2:  ret
    PROBE 1b, 2b
.endm
    DR_SET 0
    DR_SET 1
    DR_SET 2
    DR_SET 3
    DR_SET 6
    DR_SET 7
    DR_GET 0
    DR_GET 1
    DR_GET 2
    DR_GET 3
    DR_GET 6
    DR_GET 7
/* mov %dr4,%ecx / mov %ecx,%dr5 (gas says db4, db5); and mov %eax,%dr1
 * behind operand-size and CS-override prefixes (66 2e 0f 23 c8). */
    .globl r1_get_dr4, r1_set_dr5, r1_set_dr1_prefixed
r1_get_dr4:
    movl $0xbadbad00, %ecx
1:  .byte 0x0f, 0x21, 0xe1          /* mov %dr4, %ecx */
2:  movl %ecx, %eax
    ret
    PROBE 1b, 2b
r1_set_dr5:
    movl 4(%esp), %ecx
1:  .byte 0x0f, 0x23, 0xe9          /* mov %ecx, %dr5 */
2:  ret
    PROBE 1b, 2b
r1_set_dr1_prefixed:
    movl 4(%esp), %eax
1:  .byte 0x66, 0x2e, 0x0f, 0x23, 0xc8
2:  ret
    PROBE 1b, 2b

/* Ring 3: the same instructions give #GP; u_step single-steps three
 * instructions (#DB at u_step_1 .. u_step_3) and leaves by int $0x80. */
    .section .user.text, "ax"
    .globl u_get_dr7, u_set_dr0, u_step, u_step_1, u_step_2, u_step_3
u_get_dr7:
    mov %dr7, %eax
    movl $0, %eax
    int $0x80
u_set_dr0:
    movl $0x00500000, %eax
    mov %eax, %dr0
    movl $0, %eax
    int $0x80
u_step:
    pushfl
    orl $0x100, (%esp)
    popfl
    nop
u_step_1:
    nop
u_step_2:
    movl $0x5e9, %eax
u_step_3:
    int $0x80
