/*
 * swtch(uint32_t *old_sp, uint32_t new_sp): the kernel's context switch,
 * the same in both flavours (no privileged state: arch_switch has already
 * changed the address space and the kernel stack for ring-3 entries).
 */
    .text
    .globl swtch
swtch:
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, (%eax)
    movl %edx, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
