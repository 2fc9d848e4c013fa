/*
 * test_svm: the hw mode's pure decisions (hypervisor/hw/rules.c) and the
 * VMCB layout (hypervisor/arch/x86/svm.h): field offsets as the AMD APM's
 * Appendix B gives them, the intercepts a fresh VMCB gets, what each exit
 * does, when an interrupt is injected, what is re-injected, the IOIO exit
 * information, CPUID hiding and the MSRs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/svm.h"
#include "hw/rules.h"

#define OFF(f) offsetof(struct svm_vmcb, f)

static void test_vmcb_offsets(void **state)
{
    (void)state;
    /* The control area (APM Table B-1). */
    assert_int_equal(OFF(c.cr_read), 0x000);
    assert_int_equal(OFF(c.exceptions), 0x008);
    assert_int_equal(OFF(c.intercept1), 0x00C);
    assert_int_equal(OFF(c.intercept2), 0x010);
    assert_int_equal(OFF(c.iopm_pa), 0x040);
    assert_int_equal(OFF(c.msrpm_pa), 0x048);
    assert_int_equal(OFF(c.tsc_offset), 0x050);
    assert_int_equal(OFF(c.asid), 0x058);
    assert_int_equal(OFF(c.tlb_control), 0x05C);
    assert_int_equal(OFF(c.int_ctl), 0x060);
    assert_int_equal(OFF(c.int_vector), 0x064);
    assert_int_equal(OFF(c.int_state), 0x068);
    assert_int_equal(OFF(c.exit_code), 0x070);
    assert_int_equal(OFF(c.exit_info1), 0x078);
    assert_int_equal(OFF(c.exit_info2), 0x080);
    assert_int_equal(OFF(c.exit_int_info), 0x088);
    assert_int_equal(OFF(c.np_enable), 0x090);
    assert_int_equal(OFF(c.event_inj), 0x0A8);
    assert_int_equal(OFF(c.event_inj_err), 0x0AC);
    assert_int_equal(OFF(c.n_cr3), 0x0B0);
    assert_int_equal(OFF(c.next_rip), 0x0C8);
    /* The state-save area (APM Table B-2). */
    assert_int_equal(OFF(s.es), 0x400);
    assert_int_equal(OFF(s.cs), 0x410);
    assert_int_equal(OFF(s.ss), 0x420);
    assert_int_equal(OFF(s.ds), 0x430);
    assert_int_equal(OFF(s.fs), 0x440);
    assert_int_equal(OFF(s.gs), 0x450);
    assert_int_equal(OFF(s.gdtr), 0x460);
    assert_int_equal(OFF(s.ldtr), 0x470);
    assert_int_equal(OFF(s.idtr), 0x480);
    assert_int_equal(OFF(s.tr), 0x490);
    assert_int_equal(OFF(s.cpl), 0x4CB);
    assert_int_equal(OFF(s.efer), 0x4D0);
    assert_int_equal(OFF(s.cr4), 0x548);
    assert_int_equal(OFF(s.cr3), 0x550);
    assert_int_equal(OFF(s.cr0), 0x558);
    assert_int_equal(OFF(s.dr7), 0x560);
    assert_int_equal(OFF(s.dr6), 0x568);
    assert_int_equal(OFF(s.rflags), 0x570);
    assert_int_equal(OFF(s.rip), 0x578);
    assert_int_equal(OFF(s.rsp), 0x5D8);
    assert_int_equal(OFF(s.rax), 0x5F8);
    assert_int_equal(OFF(s.star), 0x600);
    assert_int_equal(OFF(s.sysenter_cs), 0x628);
    assert_int_equal(OFF(s.sysenter_esp), 0x630);
    assert_int_equal(OFF(s.sysenter_eip), 0x638);
    assert_int_equal(OFF(s.cr2), 0x640);
    assert_int_equal(OFF(s.g_pat), 0x668);
    assert_int_equal(sizeof(struct svm_vmcb), 4096);
    assert_int_equal(sizeof(struct svm_seg), 16);
    assert_int_equal(offsetof(struct svm_seg, attrib), 2);
    assert_int_equal(offsetof(struct svm_seg, limit), 4);
    assert_int_equal(offsetof(struct svm_seg, base), 8);
}

