/* iopl_probes: the instructions xenpv's iopl topic runs, each a function
 * that resumes after a fault (PROBE), and ring-3 snippets that return EAX
 * through int $0x80. Port numbers and values are the callers'. */
#include "asm.h"

    .section .text.probe, "ax"
/* uint32_t io_inb(uint32_t port) etc.: EAX preset to 0x5a5a5a5a, so a
 * fault (which skips the instruction) shows as that value. */
    PROBE_IN_FN io_inb, inb %dx, %al
    PROBE_IN_FN io_inw, inw %dx, %ax
    PROBE_IN_FN io_inl, inl %dx, %eax
    PROBE_IN_FN io_inb_71, inb $0x71, %al
/* void io_outb(uint32_t port, uint32_t value) etc. */
    PROBE_OUT_FN io_outb, outb %al, %dx
    PROBE_OUT_FN io_outw, outw %ax, %dx
    PROBE_OUT_FN io_outl, outl %eax, %dx
    PROBE_OUT_FN io_outl_f4, outl %eax, $0xf4
/* uint32_t io_rep_insb(uint32_t port, void *dst, uint32_t count): ECX left */
    PROBE_REP_FN io_rep_insb, edi, rep insb
/* uint32_t io_rep_outsw(uint32_t port, const void *src, uint32_t count) */
    PROBE_REP_FN io_rep_outsw, esi, rep outsw
    PROBE_FN io_cli, cli
    PROBE_FN io_sti, sti
/* uint32_t io_cr(int which): mov from %cr0 / %cr4 */
    PROBE_FN io_read_cr0, mov %cr0, %eax
    PROBE_FN io_read_cr4, mov %cr4, %eax
    PROBE_SET_FN io_write_cr0, mov %eax, %cr0
    PROBE_SET_FN io_write_cr4, mov %eax, %cr4
/* uint64_t io_rdmsr(uint32_t msr): 0x5a5a5a5a5a5a5a5a if it faulted */
    .globl io_rdmsr, io_rdtsc
io_rdmsr:
    movl 4(%esp), %ecx
    movl $0x5a5a5a5a, %eax
    movl %eax, %edx
1:  rdmsr
2:  ret
    PROBE 1b, 2b
/* void io_wrmsr(uint32_t msr, uint32_t lo, uint32_t hi) */
    PROBE_WRMSR_FN io_wrmsr
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
