/*
 * hello: the smallest PV guest of pv86, in one file, written only against
 * the public headers (abi/include/pv86). docs/writing-a-pv-guest.md reads
 * it line by line. Build and boot it with
 *
 *     make run-guest SRC=tests/guests/hello/hello.c
 */
#include <pv86/elfnote.h>
#include <pv86/hypercall.h>

/* 1. Entry. The hypervisor starts the guest in ring 1 at the ENTRY note's
 *    address, with ESI pointing at start_info and ESP at a boot stack in
 *    the guest's own memory. The hypercall page is a page of our image that
 *    the hypervisor fills with one 32-byte stub per hypercall. */
__asm__(
    ".section .text.entry, \"ax\"\n"
    ".globl _start\n"
    "_start:\n"
    "    cld\n"
    "    pushl %esi\n"              /* hello(start_info) */
    "    call hello\n"
    "1:  jmp 1b\n"
    ".section .text.hypercall_page, \"ax\"\n"
    ".align 4096\n"
    ".globl hypercall_page\n"
    "hypercall_page:\n"
    "    .fill 4096, 1, 0\n"
    ".text\n");

/* 2. Notes. The domain builder reads these ELF notes to learn that this is
 *    a Xen PV guest, where it starts (_start), where its hypercall page is
 *    and how its virtual addresses relate to its memory (VIRT_BASE 0:
 *    VA = pfn << 12); the macro emits the seven of them (<pv86/elfnote.h>). */
PV86_ELFNOTES_PV("hello");

/* 3. Output. The initial domain may write to the console with console_io. */
static void print(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    hv_console_io(CONSOLEIO_write, n, (char *)(uintptr_t)s);
}

static void print_hex(const char *label, uint32_t v)
{
    char buf[] = "0x00000000\n";
    for (int i = 0; i < 8; i++)
        buf[9 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
    print(label);
    print(buf);
}

/* 4. hello: greet, show what start_info says, ask the hypervisor a question,
 *    power off. Shutting down is a request: the hypervisor tears the domain
 *    down and never returns here. */
void hello(const struct start_info *si)
{
    print("hello from a PV guest\n");
    print("start_info magic: ");
    print(si->magic);
    print("\n");
    print_hex("pages of memory:  ", si->nr_pages);
    print_hex("hypervisor:       ", (uint32_t)hv_xen_version(XENVER_version, 0));
    print("command line:     \"");
    print(si->cmd_line);
    print("\"\n");

    struct sched_shutdown s = { SHUTDOWN_poweroff };
    hv_sched_op(SCHEDOP_shutdown, &s);
}
