/*
 * fastcall_entry: the sysenter callback and the ring-3 code of fastcall.c.
 *
 * The callback (ring 1) records what it was entered with -- every general
 * register, its ESP, the data segments, the five words of Xen's frame
 * (eip, cs, eflags, esp, ss) and the upcall mask -- in fc_rec, counts the
 * call, and returns to ring 3 the way a PV kernel's SYSENTER path does:
 * EIP from EDX, ESP from ECX (the caller put them there, as SYSEXIT
 * wants), through the iret hypercall. Stores go through %ss: the caller's
 * %ds is whatever it was.
 */
#include <pv86/xen.h>

#include "asm.h"

#define REC_EAX 0
#define REC_EBX 4
#define REC_ECX 8
#define REC_EDX 12
#define REC_ESI 16
#define REC_EDI 20
#define REC_EBP 24
#define REC_ESP 28
#define REC_DS 32
#define REC_ES 36
#define REC_FS 40
#define REC_GS 44
#define REC_FRAME 48                      /* 5 words */
#define REC_MASK 68
#define REC_COUNT 72

    .text
    .globl fc_sysenter_cb
fc_sysenter_cb:
    movl %eax, %ss:fc_rec + REC_EAX
    movl %ebx, %ss:fc_rec + REC_EBX
    movl %ecx, %ss:fc_rec + REC_ECX
    movl %edx, %ss:fc_rec + REC_EDX
    movl %esi, %ss:fc_rec + REC_ESI
    movl %edi, %ss:fc_rec + REC_EDI
    movl %ebp, %ss:fc_rec + REC_EBP
    movl %esp, %ss:fc_rec + REC_ESP
    xorl %eax, %eax
    movw %ds, %ax
    movl %eax, %ss:fc_rec + REC_DS
    movw %es, %ax
    movl %eax, %ss:fc_rec + REC_ES
    movw %fs, %ax
    movl %eax, %ss:fc_rec + REC_FS
    movw %gs, %ax
    movl %eax, %ss:fc_rec + REC_GS
    SS_SAVE_FRAME5 fc_rec + REC_FRAME
    movzbl %ss:0x1001, %eax               /* vcpu_info[0].evtchn_upcall_mask */
    movl %eax, %ss:fc_rec + REC_MASK
    incl %ss:fc_rec + REC_COUNT
    /* Back to ring 3: the frame becomes the iret hypercall's. */
    movl %edx, 0(%esp)                    /* eip */
    movl $FLAT_RING3_CS, 4(%esp)
    movl %ecx, 12(%esp)                   /* esp */
    movl $FLAT_RING3_SS, 16(%esp)
    movl %ss:fc_rec + REC_EAX, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32

    .section .user.text, "ax"
/* One SYSENTER with known registers and flags; then check that all came
 * back and leave with int $0x80: EAX 0x600D, or 0xBAD0 | which differed. */
    .globl fc_user_once
fc_user_once:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    movl $0xA1A1A1A1, %eax
    movl $0xB2B2B2B2, %ebx
    movl $0x5151F00D, %esi
    movl $0xD1D1D1D1, %edi
    movl $0xBBBB0123, %ebp
    movl $1f, %edx
    pushl $0x8D5                          /* CF PF AF ZF SF OF */
    popfl
    movl %esp, %ecx
    sysenter
1:  pushfl
    cmpl $0xAD7, (%esp)                   /* those, IF and bit 1 */
    jne 8f
    cmpl $0xA1A1A1A1, %eax
    jne 8f
    cmpl $0xB2B2B2B2, %ebx
    jne 8f
    cmpl $0x5151F00D, %esi
    jne 8f
    cmpl $0xD1D1D1D1, %edi
    jne 8f
    cmpl $0xBBBB0123, %ebp
    jne 8f
    movl $0x600D, %eax
    int $0x80
8:  movl $0xBAD0, %eax
    int $0x80

/* 100 SYSENTERs; int $0x80 with how many came back. */
    .globl fc_user_loop
fc_user_loop:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    movl $100, %esi
    xorl %edi, %edi
2:  movl %esp, %ecx
    movl $3f, %edx
    sysenter
3:  incl %edi
    decl %esi
    jnz 2b
    movl %edi, %eax
    int $0x80

/* SYSENTER that ends in a trap (no callback). */
    .globl fc_user_bare
fc_user_bare:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
    movl %esp, %ecx
    movl $4f, %edx
    sysenter
4:  movl $0xBAD1, %eax
    int $0x80

/* SYSCALL (0F 05). */
    .globl fc_user_syscall, fc_syscall_insn
fc_user_syscall:
    movl $FLAT_RING3_DS, %eax
    movl %eax, %ds
fc_syscall_insn:
    syscall
    movl $0xBAD2, %eax
    int $0x80
