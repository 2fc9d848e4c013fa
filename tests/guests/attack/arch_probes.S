/*
 * arch_probes: the code arch_cases.c runs in other CPU modes: a native
 * iret into virtual-8086 mode from ring 1 and from ring 3, and snippets
 * for ring 2 (each ends with int $0x80, the direct trap gate, when it did
 * not fault).
 *
 * The vm86 target is 0300:0010, linear 0x3010: the ring-3 stack page
 * (user-accessible), where the caller writes the instruction to run there.
 * An iret image for vm86: eip, cs, eflags, esp, ss, es, ds, fs, gs.
 */
#include <pv86/xen.h>

#include "asm.h"

    .text
/* arch_vm86_from_r1(): QEMU's TCG enters vm86 here although CPL is 1. */
    .globl arch_vm86_from_r1
arch_vm86_from_r1:
    VM86_IRET VM86_EFLAGS
    ret

/* arch_iret_hypercall_vm86(): the iret hypercall with EFLAGS.VM, to
 * 0303:0010 on 0404:0800 (values to recognise in the #GP frame). */
    .globl arch_iret_hypercall_vm86
arch_iret_hypercall_vm86:
    pushl $0                              /* gs */
    pushl $0                              /* fs */
    pushl $0                              /* ds */
    pushl $0                              /* es */
    pushl $0x0404                         /* ss */
    pushl $0x0800                         /* sp */
    pushl $VM86_EFLAGS
    pushl $0x0303                         /* cs */
    pushl $0x0010                         /* ip */
    xorl %eax, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* r1_int5(): int $5 in ring 1; the bounce resumes after it (eip + 2). */
    .globl r1_int5
r1_int5:
    int $5
2:  ret
    PROBE 2b, 2b

/* Ring 2 (supervisor pages: CPL 2 may run ring-1 code pages). */
    .globl r2_hello, r2_ud2, r2_read_cr2, r2_int82, r2_int5
r2_hello:
    movl $0x2222, %eax
    int $0x80
r2_ud2:
    ud2
r2_read_cr2:
    movl %cr2, %eax
    movl $0, %eax
    int $0x80
r2_int82:
    int $0x82
    movl $0, %eax
    int $0x80
r2_int5:
    int $5
    movl $0, %eax
    int $0x80

/* Ring 3: its own pages, mapped with the user bit by user_setup. */
    .section .user.text, "ax"
    .globl r3_vm86, r3_vm86_iopl3
r3_vm86:
    VM86_IRET VM86_EFLAGS
r3_vm86_iopl3:
    VM86_IRET VM86_EFLAGS_IOPL3
