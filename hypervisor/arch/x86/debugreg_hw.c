/*
 * debugreg_hw: a PV guest's debug registers in the real CPU, and the
 * set_debugreg/get_debugreg hypercalls (the rules: debugreg.c).
 *
 * The guest's values are in the CPU only while it runs. DR0-3 may only name
 * addresses below the hypervisor area, but the hypervisor's own code, stack
 * and direct map of RAM share those linear addresses (it runs in an address
 * space of its own): so DR7 is 0 whenever the hypervisor runs. The switcher
 * clears it on every entry from a guest whose breakpoints are armed, before
 * its first access below the hypervisor area, and loads the guest's DR7 on
 * the way out after its last one (SWD_GUEST_DR7, switcher.S). A guest with
 * nothing armed, the common case, costs one compare each way. DR0-3 (and
 * DR6) follow the vCPU that runs, loaded as Xen's context switch loads them:
 * when its DR7 arms something.
 *
 * No guest breakpoint can therefore fire in the hypervisor, whatever it
 * touches for the guest (copy_to_guest goes through the direct map anyway).
 * A #DB in the hypervisor's own context would be a bug of ours; it is handled
 * as Xen handles one in Xen (noted, breakpoints off, TF dropped) and never
 * brings the machine down (hv_debug_trap).
 */
#include "arch/x86/debugreg.h"

#include <pv86/xen.h>

#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "mm/mm.h"

static struct debugreg_cpu cpu_caps;
static volatile uint32_t *guest_dr7;    /* SWD_GUEST_DR7 in the switcher data page */
static uint32_t cpu_dr6;                /* what the CPU's DR6 holds */

void debugreg_boot(void)
{
    uint32_t r[4];
    cpuid_count(0, 0, r);
    if (r[0] >= 7) {
        cpuid_count(7, 0, r);
        cpu_caps.rtm = (r[1] >> 11) & 1;
    }
    guest_dr7 = (volatile uint32_t *)((char *)mfn_to_virt(mm_switcher_data_mfn()) +
                                      SWD_GUEST_DR7);
    *guest_dr7 = 0;
    write_dr7(0);
    write_dr6(DR6_DEFAULT);
    cpu_dr6 = DR6_DEFAULT;
}

/* The guest's CR4.DE. pv86 does not offer the debugging extensions (the
 * CPUID filter hides CPUID.1:EDX.DE, emulate.c), so no PV guest can set
 * it: DR4/DR5 alias DR6/DR7 and an enabled I/O breakpoint is refused, as
 * Xen does for a guest without DE. */
static int guest_cr4_de(const struct vcpu *v)
{
    (void)v;
    return 0;
}

/* The CPU as the running vCPU v needs it: its DR0-3 when its DR7 arms a
 * breakpoint, its DR6, and the DR7 the switcher loads at exit. */
static void load(struct vcpu *v)
{
    const struct debugreg_vcpu *d = &v->dbg;
    uint32_t dr7 = debugreg_active(d) ? d->dr7 : 0;
    if (dr7) {
        write_dr0(d->dr[0]);
        write_dr1(d->dr[1]);
        write_dr2(d->dr[2]);
        write_dr3(d->dr[3]);
    }
    if (d->hw_dr6 != cpu_dr6) {
        write_dr6(d->hw_dr6);
        cpu_dr6 = d->hw_dr6;
    }
    *guest_dr7 = dr7;
}

void debugreg_switch_to(struct vcpu *v)
{
    load(v);
}

void debugreg_load_dr03(const uint32_t dr[4])
{
    write_dr0(dr[0]);
    write_dr1(dr[1]);
    write_dr2(dr[2]);
    write_dr3(dr[3]);
}

void debugreg_vcpu_stop(struct vcpu *v)
{
    debugreg_init(&v->dbg);
    if (current_domain && v == current_vcpu())
        *guest_dr7 = 0;
}

/* Read the CPU's DR6 and put it back to its default for the next #DB, as
 * Xen does: the new status bits, positive polarity. */
static uint32_t take_dr6(void)
{
    uint32_t dr6 = read_dr6();
    write_dr6(DR6_DEFAULT);
    cpu_dr6 = DR6_DEFAULT;
    if (current_domain)
        current_vcpu()->dbg.hw_dr6 = DR6_DEFAULT;
    return debugreg_pending(dr6);
}

/* A #DB the hypervisor takes for itself (the single step of a SYSENTER
 * made with TF, a #DB in ring 0 or vm86 that ends the domain, a te
 * domain's, which te answers from its own registers): the CPU's DR6 back
 * to its default, as Xen's #DB handler resets it before anything else.
 * Left as it is, its status bits would show in the next #DB of whichever
 * domain takes one. */
void debugreg_discard_dr6(void)
{
    (void)take_dr6();
}

