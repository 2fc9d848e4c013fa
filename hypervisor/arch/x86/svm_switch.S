/*
 * svm_switch: the world switch of the hw mode (arch/x86/svm.h). The only
 * assembly of SVM: VMRUN saves and loads part of the state itself
 * (ES, CS, SS, DS, GDTR, IDTR, CR0/3/4, EFER, RFLAGS, RIP, RSP, RAX, DR6/7,
 * CPL: the host's into the VM_HSAVE_PA page, the guest's from its VMCB),
 * VMLOAD and VMSAVE the rest of what a guest may change (FS, GS, TR, LDTR,
 * STAR, the SYSENTER MSRs, KernelGsBase), and nothing at all keeps the
 * other general registers: that is done here.
 *
 * void svm_world_switch(uint32_t vmcb_pa, struct svm_gprs *gprs)
 *
 * Every entry starts again from the top of the hypervisor stack: nothing
 * the caller had there is kept (schedule() and resume_guest() never
 * return either), so the run loop cannot grow the stack. Picture while the
 * guest runs and after its #VMEXIT:
 *
 *   hv_stack_top ->  +-------------+
 *                    | gprs        |  (the vCPU's struct svm_gprs)
 *                    | vmcb_pa     |  <- ESP at VMRUN and at #VMEXIT
 *                    +-------------+
 *
 * Order. The host's FS, GS, TR, LDTR and SYSENTER MSRs are VMSAVEd to
 * svm_host_save before each run (a PV domain's LDT may have been loaded
 * since the last), the guest's VMLOADed from its VMCB; CLGI, then STI: at
 * VMRUN the host's IF is 1 (so an interrupt arriving in the guest exits
 * with INTR, V_INTR_MASKING keeping the guest's IF apart) while GIF 0
 * holds it off here. After #VMEXIT (GIF 0; EAX and ESP the host's again,
 * every other register the guest's) the guest's registers go to gprs, its
 * FS..SYSENTER to its VMCB (VMSAVE), the host's come back (VMLOAD); CLI,
 * STGI: an interrupt that made the exit stays pending until C takes it
 * (hw/exit.c, through the hypervisor's own interrupt path) at a point of
 * its choosing.
 */
#include "arch/x86/svm.h"

    .text
    .globl svm_world_switch
svm_world_switch:
    movl 4(%esp), %eax                /* vmcb_pa */
    movl 8(%esp), %esi                /* gprs */
    movl $hv_stack_top, %esp
    pushl %esi
    pushl %eax
    movl $svm_host_save, %eax         /* identity mapped: its address is physical */
    vmsave
    movl (%esp), %eax
    vmload
    clgi
    sti
    movl SVM_GPR_EBX(%esi), %ebx
    movl SVM_GPR_ECX(%esi), %ecx
    movl SVM_GPR_EDX(%esi), %edx
    movl SVM_GPR_EDI(%esi), %edi
    movl SVM_GPR_EBP(%esi), %ebp
    movl SVM_GPR_ESI(%esi), %esi
    vmrun
    /* #VMEXIT */
    pushl %esi
    movl 8(%esp), %esi                /* gprs, above the guest's ESI and vmcb_pa */
    movl %ebx, SVM_GPR_EBX(%esi)
    movl %ecx, SVM_GPR_ECX(%esi)
    movl %edx, SVM_GPR_EDX(%esi)
    movl %edi, SVM_GPR_EDI(%esi)
    movl %ebp, SVM_GPR_EBP(%esi)
    popl SVM_GPR_ESI(%esi)
    vmsave                            /* EAX: vmcb_pa, the host's again */
    movl $svm_host_save, %eax
    vmload
    cli
    stgi
    cld
    xorl %ebp, %ebp                   /* no frame of the guest's for a backtrace */
    call svm_exit_handler
    ud2                               /* it never returns */
