/* batch: multicall ended by iret, event channels. */
#include "xenpv.h"

void xenpv_batch(void)
{
}
