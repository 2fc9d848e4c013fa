/* iopl: virtual IOPL, CR and MSR reads. */
#include "xenpv.h"

void xenpv_iopl(void)
{
}
