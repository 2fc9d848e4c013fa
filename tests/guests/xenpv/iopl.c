/*
 * iopl: the virtual IOPL (physdev_op set_iopl / set_iobitmap,
 * vm_assist architectural_iopl), port I/O and cli/sti under it, the rest of
 * physdev_op, and the control registers and MSRs a PV kernel reads, each
 * with the value Xen gives a 32-bit PV guest. pv86 gives no domain any port
 * (d1 neither: the hypervisor keeps the machine), so d1 and a domU see the
 * same: reads all ones, writes dropped, except Xen's two latches (the RTC
 * index at 0x70, CONFIG_ADDRESS at 0xcf8 for dword accesses).
 */
#include <pv86/physdev.h>

#include "xenpv.h"

uint32_t io_inb(uint32_t port), io_inw(uint32_t port), io_inl(uint32_t port);
uint32_t io_inb_71(void);
void io_outb(uint32_t port, uint32_t v), io_outw(uint32_t port, uint32_t v);
void io_outl(uint32_t port, uint32_t v), io_outl_f4(uint32_t port, uint32_t v);
uint32_t io_rep_insb(uint32_t port, void *dst, uint32_t count);
uint32_t io_rep_outsw(uint32_t port, const void *src, uint32_t count);
void io_cli(void), io_sti(void);
uint32_t io_read_cr0(void), io_read_cr4(void);
void io_write_cr0(uint32_t v), io_write_cr4(uint32_t v);
uint64_t io_rdmsr(uint32_t msr), io_rdtsc(void);
void io_wrmsr(uint32_t msr, uint32_t lo, uint32_t hi);
extern char u_inb_80[], u_rdtsc[], u_cli[];

#define FAULTED32 0x5a5a5a5au
#define FAULTED64 0x5a5a5a5a5a5a5a5aull
#define GP (USER_TRAPPED | 13)
/* in changes AL, AX or EAX only: the rest of the preset EAX stays. */
#define B(x) (0x5a5a5a00u | (x))
#define W(x) (0x5a5a0000u | (x))

static unsigned traps(void) { return last_trap.count; }
static int gp_since(unsigned before)
{
    return last_trap.count == before + 1 && last_trap.vector == 13 && last_trap.error == 0;
}

static int32_t set_iopl(uint32_t l)
{
    struct physdev_set_iopl s = { l };
    return hv_physdev_op(PHYSDEVOP_set_iopl, &s);
}

static volatile unsigned events;
static uint32_t ipi_port;
static void on_port(uint32_t port, void *ctx)
{
    (void)ctx;
    events += port == ipi_port;
}
static void on_event(void) { pv86_evtchn_scan(shared_info, on_port, NULL); }

static void without_iopl(void)
{
    unsigned t = traps();
    uint32_t v = io_inb(0x80);
    ok(v == FAULTED32 && gp_since(t), "IOPL 0: inb from ring 1 raises #GP(0)");
    t = traps();
    io_outb(0x80, 0);
    ok(gp_since(t), "IOPL 0: outb from ring 1 raises #GP(0)");
    t = traps();
    io_cli();
    ok(gp_since(t), "IOPL 0: cli raises #GP(0)");
}

