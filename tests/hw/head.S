/*
 * head: hwtest's multiboot entry and its trap stubs (vectors 0-31, the
 * PIT's 32, the LAPIC timer's 64 and the self-IPI's 68). The stubs build a struct frame (hwtest.c) and call trap();
 * every gate is an interrupt gate.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x3

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
    pushl %ebx
    call kmain
1:  jmp 1b

.macro STUB vec, has_error
    .globl stub_\vec
stub_\vec:
    .if \has_error == 0
    pushl $0
    .endif
    pushl $\vec
    jmp common
.endm
    .irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,64,68
    STUB \v, 0
    .endr
    .irp v, 8,10,11,12,13,14,17
    STUB \v, 1
    .endr

common:
    pushal
    pushl %esp
    call trap
    addl $4, %esp
    popal
    addl $8, %esp                    /* vector, error */
    iret

    .bss
    .align 16
    .space 8192
boot_stack_top:
