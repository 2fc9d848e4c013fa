/*
 * iopl (test=iopl, as a domU beside the innocent domain): a guest with the
 * widest virtual IOPL Xen lets it have tries to reach real hardware through
 * the emulation: the exit port (isa-debug-exit at 0xf4 in the suite's QEMU:
 * a write that got through would end the machine), the PICs' masks and the
 * PIT (the timer would stop: time_ok checks that it still ticks), the
 * UART (its line would show in the log: the run checks it does not), the
 * reset ports (0x64, 0x92, 0xcf9) and ACPI S5 (0x604), PCI config space; and
 * string I/O and I/O bitmaps aimed at the hypervisor's memory or running
 * past what is mapped. Every one is dropped or refused exactly as Xen does,
 * the innocent's checksum and the switcher hold.
 */
#include <pv86/physdev.h>
#include <string.h>

#include "attack.h"
#include "guest.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))

uint32_t ia_inb(uint32_t port), ia_inl(uint32_t port);
void ia_outb(uint32_t port, uint32_t v), ia_outw(uint32_t port, uint32_t v);
void ia_outl(uint32_t port, uint32_t v);
uint32_t ia_rep_outsb(uint32_t port, const void *src, uint32_t count);
uint32_t ia_rep_insb(uint32_t port, void *dst, uint32_t count);
void ia_wrmsr(uint32_t msr, uint32_t lo, uint32_t hi);
void ia_write_cr0(uint32_t v), ia_write_cr4(uint32_t v);
uint32_t ia_read_cr4(void);

static int32_t set_iopl(uint32_t l)
{
    struct physdev_set_iopl s = { l };
    return hv_physdev_op(PHYSDEVOP_set_iopl, &s);
}

static int time_ok(void)
{
    uint64_t t0 = system_time_ns();
    for (unsigned i = 0; i < 50000000u && system_time_ns() - t0 < 20000000u; i++)
        ;
    return system_time_ns() - t0 >= 20000000u;
}

static void hardware(void)
{
    unsigned t = last_trap.count;
    /* Masks off every line of both PICs, the PIT to a one-shot, the UART
     * a line of Z, the reset and power-off ports, the exit port last. */
    ia_outb(0x21, 0xFF);
    ia_outb(0xA1, 0xFF);
    ia_outb(0x43, 0x30);
    ia_outb(0x40, 0);
    ia_outb(0x40, 0);
    ia_outb(0x61, 0);
    for (int i = 0; i < 12; i++)
        ia_outb(0x3F8, 'Z');
    ia_outw(0x3F8, 0x5A5A);
    ia_outb(0x3F9, 0xFF);                    /* UART interrupts on */
    ia_outb(0x64, 0xFE);                     /* keyboard controller: reset */
    ia_outb(0x92, 0x01);                     /* fast reset */
    ia_outb(0xCF9, 0x06);                    /* PCI reset */
    ia_outw(0x604, 0x2000);                  /* ACPI PM1a_CNT: S5 */
    ia_outl(0xCF8, 0x80000004u);             /* bus 0 dev 0: command register */
    ia_outl(0xCFC, 0);
    ia_outb(0x70, 0x0F);                     /* CMOS shutdown status */
    ia_outb(0x71, 0x0A);
    ia_outl(0xF4, 1);                        /* isa-debug-exit */
    ia_outb(0xF4, 3);
    ok(last_trap.count == t, "IOPL 3: writes to the PICs, PIT, UART, reset, S5, PCI, CMOS and exit ports: no fault");
    ok(ia_inb(0x3FD) == 0x5a5a5aFFu && ia_inb(0x21) == 0x5a5a5aFFu && ia_inb(0xA1) == 0x5a5a5aFFu &&
       ia_inb(0x40) == 0x5a5a5aFFu && ia_inb(0x64) == 0x5a5a5aFFu,
       "and the UART, PIC masks, PIT and keyboard controller read all ones");
    ok(ia_inl(0xCFC) == 0xFFFFFFFFu, "PCI config data reads all ones");
    ok(time_ok(), "20 ms of system time still pass: the timer was not touched");
}

static void string_io(void)
{
    /* A hole: one scratch page unmapped. A rep outsb of 2^31 bytes from 16
     * below it stops at its first byte; a rep insb into the M2P or across
     * into the hole stores what it can, then faults. */
    uint32_t hole = GUEST_SCRATCH_VA + 0x20000;
    ok(map_page(hole, 0, 0) == 0, "a hole in our scratch memory at %#x", (unsigned)hole);
    unsigned t = last_trap.count;
    uint32_t left = ia_rep_outsb(0x80, (const void *)(uintptr_t)(hole - 16), 0x7FFFFFFFu);
    ok(last_trap.count == t + 1 && last_trap.vector == 14 && last_trap.error == 0 &&
       last_trap.cr2 == hole && left == 0x7FFFFFFFu - 16,
       "rep outsb of 2^31 into the hole: #PF(0) at it, ECX counted down by 16 (%#x)", (unsigned)left);
    t = last_trap.count;
    left = ia_rep_insb(0x80, (void *)(uintptr_t)HYPERVISOR_VIRT_START, 8);
    ok(last_trap.count == t + 1 && last_trap.vector == 14 && last_trap.error == 2 &&
       last_trap.cr2 == HYPERVISOR_VIRT_START && left == 8,
       "rep insb into the M2P: #PF(write) at 0xf5800000, nothing stored");
    volatile uint8_t *below = (volatile uint8_t *)(uintptr_t)(hole - 4);
    below[0] = below[3] = 0;
    t = last_trap.count;
    left = ia_rep_insb(0x80, (void *)(uintptr_t)(hole - 4), 8);
    ok(last_trap.count == t + 1 && last_trap.vector == 14 && last_trap.error == 2 &&
       last_trap.cr2 == hole && left == 4 && below[0] == 0xFF && below[3] == 0xFF,
       "rep insb across into the hole: 4 bytes of 0xff stored, then #PF(write) at it");
}

static void bitmaps(void)
{
    ok(set_iopl(0) == 0 && hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl) == 0,
       "IOPL 0, architectural_iopl off");
    struct physdev_set_iobitmap s = { HYPERVISOR_VIRT_START, 65536 };
    ok(EQ(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s), -XEN_EINVAL), "set_iobitmap at the M2P: -EINVAL");
    s.bitmap = 0xFFFFF000u;
    ok(EQ(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s), -XEN_EINVAL), "set_iobitmap at 0xfffff000: -EINVAL");
    s.bitmap = HYPERVISOR_VIRT_START - 8192;
    s.nr_ports = 0xFFFFFFFFu;
    ok(EQ(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s), -XEN_EINVAL), "nr_ports 0xffffffff: -EINVAL");
    s.nr_ports = 65536;
    ok(EQ(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s), 0),
       "the last 8 KiB below the hypervisor (unmapped): accepted, as Xen");
    unsigned t = last_trap.count;
    ia_inb(0x80);
    ok(last_trap.count == t + 1 && last_trap.vector == 14 && last_trap.error == 0 &&
       last_trap.cr2 == HYPERVISOR_VIRT_START - 8192 + 0x10 + 1 - 2,
       "inb 0x80 through it: #PF(0) at Xen's address (cr2 %#x)", (unsigned)last_trap.cr2);
    t = last_trap.count;
    ia_inl(0xFFFE);
    ok(last_trap.count == t + 1 && last_trap.vector == 13, "inl 0xfffe past the last port: #GP");
    s.bitmap = 0;
    s.nr_ports = 0;
    ok(EQ(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s), 0), "bitmap off");
}

