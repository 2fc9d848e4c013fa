/*
 * xenpv: a test guest built the way a Xen PV guest is built (an ELF image
 * with Xen's notes, written against abi/include only) that relies on what
 * real Xen PV kernels rely on: FEATURES "!writable_page_tables|
 * pae_pgdir_above_4gb", direct writes to its own L1 entries, SYSENTER system
 * calls, system time from vcpu_info alone, debug registers, a virtual IOPL,
 * and multicalls ended by iret. Each topic is a file of its own with one
 * entry point; main.c runs them in a fixed order and prints TAP.
 *
 * Command line: innocent=N (the domain to signal at the end, 0: none).
 */
#ifndef XENPV_H
#define XENPV_H

#include "guest.h"

void xenpv_loader(void);     /* loader.c: what the domain builder gave us */
void xenpv_time(void);       /* time.c: vcpu_info time over 30 s; stops the periodic timer */
void xenpv_ptwr(void);       /* ptwr.c: direct writes to our own L1 entries */
void xenpv_fastcall(void);   /* fastcall.c: sysenter/syscall32 callbacks, SYSENTER */
void xenpv_frame(void);      /* frame.c: EFLAGS in a bounce frame */
void xenpv_debugreg(void);   /* debugreg.c: breakpoints, single-step */
void xenpv_iopl(void);       /* iopl.c: virtual IOPL, CR and MSR reads */
void xenpv_batch(void);      /* batch.c: multicall ended by iret, event channels */

#endif
