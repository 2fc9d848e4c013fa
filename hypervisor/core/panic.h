/*
 * panic: the end of the machine. For the hypervisor's own invariants only,
 * never for anything a guest controls. Prints file:line, the message and a
 * register dump, and exits QEMU with status 7.
 */
#ifndef HV_CORE_PANIC_H
#define HV_CORE_PANIC_H

#include <stdint.h>

struct cpu_frame;

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define ASSERT(c) do { if (!(c)) panic("assertion failed: %s", #c); } while (0)

__attribute__((noreturn, format(printf, 3, 4)))
void panic_at(const char *file, int line, const char *fmt, ...);
__attribute__((noreturn))
void panic_frame(const char *file, int line, const struct cpu_frame *f, const char *why);
void dump_frame(const struct cpu_frame *f);

/*
 * How a run ends. QEMU's exit status: 0 when every domain powered off (ACPI
 * poweroff); otherwise isa-debug-exit with code c gives status 2c+1.
 * tools/run-qemu turns a 0 without "all domains powered off" as the last
 * line (a triple fault, a reset) into 11.
 */
#define EXIT_CODE_CRASH   1   /* a domain crashed:        status 3 */
#define EXIT_CODE_REBOOT  2   /* a domain asked reboot:   status 5 */
#define EXIT_CODE_PANIC   3   /* hypervisor panic:        status 7 */
#define EXIT_CODE_NOT_EQUIVALENT 4  /* a te domain's watchdog: status 9 */
/* (5 would be status 11, which tools/run-qemu keeps for a reset) */
#define EXIT_CODE_REFUSED 6   /* a guest image refused:   status 13 */
#define EXIT_CODE_SHUTDOWN_OTHER 7  /* another shutdown code: status 15 */
/*
 * The hypervisor option onevm (core/main.c): the run is one virtual machine
 * (a multiboot kernel and its modules). Its guest's write of V to the exit
 * port (vm/request.c) is recorded here; machine_end then ends the machine
 * as bare QEMU with isa-debug-exit would: the line "d1 wrote V to the exit
 * port: exit status S" and V written to the real port, so QEMU's status is
 * S = ((V << 1) | 1) & 0xff. (QEMU's status depends on the value the
 * access carried only, not on its width: V written as a double word
 * stops QEMU as the guest's own byte or word write would.)
 */
extern int machine_onevm;
void machine_guest_exit(uint16_t domid, uint32_t value);
__attribute__((noreturn)) void machine_poweroff(void);
__attribute__((noreturn)) void machine_exit(uint32_t code);

#endif
