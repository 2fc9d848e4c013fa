/* fastcall: sysenter/syscall32 callbacks, SYSENTER. */
#include "xenpv.h"

void xenpv_fastcall(void)
{
}
