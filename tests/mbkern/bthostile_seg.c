/*
 * bthostile's segload and fpip attacks (tests/mbkern/bthostile.c):
 *   segload  loads of the hypervisor's selectors (0xe008, 0xe010) and bt's
 *            code selector (0xe018, 0xe019), beyond the kernel's GDT limit,
 *            into ES and FS by the forms bt copies into its cache as they
 *            are (mov, pop, lfs): the CPU's #GP with the selector as its
 *            error code at each (bt: its CS descriptor is execute-only)
 *   segvpage the same with bt's vpage selector (0xe020, 0xe021): bare
 *            QEMU's #GP; under bt the load succeeds (a known difference,
 *            docs/bt.md: run on bare QEMU only, tests/mbkern/btcases.sh)
 *   calloutwr  an instruction bt emulates (smsw to memory) writes the
 *            immediate of the instruction right after it: that one runs
 *            with the new bytes (as ahead, for the hypervisor's store)
 *   hotmmio  a store made hot by 32 stores into its own code page (bt:
 *            adaptive translation emulates it in a callout), then the same
 *            store to the local APIC's TPR (MMIO): it takes, as bare
 *   fpip     (a known difference under bt, bare QEMU only) fnstenv after an x87 instruction: the FPU's last instruction
 *            pointer and its CS selector are the guest's (bare QEMU: the
 *            instruction's address and 0x08; its fxsave stores 0 for both)
 */
#include "mbkern.h"

static volatile uint32_t sel_v, site;
static uint16_t es_after, fs_after;
static struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fptr;

/* Each: the load at label 1 (site), ES or FS read back after. */
static void mov_es(void *a)
{
    (void)a;
    __asm__ volatile("movl $1f, %0\n\tmovl %2, %%eax\n1:\tmovw %%ax, %%es\n\t"
                     "movw %%es, %1\n\tpushl %%ds\n\tpopl %%es"
                     : "=m"(site), "=m"(es_after) : "m"(sel_v) : "eax", "memory");
}
static void mov_fs(void *a)
{
    (void)a;
    __asm__ volatile("movl $1f, %0\n\tmovl %2, %%eax\n1:\tmovw %%ax, %%fs\n\t"
                     "movw %%fs, %1\n\tpushl %%ds\n\tpopl %%fs"
                     : "=m"(site), "=m"(fs_after) : "m"(sel_v) : "eax", "memory");
}
static void pop_fs(void *a)
{
    (void)a;
    __asm__ volatile("movl $1f, %0\n\tpushl %2\n1:\tpopl %%fs\n\t"
                     "movw %%fs, %1\n\tpushl %%ds\n\tpopl %%fs"
                     : "=m"(site), "=m"(fs_after) : "m"(sel_v) : "memory");
}
static void lfs_(void *a)
{
    (void)a;
    fptr.sel = (uint16_t)sel_v;
    __asm__ volatile("movl $1f, %0\n1:\tlfs %2, %%eax\n\t"
                     "movw %%fs, %1\n\tpushl %%ds\n\tpopl %%fs"
                     : "=m"(site), "=m"(fs_after) : "m"(fptr) : "eax", "memory");
}

struct selcase { uint32_t sel; const char *what; };

static void segloads(const struct selcase *t, unsigned n)
{
    static const struct { const char *how; void (*fn)(void *); } f[] = {
        { "mov es", mov_es }, { "mov fs", mov_fs }, { "pop fs", pop_fs }, { "lfs", lfs_ },
    };
    for (unsigned j = 0; j < sizeof(f) / sizeof(f[0]); j++)
        for (unsigned i = 0; i < n; i++) {
            sel_v = t[i].sel;
            es_after = fs_after = 0xFFFF;
            int v = mbk_catch(f[j].fn, 0);
            mbk_printf("# %s 0x%x: vector %d, error 0x%x, es 0x%x fs 0x%x\n", f[j].how,
                       t[i].sel, v, mbk_last_error, es_after, fs_after);
            report(v == 13 && mbk_last_error == (t[i].sel & ~3u), "%s 0x%x (%s, beyond the GDT "
                   "limit): #GP(0x%x)", f[j].how, t[i].sel, t[i].what, t[i].sel & ~3u);
        }
}

void attack_segload(void)
{
    static const struct selcase t[] = {
        { 0xe008, "the hypervisor's code" },  { 0xe010, "the hypervisor's data" },
        { 0xe018, "bt's code" },              { 0xe019, "bt's code, RPL 1" },
    };
    segloads(t, sizeof(t) / sizeof(t[0]));
}

void attack_segvpage(void)
{
    static const struct selcase t[] = {
        { 0xe020, "bt's vpage data" },        { 0xe021, "bt's vpage data, RPL 1" },
    };
    segloads(t, sizeof(t) / sizeof(t[0]));
}

/* ---- fpip ---- */

extern char fpip_site[];

void attack_fpip(void)
{
    uint32_t env[7];
    uint32_t cr0;
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("movl %0, %%cr0" :: "r"((cr0 & ~0xCu) | 0x22u));   /* EM, TS off; MP, NE */
    __asm__ volatile("fninit\n.globl fpip_site\nfpip_site:\tfldz\n\tfnstenv %0\n\tfninit"
                     : "=m"(env) :: "memory");
    mbk_printf("# fnstenv: FIP - fldz = %d, FCS 0x%x\n", (int)(env[3] - (uint32_t)fpip_site),
               env[4] & 0xFFFF);
    report(env[3] == (uint32_t)fpip_site, "fnstenv after fldz: FIP is the guest's fldz");
    report((env[4] & 0xFFFF) == 0x08, "fnstenv after fldz: FCS is the guest's CS 0x08");
}

/* ---- calloutwr ---- */

/* calloutwr_smsw(): the immediate of the next instruction reset by a
 * store, then smsw (a callout under bt, emulated) writes its low half;
 * the mov that follows must run with the bytes as smsw left them. */
__asm__(".text\n"
        ".globl calloutwr_smsw\n"
        "calloutwr_smsw:\n"
        "  movl $0x22222222, 2f+1\n"
        "  smsw 2f+1\n"
        "2: movl $0x33333333, %eax\n"
        "  ret\n");
uint32_t calloutwr_smsw(void);

void attack_calloutwr(void)
{
    uint16_t msw;
    __asm__ volatile("smsw %0" : "=r"(msw));
    unsigned ok = 0;
    uint32_t last = 0;
    for (unsigned i = 0; i < 20; i++) {
        last = calloutwr_smsw();
        ok += last == (0x22220000u | msw);
    }
    mbk_printf("# calloutwr: msw 0x%x, last 0x%x, %u of 20\n", msw, last, ok);
    report(ok == 20, "smsw into the next instruction's immediate (after a store resets it), 20 "
           "times: the mov runs with smsw's bytes");
}

/* ---- hotmmio ---- */

/* hot_store(addr, val): one store; its own page holds hot_word, the
 * target of its first calls (a store into a page with code: under bt it
 * traps until adaptive translation makes it a callout). */
__asm__(".text\n"
        ".balign 4096\n"
        ".globl hot_store, hot_word\n"
        "hot_store:\n"
        "  movl 4(%esp), %edx\n"
        "  movl 8(%esp), %eax\n"
        "  movl %eax, (%edx)\n"
        "  ret\n"
        "  .balign 64\n"
        "hot_word: .long 0\n"
        "  .balign 4096\n");
void hot_store(volatile uint32_t *at, uint32_t val);
extern volatile uint32_t hot_word;

void attack_hotmmio(void)
{
    for (uint32_t i = 1; i <= 32; i++)
        hot_store(&hot_word, i);
    report(hot_word == 32, "32 stores into the page of the storing code: the last one's value");
    volatile uint32_t *tpr = (volatile uint32_t *)0xFEE00080u;
    uint32_t before = *tpr;
    hot_store(tpr, 0x20);
    uint32_t after = *tpr;
    hot_store(tpr, before);
    mbk_printf("# hotmmio: TPR 0x%x, then 0x%x, then 0x%x\n", before, after, *tpr);
    report((after & 0xF0) == 0x20, "the same store to the local APIC's TPR (MMIO): it reads back 0x20");
    report(*tpr == before, "and back to 0x%x", before);
}
