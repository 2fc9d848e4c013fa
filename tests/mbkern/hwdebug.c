/*
 * hwdebug: debug registers and CPU state of an unmodified kernel, as a hostile hw guest
 * uses them, picked by test=NAME:
 *   dr7       DR7 written directly and through DR5 (its alias while
 *             CR4.DE is clear) reads back as on bare QEMU; DR5 with CR4.DE
 *             set is #UD
 *   dr-host   an instruction breakpoint at addr=X, an address the guest
 *             never runs (the test passes one of the hypervisor's), left
 *             armed while it exits: nothing outside this guest may take
 *             a #DB for it, and the guest carries on
 *   invlpga   the SVM instruction INVLPGA: #UD, as the guest's EFER.SVME
 *             reads 0
 *   cr0-nw    CR0.NW set with CD clear (QEMU takes the mov, its VMRUN
 *             refuses the state): the domain must crash alone
 *   ins-end   REP INSB from the last bytes of RAM past its end, and
 *   ins-wrap  with DF set from address 3 down through the 4 GiB wrap: the
 *             domain must crash alone, nothing written outside its RAM
 *   cli-hlt   HLT with IF clear: halted for ever, as on bare QEMU (only a
 *             timeout ends the run)
 * Each reports what it saw and ends through the exit port.
 */
#include "mbkern.h"

const char mbk_name[] = "hwdebug";

static volatile uint32_t db_count, db_dr6, db_eip;

static void on_db(struct mbk_frame *f)
{
    uint32_t dr6;
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    db_count++;
    db_dr6 = dr6;
    db_eip = f->eip;
    __asm__ volatile("mov %0, %%dr6" :: "r"(0xFFFF0FF0u));
}

static void set_dr0(uint32_t v) { __asm__ volatile("mov %0, %%dr0" :: "r"(v)); }
static void set_dr7(uint32_t v) { __asm__ volatile("mov %0, %%dr7" :: "r"(v)); }
static void exit_once(void)
{
    uint32_t r[4];
    cpuid(0, r);                            /* an exit under hw */
}

/* L0, data write, 4 bytes: bits 0, 17:16 = 01, 19:18 = 11 */
#define DR7_L0_W4 (0x400u | 1u | (1u << 16) | (3u << 18))
/* L0, instruction (RW 00, LEN 00) */
#define DR7_L0_X  (0x400u | 1u)

static uint32_t get_dr7(void)
{
    uint32_t v;
    __asm__ volatile("mov %%dr7, %0" : "=r"(v));
    return v;
}
static void set_dr5(void *a) { __asm__ volatile("mov %0, %%dr5" :: "r"(*(uint32_t *)a)); }
static uint32_t get_cr4(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
static void set_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v)); }

/* DR7 as the guest writes it: directly and through DR5 (CR4.DE clear),
 * read back; with CR4.DE set DR5 is #UD. The same on bare QEMU. */
static void test_dr7(void)
{
    uint32_t v = DR7_L0_W4 & ~0x400u;      /* bit 10 reads as 1 whatever is written */
    set_dr7(v);
    uint32_t a = get_dr7();
    set_dr7(0x400);
    uint32_t b = get_dr7();
    uint32_t w = 0x402;                     /* G0 through the alias */
    int rc = mbk_catch(set_dr5, &w);
    uint32_t c = get_dr7();
    set_dr7(0x400);
    mbk_printf("# dr7: wrote 0x%x, read 0x%x; then 0x%x; dr5 (%d) gave dr7 0x%x\n", v, a, b,
               rc, c);
    report(a == DR7_L0_W4 && b == 0x400, "DR7 reads back what was written, bit 10 set");
    report(rc == -1 && c == 0x402, "DR5 writes DR7 while CR4.DE is clear");
    set_cr4(get_cr4() | 8);
    rc = mbk_catch(set_dr5, &w);
    set_cr4(get_cr4() & ~8u);
    report(rc == 6 && get_dr7() == 0x400, "DR5 with CR4.DE set: #UD, DR7 unchanged");
}

