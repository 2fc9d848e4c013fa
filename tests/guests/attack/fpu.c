/*
 * attack test=fpu: the FPU is per vCPU. First Xen's PV interface for it
 * (fpu_taskswitch, the virtual CR0.TS, #NM bounced to us, clts and CR0
 * emulated); then, for spy_ms (default 1500) of system time, a spy: each
 * round reads whatever its x87, MMX and SSE registers hold, looking for another
 * domain's secret (fpu_secret.h), then fills them with its own garbage
 * and yields, so that a domain beside it that keeps a secret there (the
 * innocent domain, or pvguest's fpu program) would see it changed.
 */
#include "fpu_secret.h"
#include "guest.h"

void fpu_probe_fld1(void), fpu_probe_fnop(void), fpu_probe_movq(void), fpu_probe_clts(void);
uint32_t fpu_probe_read_cr0(void);
void fpu_probe_write_cr0(uint32_t value);

#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)

static void taskswitch(void)
{
    __asm__ __volatile__("fninit");
    ok(hv_fpu_taskswitch(1) == 0, "fpu_taskswitch(1) returns 0");
    uint32_t cr0 = fpu_probe_read_cr0();
    ok(cr0 & CR0_TS, "mov from %%cr0 shows the virtual TS set (cr0 %#x)", (unsigned)cr0);
    int vec = probe_vector(fpu_probe_fld1);
    ok(vec == 7 && last_trap.vector == 7,
       "an x87 instruction with the virtual TS set: #NM bounced to us (vector %d)", vec);
    cr0 = fpu_probe_read_cr0();
    ok(!(cr0 & CR0_TS), "the bounce cleared the virtual TS (cr0 %#x)", (unsigned)cr0);
    vec = probe_vector(fpu_probe_fnop);
    ok(vec == -1, "then the FPU runs without a fault (vector %d)", vec);

    hv_fpu_taskswitch(1);
    vec = probe_vector(fpu_probe_movq);
    ok(vec == 7, "an MMX instruction with the virtual TS set: #NM (vector %d)", vec);
    hv_fpu_taskswitch(1);
    vec = probe_vector(fpu_probe_clts);
    cr0 = fpu_probe_read_cr0();
    ok(vec == -1 && !(cr0 & CR0_TS), "clts: emulated, the virtual TS cleared (vector %d, cr0 %#x)",
       vec, (unsigned)cr0);
    vec = probe_vector(fpu_probe_fnop);
    ok(vec == -1, "after clts the FPU runs without a fault (vector %d)", vec);

    unsigned before = last_trap.count;
    fpu_probe_write_cr0(cr0 | CR0_TS);
    uint32_t after = fpu_probe_read_cr0();
    ok(last_trap.count == before && (after & CR0_TS),
       "mov to %%cr0 setting only TS: emulated as fpu_taskswitch(1) (cr0 %#x)", (unsigned)after);
    vec = probe_vector(fpu_probe_fnop);
    ok(vec == 7, "... and the next x87 instruction gets #NM (vector %d)", vec);
    before = last_trap.count;
    fpu_probe_write_cr0(cr0 | CR0_EM);
    ok(last_trap.count == before + 1 && last_trap.vector == 13,
       "mov to %%cr0 changing EM: #GP (vector %u)", (unsigned)last_trap.vector);
    before = last_trap.count;
    fpu_probe_write_cr0(cr0 & ~1u);
    ok(last_trap.count == before + 1 && last_trap.vector == 13, "mov to %%cr0 clearing PE: #GP");
    ok(hv_fpu_taskswitch(0) == 0 && probe_vector(fpu_probe_fnop) == -1,
       "fpu_taskswitch(0): the FPU runs without a fault");
}

static void spy(void)
{
    uint64_t garbage[16], got[16];
    uint32_t spy_ms = cmdline_num("spy_ms", 1500);
    unsigned rounds = 0, seen_x87 = 0, seen_mmx = 0, seen_sse = 0, seen_cw = 0;
    int sse = fpu_has_sse();
    for (int i = 0; i < 16; i++)
        garbage[i] = 0xBAD0BAD0BAD00000ull | (uint64_t)i;
    uint64_t start = system_time_ns();
    while (system_time_ns() - start < (uint64_t)spy_ms * 1000000u) {
        rounds++;
        fpu_mmx_read(got);
        for (int i = 0; i < 8; i++)
            seen_mmx += FPU_IS_SECRET_MMX(got[i]);
        __asm__ __volatile__("emms");
        if (fpu_secret_read(got) == FPU_SECRET_CW)
            seen_cw++;
        for (int i = 0; i < 8; i++)
            seen_x87 += FPU_IS_SECRET(got[i]);
        /* Overwrite everything a neighbour could keep: control word, stack
         * top, tags and all eight registers. */
        if (sse) {
            fpu_xmm_read(got);
            for (int i = 0; i < 16; i++)
                seen_sse += FPU_IS_SECRET(got[i]);
            fpu_xmm_write(garbage);
        }
        __asm__ __volatile__("fninit");
        fpu_mmx_write(garbage);
        hv_sched_op(SCHEDOP_yield, NULL);
    }
    __asm__ __volatile__("emms");
    printf("attack: fpu spy: %u rounds, secrets seen: %u in x87 registers, %u in MMX "
           "registers, %u in SSE registers%s, %u times the secret control word\n", rounds,
           seen_x87, seen_mmx, seen_sse, sse ? "" : " (no SSE)", seen_cw);
    ok(seen_x87 == 0 && seen_mmx == 0 && seen_sse == 0 && seen_cw == 0,
       "no other domain's x87, MMX or SSE registers seen in %u rounds", rounds);
}

int attack_fpu(void)
{
    uint32_t r[4];
    hv_cpuid(1, 0, r);
    printf("attack: the FPU belongs to its vCPU (the CPU has FXSR: %s)\n",
           (r[3] & (1u << 24)) ? "yes" : "no");
    taskswitch();
    spy();
    return 0;
}
