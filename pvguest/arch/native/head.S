/*
 * head (native): multiboot entry and the trap entry points of the native
 * flavour, on bare (virtual) hardware with the real instructions.
 *
 * Every gate is an interrupt gate, so the kernel runs with IF clear; the
 * stubs complete a struct trap_frame (kernel/kernel.h), call trap() and
 * leave with iret, which restores IF from the frame.
 */
#define ASM_FILE
#include <multiboot/multiboot.h>

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)

    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    movl $boot_stack_top, %esp
    pushl $0                         /* end of backtraces */
    pushl %ebx                       /* multiboot information */
    pushl %eax                       /* magic */
    call native_boot
1:  cli
    hlt
    jmp 1b

/* load_segments(code, data): after lgdt, reload CS and the data segments
 * (SS the kernel's; DS and ES the user data selector, which ring 0 may use
 * too, so that no entry or exit path loads a segment). */
    .text
    .globl load_segments
load_segments:
    movl 4(%esp), %eax
    pushl %eax
    pushl $1f
    lret
1:  movl $0x10, %eax
    movl %eax, %ss
    movl 8(%esp), %eax
    movl %eax, %ds
    movl %eax, %es
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    ret

#include "kernel/trap_stubs.inc"
    EXCEPTION_STUBS
    .irp irq, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    TRAP \irq, 0
    .endr
    TRAP 128, 0

trap_common:
    pushal
    pushl %esp
    call trap
    addl $4, %esp
trap_exit:
    popal
    addl $8, %esp                    /* vector, error code */
    iret

/* trap_return_to(frame): leave through trap_exit with this frame. */
    .globl trap_return_to
trap_return_to:
    movl 4(%esp), %esp
    jmp trap_exit

    .bss
    .align 16
boot_stack:
    .skip 16384
boot_stack_top:
