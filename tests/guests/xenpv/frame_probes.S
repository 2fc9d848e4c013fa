/* frame_probes: a #UD taken with EFLAGS.NT set in ring 1 (frame.c). */
#include "asm.h"

    .text
    .globl xenpv_nt_ud2
xenpv_nt_ud2:
    pushfl
    orl $0x4000, (%esp)               /* NT */
    popfl
1:  ud2
2:  pushfl
    andl $~0x4000, (%esp)
    popfl
    ret
    PROBE 1b, 2b
