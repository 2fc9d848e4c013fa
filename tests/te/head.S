/*
 * head: tetest's (and hwtest's, tests/hw) multiboot entry, its trap stubs,
 * and the way into and out of ring 2. The stubs build a struct frame
 * (tetest.h; hwtest.c has the same) and call trap(); every gate is an
 * interrupt gate.
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

/* Trap stubs: vectors 0-31, 32 (the timer), 48 (back from ring 2), 64 and
 * 68 (hwtest's LAPIC timer and self-IPI). */
.macro STUB vec, has_error
    .globl stub_\vec
stub_\vec:
    .if \has_error == 0
    pushl $0
    .endif
    pushl $\vec
    jmp common
.endm
    .irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,48,64,68
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

/* run_ring2(fn): call fn in ring 2 (code 0x1A, stack 0x22), back here when
 * it returns (int $0x30, whose handler sends the frame to ring2_back). */
    .globl run_ring2, ring2_back
run_ring2:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, saved_ksp
    movl 20(%esp), %eax
    movl %eax, ring2_fn
    pushl $0x22                      /* ss: ring-2 data */
    pushl $ring2_stack_top
    pushl $0x1A                      /* cs: ring-2 code */
    pushl $ring2_entry
    lret                             /* outward: the CPU does it */
ring2_entry:
    movl $0x22, %eax
    movl %eax, %ds
    movl %eax, %es
    call *ring2_fn
    int $0x30
ring2_back:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl saved_ksp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* lret_to(cs): a far return to cs:next at the current ring (tests its
 * refusal when cs is a ring-1 segment). */
    .globl lret_to
lret_to:
    movl 4(%esp), %eax
    pushl %eax
    pushl $1f
    lret
1:  ret

    .bss
    .align 16
    .globl ring2_fn, saved_ksp
ring2_fn:   .long 0
saved_ksp:  .long 0
    .space 8192
boot_stack_top:
    .space 4096
    .globl int_stack_top
int_stack_top:
    .space 4096
ring2_stack_top:
