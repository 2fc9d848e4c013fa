/*
 * sysenter: SYSENTER games, each of which must end as on Xen (a 32-bit PV
 * guest there gets its sysenter callback with Xen's frame, whatever ring
 * made the call, and nothing else), never in ring 0 with our state or on a
 * corrupted hypervisor stack:
 *   test=sysenter       SYSENTER from ring 1, from ring 2, from ring 3 with
 *                       TF set (the CPU's single-step trap lands in the
 *                       hypervisor's entry: it is dropped, the frame keeps
 *                       TF, so ring 3 traps #DB after its next instruction),
 *                       and with NT set (the hypervisor's own iret must not
 *                       become a task return);
 *   test=sysenter-vm86  SYSENTER from virtual-8086 mode (QEMU's TCG lets a
 *                       guest iret there): the CPU leaves vm86, the callback
 *                       gets the call like any other;
 *   test=sysenter-nogp  SYSENTER with no callback and no #GP handler: this
 *                       domain is crashed alone.
 */
#include "guest.h"

#include "attack.h"

struct sy_record {
    uint32_t eax, ecx, edx, esp, ds;
    uint32_t frame[5];                      /* eip, cs, eflags, esp, ss */
    uint32_t count;
};
_Static_assert(sizeof(struct sy_record) == 44, "sysenter_probes.S's offsets");
volatile struct sy_record sy_rec;
volatile uint32_t sy_mode, sy_ret_cs = FLAT_RING3_CS, sy_ret_ss = FLAT_RING3_SS;

void sy_cb(void), sy_r1(void), sy_vm86_enter(void);
extern char sy_r2[], sy_r3[], sy_r3_tf[], sy_r3_tf_back[], sy_r3_nt[];

static uint8_t sy_stack[4096] __attribute__((aligned(16)));
#define SY_STACK_TOP ((uint32_t)(uintptr_t)sy_stack + sizeof(sy_stack))

#define SCRATCH(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCRATCH_MFN(i) pfn_to_mfn(SCRATCH(i) >> 12)
#define R2_CS 0x0Au          /* our GDT entry 1, DPL 2 code */
#define R2_SS 0x12u          /* our GDT entry 2, DPL 2 data */

static int32_t reg_sysenter(uint32_t eip)
{
    struct callback_register cb = { CALLBACKTYPE_sysenter, 0, { FLAT_RING1_CS, eip } };
    return hv_callback_op(CALLBACKOP_register, &cb);
}

/* Xen's frame, entered on our kernel stack: CS 3 with the saved upcall
 * mask in bits 16-23 (our kernel runs with events masked, ring 3 without),
 * EFLAGS.IF its inverse. */
static int xen_frame(uint32_t mask, uint32_t eflags_set, uint32_t eflags_clear)
{
    volatile struct sy_record *r = &sy_rec;
    eflags_set |= mask ? 0 : 0x200;
    eflags_clear |= mask ? 0x200 : 0;
    return r->frame[0] == 0 && r->frame[1] == (3 | mask << 16) &&
           (r->frame[2] & eflags_set) == eflags_set &&
           !(r->frame[2] & eflags_clear) && r->frame[3] == 0 && r->frame[4] == FLAT_RING3_SS &&
           r->esp == SY_STACK_TOP - 20;
}

static void say_frame(void)
{
    printf("attack: frame eip %#x cs %#x eflags %#x esp %#x ss %#x, callback esp top-%u\n",
           (unsigned)sy_rec.frame[0], (unsigned)sy_rec.frame[1], (unsigned)sy_rec.frame[2],
           (unsigned)sy_rec.frame[3], (unsigned)sy_rec.frame[4],
           (unsigned)(SY_STACK_TOP - sy_rec.esp));
}

static void sysenter_rings(void)
{
    volatile struct sy_record *r = &sy_rec;
    ok(user_setup() == 0 && hv_stack_switch(FLAT_RING1_SS, SY_STACK_TOP) == 0 &&
       reg_sysenter((uint32_t)(uintptr_t)sy_cb) == 0,
       "ring 3 mapped, a kernel stack of ours, a sysenter callback");

    /* Ring 1: the frame says ring 3 all the same (Xen does not know). */
    sy_mode = 1;
    sy_r1();
    say_frame();
    ok(r->count == 1 && r->eax == 0x1111AAAAu && xen_frame(1, 0, 0),
       "SYSENTER from ring 1: our callback, Xen's frame (eip 0, cs 3 with mask 1, esp 0, "
       "ss %#x) on the kernel stack, back in ring 1", (unsigned)r->frame[4]);

    /* Ring 2. */
    uint32_t *gdt = (uint32_t *)SCRATCH(14);
    uint32_t mfn = SCRATCH_MFN(14);
    for (unsigned i = 0; i < 1024; i++)
        gdt[i] = 0;
    map_page(SCRATCH(14), mfn, PTE_P | PTE_A);
    uint64_t ma = (uint64_t)mfn << 12;
    int gdt_ok = hv_update_descriptor(ma + 8, 0x00CFDA000000FFFFull) == 0 &&
                 hv_update_descriptor(ma + 16, 0x00CFD2000000FFFFull) == 0 &&
                 hv_set_gdt(&mfn, 3) == 0;
    map_page(SCRATCH(13), SCRATCH_MFN(13), PTE_P | PTE_RW | PTE_A | PTE_D);
    sy_mode = 0;
    sy_ret_cs = R2_CS;
    sy_ret_ss = R2_SS;
    uint32_t rv = user_run_ring((uint32_t)(uintptr_t)sy_r2, R2_CS, R2_SS, SCRATCH(13) + 4096);
    say_frame();
    ok(gdt_ok && rv == 0x2222 && r->count == 2 && r->eax == 0x2222AAAAu &&
       r->ecx == SCRATCH(13) + 4096 && xen_frame(0, 0, 0),
       "SYSENTER from ring 2: the same frame, and back to ring 2 (%#x)", (unsigned)rv);
    hv_set_gdt(&mfn, 0);
    map_page(SCRATCH(14), mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    sy_ret_cs = FLAT_RING3_CS;
    sy_ret_ss = FLAT_RING3_SS;

    /* Ring 3 with TF. */
    unsigned before = last_trap.count;
    rv = user_run((uint32_t)(uintptr_t)sy_r3_tf);
    say_frame();
    ok(r->count == 3 && r->eax == 0x3333AAAAu && xen_frame(0, 0x100, 0),
       "SYSENTER with TF: the callback once, not single-stepped, TF kept in the frame "
       "(eflags %#x)", (unsigned)r->frame[2]);
    ok(rv == (USER_TRAPPED | 1) && last_trap.count == before + 1 &&
       last_trap.eip == (uint32_t)(uintptr_t)sy_r3_tf_back + 1,
       "... and no #DB for the SYSENTER itself: the first one after the nop back in ring 3 "
       "(%#x at %#x)", (unsigned)rv, (unsigned)last_trap.eip);

    /* Ring 3 with NT. */
    rv = user_run((uint32_t)(uintptr_t)sy_r3_nt);
    say_frame();
    ok(r->count == 4 && r->eax == 0x4444AAAAu && xen_frame(0, 0x4000, 0x100) &&
       rv == 0x3333,
       "SYSENTER with NT: the callback, NT kept in the frame (eflags %#x), ring 3 back with "
       "NT clear (%#x)", (unsigned)r->frame[2], (unsigned)rv);

    rv = user_run((uint32_t)(uintptr_t)sy_r3);
    ok(r->count == 5 && rv == 0x5555 && xen_frame(0, 0, 0x4100),
       "a plain SYSENTER from ring 3 after all that: served (%#x)", (unsigned)rv);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000 && guest_traps_install() == 0,
       "the hypervisor still serves us");
}

static void sysenter_vm86(void)
{
    static const uint8_t sysenter_insn[] = { 0x0F, 0x34 };
    ok(user_setup() == 0 && hv_stack_switch(FLAT_RING1_SS, SY_STACK_TOP) == 0 &&
       reg_sysenter((uint32_t)(uintptr_t)sy_cb) == 0,
       "a kernel stack of ours, a sysenter callback, a SYSENTER at 0300:0010");
    for (size_t i = 0; i < sizeof(sysenter_insn); i++)
        ((volatile uint8_t *)(GUEST_USTACK_VA + 0x10))[i] = sysenter_insn[i];
    sy_mode = 2;
    sy_vm86_enter();
    say_frame();
    ok(sy_rec.count == 1 && sy_rec.eax == 0x0300AAAAu && sy_rec.ds == 0 &&
       xen_frame(1, 0, 0x20000),
       "SYSENTER from vm86: out of vm86 into our callback, as any SYSENTER (ds %#x)",
       (unsigned)sy_rec.ds);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000 && guest_traps_install() == 0,
       "the hypervisor still serves us");
}

int sysenter_case(const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    if (IS("sysenter")) {
        printf("attack: SYSENTER from every ring, with TF, with NT\n");
        sysenter_rings();
    } else if (IS("sysenter-vm86")) {
        printf("attack: SYSENTER from virtual-8086 mode\n");
        sysenter_vm86();
    } else if (IS("sysenter-nogp")) {
        printf("attack: SYSENTER with no callback and no #GP handler\n");
        user_setup();
        reg_sysenter(0);
        hv_set_trap_table(NULL);
        user_run((uint32_t)(uintptr_t)sy_r3);
        printf("attack: test=sysenter-nogp did not crash the domain\n");
        signal_innocent();
        poweroff(0);
    } else {
        return -1;
    }
    signal_innocent();
    return tap_done();
#undef IS
}