static void deliver_db(struct vcpu *v, uint32_t pending)
{
    v->dbg.dr6 = debugreg_merge_dr6(&cpu_caps, v->dbg.dr6, pending);
    bounce_exception(v, TRAP_DB, 0, 0);
}

void debugreg_guest_trap(struct vcpu *v)
{
    deliver_db(v, take_dr6());
}

void debugreg_insn_retired(struct vcpu *v)
{
    v->regs.eflags &= ~EFLAGS_RF;
    if (v->regs.eflags & EFLAGS_TF)
        deliver_db(v, DR6_BS);
}

int debugreg_emulate(struct vcpu *v, const uint8_t *insn, size_t n)
{
    struct mov_dr m;
    if (!debugreg_decode_mov(insn, n, &m))
        return 0;
    uint32_t *reg = frame_reg(&v->regs, m.reg);
    int32_t rc;
    if (m.to_dr) {
        rc = debugreg_set(&v->dbg, &cpu_caps, (uint32_t)m.dr, *reg, guest_cr4_de(v));
        if (rc == 0)
            load(v);
    } else {
        uint32_t val = 0;
        rc = debugreg_get(&v->dbg, (uint32_t)m.dr, guest_cr4_de(v), &val);
        if (rc == 0)
            *reg = val;
    }
    /* Xen's x86emul_write_dr: -ENODEV is #UD, any other refusal #GP(0). */
    if (rc == -XEN_ENODEV) {
        bounce_exception(v, TRAP_UD, 0, 0);
        return 1;
    }
    if (rc) {
        bounce_exception(v, TRAP_GP, 1, 0);
        return 1;
    }
    v->regs.eip += (uint32_t)m.len;
    debugreg_insn_retired(v);
    return 1;
}

int32_t do_set_debugreg(struct vcpu *v, uint32_t reg, uint32_t value, uint32_t a3,
                        uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    int32_t rc = debugreg_set(&v->dbg, &cpu_caps, reg, value, guest_cr4_de(v));
    if (rc == 0)
        load(v);
    return rc;
}

/* The value itself in EAX (a DR6 of 0xffff0ff0 looks like an error code to
 * a careless caller, as on Xen); -ENODEV for no such register. */
int32_t do_get_debugreg(struct vcpu *v, uint32_t reg, uint32_t a2, uint32_t a3,
                        uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    uint32_t val;
    int32_t rc = debugreg_get(&v->dbg, reg, guest_cr4_de(v), &val);
    return rc ? rc : (int32_t)val;
}

/*
 * #DB with the hypervisor's own state (switcher.S sends it here rather than
 * to hv_trap_fatal). No guest breakpoint is armed while the hypervisor runs,
 * so this is the hypervisor's bug or its self-test; Xen's answer to a #DB in
 * Xen: note it, switch off the breakpoints that fired (an instruction
 * breakpoint would fire again at once), drop TF, and go on.
 */
static unsigned hv_debug_count;

void hv_debug_trap(struct cpu_frame *f)
{
    uint32_t pending = take_dr6();
    if (pending & DR6_BP_MASK)
        write_dr7(0);
    f->eflags &= ~EFLAGS_TF;
    if (hv_debug_count++ < 8)
        printk("#DB in the hypervisor at eip %#x (dr6 %#x): ignored\n", f->eip,
               pending ^ DR6_DEFAULT);
}

/* The hypervisor option test-hv-debug: a data breakpoint, an instruction
 * breakpoint and a single step, all in the hypervisor, before any domain
 * runs. Each is reported and the boot goes on (tests/boot). */
static volatile uint32_t selftest_word;

__attribute__((noinline)) static uint32_t selftest_target(uint32_t x)
{
    return x * 3 + 1;
}

void debugreg_selftest(void)
{
    uint32_t (*volatile fn)(uint32_t) = selftest_target;
    printk("test-hv-debug: a data breakpoint, an instruction breakpoint and a single "
           "step in the hypervisor\n");
    write_dr0((uint32_t)(uintptr_t)&selftest_word);
    write_dr7(DR7_DEFAULT | 1u | (((3u << 2) | DR7_RW_WRITE) << DR7_RW_SHIFT));
    selftest_word = 1;
    write_dr1((uint32_t)(uintptr_t)fn);
    write_dr7(DR7_DEFAULT | (1u << 2) | ((uint32_t)DR7_RW_EXEC << (DR7_RW_SHIFT + 4)));
    selftest_word = fn(selftest_word);
    write_eflags(read_eflags() | EFLAGS_TF);
    selftest_word++;
    printk("test-hv-debug: %u #DB in the hypervisor, word %u, DR7 %#x, TF %u: running on\n",
           hv_debug_count, selftest_word, read_dr7(), (read_eflags() >> 8) & 1);
}
