/* time: vcpu_info time over 30 s. */
#include "xenpv.h"

void xenpv_time(void)
{
}
