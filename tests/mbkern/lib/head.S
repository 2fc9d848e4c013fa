/*
 * head: the entry of every mbkern test kernel (tests/mbkern), its
 * multiboot header, one interrupt stub per vector and mbk_catch, which runs
 * a function and comes back with the vector of the exception it raised.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x3            /* modules page-aligned; memory information */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    cli
    cld
    movl $boot_stack_top, %esp
    pushl %ebx                       /* the multiboot information */
    pushl %eax                       /* the loader's magic */
    call mbk_start                   /* does not return */
1:  hlt
    jmp 1b

/* One stub per vector; those of the exceptions without an error code push
 * a zero in its place, so that every frame has the same layout. */
.macro STUB vec
    .align 16
stub_\vec:
    .if (\vec != 8) && (\vec != 10) && (\vec != 11) && (\vec != 12) && (\vec != 13) && (\vec != 14) && (\vec != 17) && (\vec != 21) && (\vec != 29) && (\vec != 30)
    pushl $0
    .endif
    pushl $\vec
    jmp common
.endm

    .globl mbk_stubs
    .align 16
mbk_stubs:                           /* stub N at mbk_stubs + 16 * N */
    .altmacro
    .set vec, 0
    .rept 256
    STUB %vec
    .set vec, vec + 1
    .endr

/* struct mbk_frame (mbkern.h): gs, fs, es, ds, pushal, vector, error, iret. */
common:
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    pushl %esp
    call mbk_trap
    addl $4, %esp
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp                    /* vector, error */
    iret

/* int mbk_catch(void (*fn)(void *), void *arg): fn(arg); -1 if it returned,
 * or the vector of the exception it raised (mbk_trap sends the faulting
 * frame to mbk_landing, which returns from here with the callee-saved
 * registers and the stack as they were). */
    .globl mbk_catch, mbk_landing
mbk_catch:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, mbk_catch_esp
    movl $1, mbk_catching
    pushl 24(%esp)                   /* arg */
    call *24(%esp)                   /* fn (4 further down after the push) */
    addl $4, %esp
    movl $0, mbk_catching
    movl $-1, %eax
    jmp 1f
mbk_landing:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl mbk_catch_esp, %esp
    movl mbk_caught, %eax
1:  popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .bss
    .align 16
    .globl mbk_catch_esp, mbk_catching, mbk_caught
mbk_catch_esp: .long 0
mbk_catching:  .long 0
mbk_caught:    .long 0
    .space 16384
boot_stack_top:
