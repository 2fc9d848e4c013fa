/* debugreg: breakpoints, single-step. */
#include "xenpv.h"

void xenpv_debugreg(void)
{
}
