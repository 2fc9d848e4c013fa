/* probe_fns.h: assembler macros for the test guests' probe functions:
 * each runs one instruction that may fault and resumes after it (PROBE),
 * with its operands taken from the C arguments (cdecl: 4(%esp) first).
 * Included by asm.h; the guests name their own functions. */
#ifndef PV86_GUEST_LIB_PROBE_FNS_H
#define PV86_GUEST_LIB_PROBE_FNS_H
#ifdef __ASSEMBLER__
/* uint32_t name(uint32_t port): in from port EDX into EAX, preset to
 * 0x5a5a5a5a so that a fault (which skips the instruction) shows. */
.macro PROBE_IN_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %edx
    movl $0x5a5a5a5a, %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
/* void name(uint32_t port, uint32_t value): out EAX to port EDX. */
.macro PROBE_OUT_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
/* uint32_t name(uint32_t port, void *buf, uint32_t count): a string
 * instruction through index register reg (esi or edi); returns ECX left. */
.macro PROBE_REP_FN name, reg, insn:vararg
    .globl \name
\name:
    pushl %\reg
    movl 8(%esp), %edx
    movl 12(%esp), %\reg
    movl 16(%esp), %ecx
1:  \insn
2:  movl %ecx, %eax
    popl %\reg
    ret
    PROBE 1b, 2b
.endm
/* void name(uint32_t value): one instruction that takes EAX (mov to a
 * control or debug register). */
.macro PROBE_SET_FN name, insn:vararg
    .globl \name
\name:
    movl 4(%esp), %eax
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
/* void name(uint32_t msr, uint32_t lo, uint32_t hi): wrmsr. */
.macro PROBE_WRMSR_FN name
    .globl \name
\name:
    movl 4(%esp), %ecx
    movl 8(%esp), %eax
    movl 12(%esp), %edx
1:  wrmsr
2:  ret
    PROBE 1b, 2b
.endm
/* void name(void *p, uint32_t v): one access insn with EDX = p, EAX = v;
 * name_done follows it (where a data breakpoint's #DB reports EIP). */
.macro DB_STORE_FN name, insn:vararg
\name:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
    \insn
\name\()_done:
    ret
.endm
/* Copy the five words at (%esp) (a bounce frame: eip, cs, eflags, esp,
 * ss) to dst through %ss, which holds whatever the caller's %ds; uses EAX. */
.macro SS_SAVE_FRAME5 dst:vararg
    movl 0(%esp), %eax
    movl %eax, %ss:\dst
    movl 4(%esp), %eax
    movl %eax, %ss:\dst + 4
    movl 8(%esp), %eax
    movl %eax, %ss:\dst + 8
    movl 12(%esp), %eax
    movl %eax, %ss:\dst + 12
    movl 16(%esp), %eax
    movl %eax, %ss:\dst + 16
.endm

/* VM86_IRET eflags: from ring 1 into vm86 at 0300:0010, stack 0000:0800,
 * data segments 0 (attack arch_probes.S, sysenter_probes.S). */
#define VM86_EFLAGS       0x00020202      /* VM, IF */
#define VM86_EFLAGS_IOPL3 0x00023202      /* VM, IOPL 3, IF */

.macro VM86_IRET eflags
    pushl $0                              /* gs */
    pushl $0                              /* fs */
    pushl $0                              /* ds */
    pushl $0                              /* es */
    pushl $0                              /* ss */
    pushl $0x0800                         /* sp */
    pushl $\eflags
    pushl $0x0300                         /* cs */
    pushl $0x0010                         /* ip */
    iret
.endm
#endif
#endif
