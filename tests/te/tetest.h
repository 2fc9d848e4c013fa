/* tetest: what its parts (tetest.c, gdt.c) share. */
#ifndef TETEST_H
#define TETEST_H

#include <stdint.h>

extern volatile int got_vector;
extern volatile uint32_t got_error, fixup_eip, try_esp;
extern uint64_t gdt[8];                 /* the boot-time GDT (setup_cpu) */

void puts_(const char *s);
void putx(uint32_t v);
void result(int ok, const char *name);
/* A code or data descriptor: access byte type_dpl (P, DPL, S, type), G and D set. */
uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t type_dpl);

/* TRY(code): run code (basic asm); a fault resumes after it, with its
 * vector in got_vector (else -1) and its error code in got_error. Every
 * register and the stack pointer come back as they were. */
#define TRY(code)                                                               \
    ({ got_vector = -1;                                                         \
       __asm__ volatile("pushal\n\tmovl %esp, try_esp\n\tmovl $9f, fixup_eip\n\t" \
                        code "\n9:\n\tmovl try_esp, %esp\n\tmovl $0, fixup_eip\n\tpopal"); \
       got_vector; })

/* Call fn in ring 2 (code 0x1A, stack 0x22); back through int $0x30. */
void run_ring2(void (*fn)(void));
void set_tss_ss0(uint32_t ss0);

void test_gdt(void);
/* "gdt-reserved": a descriptor of the guest's own where te keeps the
 * hypervisor's; te crashes the domain with a clear line. */
void gdt_reserved(void);
/* "gdt-hostile" (gdt_hostile.c): the hypervisor's four slots, a stale
 * entry, a GDT wrapping at 4 GiB; "gdt-unmapped": a descriptor past the
 * guest's memory, which crashes the domain. */
void test_gdt_hostile(void);
void gdt_unmapped(void);
/* "port-sweep" (ports_hostile.c): every port at every size against te's
 * virtual PC, then the devices still answer. */
void test_port_sweep(void);

#endif