static void physdev(void)
{
    static const uint32_t bad[] = { 0, 0x100, 0xFFFFFFFFu, 0xFFFFF };
    int all = 1;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct physdev_pirq_eoi_gmfn g = { bad[i] };
        all &= EQ(hv_physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v2, &g), -XEN_EINVAL);
    }
    ok(all, "pirq_eoi_gmfn of frames not ours (0, 0x100, ~0, 0xfffff): -EINVAL");
    struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_GSI, 0 };
    int n = 0;
    while (n < 100 && hv_physdev_op(PHYSDEVOP_get_free_pirq, &g) == 0)
        n++;
    ok(n == 40 && EQ(hv_physdev_op(PHYSDEVOP_get_free_pirq, &g), -XEN_ENOSPC),
       "get_free_pirq: 40 pirqs, then -ENOSPC (%d)", n);
    struct physdev_map_pirq m = { 1, 0, MAP_PIRQ_TYPE_GSI, 4, 4, 0, 0, 0, { 0, 0 } };
    ok(EQ(hv_physdev_op(PHYSDEVOP_map_pirq, &m), -XEN_EPERM), "map_pirq into the innocent domain: -EPERM");
    struct physdev_unmap_pirq u = { 1, 0, 4 };
    ok(EQ(hv_physdev_op(PHYSDEVOP_unmap_pirq, &u), -XEN_EPERM), "unmap_pirq of the innocent's: -EPERM");
    all = 1;
    for (uint32_t cmd = 0; cmd < 40; cmd++) {
        int32_t rc = hv_physdev_op(cmd, (void *)(uintptr_t)HYPERVISOR_VIRT_START);
        if (cmd == PHYSDEVOP_IRQ_UNMASK_NOTIFY)
            all &= rc == 0;
        else if (cmd == PHYSDEVOP_dbgp_op || cmd == PHYSDEVOP_pci_mmcfg_reserved)
            all &= rc == -XEN_EPERM;
        else
            all &= rc == -XEN_EFAULT || rc == -XEN_ENOSYS;
    }
    ok(all, "every sub-op 0-39 with its argument in the hypervisor area: -EFAULT (or -ENOSYS, -EPERM)");
    ok(EQ(hv_hypercall5(__HYPERVISOR_physdev_op_compat, HYPERVISOR_VIRT_START - 8, 0, 0, 0, 0),
          -XEN_EFAULT), "physdev_op_compat straddling the hypervisor area: -EFAULT");
}

static void registers(void)
{
    unsigned t = last_trap.count;
    ia_wrmsr(0x174, 0x08, 0);                /* SYSENTER_CS: the hypervisor's */
    ia_wrmsr(0x175, 0, 0);
    ia_wrmsr(0x176, 0xF5800000u, 0);
    ok(last_trap.count == t + 3 && last_trap.vector == 13, "wrmsr of the three SYSENTER MSRs: #GP each");
    t = last_trap.count;
    ia_wrmsr(0xC0000080u, 0x0D01, 0);        /* EFER: LME, NXE, SCE, SVME */
    ia_wrmsr(0x277, 0, 0);                   /* PAT all UC */
    ia_wrmsr(0x1b, 0, 0);                    /* APIC off */
    ok(last_trap.count == t + 3, "wrmsr of EFER, PAT, APIC_BASE: #GP each");
    t = last_trap.count;
    ia_write_cr4(0xFFFFFFFFu);
    ia_write_cr0(0);
    ok(last_trap.count == t + 1 && last_trap.vector == 13, "CR4 of all ones: accepted; CR0 of 0: #GP");
    uint32_t cr4 = ia_read_cr4();
    ia_write_cr4(0);
    ok((cr4 & ~((1u << 2) | (1u << 16) | (1u << 18))) == 0x620 && ia_read_cr4() == 0x620,
       "the all-ones CR4 kept only guest bits (%#x); back to 0x620", (unsigned)cr4);
    ok(time_ok(), "time still passes");
}

int iopl_case(const char *name, size_t len)
{
    if (!(len == 4 && memcmp(name, "iopl", 4) == 0))
        return -1;
    printf("attack: the widest virtual IOPL against the hardware\n");
    ok(set_iopl(3) == 0 && hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl) == 0,
       "set_iopl 3, architectural_iopl");
    ok(EQ(set_iopl(4), -XEN_EINVAL) && EQ(set_iopl(0x80000003u), -XEN_EINVAL),
       "set_iopl 4, 0x80000003: -EINVAL");
    hardware();
    string_io();
    bitmaps();
    physdev();
    registers();
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    signal_innocent();
    return tap_done();
}
