/*
 * hostile: what an unmodified kernel may do that a hypervisor must contain,
 * one attack per boot, picked by test=NAME on the command line:
 *   outside   write far above its RAM (0xc0000000) and just past the end of
 *             the memory map's last region below 3 GiB
 *   vmrun, vmmcall, clgi, stgi   execute the SVM instruction (with
 *             EFER.SVME clear, as this kernel leaves it: #UD)
 *   hole      read and write MMIO in an unmapped hole (0xfeb00000)
 *   triple    load an empty IDT and fault: a triple fault (shutdown)
 *   storm     the LAPIC timer periodic with initial count 1, and self-IPIs
 *             one after another, for a bounded number of interrupts
 * On bare QEMU each ends as bare QEMU ends it: the kernel reports what it
 * saw and exits through the exit port (status 1 when every check passed),
 * except triple, which shuts the machine down (QEMU -no-reboot: status 0).
 */
#include "mbkern.h"
#include "lapic.h"

const char mbk_name[] = "hostile";

/* ---- outside and hole: writes that must not land anywhere ---- */

static uint32_t map_end_below(uint64_t limit, int available_only)
{
    uint64_t end = 0;
    if (!(mbk_info->flags & (1u << 6)))
        return 0;
    for (uint32_t p = mbk_info->mmap_addr; p < mbk_info->mmap_addr + mbk_info->mmap_length;) {
        struct mb_mmap *e = (struct mb_mmap *)p;
        if (e->size < 20)
            break;
        if (e->addr < limit && (!available_only || e->type == 1) && e->addr + e->len > end)
            end = e->addr + e->len;
        p += 4 + e->size;
    }
    return end > limit ? (uint32_t)limit : (uint32_t)end;
}

static int poke(uint32_t pa, const char *what)
{
    volatile uint32_t *p = (volatile uint32_t *)pa;
    uint32_t before = p[0];
    p[0] = 0x5A5A1234;
    p[1] = 0xA5A54321;
    uint32_t after = p[0];
    mbk_printf("# %s 0x%x: read 0x%x, wrote 0x5a5a1234, read 0x%x\n", what, pa, before, after);
    return after != 0x5A5A1234;
}

static void attack_outside(void)
{
    uint32_t ram_end = map_end_below(0xC0000000u, 1);
    uint32_t map_end = map_end_below(0xC0000000u, 0);
    report(ram_end >= 0x200000 && map_end >= ram_end, "the memory map gives the end of RAM");
    volatile uint32_t *last = (volatile uint32_t *)(ram_end - 4);
    uint32_t keep = *last;
    *last = 0x1A57;
    report(poke(0xC0000000u, "far above RAM"), "a write at 0xc0000000 does not read back");
    report(poke(map_end, "past the memory map"), "a write past the memory map's end does not read back");
    report(*last == 0x1A57, "the last word of RAM is unchanged");
    *last = keep;
}

static void attack_hole(void)
{
    report(poke(0xFEB00000u, "MMIO hole"), "a write to the hole at 0xfeb00000 does not read back");
    volatile uint8_t *b = (volatile uint8_t *)0xFEB00FF0u;
    uint8_t v = b[0];
    b[1] = 0x77;
    mbk_printf("# MMIO hole 0xfeb00ff0: byte 0x%x\n", v);
    report(1, "byte accesses to the hole return");
}

/* ---- the SVM instructions ---- */

static uint8_t vmcb[4096] __attribute__((aligned(4096)));

static void do_vmrun(void *a) { __asm__ volatile(".byte 0x0f, 0x01, 0xd8" :: "a"(a) : "memory"); }
static void do_vmmcall(void *a) { (void)a; __asm__ volatile(".byte 0x0f, 0x01, 0xd9" ::: "memory"); }
static void do_stgi(void *a) { (void)a; __asm__ volatile(".byte 0x0f, 0x01, 0xdc" ::: "memory"); }
static void do_clgi(void *a) { (void)a; __asm__ volatile(".byte 0x0f, 0x01, 0xdd" ::: "memory"); }

static void attack_svm(const char *name, void (*fn)(void *))
{
    uint32_t r[4];
    cpuid(0x80000001u, r);
    mbk_printf("# CPUID 0x80000001 ECX.SVM %u, EFER 0x%x\n", (r[2] >> 2) & 1, (uint32_t)rdmsr(0xC0000080u));
    int v = mbk_catch(fn, vmcb);
    mbk_printf("# %s: vector %d\n", name, v);
    report(v == 6, "%s with EFER.SVME clear: #UD", name);
}

/* ---- triple ---- */

static void attack_triple(void)
{
    mbk_printf("# triple: an empty IDT, then int3\n");
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) empty = { 0, 0 };
    __asm__ volatile("lidt %0\n\tint3" :: "m"(empty) : "memory");
    mbk_load_idt();
    report(0, "the machine survived a triple fault");
}

/* ---- storm ---- */

#define STORM_TIMER 2000
#define STORM_IPIS 2000
static volatile uint32_t timer_irqs, ipis;

static void on_timer(struct mbk_frame *f)
{
    (void)f;
    if (++timer_irqs == STORM_TIMER)
        apic_write(APIC_TIMER_INIT, 0);       /* stop it */
    apic_eoi();
}

static void on_ipi(struct mbk_frame *f) { (void)f; ipis++; apic_eoi(); }

static void attack_storm(void)
{
    mbk_handle(0x30, on_timer);
    mbk_handle(0x40, on_ipi);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xFF);
    apic_write(APIC_TIMER_DIV, APIC_DIV_1);
    apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | 0x30);
    sti();
    apic_write(APIC_TIMER_INIT, 1);
    for (uint32_t i = 0; i < STORM_IPIS; i++) {
        apic_send(0, APIC_SH_SELF | 0x40);
        mbk_wait(&ipis, i + 1);
    }
    mbk_wait(&timer_irqs, STORM_TIMER);
    cli();
    uint32_t t = timer_irqs;
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | 0x30);
    report(ipis == STORM_IPIS, "%u self-IPIs sent one after another, each taken", STORM_IPIS);
    /* one more may have been pending when the handler stopped the timer */
    report(t == STORM_TIMER || t == STORM_TIMER + 1, "the timer stopped after %u interrupts at initial count 1",
           STORM_TIMER);
}

void mbk_main(void)
{
    const char *t = cmdline_value("test");
    mbk_printf("# test=%s\n", t ? t : "(none)");
    if (!t)
        report(0, "test=NAME on the command line");
    else if (streq(t, "outside"))
        attack_outside();
    else if (streq(t, "hole"))
        attack_hole();
    else if (streq(t, "vmrun"))
        attack_svm("vmrun", do_vmrun);
    else if (streq(t, "vmmcall"))
        attack_svm("vmmcall", do_vmmcall);
    else if (streq(t, "clgi"))
        attack_svm("clgi", do_clgi);
    else if (streq(t, "stgi"))
        attack_svm("stgi", do_stgi);
    else if (streq(t, "triple"))
        attack_triple();
    else if (streq(t, "storm"))
        attack_storm();
    else
        report(0, "test=%s: no such attack", t);
}
