/*
 * uasm: what user programs need at the instruction level (linked into all).
 *
 * bench_divzero(count): count divisions by zero. Each raises #DE; the
 * kernel, told by catch(bench_divzero_resume), resumes there with EAX = 0.
 * ECX counts down across the faults (the kernel keeps every other register).
 */
    .text
    .globl bench_divzero, bench_divzero_resume
bench_divzero:
    pushl %ebx
    movl 8(%esp), %ecx
    xorl %ebx, %ebx
    testl %ecx, %ecx
    jz 2f
1:  xorl %edx, %edx
    movl $1, %eax
    divl %ebx
bench_divzero_resume:
    decl %ecx
    jnz 1b
2:  popl %ebx
    ret

/* bench_call(count): count calls of an empty function. */
    .globl bench_call
bench_call:
    movl 4(%esp), %ecx
    testl %ecx, %ecx
    jz 2f
1:  call 3f
    decl %ecx
    jnz 1b
2:  ret
3:  ret

/* catch_probe_ud2(): catch(1f), then ud2; the kernel resumes at 1f with
 * EAX = the vector, which is returned after catch(0). */
#define SYS_catch 48
    .globl catch_probe_ud2
catch_probe_ud2:
    pushl %ebx
    movl $SYS_catch, %eax
    movl $1f, %ebx
    int $0x80
    ud2
1:  pushl %eax
    movl $SYS_catch, %eax
    xorl %ebx, %ebx
    int $0x80
    popl %eax
    popl %ebx
    ret