static void ports(void)
{
    unsigned t = traps();
    ok(io_inb(0x80) == B(0xFF) && io_inw(0x80) == W(0xFFFF) && io_inl(0x80) == 0xFFFFFFFFu &&
       traps() == t, "IOPL 1: in of 1, 2, 4 bytes from port 0x80: 0xff, 0xffff, 0xffffffff");
    ok(io_inb(0x3FD) == B(0xFF) && io_inb(0x21) == B(0xFF) && io_inb(0x61) == B(0xFF) &&
       io_inb(0x42) == B(0xFF) && io_inb_71() == B(0xFF),
       "the UART's LSR, the PIC's mask, port 0x61, PIT channel 2, the RTC data: all ones");
    /* isa-debug-exit at 0xf4 in the suite's QEMU: a write reaching it would
     * end the machine here. The 8259's mask: a write would mask the timer. */
    io_outl_f4(0xF4, 0);
    io_outb(0x21, 0xFF);
    io_outw(0x3F8, 0x4141);
    ok(traps() == t, "outl to the exit port, outb to the PIC mask, outw to the UART: dropped");
    uint64_t t0 = system_time_ns();
    for (int i = 0; i < 200000 && system_time_ns() - t0 < 3000000; i++)
        ;
    ok(system_time_ns() - t0 >= 3000000, "the timer still ticks after the PIC-mask write");
    io_outb(0x70, 0x35);
    ok(io_inb(0x70) == B(0x35), "RTC index latch: 0x35 written to 0x70 reads back 0x35");
    io_outb(0x70, 0x8B);
    ok(io_inb(0x70) == B(0x0B) && io_inw(0x70) == W(0xFF0B),
       "RTC index 0x8b reads 0x0b (no NMI bit), and 0x71 beside it all ones");
    io_outl(0xCF8, 0x80000000u);
    ok(io_inl(0xCF8) == 0x80000000u && io_inw(0xCF8) == W(0xFFFF) && io_inl(0xCFC) == 0xFFFFFFFFu,
       "CONFIG_ADDRESS latch (dword only); CONFIG_DATA of the host bridge: all ones");
    uint8_t buf[8];
    memset(buf, 0x11, sizeof(buf));
    uint32_t left = io_rep_insb(0x80, buf, 6);
    ok(left == 0 && buf[0] == 0xFF && buf[5] == 0xFF && buf[6] == 0x11,
       "rep insb of 6 from port 0x80: six 0xff, ECX 0");
    static const uint16_t words[3] = { 0x1122, 0x3344, 0x5566 };
    left = io_rep_outsw(0x70, words, 3);
    ok(left == 0 && io_inb(0x70) == B(0x66), "rep outsw of 3 to 0x70: the latch holds the last low byte");
    ok(traps() == t, "no fault in all of it");
}

static void cli_sti(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    unsigned t = traps();
    vi->evtchn_upcall_mask = 0;
    io_cli();
    ok(vi->evtchn_upcall_mask == 0 && traps() == t,
       "IOPL 1: cli is skipped, as Xen: the event mask stays 0");
    struct evtchn_bind_ipi b = { 0, 0 };
    ok(hv_event_channel_op(EVTCHNOP_bind_ipi, &b) == 0, "an IPI port for ourselves");
    ipi_port = b.port;
    event_handler = on_event;
    events = 0;
    vi->evtchn_upcall_mask = 1;
    evtchn_send(b.port);
    io_sti();
    ok(vi->evtchn_upcall_mask == 1 && events == 0 && vi->evtchn_upcall_pending == 1,
       "sti with an event pending: skipped, mask stays 1, nothing delivered");
    vi->evtchn_upcall_mask = 0;
    hv_xen_version(XENVER_version, NULL);
    ok(events == 1, "unmasked the Xen way: the event arrives (%u)", events);
    struct evtchn_port_arg c = { b.port };
    hv_event_channel_op(EVTCHNOP_close, &c);
    event_handler = NULL;
}

static void user_mode(void)
{
    ok(user_setup() == 0, "ring-3 code mapped");
    ok(user_run((uint32_t)(uintptr_t)u_inb_80) == GP, "IOPL 1: inb in ring 3 raises #GP");
    ok(set_iopl(3) == 0, "set_iopl 3");
    ok(user_run((uint32_t)(uintptr_t)u_inb_80) == 0x5a5a5aFFu, "IOPL 3: inb in ring 3 reads 0xff");
    ok(user_run((uint32_t)(uintptr_t)u_cli) == 2, "IOPL 3: cli in ring 3 skipped");
}

static void arch_iopl(void)
{
    unsigned t;
    ok(hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl) == 0,
       "vm_assist architectural_iopl");
    /* The ring-3 entry is an iret with EFLAGS.IOPL 0: now that sets it. */
    ok(user_run((uint32_t)(uintptr_t)u_inb_80) == GP,
       "architectural_iopl: an iret with IOPL 0 makes ring-3 inb #GP again");
    t = traps();
    ok(io_inb(0x80) == B(0xFF) && traps() == t, "architectural_iopl, IOPL 0: the kernel (ring 0) may");
    ok(set_iopl(2) == 0, "set_iopl 2");
    t = traps();
    io_outb(0x80, 0);                   /* a write is fine; a trap to read the frame: */
    io_write_cr0(0);
    ok(traps() == t + 1 && (last_trap.eflags & 0x3000) == 0x2000,
       "architectural_iopl: a bounce frame shows EFLAGS.IOPL 2 (%#x)", (unsigned)last_trap.eflags);
    ok(hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl) == 0,
       "architectural_iopl off");
    t = traps();
    io_write_cr0(0);
    ok(traps() == t + 1 && (last_trap.eflags & 0x3000) == 0,
       "without it a bounce frame shows IOPL 0 (%#x)", (unsigned)last_trap.eflags);
}

