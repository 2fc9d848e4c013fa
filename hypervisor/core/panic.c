/* panic and machine exit (see panic.h). */
#include "core/panic.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "core/console.h"
#include "lib/format.h"

#define DEBUG_EXIT_PORT 0xF4
#define ACPI_PM1A_CNT   0x604      /* QEMU pc: PIIX4 PM base 0x600 */
#define ACPI_SLP_EN     0x2000

void machine_exit(uint32_t code)
{
    outl(DEBUG_EXIT_PORT, code);
    printk("isa-debug-exit did not stop the machine (no -device isa-debug-exit?)\n");
    halt_forever();
    __builtin_unreachable();
}

void machine_poweroff(void)
{
    outw(ACPI_PM1A_CNT, ACPI_SLP_EN);
    /* QEMU acts on the request from its main loop, some time later however
     * loaded the host is: wait for it halted, never a fixed number of steps
     * (a bounded wait raced with QEMU under load). */
    halt_forever();
    __builtin_unreachable();
}

void dump_frame(const struct cpu_frame *f)
{
    printk("eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
    printk("esi %08x edi %08x ebp %08x\n", f->esi, f->edi, f->ebp);
    printk("eip %08x cs %04x eflags %08x vector %u error %08x\n",
           f->eip, f->cs & 0xFFFF, f->eflags, f->vector, f->error);
    if (f->cs & 3)
        printk("esp %08x ss %04x\n", f->esp, f->ss & 0xFFFF);
    printk("ds %04x es %04x fs %04x gs %04x cr2 %08x cr3 %08x\n",
           f->ds & 0xFFFF, f->es & 0xFFFF, f->fs & 0xFFFF, f->gs & 0xFFFF,
           read_cr2(), read_cr3());
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printk("PANIC at %s:%d: %s\n", file, line, msg);
    printk("esp %08x ebp %08x cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n",
           read_esp(), read_ebp(), read_cr0(), read_cr2(), read_cr3(), read_cr4());
    machine_exit(EXIT_CODE_PANIC);
}

void panic_frame(const char *file, int line, const struct cpu_frame *f, const char *why)
{
    printk("PANIC at %s:%d: %s\n", file, line, why);
    dump_frame(f);
    machine_exit(EXIT_CODE_PANIC);
}