static void test_intercepts(void **state)
{
    (void)state;
    struct svm_control c;
    memset(&c, 0xAB, sizeof(c));
    hw_vmcb_control_init(&c, 0x123000, 0x456000, 3, 0x789000);
    /* What the guest may not do itself. */
    uint32_t want1 = SVM_I1_INTR | SVM_I1_NMI | SVM_I1_SMI | SVM_I1_INIT | SVM_I1_CPUID |
                     SVM_I1_INVD | SVM_I1_HLT | SVM_I1_IOIO | SVM_I1_MSR |
                     SVM_I1_TASK_SWITCH | SVM_I1_SHUTDOWN | SVM_I1_INVLPGA;
    uint32_t want2 = SVM_I2_VMRUN | SVM_I2_VMMCALL | SVM_I2_VMLOAD | SVM_I2_VMSAVE |
                     SVM_I2_STGI | SVM_I2_CLGI | SVM_I2_SKINIT | SVM_I2_MONITOR |
                     SVM_I2_MWAIT | SVM_I2_XSETBV;
    assert_int_equal(c.intercept1, want1);
    assert_int_equal(c.intercept2, want2);
    /* What it may: RDTSC(P) (icount benchmarks count), its page tables
     * and control registers but CR8 (the LAPIC's TPR), INVLPG, its own
     * exceptions, VINTR until a window is wanted. */
    assert_false(c.intercept1 & (SVM_I1_RDTSC | SVM_I1_INVLPG | SVM_I1_VINTR | SVM_I1_POPF |
                                 SVM_I1_PUSHF | SVM_I1_IRET | SVM_I1_INTN));
    assert_false(c.intercept2 & SVM_I2_RDTSCP);
    assert_int_equal(c.cr_read, 1u << 8);
    assert_int_equal(c.cr_write, 1u << 8);
    assert_int_equal(c.exceptions, 0);          /* HW_VIRQ_FAULTS only while a V_IRQ is offered */
    /* DR0-3 (shared with every domain), not DR6/DR7 (in the VMCB); writes
     * to DR7 and its alias DR5 too (QEMU arms breakpoints only at a mov to
     * DR7 and never disarms them at #VMEXIT). */
    assert_int_equal(c.dr_read, 0x000F);
    assert_int_equal(c.dr_write, 0x00AF);
    assert_int_equal(c.exceptions, 0);
    assert_int_equal(c.iopm_pa, 0x123000);
    assert_int_equal(c.msrpm_pa, 0x456000);
    assert_int_equal(c.asid, 3);
    assert_int_equal(c.tlb_control, SVM_TLB_FLUSH_ALL);
    assert_int_equal(c.int_ctl, SVM_V_INTR_MASKING);
    assert_int_equal(c.np_enable, SVM_NP_ENABLE);
    assert_int_equal(c.n_cr3, 0x789000);
    assert_int_equal(c.event_inj, 0);
    assert_int_equal(c.tsc_offset, 0);
    /* VMRUN itself must be intercepted, or the CPU refuses the VMCB. */
    assert_true(c.intercept2 & SVM_I2_VMRUN);
}

