/*
 * probes: the privileged instructions the attack guest tries, once in ring
 * 1 (each a function that resumes after the fault) and once in ring 3 (each
 * a snippet that ends with int $0x80 when it did not fault).
 */
#include <pv86/xen.h>

#include "asm.h"

    .section .text.probe, "ax"
    PROBE_FN r1_cli, cli
    PROBE_FN r1_sti, sti
    PROBE_FN r1_hlt, hlt
    PROBE_FN r1_lgdt, lgdt r1_desc
    PROBE_FN r1_lidt, lidt r1_desc
    PROBE_FN r1_lldt, lldt %ax
    PROBE_FN r1_ltr, ltr %ax
    PROBE_FN r1_clts, clts
    PROBE_FN r1_invlpg, invlpg 0x400000
    PROBE_FN r1_wbinvd, wbinvd
    PROBE_FN r1_rdmsr, rdmsr
    PROBE_FN r1_wrmsr, wrmsr
    PROBE_FN r1_in, inb $0x64, %al
    PROBE_FN r1_out, outb %al, $0x80
    PROBE_FN r1_mov_cr0, mov %eax, %cr0
    PROBE_FN r1_mov_cr4, mov %eax, %cr4
    PROBE_FN r1_read_cr0, mov %cr0, %eax

/* r1_mov_dr7(): mov to %dr7 with GD set, which no PV guest may set (Xen:
 * #GP). Other values are emulated (tests/guests/attack/debugreg.c). */
    .globl r1_mov_dr7
r1_mov_dr7:
    movl $0x2400, %eax
1:  mov %eax, %dr7
2:  ret
    PROBE 1b, 2b

/* r1_far_ring0(): a far jump to the hypervisor's ring-0 code selector. */
    .globl r1_far_ring0
r1_far_ring0:
1:  ljmp $0xe008, $0
2:  ret
    PROBE 1b, 2b

    .data
r1_desc:
    .word 0
    .long 0

/* Ring 3: code in its own page, mapped with the user bit. */
    .section .user.text, "ax"
.macro USER name, insn:vararg
    .globl \name
\name:
    \insn
    movl $0, %eax
    int $0x80
.endm
    USER r3_cli, cli
    USER r3_hlt, hlt
    USER r3_in, inb $0x64, %al
    USER r3_out, outb %al, $0x80
    USER r3_rdmsr, rdmsr
    USER r3_mov_cr3, mov %eax, %cr3
    USER r3_lgdt, lgdt 0x3000
    USER r3_int82, int $0x82
    USER r3_read_hv, movl 0xf5800000, %eax
    USER r3_read_kernel, movl 0x400000, %eax
