/*
 * setup: the CPU tables. The GDT, IDT and TSS live in the switcher region
 * (layout.h) so that the same virtual addresses work in the hypervisor's
 * address space and in every guest's; they are filled here through the
 * direct map, since their switcher mappings are read-only.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/debugreg.h"
#include "arch/x86/fpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/priv_op.h"
#include "arch/x86/sysenter.h"
#include "arch/x86/traps.h"
#include "mm/mm.h"

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");
_Static_assert(__builtin_offsetof(struct tss, esp1) == TSS_ESP1_OFFSET &&
               __builtin_offsetof(struct tss, ss1) == TSS_ESP1_OFFSET + 4, "TSS esp1/ss1");

extern const uint32_t switcher_stubs[];

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    uint32_t lo = (base << 16) | (limit & 0xFFFF);
    uint32_t hi = (base & 0xFF000000u) | (flags << 20) | (limit & 0xF0000u) |
                  (access << 8) | ((base >> 16) & 0xFF);
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate_desc(uint32_t offset, uint16_t sel, unsigned dpl)
{
    uint32_t lo = ((uint32_t)sel << 16) | (offset & 0xFFFF);
    uint32_t hi = (offset & 0xFFFF0000u) | 0x8E00u | (dpl << 13);  /* P, 32-bit interrupt gate */
    return ((uint64_t)hi << 32) | lo;
}

static void pic_init(void)
{
    /* Remap the 8259s to 0x20/0x28 and mask every line: the BIOS left the
     * timer on vector 8, which would look like a double fault. */
    outb(0x20, 0x11); outb(0xA0, 0x11);
    outb(0x21, 0x20); outb(0xA1, 0x28);
    outb(0x21, 0x04); outb(0xA1, 0x02);
    outb(0x21, 0x01); outb(0xA1, 0x01);
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}

static struct tss *switcher_tss(void)
{
    return (struct tss *)((char *)mfn_to_virt(mm_switcher_data_mfn()) + SWD_TSS);
}

void traps_init(void)
{
    char *data = mfn_to_virt(mm_switcher_data_mfn());
    uint64_t *gdt = mfn_to_virt(mm_hv_gdt_mfn());    /* entries 7168.. */
    uint64_t *idt = (uint64_t *)(data + SWD_IDT);
    struct tss *tss = switcher_tss();

    /* Flat segments; ring 1 and 3 stop at the end of the M2P. Accessed bits
     * are preset: the GDT is read-only where the CPU sees it. */
    const uint32_t guest_limit = (MACH2PHYS_VIRT_END >> 12) - 1;
    gdt[(HV_CS >> 3) - FIRST_RESERVED_GDT_ENTRY] = seg_desc(0, 0xFFFFF, 0x9B, 0xC);
    gdt[(HV_DS >> 3) - FIRST_RESERVED_GDT_ENTRY] = seg_desc(0, 0xFFFFF, 0x93, 0xC);
    gdt[(FLAT_RING1_CS >> 3) - FIRST_RESERVED_GDT_ENTRY] = seg_desc(0, guest_limit, 0xBB, 0xC);
    gdt[(FLAT_RING1_DS >> 3) - FIRST_RESERVED_GDT_ENTRY] = seg_desc(0, guest_limit, 0xB3, 0xC);
    gdt[(FLAT_RING3_CS >> 3) - FIRST_RESERVED_GDT_ENTRY] = seg_desc(0, guest_limit, 0xFB, 0xC);
    gdt[(FLAT_RING3_DS >> 3) - FIRST_RESERVED_GDT_ENTRY] = seg_desc(0, guest_limit, 0xF3, 0xC);
    gdt[(HV_TSS_SEL >> 3) - FIRST_RESERVED_GDT_ENTRY] =
        seg_desc(SW_DATA_VA + SWD_TSS, sizeof(struct tss) - 1, 0x89, 0);

    for (const uint32_t *s = switcher_stubs; s[0] != 0xFFFFFFFFu; s += 2) {
        unsigned vec = s[0], dpl = 0;
        if (vec == TRAP_BP || vec == TRAP_OF)
            dpl = 3;                    /* int3/into: always the guest's */
        else if (vec == PV86_HYPERCALL_VECTOR)
            dpl = 1;                    /* hypercalls: guest kernel only */
        idt[vec] = gate_desc(s[1], HV_CS, dpl);
    }

    memset(tss, 0, sizeof(*tss));
    tss->esp0 = SW_STACK_TOP;
    tss->ss0 = HV_DS;
    tss->iomap_base = sizeof(struct tss);   /* no I/O bitmap: all ports fault */

    uint32_t *vars = (uint32_t *)data;
    vars[SWD_HV_CR3 / 4] = mm_hv_cr3();
    extern char hv_stack_top[];
    vars[SWD_HV_STACK / 4] = (uint32_t)(uintptr_t)hv_stack_top;
    vars[SWD_HV_ENTRY / 4] = (uint32_t)(uintptr_t)hv_trap_entry;
    vars[SWD_HV_FATAL / 4] = (uint32_t)(uintptr_t)hv_trap_fatal;
    vars[SWD_HV_IRQ / 4] = (uint32_t)(uintptr_t)hv_irq_idle;
    vars[SWD_HV_DEBUG / 4] = (uint32_t)(uintptr_t)hv_debug_trap;

    /* ltr marks the TSS descriptor busy, a write: do it through a GDT base
     * that puts the hypervisor page in the (writable) direct map. */
    struct desc_ptr tmp = { HV_GDT_LIMIT, (uint32_t)(uintptr_t)gdt - FIRST_RESERVED_GDT_BYTE };
    lgdt(&tmp);
    load_segments(HV_CS, HV_DS);
    ltr(HV_TSS_SEL);

    struct desc_ptr gdtr = { HV_GDT_LIMIT, SW_GDT_VA };
    struct desc_ptr idtr = { 256 * 8 - 1, SW_DATA_VA + SWD_IDT };
    lgdt(&gdtr);
    load_segments(HV_CS, HV_DS);
    lidt(&idtr);
    pic_init();
    fpu_init();                         /* CR4.OSFXSR/OSXMMEXCPT, CR0.MP/NE */
    priv_op_init();                     /* CPU vendor, EFER; PAT as Xen's */
    debugreg_boot();                    /* DR7 off, SWD_GUEST_DR7 0 */
    sysenter_init();                    /* SYSENTER MSRs: into the switcher */
}

void tss_set_guest_kernel_stack(uint32_t ss, uint32_t sp)
{
    struct tss *tss = switcher_tss();
    tss->ss1 = ss;
    tss->esp1 = sp;
}

uint64_t int80_installed;

void idt_set_int80_now(uint64_t gate)
{
    uint64_t *idt = (uint64_t *)((char *)mfn_to_virt(mm_switcher_data_mfn()) + SWD_IDT);
    idt[0x80] = gate;
    int80_installed = gate;
}

uint32_t ldt_loaded = 0xFFFFFFFFu;

void ldt_load_now(uint32_t entries)
{
    if (entries) {
        uint64_t *gdt = mfn_to_virt(mm_hv_gdt_mfn());
        gdt[(HV_LDT_SEL >> 3) - FIRST_RESERVED_GDT_ENTRY] =
            seg_desc(SW_LDT_VA, entries * 8 - 1, 0x82, 0);
        lldt(HV_LDT_SEL);
    } else {
        lldt(0);
    }
    ldt_loaded = entries;
}

void pic_unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? 0x21 : 0xA1;
    outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
    if (irq >= 8)
        outb(0x21, inb(0x21) & (uint8_t)~(1u << 2));   /* the cascade */
}
