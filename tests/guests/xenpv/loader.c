/* loader: what the domain builder gave us, as Xen's gives it. */
#include <pv86/xen.h>

#include "xenpv.h"

void xenpv_loader(void)
{
    ok(memcmp(start_info->magic, "xen-3.0-x86_32p", 15) == 0,
       "start_info magic is xen-3.0-x86_32p");
}
