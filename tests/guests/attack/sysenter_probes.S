/*
 * sysenter_probes: the code attack/sysenter.c runs. sy_cb is its sysenter
 * callback (ring 1): it records the registers, its ESP, DS and the five
 * frame words in sy_rec, counts, and returns according to sy_mode:
 *   0: to ring 2 or 3 at EDX on ECX, with sy_ret_cs/sy_ret_ss and the
 *      frame's EFLAGS (the iret hypercall);
 *   1: to ring 1 at EDX on ECX (the iret hypercall's ring-1 frame);
 *   2: from vm86: our segments back, then sy_vm86_enter returns.
 * Stores go through %ss: the caller's %ds may be anything.
 */
#include <pv86/xen.h>

#include "asm.h"

#define REC_EAX 0
#define REC_ECX 4
#define REC_EDX 8
#define REC_ESP 12
#define REC_DS 16
#define REC_FRAME 20                      /* 5 words */
#define REC_COUNT 40

    .text
    .globl sy_cb
sy_cb:
    movl %eax, %ss:sy_rec + REC_EAX
    movl %ecx, %ss:sy_rec + REC_ECX
    movl %edx, %ss:sy_rec + REC_EDX
    movl %esp, %ss:sy_rec + REC_ESP
    xorl %eax, %eax
    movw %ds, %ax
    movl %eax, %ss:sy_rec + REC_DS
    SS_SAVE_FRAME5 sy_rec + REC_FRAME
    incl %ss:sy_rec + REC_COUNT
    cmpl $1, %ss:sy_mode
    je 1f
    cmpl $2, %ss:sy_mode
    je 2f
    movl %edx, 0(%esp)                    /* to ring 2 or 3 */
    movl %ss:sy_ret_cs, %eax
    movl %eax, 4(%esp)
    movl %ecx, 12(%esp)
    movl %ss:sy_ret_ss, %eax
    movl %eax, 16(%esp)
    movl %ss:sy_rec + REC_EAX, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32
1:  movl 8(%esp), %eax                    /* to ring 1: eip, cs, eflags on its stack */
    movl %ecx, %esp
    pushl %eax
    pushl $FLAT_RING1_CS
    pushl %edx
    movl %ss:sy_rec + REC_EAX, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32
2:  movl $FLAT_RING1_DS, %eax             /* from vm86 */
    movl %eax, %ds
    movl %eax, %es
    movl %ss:sy_vm86_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* sy_r1(): SYSENTER from ring 1; the callback brings us back to 1f. */
    .globl sy_r1
sy_r1:
    pushl %ebp
    pushl %ebx
    movl $0x1111AAAA, %eax
    movl %esp, %ecx
    movl $1f, %edx
    sysenter
1:  popl %ebx
    popl %ebp
    ret

/* sy_vm86_enter(): into vm86 at 0300:0010, where the caller put a
 * SYSENTER; the callback comes back here (sy_mode 2). */
    .globl sy_vm86_enter
sy_vm86_enter:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, sy_vm86_esp
    movl $0x0300AAAA, %eax
    VM86_IRET VM86_EFLAGS

/* Ring 2 (supervisor pages: CPL 2 may run ring-1 code pages). */
    .globl sy_r2
sy_r2:
    movl $0x2222AAAA, %eax
    movl %esp, %ecx
    movl $1f, %edx
    sysenter
1:  movl $0x2222, %eax
    int $0x80

    .section .user.text, "ax"
/* SYSENTER with TF: the single-step trap after it is the hypervisor's;
 * the frame keeps TF, so the first instruction back in ring 3 (the nop)
 * traps #DB into our handler. */
    .globl sy_r3_tf, sy_r3_tf_back
sy_r3_tf:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
    movl $0x3333AAAA, %eax
    movl %esp, %ecx
    movl $sy_r3_tf_back, %edx
    pushfl
    orl $0x100, (%esp)
    popfl
    sysenter
sy_r3_tf_back:
    nop
    movl $0xBAD3, %eax
    int $0x80

/* SYSENTER with NT: the hypervisor's exit must not become a task return. */
    .globl sy_r3_nt
sy_r3_nt:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
    movl $0x4444AAAA, %eax
    movl %esp, %ecx
    movl $1f, %edx
    pushfl
    orl $0x4000, (%esp)
    popfl
    sysenter
1:  pushfl
    popl %eax
    andl $0x4000, %eax
    orl $0x3333, %eax                     /* 0x3333: NT clear again; 0x7333: still set */
    int $0x80

/* Plain SYSENTER from ring 3. */
    .globl sy_r3
sy_r3:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
    movl $0x5555AAAA, %eax
    movl %esp, %ecx
    movl $1f, %edx
    sysenter
1:  movl $0x5555, %eax
    int $0x80

    .bss
    .align 4
    .globl sy_vm86_esp
sy_vm86_esp:
    .long 0
