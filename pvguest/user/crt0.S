/* crt0: a program starts here with argc and argv on the stack (see exec in
 * pvguest/kernel/proc.c); main's return value is its exit code. */
    .section .text.start, "ax"
    .globl _start
_start:
    movl (%esp), %eax                /* argc */
    movl 4(%esp), %edx               /* argv */
    pushl %edx
    pushl %eax
    call main
    pushl %eax
    call exit
1:  jmp 1b
