/* iopl_probes: the attack guest's port I/O and register probes (iopl.c);
 * each resumes after a fault. in presets EAX to 0x5a5a5a5a. */
#include "asm.h"

    .section .text.probe, "ax"
    PROBE_IN_FN ia_inb, inb %dx, %al
    PROBE_IN_FN ia_inl, inl %dx, %eax
    PROBE_OUT_FN ia_outb, outb %al, %dx
    PROBE_OUT_FN ia_outw, outw %ax, %dx
    PROBE_OUT_FN ia_outl, outl %eax, %dx
    PROBE_REP_FN ia_rep_outsb, esi, rep outsb
    PROBE_REP_FN ia_rep_insb, edi, rep insb
    PROBE_WRMSR_FN ia_wrmsr
    PROBE_SET_FN ia_write_cr0, mov %eax, %cr0
    PROBE_SET_FN ia_write_cr4, mov %eax, %cr4
    PROBE_FN ia_read_cr4, mov %cr4, %eax
