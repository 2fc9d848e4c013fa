/*
 * head: entry of the ABI test guest. The hypervisor starts us in ring 1 with
 * ESI = start_info, ESP = the top of the boot stack, events masked.
 * Also here: the hypercall page (filled by the hypervisor) and the trap
 * stubs. A trap arrives with Xen's bounce frame on the kernel stack:
 *
 *   [error code]  (vectors with one, or 0 pushed by the stub)
 *   eip
 *   cs | saved upcall mask << 16
 *   eflags        (IF = !upcall mask)
 *   [esp, ss]     (from ring 3)
 *
 * The stub adds the vector and the registers, calls trap_handler(frame),
 * and leaves through the iret hypercall (slot 23), which pops eip, cs,
 * eflags [esp, ss] and sets the virtual IF from eflags.IF.
 */
#include <pv86/xen.h>

#define SYS_EXIT   1
#define SYS_GETPID 20

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    movl %esi, start_info_va
    pushl $0                         /* end of backtraces */
    call kmain
1:  jmp 1b                           /* kmain powers off */

    .section .text.hypercall_page, "ax"
    .align 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0

    .text
.macro TRAP vec, has_error
    .globl trap_stub_\vec
trap_stub_\vec:
    .if \has_error == 0
    pushl $0
    .endif
    pushl $\vec
    jmp trap_common
.endm
    TRAP 0, 0
    TRAP 3, 0
    TRAP 6, 0
    TRAP 13, 1
    TRAP 14, 1
    TRAP 128, 0
    TRAP 256, 0                      /* the event callback: vector 256 marks it */

trap_common:
    pushal
    pushl %esp
    call trap_handler
    addl $4, %esp
    popal
    addl $8, %esp                    /* vector, error code */
    jmp hypercall_page + __HYPERVISOR_iret * 32

/*
 * syscall_entry: int $0x80 from ring 3. With pv86's direct trap gate the
 * CPU comes here itself (eip, cs, eflags, esp, ss on the kernel stack); no
 * hypervisor entry. The way back is a native iret (ring 1 -> 3: IF stays
 * on, IOPL 0) when vcpu_info says no event is pending and none is masked;
 * otherwise the iret hypercall, which delivers the event and sets the
 * virtual IF from the frame.
 */
    .globl syscall_entry
syscall_entry:
    pushl $0
    pushl $128
    pushal
    pushl %esp
    call syscall_handler
    addl $4, %esp
    popal
    addl $8, %esp
    pushl %eax
    movl shared_info, %eax
    cmpw $0, (%eax)                  /* evtchn_upcall_pending, evtchn_upcall_mask */
    popl %eax
    jne 1f
    iret
1:  jmp hypercall_page + __HYPERVISOR_iret * 32

/*
 * user_run(eip, esp): enter ring 3 at eip with stack esp through the iret
 * hypercall. It returns (with eax) when the user code's `int $0x80` reaches
 * trap_handler, which calls user_return(eax).
 */
    .globl user_run, user_return
user_run:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, user_run_esp
    movl 20(%esp), %eax              /* eip */
    movl 24(%esp), %ecx              /* esp */
    pushl $FLAT_RING3_SS
    pushl %ecx
    pushl $0x202                     /* IF: events on in user mode */
    pushl $FLAT_RING3_CS
    pushl %eax
    xorl %eax, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32
user_return:
    movl 4(%esp), %eax
    movl user_run_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/*
 * Probes: instructions that are meant to fault. Each has an entry in
 * __probe_table: the faulting instruction and where to resume. The trap
 * handler records the trap and resumes there. They live in .text.probe so
 * that tools can tell deliberate sensitive instructions from real use.
 */
    .section .text.probe, "ax"
.macro PROBE_ENTRY insn, resume
    .pushsection __probe_table, "a"
    .long \insn, \resume
    .popsection
.endm
    .globl probe_read, probe_write, probe_cli
probe_read:                          /* uint32_t probe_read(uint32_t addr) */
    movl 4(%esp), %edx
    xorl %eax, %eax
1:  movl (%edx), %eax
2:  ret
    PROBE_ENTRY 1b, 2b
probe_write:                         /* void probe_write(uint32_t addr, uint32_t v) */
    movl 4(%esp), %edx
    movl 8(%esp), %eax
1:  movl %eax, (%edx)
2:  ret
    PROBE_ENTRY 1b, 2b
probe_cli:                           /* cli in ring 1: #GP(0) */
1:  cli
2:  ret
    PROBE_ENTRY 1b, 2b

    .globl probe_read_cr3, probe_load_fs
probe_read_cr3:                      /* mov %cr3: emulated for a PV guest */
1:  movl %cr3, %eax
2:  ret
    PROBE_ENTRY 1b, 2b
probe_load_fs:                       /* load %fs, then back to the flat one */
    movl 4(%esp), %eax
1:  movw %ax, %fs
2:  movl $FLAT_RING1_DS, %eax
    movw %ax, %fs
    ret
    PROBE_ENTRY 1b, 2b

    .globl probe_load_ds
probe_load_ds:                       /* load %ds and keep it */
    movl 4(%esp), %eax
1:  movw %ax, %ds
2:  ret
    PROBE_ENTRY 1b, 2b

/*
 * The failsafe callback: the hypervisor could not load our segments when
 * returning to us. Frame: ds, es, fs, gs, then eip, cs, eflags. The data
 * segments are null now, so reload them before touching memory.
 */
    .globl failsafe_callback
failsafe_callback:
    pushl %eax
    movl $FLAT_RING1_DS, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movl 4(%esp), %eax               /* the ds that could not be loaded */
    movl %eax, failsafe_ds
    incl failsafe_count
    popl %eax
    addl $16, %esp                   /* drop ds, es, fs, gs */
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* Probes with a bad stack: for the crash tests. */
    .globl probe_fault_on_bad_stack
probe_fault_on_bad_stack:            /* (bad_esp, addr): fault with esp = bad_esp */
    movl 8(%esp), %edx
    movl 4(%esp), %esp
    movl (%edx), %eax
    ud2

/* Ring-3 code: its own page, mapped with the user bit by the test. */
    .section .user.text, "ax"
    .align 4096
    .globl user_code, user_code_end
user_code:
    int $0x82                        /* hypercall from ring 3: #GP */
    int $0x40                        /* gate with DPL 1: #GP */
    int $3                           /* #BP: always the guest's */
    movl $SYS_EXIT, %eax
    movl $0x600d, %ebx
    int $0x80                        /* DPL 3: reaches the kernel */
    ud2

/* count (at the top of the stack) getpid calls; exit with the failures. */
    .globl user_getpid_loop
user_getpid_loop:
    movl (%esp), %esi
    xorl %edi, %edi
1:  testl %esi, %esi
    jz 2f
    movl $SYS_GETPID, %eax
    int $0x80
    cmpl $1, %eax
    je 3f
    incl %edi
3:  decl %esi
    jmp 1b
2:  movl $SYS_EXIT, %eax
    movl %edi, %ebx
    int $0x80
    ud2
    .align 4096
user_code_end:

    .bss
    .align 4
user_run_esp:
    .long 0
    .globl start_info_va
start_info_va:
    .long 0
    .globl failsafe_ds, failsafe_count
failsafe_ds:
    .long 0
failsafe_count:
    .long 0