static void iobitmap(void)
{
    /* Ports 0x80-0x87 allowed except 0x81 (a set bit forbids). */
    static uint8_t bm[PHYSDEV_IOBMP_BYTES];
    memset(bm, 0xFF, sizeof(bm));
    bm[0x80 / 8] = 0x02;
    struct physdev_set_iobitmap s = { (uint32_t)(uintptr_t)bm, 0x88 };
    ok(set_iopl(0) == 0 && hv_physdev_op(PHYSDEVOP_set_iobitmap, &s) == 0,
       "IOPL 0, an I/O bitmap for ports below 0x88");
    unsigned t = traps();
    uint32_t a = io_inb(0x80), b = io_inb(0x82);
    ok(a == B(0xFF) && b == B(0xFF) && traps() == t, "bitmap: ports 0x80 and 0x82 allowed");
    io_inb(0x81);
    ok(gp_since(t), "bitmap: port 0x81 refused (#GP)");
    t = traps();
    io_inw(0x87);
    ok(gp_since(t), "bitmap: a 2-byte access at 0x87 runs past nr_ports: #GP");
    s.nr_ports = 65537;
    ok(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s) == -XEN_EINVAL, "set_iobitmap nr_ports 65537: -EINVAL");
    s.bitmap = 0xF5800000u - 8191;
    s.nr_ports = 8;
    ok(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s) == -XEN_EINVAL,
       "set_iobitmap into the hypervisor area: -EINVAL");
    s.bitmap = 0;
    s.nr_ports = 0;
    ok(hv_physdev_op(PHYSDEVOP_set_iobitmap, &s) == 0, "set_iobitmap none");
    t = traps();
    io_inb(0x80);
    ok(gp_since(t), "IOPL 0, no bitmap: #GP again");
}

static void physdev(void)
{
    struct physdev_set_iopl bad = { 4 };
    ok(hv_physdev_op(PHYSDEVOP_set_iopl, &bad) == -XEN_EINVAL, "set_iopl 4: -EINVAL");
    ok(hv_physdev_op(PHYSDEVOP_set_iopl, (void *)0xF5800000u) == -XEN_EFAULT,
       "set_iopl from the hypervisor area: -EFAULT");
    struct physdev_irq_status_query q = { 9, 0 };
    ok(hv_physdev_op(PHYSDEVOP_irq_status_query, &q) == 0 && q.flags == XENIRQSTAT_needs_eoi,
       "irq_status_query 9: needs_eoi");
    q.irq = PHYSDEV_NR_PIRQS;
    ok(hv_physdev_op(PHYSDEVOP_irq_status_query, &q) == -XEN_EINVAL, "irq_status_query 56: -EINVAL");
    struct physdev_eoi e = { 16 };
    ok(hv_physdev_op(PHYSDEVOP_eoi, &e) == -XEN_EINVAL, "eoi of an unknown pirq: -EINVAL");
    struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_GSI, 0 };
    int32_t rc = hv_physdev_op(PHYSDEVOP_get_free_pirq, &g);
    ok(rc == 0 && g.pirq == 16, "get_free_pirq GSI: 16 (%d, %u)", (int)rc, (unsigned)g.pirq);
    g.type = MAP_PIRQ_TYPE_MSI;
    ok(hv_physdev_op(PHYSDEVOP_get_free_pirq, &g) == 0 && g.pirq == 55, "get_free_pirq MSI: 55");
    ok(hv_physdev_op(PHYSDEVOP_eoi, &e) == 0, "eoi of pirq 16: 0");
    struct physdev_map_pirq m = { DOMID_SELF, 0, MAP_PIRQ_TYPE_MSI_SEG, 0, -1, 0, 0, 0, { 0, 0 } };
    ok(hv_physdev_op(PHYSDEVOP_map_pirq, &m) == -XEN_EPERM && m.type == MAP_PIRQ_TYPE_MSI,
       "map_pirq: -EPERM, MSI_SEG written back as MSI");
    m.domid = 77;
    ok(hv_physdev_op(PHYSDEVOP_map_pirq, &m) == -XEN_ESRCH, "map_pirq for no domain: -ESRCH");
    struct physdev_unmap_pirq u = { DOMID_SELF, 0, 16 };
    ok(hv_physdev_op(PHYSDEVOP_unmap_pirq, &u) == -XEN_EPERM, "unmap_pirq: -EPERM");
    struct physdev_apic ap = { 0xFEC00000u, 1, 0 };
    ok(hv_physdev_op(PHYSDEVOP_apic_read, &ap) == -XEN_EPERM &&
       hv_physdev_op(PHYSDEVOP_apic_write, &ap) == -XEN_EPERM &&
       hv_physdev_op(PHYSDEVOP_alloc_irq_vector, &ap) == -XEN_EPERM,
       "apic_read, apic_write, alloc_irq_vector: -EPERM");
    struct physdev_manage_pci mp = { 0, 0 };
    ok(hv_physdev_op(PHYSDEVOP_manage_pci_add, &mp) == -XEN_EPERM &&
       hv_physdev_op(PHYSDEVOP_manage_pci_remove, &mp) == -XEN_EPERM &&
       hv_physdev_op(PHYSDEVOP_restore_msi, &mp) == -XEN_ENODEV,
       "manage_pci_add/remove: -EPERM; restore_msi: -ENODEV");
    struct physdev_setup_gsi sg = { PHYSDEV_NR_GSIS, 0, 0, 0 };
    ok(hv_physdev_op(PHYSDEVOP_setup_gsi, &sg) == -XEN_EINVAL, "setup_gsi 24: -EINVAL");
    sg.gsi = 9;
    ok(hv_physdev_op(PHYSDEVOP_setup_gsi, &sg) == -XEN_EPERM, "setup_gsi 9: -EPERM");
    ok(hv_physdev_op(PHYSDEVOP_dbgp_op, NULL) == -XEN_EPERM &&
       hv_physdev_op(PHYSDEVOP_pci_mmcfg_reserved, NULL) == -XEN_EPERM,
       "dbgp_op, pci_mmcfg_reserved: -EPERM before reading");
    ok(hv_physdev_op(PHYSDEVOP_free_irq_vector, &ap) == -XEN_ENOSYS &&
       hv_physdev_op(99, &ap) == -XEN_ENOSYS, "free_irq_vector, 99: -ENOSYS");
    /* A page of our own for the EOI map: it stays registered (typed
     * writable) until we end, so none the other topics use. */
    static uint8_t eoi_page[4096] __attribute__((aligned(4096)));
    struct physdev_pirq_eoi_gmfn pg = { pfn_to_mfn((uint32_t)(uintptr_t)eoi_page >> 12) };
    ok(hv_physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v2, &pg) == 0, "pirq_eoi_gmfn_v2 of our own frame");
    ok(hv_physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v1, &pg) == -XEN_EBUSY, "a second registration: -EBUSY");
    pg.gmfn = pfn_to_mfn(start_info->pt_base >> 12);      /* our L3: a page table */
    ok(hv_physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v1, &pg) == -XEN_EINVAL,
       "pirq_eoi_gmfn of a page-table frame: -EINVAL");
    struct physdev_op o = { PHYSDEVOP_set_iopl, { .set_iopl = { 1 } } };
    ok(hv_hypercall5(__HYPERVISOR_physdev_op_compat, (uint32_t)(uintptr_t)&o, 0, 0, 0, 0) == 0,
       "physdev_op_compat (19) set_iopl 1");
    unsigned t = traps();
    ok(io_inb(0x80) == B(0xFF) && traps() == t, "and it took: inb allowed");
}

