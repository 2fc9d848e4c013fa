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

void dr6s_db(void);
void dr6s_db(void)
{
    uint32_t i = dr6s_db_count++;
    if (i < 4)
        dr6s_db_dr6[i] = (uint32_t)hv_get_debugreg(6);
    hv_set_debugreg(6, 0);
}

int dr6_stale_case(const char *name, size_t len)
{
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
