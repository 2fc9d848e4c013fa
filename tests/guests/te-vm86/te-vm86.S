/*
 * te-vm86: an unmodified-kernel attacker for te. A multiboot kernel whose
 * first act is a native iret, from its ring 0 (ring 1 under te), into
 * virtual-8086 mode at 0300:0010, where a hlt waits (#GP in vm86). QEMU's
 * TCG enters vm86 from ring 1; the hypervisor must crash this domain alone
 * ("entered virtual-8086 mode"), not itself (tests/guests/arch.sh).
 */
#define ASM_FILE
#include <multiboot/multiboot.h>

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

    .text
    .align 4
    .long MULTIBOOT_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)

    .globl _start
_start:
    movl $stack_top, %esp
    movb $0xF4, 0x3010                    /* hlt at linear 0x3010 */
    pushl $0                              /* gs */
    pushl $0                              /* fs */
    pushl $0                              /* ds */
    pushl $0                              /* es */
    pushl $0                              /* ss */
    pushl $0x0800                         /* sp */
    pushl $0x00020202                     /* VM, IF */
    pushl $0x0300                         /* cs */
    pushl $0x0010                         /* ip */
    iret
1:  jmp 1b

    .bss
    .align 16
    .space 4096
stack_top:
