/* frame: what a bounce frame shows of EFLAGS, as Xen's compat frame. */
#include "xenpv.h"

void xenpv_nt_ud2(void);                      /* frame_probes.S */

void xenpv_frame(void)
{
    unsigned before = last_trap.count;
    xenpv_nt_ud2();
    ok(last_trap.count == before + 1 && last_trap.vector == 6 && (last_trap.eflags & 0x4000),
       "a #UD with EFLAGS.NT set: the bounce frame shows NT, as Xen's (eflags %#x)",
       (unsigned)last_trap.eflags);
}
