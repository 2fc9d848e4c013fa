/*
 * dr6stale: the CPU's DR6 after a #DB the hypervisor takes for itself
 * (test=dr6-stale, review of issue 14).
 *
 * SYSENTER with TF set makes the CPU raise its single-step #DB at the
 * hypervisor's sysenter entry, setting DR6.BS in the real DR6. Xen's #DB
 * handler reads and resets DR6 before anything else, so that #DB leaves
 * nothing behind. If the hypervisor dropped it without resetting DR6, BS
 * would stay in the CPU and show in the next #DB any domain takes (here:
 * ours, a data breakpoint whose DR6 must say B0 only, 0xffff0ff1; beside
 * the innocent, whichever domain's breakpoint fires next).
 *
 * test=dr6-ptwr: a single step over a write to our own L1 that the
 * hypervisor emulates (writable page tables) ends in the #DB after it with
 * DR6.BS, as after any instruction Xen emulates (pv_ro_page_fault: the
 * retired instruction's single step, pv_inject_DB(X86_DR6_BS)), and the
 * hardware single steps around it say the same.
 */
#include "guest.h"

#include "attack.h"

#define DR7_L0 1u
#define DR7_W0_LEN4 ((uint32_t)(3u << 2 | 1u) << 16)

void dr6s_cb(void), dr6s_db_stub(void);
void dr6s_sysenter_tf(void);
volatile uint32_t dr6s_cb_count, dr6s_cb_eflags;
static volatile uint32_t dr6s_db_count, dr6s_db_dr6[4], dr6s_word;

static uint8_t dr6s_stack[4096] __attribute__((aligned(16)));

struct dr6s_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t eip, cs, eflags;
};
static volatile uint32_t dr6s_db_eip[4];

void dr6s_db(struct dr6s_frame *f);
void dr6s_db(struct dr6s_frame *f)
{
    uint32_t i = dr6s_db_count++;
    if (i < 4) {
        dr6s_db_dr6[i] = (uint32_t)hv_get_debugreg(6);
        dr6s_db_eip[i] = f->eip;
    }
    hv_set_debugreg(6, 0);
}

void dr6s_ptwr_step(volatile uint64_t *p, uint32_t v);
extern char dr6s_ps_1[], dr6s_ps_2[], dr6s_ps_3[], dr6s_ps_4[];

#define PFN_T 0x3E0u                    /* our L1 (as attack/ptwr.c) */
#define PFN_D 0x3E1u
#define T_VA (PFN_T << 12)
#define HOOK_SLOT 0x1E0u

static int dr6_ptwr(void)
{
    printf("attack: a single step over an emulated write to our own L1\n");
    uint32_t t = pfn_to_mfn(PFN_T), d = pfn_to_mfn(PFN_D);
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l2_mfn = (uint32_t)(l3[0] >> 12) & 0xFFFFFu;
    const uint32_t ro = (uint32_t)(PTE_P | PTE_A);
    const struct trap_info tr[2] = {
        { 1, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)dr6s_db_stub }, { 0, 0, 0, 0 },
    };
    memset((void *)T_VA, 0, 4096);
    struct mmuext_op pin = { MMUEXT_PIN_L1_TABLE, t, 0 };
    struct mmu_update hook = { ((uint64_t)l2_mfn << 12) + HOOK_SLOT * 8,
                               ((uint64_t)t << 12) | PTE_P | PTE_RW | PTE_A };
    int32_t rc = hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables) |
                 map_page(T_VA, t, ro) | hv_mmuext_op(&pin, 1, NULL, DOMID_SELF) |
                 hv_mmu_update(&hook, 1, NULL, DOMID_SELF) | hv_set_trap_table(tr);
    ok(rc == 0, "dr6-ptwr: our L1 read-only, pinned, hooked; writable page tables; a #DB "
       "handler (%d)", (int)rc);

    unsigned faults = last_trap.count;
    dr6s_ptwr_step((volatile uint64_t *)T_VA + 5, (d << 12) | ro);
    uint64_t e = ((volatile uint64_t *)T_VA)[5];
    const uint32_t want[4] = { (uint32_t)(uintptr_t)dr6s_ps_1, (uint32_t)(uintptr_t)dr6s_ps_2,
                               (uint32_t)(uintptr_t)dr6s_ps_3, (uint32_t)(uintptr_t)dr6s_ps_4 };
    unsigned at = 0, bs = 0;
    for (unsigned i = 0; i < 4; i++) {
        at += dr6s_db_eip[i] == want[i];
        bs += dr6s_db_dr6[i] == 0xFFFF4FF0u;
        printf("# step %u: eip %#x (want %#x), dr6 %#x\n", i, dr6s_db_eip[i], want[i],
               dr6s_db_dr6[i]);
    }
    ok(e == (((uint64_t)d << 12) | ro) && last_trap.count == faults,
       "dr6-ptwr: the write took (entry %#llx), no #PF bounced", (unsigned long long)e);
    ok(dr6s_db_count == 4 && at == 4 && bs == 4,
       "dr6-ptwr: 4 single-step #DBs (%u), %u at the instruction after each, %u with DR6 "
       "0xffff4ff0 (the one after the emulated write too)", dr6s_db_count, at, bs);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    signal_innocent();
    return tap_done();
}

int dr6_stale_case(const char *name, size_t len)
{
    if (len == 8 && memcmp(name, "dr6-ptwr", 8) == 0)
        return dr6_ptwr();
    if (len != 9 || memcmp(name, "dr6-stale", 9) != 0)
        return -1;
    printf("attack: SYSENTER with TF, then a data breakpoint: its DR6\n");
    const struct trap_info t[2] = {
        { 1, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)dr6s_db_stub }, { 0, 0, 0, 0 },
    };
    struct callback_register cb = { CALLBACKTYPE_sysenter, 0,
                                    { FLAT_RING1_CS, (uint32_t)(uintptr_t)dr6s_cb } };
    ok(hv_set_trap_table(t) == 0 &&
       hv_stack_switch(FLAT_RING1_SS, (uint32_t)(uintptr_t)dr6s_stack + sizeof(dr6s_stack)) == 0 &&
       hv_callback_op(CALLBACKOP_register, &cb) == 0,
       "dr6-stale: a #DB handler, a kernel stack and a sysenter callback");

    /* SYSENTER from ring 1 with TF: the callback gets it, TF in its frame,
     * and returns to ring 1 with TF clear: no #DB reaches us. */
    for (int i = 0; i < 3; i++)
        dr6s_sysenter_tf();
    ok(dr6s_cb_count == 3 && (dr6s_cb_eflags & 0x100) && dr6s_db_count == 0,
       "dr6-stale: 3 SYSENTERs with TF: the callback 3 times (%u), TF in its frame "
       "(eflags %#x), no #DB (%u)", dr6s_cb_count, dr6s_cb_eflags, dr6s_db_count);

    /* A write breakpoint of ours: its #DB says B0, and nothing else. */
    int32_t rc = hv_set_debugreg(0, (uint32_t)(uintptr_t)&dr6s_word) |
                 hv_set_debugreg(7, DR7_L0 | DR7_W0_LEN4);
    dr6s_word = 1;
    hv_set_debugreg(7, 0);
    ok(rc == 0 && dr6s_db_count == 1 && dr6s_db_dr6[0] == 0xFFFF0FF1u,
       "dr6-stale: then a write breakpoint: 1 #DB (%u), DR6 %#x (want 0xffff0ff1: B0 only, "
       "no BS left from the SYSENTERs)", dr6s_db_count, dr6s_db_dr6[0]);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    signal_innocent();
    return tap_done();
}