static void test_host(void)
{
    int ok = 0;
    const char *a = cmdline_value("addr");
    uint32_t x = a ? mbk_strtou(a, &ok) : 0;
    report(ok && x, "addr=X on the command line");
    if (!ok || !x)
        return;
    mbk_handle(1, on_db);
    /* DR0 = X, armed as an instruction breakpoint, and kept armed over
     * many exits (port writes, CPUID). */
    set_dr0(x);
    set_dr7(DR7_L0_X);
    exit_once();
    set_dr7(0x400);
    set_dr7(DR7_L0_X);
    for (int i = 0; i < 200; i++)
        exit_once();
    mbk_printf("# dr-host: breakpoint at 0x%x armed over 200 exits\n", x);
    set_dr7(0x400);
    set_dr0(0);
    report(db_count == 0, "no #DB in the guest, which never ran there");
}

/* CR0.NW without CD: QEMU's mov to CR0 takes it, its VMRUN refuses it. */
static void test_cr0_nw(void)
{
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    mbk_printf("# cr0-nw: CR0 0x%x, setting NW (bit 29) without CD\n", cr0);
    cr0 = (cr0 | (1u << 29)) & ~(1u << 30);
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0));
    exit_once();
    report(0, "the machine ran on with CR0.NW set and CD clear");
}

/* INVLPGA (an SVM instruction): #UD while EFER.SVME reads 0. */
static void do_invlpga(void *a)
{
    __asm__ volatile(".byte 0x0f, 0x01, 0xdf" :: "a"(a), "c"(0) : "memory");
}

static void test_invlpga(void)
{
    int v = mbk_catch(do_invlpga, (void *)0x1000);
    mbk_printf("# invlpga: vector %d, EFER 0x%x\n", v, (uint32_t)rdmsr(0xC0000080u));
    report(v == 6, "invlpga with EFER.SVME clear: #UD");
}

/* HLT with interrupts off: nothing but an NMI wakes a CPU from it. */
static void test_cli_hlt(void)
{
    mbk_printf("# cli-hlt: halting with interrupts off\n");
    __asm__ volatile("cli; hlt" ::: "memory");
    report(0, "woke from hlt with interrupts off");
}

/* REP INSB (port 0x80 reads all ones) whose destination runs from the
 * last bytes of RAM (the memory map's end below 3 GiB) past it; with
 * "down", DF set from address 3 down through 0 to the 4 GiB wrap. */
static void test_ins_end(int down)
{
    uint32_t end = 0;
    if (mbk_info->flags & (1u << 6))
        for (uint32_t p = mbk_info->mmap_addr; p < mbk_info->mmap_addr + mbk_info->mmap_length;) {
            struct mb_mmap *e = (struct mb_mmap *)p;
            if (e->type == 1 && e->addr + e->len <= 0xC0000000ull && e->addr + e->len > end)
                end = (uint32_t)(e->addr + e->len);
            p += 4 + e->size;
        }
    uint32_t edi = down ? 3 : end - 4, ecx = 4096;
    mbk_printf("# ins-end: rep insb at 0x%x, ecx %u, %s\n", edi, ecx, down ? "down" : "up");
    if (down)
        __asm__ volatile("std\n\trep insb\n\tcld" : "+D"(edi), "+c"(ecx) : "d"(0x80) : "memory");
    else
        __asm__ volatile("cld\n\trep insb" : "+D"(edi), "+c"(ecx) : "d"(0x80) : "memory");
    report(0, "rep insb ran past RAM (edi 0x%x, ecx %u)", edi, ecx);
}

void mbk_main(void)
{
    const char *t = cmdline_value("test");
    if (!t)
        report(0, "test=NAME on the command line");
    else if (streq(t, "dr7"))
        test_dr7();
    else if (streq(t, "invlpga"))
        test_invlpga();
    else if (streq(t, "ins-end"))
        test_ins_end(0);
    else if (streq(t, "ins-wrap"))
        test_ins_end(1);
    else if (streq(t, "cli-hlt"))
        test_cli_hlt();
    else if (streq(t, "cr0-nw"))
        test_cr0_nw();
    else if (streq(t, "dr-host"))
        test_host();
    else
        report(0, "test=%s: no such test", t);
}