static void control_registers(void)
{
    unsigned t = traps();
    hv_fpu_taskswitch(1);
    uint32_t with = io_read_cr0();
    __asm__ __volatile__("clts");
    uint32_t without = io_read_cr0();
    ok(with == 0x8001003Bu && without == 0x80010033u && traps() == t,
       "CR0: PE MP ET NE WP PG, TS as the virtual TS (%#x, %#x)", (unsigned)with, (unsigned)without);
    io_write_cr0(0x8001003Bu);
    ok(io_read_cr0() == 0x8001003Bu && traps() == t, "mov to CR0 setting TS: accepted");
    io_write_cr0(0x80000033u);
    ok(gp_since(t), "mov to CR0 clearing WP: #GP");
    __asm__ __volatile__("clts");
    t = traps();
    ok(io_read_cr4() == 0x620 && traps() == t, "CR4: PAE OSFXSR OSXMMEXCPT (%#x)", (unsigned)io_read_cr4());
    io_write_cr4(0x620 | (1u << 7) | (1u << 3) | (1u << 2));
    ok(io_read_cr4() == (0x620 | (1u << 2)) && traps() == t,
       "mov to CR4 of PGE, DE, TSD: no fault, only TSD kept (%#x)", (unsigned)io_read_cr4());
    ok(user_run((uint32_t)(uintptr_t)u_rdtsc) == GP, "CR4.TSD: rdtsc in ring 3 raises #GP");
    t = traps();
    uint64_t a = io_rdtsc(), b = io_rdtsc();
    ok(b > a && traps() == t, "CR4.TSD: rdtsc in the kernel emulated, counting");
    io_write_cr4(0);
    ok(io_read_cr4() == 0x620 && user_run((uint32_t)(uintptr_t)u_rdtsc) == 1,
       "CR4 0: TSD off, ring-3 rdtsc runs");
}

static void msrs(void)
{
    uint32_t r[4];
    hv_cpuid(0, 0, r);
    int amd = r[1] == 0x68747541u;              /* "Auth" */
    unsigned t = traps();
    ok(io_rdmsr(0x1b) == 0xFEE00900u && traps() == t, "rdmsr APIC_BASE: 0xfee00900");
    ok(io_rdmsr(0x277) == 0x0000050100070406ull, "rdmsr PAT: Xen's 0x0000050100070406");
    uint64_t efer = io_rdmsr(0xc0000080u);
    ok(efer != FAULTED64 && (efer & ~0x801ull) == 0, "rdmsr EFER: no LME/LMA/SVME (%#llx)",
       (unsigned long long)efer);
    io_wrmsr(0xc0000080u, (uint32_t)efer, 0);
    ok(traps() == t, "wrmsr EFER of its own value: accepted");
    io_wrmsr(0xc0000080u, (uint32_t)efer ^ 0x800, 0);
    ok(gp_since(t), "wrmsr EFER changing NXE: #GP");
    t = traps();
    uint64_t a = io_rdtsc(), tsc = io_rdmsr(0x10), b = io_rdtsc();
    ok(tsc >= a && tsc <= b && traps() == t, "rdmsr TSC: between two rdtsc");
    ok(io_rdmsr(0xce) == 0 && io_rdmsr(0x140) == 0 && io_rdmsr(0x345) == 0 &&
       io_rdmsr(0xc001001fu) == 0 && io_rdmsr(0x40000000u) == 0 && traps() == t,
       "PLATFORM_INFO, MISC_FEATURES_ENABLES, PERF_CAPABILITIES, NB_CFG, 0x40000000: 0");
    uint64_t fc = io_rdmsr(0x3a), misc = io_rdmsr(0x1a0);
    if (amd)
        ok(fc == FAULTED64 && misc == FAULTED64 && io_rdmsr(0xc0010015u) == 0 &&
           io_rdmsr(0xc0011029u) == 2, "AMD: FEATURE_CONTROL, MISC_ENABLE #GP; HWCR 0, DE_CFG 2");
    else
        ok(fc == 1 && (misc & 0x801880ull) == 0x801800ull && io_rdmsr(0xc0010015u) == FAULTED64,
           "Intel: FEATURE_CONTROL locked, MISC_ENABLE as Xen shows it, HWCR #GP");
    t = traps();
    ok(io_rdmsr(0x174) == FAULTED64 && gp_since(t), "rdmsr SYSENTER_CS: #GP (the hypervisor's)");
    t = traps();
    ok(io_rdmsr(0x12345678u) == FAULTED64 && gp_since(t), "rdmsr 0x12345678: #GP");
    t = traps();
    io_wrmsr(0x277, 0x06060606u, 0x06060606u);
    ok(gp_since(t), "wrmsr PAT: #GP");
}

void xenpv_iopl(void)
{
    without_iopl();
    ok(set_iopl(1) == 0, "set_iopl 1");
    ports();
    cli_sti();
    user_mode();
    arch_iopl();
    iobitmap();
    physdev();
    set_iopl(0);
    control_registers();
    msrs();
}
