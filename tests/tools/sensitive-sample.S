/* One instance of each kind of instruction tools/sensitive-scan reports,
 * and a few it must not report; tests/tools/run.sh checks the exact list. */
    .text
    .globl sample
sample:
    cli                     /* privileged */
    hlt                     /* privileged */
    movl %cr3, %eax         /* privileged */
    inb $0x60, %al          /* privileged */
    lgdt (%eax)             /* privileged */
    sgdt (%eax)             /* sensitive */
    smsw %ax                /* sensitive */
    pushfl                  /* sensitive */
    popfl                   /* sensitive */
    pushl %cs               /* sensitive */
    popl %ds                /* sensitive */
    movw %ax, %ss           /* sensitive */
    movl %fs, %eax          /* sensitive */
    lar %eax, %ebx          /* sensitive */
    verr %ax                /* sensitive */
    lcall $0x10, $0         /* sensitive */
    lret                    /* sensitive */
    int $0x80               /* sensitive */
    rdtsc                   /* timing */
    ud2; .ascii "xen"; cpuid    /* timing, allowed as forced emulation */
    cpuid                   /* timing, not allowed */
    /* not sensitive: */
    movl %fs:4, %eax
    pushl %eax
    movl %eax, %ebx
    iret
