/* iopl_probes: the attack guest's port I/O and register probes (iopl.c);
 * each resumes after a fault. in presets EAX to 0x5a5a5a5a. */
#include "asm.h"

    .section .text.probe, "ax"
.macro IN_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %edx
    movl $0x5a5a5a5a, %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
    IN_FN ia_inb, inb %dx, %al
    IN_FN ia_inl, inl %dx, %eax
.macro OUT_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
    OUT_FN ia_outb, outb %al, %dx
    OUT_FN ia_outw, outw %ax, %dx
    OUT_FN ia_outl, outl %eax, %dx
    .globl ia_rep_outsb, ia_rep_insb, ia_wrmsr, ia_write_cr0, ia_write_cr4, ia_read_cr4
ia_rep_outsb:
    pushl %esi
    movl 8(%esp), %edx
    movl 12(%esp), %esi
    movl 16(%esp), %ecx
1:  rep outsb
2:  movl %ecx, %eax
    popl %esi
    ret
    PROBE 1b, 2b
ia_rep_insb:
    pushl %edi
    movl 8(%esp), %edx
    movl 12(%esp), %edi
    movl 16(%esp), %ecx
1:  rep insb
2:  movl %ecx, %eax
    popl %edi
    ret
    PROBE 1b, 2b
ia_wrmsr:
    movl 4(%esp), %ecx
    movl 8(%esp), %eax
    movl 12(%esp), %edx
1:  wrmsr
2:  ret
    PROBE 1b, 2b
ia_write_cr0:
    movl 4(%esp), %eax
1:  mov %eax, %cr0
2:  ret
    PROBE 1b, 2b
ia_write_cr4:
    movl 4(%esp), %eax
1:  mov %eax, %cr4
2:  ret
    PROBE 1b, 2b
ia_read_cr4:
1:  mov %cr4, %eax
2:  ret
    PROBE 1b, 2b
