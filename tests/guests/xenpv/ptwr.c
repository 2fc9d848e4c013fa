/* ptwr: direct writes to our own L1 entries. */
#include "xenpv.h"

void xenpv_ptwr(void)
{
}
