/* iopl_probes: the instructions xenpv's iopl topic runs, each a function
 * that resumes after a fault (PROBE), and ring-3 snippets that return EAX
 * through int $0x80. Port numbers and values are the callers'. */
#include "asm.h"

    .section .text.probe, "ax"
/* uint32_t io_inb(uint32_t port) etc.: EAX preset to 0x5a5a5a5a, so a
 * fault (which skips the instruction) shows as that value. */
.macro IN_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %edx
    movl $0x5a5a5a5a, %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
    IN_FN io_inb, inb %dx, %al
    IN_FN io_inw, inw %dx, %ax
    IN_FN io_inl, inl %dx, %eax
    IN_FN io_inb_71, inb $0x71, %al
/* void io_outb(uint32_t port, uint32_t value) etc. */
.macro OUT_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
    OUT_FN io_outb, outb %al, %dx
    OUT_FN io_outw, outw %ax, %dx
    OUT_FN io_outl, outl %eax, %dx
    OUT_FN io_outl_f4, outl %eax, $0xf4
/* uint32_t io_rep_insb(uint32_t port, void *dst, uint32_t count): ECX left */
    .globl io_rep_insb
io_rep_insb:
    pushl %edi
    movl 8(%esp), %edx
    movl 12(%esp), %edi
    movl 16(%esp), %ecx
1:  rep insb
2:  movl %ecx, %eax
    popl %edi
    ret
    PROBE 1b, 2b
/* uint32_t io_rep_outsw(uint32_t port, const void *src, uint32_t count) */
    .globl io_rep_outsw
io_rep_outsw:
    pushl %esi
    movl 8(%esp), %edx
    movl 12(%esp), %esi
    movl 16(%esp), %ecx
1:  rep outsw
2:  movl %ecx, %eax
    popl %esi
    ret
    PROBE 1b, 2b
    PROBE_FN io_cli, cli
    PROBE_FN io_sti, sti
/* uint32_t io_cr(int which): mov from %cr0 / %cr4 */
    PROBE_FN io_read_cr0, mov %cr0, %eax
    PROBE_FN io_read_cr4, mov %cr4, %eax
    .globl io_write_cr0, io_write_cr4
io_write_cr0:
    movl 4(%esp), %eax
1:  mov %eax, %cr0
2:  ret
    PROBE 1b, 2b
io_write_cr4:
    movl 4(%esp), %eax
1:  mov %eax, %cr4
2:  ret
    PROBE 1b, 2b
/* uint64_t io_rdmsr(uint32_t msr): 0x5a5a5a5a5a5a5a5a if it faulted */
    .globl io_rdmsr, io_wrmsr, io_rdtsc
io_rdmsr:
    movl 4(%esp), %ecx
    movl $0x5a5a5a5a, %eax
    movl %eax, %edx
1:  rdmsr
2:  ret
    PROBE 1b, 2b
/* void io_wrmsr(uint32_t msr, uint32_t lo, uint32_t hi) */
io_wrmsr:
    movl 4(%esp), %ecx
    movl 8(%esp), %eax
    movl 12(%esp), %edx
1:  wrmsr
2:  ret
    PROBE 1b, 2b
io_rdtsc:
1:  rdtsc
2:  ret
    PROBE 1b, 2b

/* Ring 3 */
    .section .user.text, "ax"
    .globl u_inb_80, u_rdtsc, u_cli
u_inb_80:
    movl $0x5a5a5a5a, %eax
    inb $0x80, %al
    int $0x80
u_rdtsc:
    rdtsc
    movl $1, %eax
    int $0x80
u_cli:
    cli
    movl $2, %eax
    int $0x80
