/*
 * boot: multiboot v1 entry. The loader (QEMU -kernel) enters here in 32-bit
 * protected mode, paging off, with EAX = multiboot magic and EBX = the
 * multiboot information. We load a boot GDT, set up the boot stack (which
 * later serves as the hypervisor stack for every trap) and call hv_main.
 */
#define ASM_FILE
#include <multiboot/multiboot.h>

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    cli
    cld
    movl $hv_stack_top, %esp
    lgdt boot_gdt_ptr
    ljmp $0x08, $1f
1:  movl $0x10, %ecx
    movl %ecx, %ds
    movl %ecx, %es
    movl %ecx, %fs
    movl %ecx, %gs
    movl %ecx, %ss
    pushl $0                /* a null return address ends backtraces */
    pushl %ebx              /* multiboot info */
    pushl %eax              /* magic */
    call hv_main
2:  cli
    hlt
    jmp 2b

    .data
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF   /* 0x08: flat 4 GiB code, ring 0 */
    .quad 0x00CF92000000FFFF   /* 0x10: flat 4 GiB data, ring 0 */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    .bss
    .align 4096
    .globl hv_stack_bottom, hv_stack_top
hv_stack_bottom:
    .skip 16384
hv_stack_top:
