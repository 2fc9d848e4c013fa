/* xenpv: the topics in order (see xenpv.h). */
#include <pv86/elfnote.h>
#include <pv86/xen.h>

#include "xenpv.h"

/* What Linux's 32-bit PV kernels and the other Xen-ecosystem guests say. */
PV86_ELFNOTE_STR(features, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");

int guest_main(void)
{
    printf("xenpv: a guest that relies on what Xen PV kernels rely on\n");
    xenpv_loader();
    xenpv_time();            /* first: Xen's default periodic timer untouched */
    xenpv_ptwr();
    xenpv_fastcall();
    xenpv_frame();
    xenpv_debugreg();
    xenpv_iopl();
    xenpv_batch();
    uint32_t peer = cmdline_num("innocent", 0);
    if (peer)
        signal_domain(peer);
    return tap_done();
}