static void test_exit_names(void **state)
{
    (void)state;
    static const struct { uint64_t code; const char *name; } t[] = {
        { SVM_EXIT_INTR, "intr" }, { SVM_EXIT_NMI, "nmi" }, { SVM_EXIT_SMI, "smi" },
        { SVM_EXIT_INIT, "init" }, { SVM_EXIT_VINTR, "vintr" }, { SVM_EXIT_CPUID, "cpuid" },
        { SVM_EXIT_INVD, "invd" }, { SVM_EXIT_HLT, "hlt" }, { SVM_EXIT_IOIO, "ioio" },
        { SVM_EXIT_MSR, "msr" }, { SVM_EXIT_TASK_SWITCH, "task_switch" },
        { SVM_EXIT_SHUTDOWN, "shutdown" }, { SVM_EXIT_VMRUN, "vmrun" },
        { SVM_EXIT_VMMCALL, "vmmcall" }, { SVM_EXIT_VMLOAD, "vmload" },
        { SVM_EXIT_VMSAVE, "vmsave" }, { SVM_EXIT_STGI, "stgi" }, { SVM_EXIT_CLGI, "clgi" },
        { SVM_EXIT_SKINIT, "skinit" }, { SVM_EXIT_INVLPGA, "invlpga" }, { SVM_EXIT_MONITOR, "monitor" },
        { SVM_EXIT_MWAIT, "mwait" }, { SVM_EXIT_XSETBV, "xsetbv" }, { SVM_EXIT_NPF, "npf" },
        { SVM_EXIT_INVALID, "invalid" }, { (uint64_t)-1, "invalid" },
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_string_equal(hw_exit_name(t[i].code), t[i].name);
    assert_string_equal(hw_exit_name(SVM_EXIT_READ_DR0), "dr0_read");
    assert_string_equal(hw_exit_name(SVM_EXIT_READ_DR0 + 3), "dr3_read");
    assert_string_equal(hw_exit_name(SVM_EXIT_WRITE_DR0 + 2), "dr2_write");
    assert_null(hw_exit_name(SVM_EXIT_READ_DR0 + 7));
    assert_string_equal(hw_exit_name(SVM_EXIT_WRITE_DR0 + 7), "dr7_write");
    assert_string_equal(hw_exit_name(SVM_EXIT_WRITE_DR0 + 5), "dr5_write");
    assert_null(hw_exit_name(SVM_EXIT_WRITE_DR0 + 6));
    assert_null(hw_exit_name(SVM_EXIT_RDTSC));
    assert_null(hw_exit_name(0x401));
    /* The counters: codes below SVM_EXIT_CODES one by one, then NPF,
     * INVALID, the rest. */
    assert_int_equal(hw_exit_index(SVM_EXIT_CPUID), SVM_EXIT_CPUID);
    assert_int_equal(hw_exit_index(SVM_EXIT_CODES - 1), SVM_EXIT_CODES - 1);
    assert_int_equal(hw_exit_index(SVM_EXIT_NPF), HW_EXIT_NPF_IDX);
    assert_int_equal(hw_exit_index(SVM_EXIT_INVALID), HW_EXIT_INVALID_IDX);
    assert_int_equal(hw_exit_index((uint64_t)-1), HW_EXIT_INVALID_IDX);
    assert_int_equal(hw_exit_index(SVM_EXIT_CODES), HW_EXIT_OTHER);
    assert_int_equal(hw_exit_index(0x401), HW_EXIT_OTHER);
    assert_true(HW_EXIT_OTHER < HW_EXIT_COUNTERS);
}

static void test_exit_actions(void **state)
{
    (void)state;
    static const struct { uint64_t code; enum hw_action act; } t[] = {
        { SVM_EXIT_INTR, HW_ACT_NONE }, { SVM_EXIT_NMI, HW_ACT_NONE },
        { SVM_EXIT_SMI, HW_ACT_NONE }, { SVM_EXIT_VINTR, HW_ACT_WINDOW },
        { SVM_EXIT_CPUID, HW_ACT_CPUID }, { SVM_EXIT_HLT, HW_ACT_HLT },
        { SVM_EXIT_MWAIT, HW_ACT_MWAIT }, { SVM_EXIT_MONITOR, HW_ACT_MONITOR },
        { SVM_EXIT_INVD, HW_ACT_INVD }, { SVM_EXIT_IOIO, HW_ACT_IOIO },
        { SVM_EXIT_MSR, HW_ACT_MSR }, { SVM_EXIT_NPF, HW_ACT_NPF },
        { SVM_EXIT_VMRUN, HW_ACT_UD }, { SVM_EXIT_VMMCALL, HW_ACT_UD },
        { SVM_EXIT_VMLOAD, HW_ACT_UD }, { SVM_EXIT_VMSAVE, HW_ACT_UD },
        { SVM_EXIT_STGI, HW_ACT_UD }, { SVM_EXIT_CLGI, HW_ACT_UD },
        { SVM_EXIT_SKINIT, HW_ACT_UD }, { SVM_EXIT_XSETBV, HW_ACT_UD },
        { SVM_EXIT_INVLPGA, HW_ACT_UD },
        { SVM_EXIT_SHUTDOWN, HW_ACT_SHUTDOWN }, { SVM_EXIT_TASK_SWITCH, HW_ACT_TASK_SWITCH },
        { SVM_EXIT_INIT, HW_ACT_INIT }, { SVM_EXIT_INVALID, HW_ACT_INVALID },
        { (uint64_t)-1, HW_ACT_INVALID },
        { SVM_EXIT_READ_DR0, HW_ACT_DR }, { SVM_EXIT_READ_DR0 + 3, HW_ACT_DR },
        { SVM_EXIT_WRITE_DR0, HW_ACT_DR }, { SVM_EXIT_WRITE_DR0 + 3, HW_ACT_DR },
        { SVM_EXIT_WRITE_DR0 + 5, HW_ACT_DR }, { SVM_EXIT_WRITE_DR0 + 7, HW_ACT_DR },
        { SVM_EXIT_WRITE_DR0 + 6, HW_ACT_UNKNOWN }, { SVM_EXIT_READ_DR0 + 5, HW_ACT_UNKNOWN },
        /* Nothing asked for these: crash with the number. */
        { SVM_EXIT_READ_DR0 + 7, HW_ACT_UNKNOWN }, { SVM_EXIT_WRITE_DR0 + 4, HW_ACT_UNKNOWN },
        { SVM_EXIT_RDTSC, HW_ACT_UNKNOWN }, { SVM_EXIT_EXCP_BASE + 6, HW_ACT_UNKNOWN },
        { SVM_EXIT_EXCP_BASE + 8, HW_ACT_UNKNOWN }, { SVM_EXIT_EXCP_BASE + 15, HW_ACT_UNKNOWN },
        { SVM_EXIT_READ_CR0 + 8, HW_ACT_CR8 }, { SVM_EXIT_WRITE_CR0 + 8, HW_ACT_CR8 },
        { SVM_EXIT_READ_CR0, HW_ACT_UNKNOWN }, { SVM_EXIT_WRITE_CR0 + 3, HW_ACT_UNKNOWN },
        /* The faults of an interrupt's delivery (HW_VIRQ_FAULTS). */
        { SVM_EXIT_EXCP_BASE + 10, HW_ACT_EXCEPTION }, { SVM_EXIT_EXCP_BASE + 11, HW_ACT_EXCEPTION },
        { SVM_EXIT_EXCP_BASE + 12, HW_ACT_EXCEPTION }, { SVM_EXIT_EXCP_BASE + 13, HW_ACT_EXCEPTION },
        { SVM_EXIT_EXCP_BASE + 14, HW_ACT_EXCEPTION },
        { SVM_EXIT_RDTSCP, HW_ACT_UNKNOWN }, { 0x401, HW_ACT_UNKNOWN },
        { 0x1234567, HW_ACT_UNKNOWN },
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_int_equal(hw_exit_action(t[i].code), t[i].act);
    /* Every intercept the VMCB sets has an action that is not UNKNOWN. */
    for (unsigned bit = 0; bit < 32; bit++) {
        if (HW_INTERCEPT1 & (1u << bit))
            assert_int_not_equal(hw_exit_action(SVM_EXIT_INTR + bit), HW_ACT_UNKNOWN);
        if (HW_INTERCEPT2 & (1u << bit))
            assert_int_not_equal(hw_exit_action(SVM_EXIT_VMRUN + bit), HW_ACT_UNKNOWN);
    }
    assert_int_not_equal(hw_exit_action(SVM_EXIT_INTR + 4), HW_ACT_UNKNOWN);  /* VINTR */
    for (unsigned v = 0; v < 32; v++)       /* every exception it may intercept */
        if (HW_VIRQ_FAULTS & (1u << v))
            assert_int_equal(hw_exit_action(SVM_EXIT_EXCP_BASE + v), HW_ACT_EXCEPTION);
    assert_string_equal(hw_exit_name(SVM_EXIT_EXCP_BASE + 11), "np");
    assert_string_equal(hw_exit_name(SVM_EXIT_READ_CR0 + 8), "cr8_read");
    assert_string_equal(hw_exit_name(SVM_EXIT_WRITE_CR0 + 8), "cr8_write");
    /* CR8 through lock mov CR0: LOCK among the prefixes, ModRM reg 0. */
    struct hw_mov_cr8 c8;
    static const uint8_t rd[] = { 0xF0, 0x0F, 0x20, 0xC1 };          /* lock mov %cr0, %ecx */
    assert_true(hw_decode_mov_cr8(rd, sizeof(rd), &c8));
    assert_false(c8.write);
    assert_int_equal(c8.gpr, 1);
    assert_int_equal(c8.len, 4);
    static const uint8_t wr[] = { 0x3E, 0xF0, 0x0F, 0x22, 0x07 };    /* ds lock mov %edi, %cr0 (mod 0) */
    assert_true(hw_decode_mov_cr8(wr, sizeof(wr), &c8));
    assert_true(c8.write);
    assert_int_equal(c8.gpr, 7);
    assert_int_equal(c8.len, 5);
    static const uint8_t nolock[] = { 0x0F, 0x22, 0xC0 };            /* mov %eax, %cr0 */
    assert_false(hw_decode_mov_cr8(nolock, sizeof(nolock), &c8));
    static const uint8_t cr3[] = { 0xF0, 0x0F, 0x22, 0xD8 };         /* reg 3 */
    assert_false(hw_decode_mov_cr8(cr3, sizeof(cr3), &c8));
    assert_false(hw_decode_mov_cr8(rd, 3, &c8));                     /* cut short */
    static const uint8_t many[15] = { 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0,
                                      0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0x0F, 0x20 };
    assert_false(hw_decode_mov_cr8(many, sizeof(many), &c8));
    assert_string_equal(hw_exit_name(SVM_EXIT_EXCP_BASE + 14), "pf");
    assert_null(hw_exit_name(SVM_EXIT_EXCP_BASE + 15));
    /* A V_IRQ offered: taken when the CPU cleared V_IRQ, or when its
     * delivery faulted (one of those exceptions with V_IRQ still set). */
    assert_true(hw_virq_taken(0, SVM_EXIT_IOIO));
    assert_true(hw_virq_taken(0, SVM_EXIT_EXCP_BASE + 13));
    assert_true(hw_virq_taken(1, SVM_EXIT_EXCP_BASE + 11));
    assert_true(hw_virq_taken(1, SVM_EXIT_EXCP_BASE + 14));
    assert_false(hw_virq_taken(1, SVM_EXIT_INTR));
    assert_false(hw_virq_taken(1, SVM_EXIT_NMI));
    assert_false(hw_virq_taken(1, SVM_EXIT_NPF));
    assert_false(hw_virq_taken(1, SVM_EXIT_EXCP_BASE + 6));
    /* Which exits may change the interrupt line (then it is asked again). */
    assert_true(hw_action_touches_platform(HW_ACT_IOIO));
    assert_true(hw_action_touches_platform(HW_ACT_NPF));
    assert_true(hw_action_touches_platform(HW_ACT_WINDOW));
    assert_false(hw_action_touches_platform(HW_ACT_CPUID));
    assert_false(hw_action_touches_platform(HW_ACT_MSR));      /* the APIC MSR marks its own */
    assert_false(hw_action_touches_platform(HW_ACT_NONE));     /* the tick marks its own */
    assert_false(hw_action_touches_platform(HW_ACT_HLT));
    assert_false(hw_action_touches_platform(HW_ACT_DR));
    assert_false(hw_action_touches_platform(HW_ACT_UD));
}

static void test_mov_dr(void **state)
{
    (void)state;
    struct hw_mov_dr m;
    static const uint8_t to_dr3_ecx[] = { 0x0F, 0x23, 0xD9 };        /* mov %ecx, %dr3 */
    assert_int_equal(hw_decode_mov_dr(to_dr3_ecx, 3, &m), 1);
    assert_true(m.write);
    assert_int_equal(m.dr, 3);
    assert_int_equal(m.gpr, 1);
    assert_int_equal(m.len, 3);
    static const uint8_t from_dr0_edi[] = { 0x0F, 0x21, 0xC7 };      /* mov %dr0, %edi */
    assert_int_equal(hw_decode_mov_dr(from_dr0_edi, 3, &m), 1);
    assert_false(m.write);
    assert_int_equal(m.dr, 0);
    assert_int_equal(m.gpr, 7);
    static const uint8_t prefixed[] = { 0x66, 0x2E, 0x0F, 0x21, 0x0A }; /* mod 00: as 11 */
    assert_int_equal(hw_decode_mov_dr(prefixed, 5, &m), 1);
    assert_int_equal(m.len, 5);
    assert_int_equal(m.dr, 1);
    assert_int_equal(m.gpr, 2);
    static const uint8_t short_[] = { 0x0F, 0x23 };
    assert_int_equal(hw_decode_mov_dr(short_, 2, &m), 0);
    static const uint8_t cr[] = { 0x0F, 0x22, 0xD8 };                /* mov to CR3 */
    assert_int_equal(hw_decode_mov_dr(cr, 3, &m), 0);
    static const uint8_t lock[] = { 0xF0, 0x0F, 0x23, 0xD9 };
    assert_int_equal(hw_decode_mov_dr(lock, 4, &m), 0);
    uint8_t many[16];
    memset(many, 0x66, sizeof(many));
    assert_int_equal(hw_decode_mov_dr(many, sizeof(many), &m), 0);
}

static void test_hlt_decision(void **state)
{
    (void)state;
    assert_int_equal(hw_hlt_decide(0x202, 0), HW_HLT_BLOCK);
    assert_int_equal(hw_hlt_decide(0x002, 0), HW_HLT_FOREVER);      /* cli; hlt */
    /* an event to deliver first (Xen's hvm_event_pending), whatever IF */
    assert_int_equal(hw_hlt_decide(0x002, SVM_EVT_VALID | SVM_EVT_EXCEPTION | 1), HW_HLT_RESUME);
    assert_int_equal(hw_hlt_decide(0x202, SVM_EVT_VALID | SVM_EVT_INTR | 0x30), HW_HLT_RESUME);
    assert_int_equal(hw_hlt_decide(0x002, SVM_EVT_INTR | 0x30), HW_HLT_FOREVER);   /* not valid */
}

static void test_dr7_write(void **state)
{
    (void)state;
    uint32_t dr7 = 0;
    assert_int_equal(hw_dr7_write(7, 0, 0x000D0001u, &dr7), 0);
    assert_int_equal(dr7, 0x000D0401u);                  /* bit 10 reads 1 */
    dr7 = 0;
    assert_int_equal(hw_dr7_write(5, 0, 2, &dr7), 0);    /* the alias, CR4.DE clear */
    assert_int_equal(dr7, 0x402);
    dr7 = 0x1234;
    assert_int_equal(hw_dr7_write(5, 8, 2, &dr7), -1);   /* CR4.DE: #UD */
    assert_int_equal(dr7, 0x1234);
    assert_int_equal(hw_dr7_write(7, 8, 0, &dr7), 0);    /* DR7 itself whatever DE */
    assert_int_equal(dr7, 0x400);
    assert_int_equal(hw_dr7_write(6, 0, 0, &dr7), -1);
    assert_int_equal(hw_dr7_write(3, 0, 0, &dr7), -1);
    /* Every write the VMCB intercepts has an action. */
    for (unsigned r = 0; r < 16; r++)
        if (HW_DR_WRITE_INTERCEPT & (1u << r))
            assert_int_equal(hw_exit_action(SVM_EXIT_WRITE_DR0 + r), HW_ACT_DR);
}

#define IF (1u << 9)

static void test_inject_decision(void **state)
{
    (void)state;
    /* Nothing pending: nothing, whatever the guest's state. */
    assert_int_equal(hw_inject_decide(-1, IF, 0, 0), HW_INJ_NONE);
    assert_int_equal(hw_inject_decide(-1, 0, SVM_INT_SHADOW, SVM_EVT_VALID), HW_INJ_NONE);
    /* Pending, IF set, no shadow, EVENTINJ free: now. */
    assert_int_equal(hw_inject_decide(0x20, IF | 0x2, 0, 0), HW_INJ_NOW);
    assert_int_equal(hw_inject_decide(0, IF, 0, 0), HW_INJ_NOW);
    /* IF clear: a window. */
    assert_int_equal(hw_inject_decide(0x20, 0x2, 0, 0), HW_INJ_WINDOW);
    /* In an sti / mov ss shadow: a window. */
    assert_int_equal(hw_inject_decide(0x20, IF, SVM_INT_SHADOW, 0), HW_INJ_WINDOW);
    /* An event of the last exit is going in first: a window. */
    assert_int_equal(hw_inject_decide(0x20, IF, 0, SVM_EVT_VALID | SVM_EVT_EXCEPTION | 14),
                     HW_INJ_WINDOW);
    /* An EVENTINJ without VALID is free. */
    assert_int_equal(hw_inject_decide(0x20, IF, 0, SVM_EVT_EXCEPTION | 14), HW_INJ_NOW);
    /* Other int_state bits are not the shadow. */
    assert_int_equal(hw_inject_decide(0x20, IF, 2, 0), HW_INJ_NOW);
}

static void test_reinject(void **state)
{
    (void)state;
    assert_int_equal(hw_reinject(0), 0);
    assert_int_equal(hw_reinject(SVM_EVT_INTR | 0x20), 0);            /* not valid */
    assert_int_equal(hw_reinject(SVM_EVT_VALID | SVM_EVT_INTR | 0x20),
                     SVM_EVT_VALID | SVM_EVT_INTR | 0x20);
    assert_int_equal(hw_reinject(SVM_EVT_VALID | SVM_EVT_EXCEPTION | SVM_EVT_ERR_VALID | 14),
                     SVM_EVT_VALID | SVM_EVT_EXCEPTION | SVM_EVT_ERR_VALID | 14);
    /* Reserved bits 12-30 are dropped. */
    assert_int_equal(hw_reinject(SVM_EVT_VALID | SVM_EVT_EXCEPTION | (1u << 20) | 13),
                     SVM_EVT_VALID | SVM_EVT_EXCEPTION | 13);
    /* int n / int3 / into run again; NMIs are never given. */
    assert_int_equal(hw_reinject(SVM_EVT_VALID | SVM_EVT_SOFT | 0x80), 0);
    assert_int_equal(hw_reinject(SVM_EVT_VALID | SVM_EVT_NMI | 2), 0);
}

static void test_ioio_decode(void **state)
{
    (void)state;
    struct hw_ioio io;
    /* in al, dx with dx 0x3FD */
    assert_int_equal(hw_ioio_decode(((uint64_t)0x3FD << 16) | SVM_IOIO_IN | SVM_IOIO_SZ8 |
                                    SVM_IOIO_A32, &io), 0);
    assert_int_equal(io.port, 0x3FD);
    assert_int_equal(io.size, 1);
    assert_true(io.in);
    assert_false(io.str);
    assert_false(io.rep);
    /* out dx, ax */
    assert_int_equal(hw_ioio_decode(((uint64_t)0x604 << 16) | SVM_IOIO_SZ16, &io), 0);
    assert_int_equal(io.size, 2);
    assert_false(io.in);
    /* rep outsd with a 16-bit address and an FS override (segment 4) */
    assert_int_equal(hw_ioio_decode(((uint64_t)0xF4 << 16) | SVM_IOIO_STR | SVM_IOIO_REP |
                                    SVM_IOIO_SZ32 | SVM_IOIO_A16 |
                                    (4u << SVM_IOIO_SEG_SHIFT), &io), 0);
    assert_int_equal(io.size, 4);
    assert_true(io.str);
    assert_true(io.rep);
    assert_int_equal(io.addr_size, 2);
    assert_int_equal(io.seg, 4);
    assert_int_equal(io.port, 0xF4);
    /* no size: not an exit a CPU gives */
    assert_int_equal(hw_ioio_decode(((uint64_t)0x80 << 16) | SVM_IOIO_IN, &io), -1);
    /* segment 6 or 7: none */
    assert_int_equal(hw_ioio_decode(SVM_IOIO_SZ8 | SVM_IOIO_STR | (6u << SVM_IOIO_SEG_SHIFT),
                                    &io), -1);
}

static void test_string_io_prefixes(void **state)
{
    (void)state;
    struct hw_ioio io = { .seg = 7, .addr_size = 9 };
    static const uint8_t outsb[] = { 0x6E };
    assert_int_equal(hw_string_io_prefixes(outsb, 1, 1, &io), 1);
    assert_int_equal(io.seg, 3);                       /* DS by default */
    assert_int_equal(io.addr_size, 4);
    assert_int_equal(hw_string_io_prefixes(outsb, 1, 0, &io), 1);
    assert_int_equal(io.addr_size, 2);                 /* 16-bit code */
    static const uint8_t rep_fs_a16[] = { 0xF3, 0x64, 0x67, 0x6E };
    assert_int_equal(hw_string_io_prefixes(rep_fs_a16, 4, 1, &io), 1);
    assert_int_equal(io.seg, 4);
    assert_int_equal(io.addr_size, 2);
    assert_int_equal(hw_string_io_prefixes(rep_fs_a16, 4, 0, &io), 1);
    assert_int_equal(io.addr_size, 4);                 /* 67 in 16-bit code: 32-bit */
    static const uint8_t es_gs_insd[] = { 0x26, 0x65, 0x66, 0x6D };   /* the last override wins */
    assert_int_equal(hw_string_io_prefixes(es_gs_insd, 4, 1, &io), 1);
    assert_int_equal(io.seg, 5);
    static const uint8_t notio[] = { 0xF3, 0xA4 };     /* rep movsb */
    io.seg = 1;
    assert_int_equal(hw_string_io_prefixes(notio, 2, 1, &io), 0);
    assert_int_equal(io.seg, 1);
    assert_int_equal(hw_string_io_prefixes(rep_fs_a16, 3, 1, &io), 0);   /* cut short */
    uint8_t pre[16];
    memset(pre, 0x66, sizeof(pre));
    pre[15] = 0x6E;                                    /* more than 15 bytes */
    assert_int_equal(hw_string_io_prefixes(pre, sizeof(pre), 1, &io), 0);
}

static void test_cpuid_filter(void **state)
{
    (void)state;
    uint32_t r[4] = { 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu };
    hw_cpuid_filter(0x80000001u, 0, r);
    assert_int_equal(r[2], 0xFFFFFFFFu & ~CPUID_80000001_ECX_SVM);
    assert_int_equal(r[3], 0xFFFFFFFFu);
    uint32_t a[4] = { 1, 2, 3, 4 };
    hw_cpuid_filter(0x8000000Au, 0, a);
    assert_int_equal(a[0] | a[1] | a[2] | a[3], 0);
    uint32_t x[4] = { 1, 2, 3, 4 };
    hw_cpuid_filter(0xD, 1, x);
    assert_int_equal(x[0] | x[1] | x[2] | x[3], 0);
    uint32_t one[4] = { 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu };
    hw_cpuid_filter(1, 0, one);
    assert_false(one[2] & ((1u << 26) | (1u << 27) | (1u << 28)));   /* XSAVE OSXSAVE AVX */
    assert_true(one[2] & (1u << 0));                                  /* SSE3 stays */
    assert_int_equal(one[3], 0xFFFFFFFFu);
    uint32_t seven[4] = { 0, 0xFFFFFFFFu, 0xFFFFFFFFu, 0 };
    hw_cpuid_filter(7, 0, seven);
    assert_false(seven[1] & (1u << 5));                               /* AVX2 */
    assert_false(seven[2] & (1u << 3));                               /* PKU */
    assert_true(seven[2] & (1u << 2));                                /* UMIP stays */
    uint32_t other[4] = { 5, 6, 7, 8 };
    hw_cpuid_filter(0, 0, other);
    assert_int_equal(other[0], 5);
    assert_int_equal(other[3], 8);
}

static void test_msrs(void **state)
{
    (void)state;
    assert_int_equal(hw_msr_kind(0xC0000080u), HW_MSR_EFER);
    assert_int_equal(hw_msr_kind(0x174), HW_MSR_SYSENTER_CS);
    assert_int_equal(hw_msr_kind(0x175), HW_MSR_SYSENTER_ESP);
    assert_int_equal(hw_msr_kind(0x176), HW_MSR_SYSENTER_EIP);
    assert_int_equal(hw_msr_kind(0x277), HW_MSR_PAT);
    assert_int_equal(hw_msr_kind(0x1B), HW_MSR_APIC_BASE);
    assert_int_equal(hw_msr_kind(0xC0000081u), HW_MSR_STAR);
    assert_int_equal(hw_msr_kind(0x200), HW_MSR_STORE);
    assert_int_equal(hw_msr_kind(0x2FF), HW_MSR_STORE);
    assert_int_equal(hw_msr_kind(0x1A0), HW_MSR_STORE);
    assert_int_equal(hw_msr_kind(0xFE), HW_MSR_HOST);
    assert_int_equal(hw_msr_kind(0x401), HW_MSR_HOST);
    /* QEMU 7.2's TCG has no TSC MSR, no VM_HSAVE_PA for a CPU without
     * SVM that pv86 shows, and nothing at random numbers. */
    assert_int_equal(hw_msr_kind(0x10), HW_MSR_ZERO);
    assert_int_equal(hw_msr_kind(0x12345678u), HW_MSR_ZERO);
    assert_int_equal(hw_msr_kind(MSR_VM_HSAVE_PA), HW_MSR_ZERO);
    /* The store's slots are distinct and in range. */
    int seen[HW_MSR_STORE_SLOTS] = { 0 };
    for (uint32_t m = 0; m < 0x1000; m++) {
        int s = hw_msr_store_slot(m);
        if (s < 0)
            continue;
        assert_true(s < HW_MSR_STORE_SLOTS);
        assert_false(seen[s]);
        seen[s] = 1;
    }
    for (int s = 0; s < HW_MSR_STORE_SLOTS; s++)
        assert_true(seen[s]);
    /* EFER: SVME always set in the VMCB, never seen; only the bits the
     * CPU has change (0x80000001 EDX: SYSCALL 11, NX 20, FFXSR 25, LM 29). */
    const uint64_t SVME = 1ull << 12;
    assert_int_equal(hw_efer_read(SVME | 1), 1);
    uint32_t nx_only = 1u << 20;
    assert_int_equal(hw_efer_write(SVME, 0, nx_only), SVME);
    assert_int_equal(hw_efer_write(SVME, 1ull << 11, nx_only), SVME | (1ull << 11));
    assert_int_equal(hw_efer_write(SVME, (1ull << 8) | 1, nx_only), SVME);  /* no LM, no SCE */
    assert_int_equal(hw_efer_write(SVME | (1ull << 11), 0, nx_only), SVME);
    uint32_t all = (1u << 11) | (1u << 20) | (1u << 25) | (1u << 29);
    assert_int_equal(hw_efer_write(SVME, ~0ull, all),
                     SVME | 1 | (1ull << 8) | (1ull << 11) | (1ull << 14));
    assert_int_equal(hw_efer_write(0, 0, 0), SVME);
}

static void test_msr_host_readable(void **state)
{
    (void)state;
    struct hw_host_cpu tcg = { .tcg = 1 };
    assert_true(hw_msr_host_readable(0x198, &tcg));    /* QEMU's TCG never faults */
    assert_true(hw_msr_host_readable(0x12345678u, &tcg));
    struct hw_host_cpu amd = { .mtrr = 1, .mca = 1, .mc_banks = 6 };
    assert_true(hw_msr_host_readable(0xFE, &amd));
    assert_true(hw_msr_host_readable(0x20F, &amd));
    assert_true(hw_msr_host_readable(0x2FF, &amd));
    assert_true(hw_msr_host_readable(0x179, &amd));
    assert_false(hw_msr_host_readable(0x17B, &amd));   /* no MCG_CTL_P */
    assert_true(hw_msr_host_readable(0x400 + 4 * 6 - 1, &amd));
    assert_false(hw_msr_host_readable(0x400 + 4 * 6, &amd));   /* past its banks */
    assert_false(hw_msr_host_readable(0x198, &amd));   /* Intel's PERF_STATUS */
    assert_false(hw_msr_host_readable(0x34, &amd));
    assert_false(hw_msr_host_readable(0x1A0, &amd));
    assert_false(hw_msr_host_readable(0x10, &amd));
    struct hw_host_cpu bare = { 0 };
    assert_false(hw_msr_host_readable(0xFE, &bare));
    assert_false(hw_msr_host_readable(0x179, &bare));
    assert_false(hw_msr_host_readable(0x400, &bare));
    struct hw_host_cpu intel = { .intel = 1, .mca = 1, .mcg_ctl = 1, .mc_banks = 10 };
    assert_true(hw_msr_host_readable(0x198, &intel));
    assert_true(hw_msr_host_readable(0x17B, &intel));
    assert_true(hw_msr_host_readable(0x427, &intel));
    assert_false(hw_msr_host_readable(0x428, &intel));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmcb_offsets),
        cmocka_unit_test(test_intercepts),
        cmocka_unit_test(test_exit_names),
        cmocka_unit_test(test_exit_actions),
        cmocka_unit_test(test_mov_dr),
        cmocka_unit_test(test_dr7_write),
        cmocka_unit_test(test_hlt_decision),
        cmocka_unit_test(test_inject_decision),
        cmocka_unit_test(test_reinject),
        cmocka_unit_test(test_ioio_decode),
        cmocka_unit_test(test_string_io_prefixes),
        cmocka_unit_test(test_cpuid_filter),
        cmocka_unit_test(test_msrs),
        cmocka_unit_test(test_msr_host_readable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
