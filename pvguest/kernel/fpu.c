/*
 * fpu: each process's x87/MMX/SSE registers, switched lazily as a
 * hypervisor switches them between vCPUs. One process at a time owns the
 * FPU (its registers are in the CPU); every other process runs with CR0.TS
 * set (pv: the virtual TS of fpu_taskswitch; native: the real one), so its
 * first FPU instruction raises #NM and fpu_device_not_available() saves the
 * owner's registers into its proc, then loads the current process's, or a
 * clean state on its first use. A process that exits drops its state; exec
 * starts a clean one; fork copies the parent's. The kernel itself never
 * uses the FPU (it is built with -mno-80387 -mno-mmx -mno-sse).
 */
#include "kernel/kernel.h"

#include "lib/string.h"

static struct proc *owner;      /* whose registers the CPU holds, or NULL */
static int ts_set;              /* CR0.TS as we last set it */
static int has_fxsr;            /* fxsave (x87, MMX, SSE) rather than fnsave */
/* A first use: what fninit leaves, every register zero (so nothing of the
 * last owner's shows through fxsave or fnsave), MXCSR at its reset value. */
static uint8_t clean[FPU_AREA_SIZE] __attribute__((aligned(16)));

void fpu_init(void)
{
    has_fxsr = arch_fpu_init();
    uint16_t *w = (uint16_t *)clean;
    uint32_t *l = (uint32_t *)clean;
    if (has_fxsr) {
        w[0] = 0x037F;                  /* FCW; abridged FTW 0: all empty */
        l[6] = 0x1F80;                  /* MXCSR */
    } else {
        l[0] = 0xFFFF037Fu;             /* FCW */
        l[2] = 0xFFFFFFFFu;             /* FTW: all empty */
    }
}

static void save(struct proc *p)
{
    if (has_fxsr)
        __asm__ __volatile__("fxsave %0" : "=m"(*(uint8_t (*)[512])p->fpu));
    else
        __asm__ __volatile__("fnsave %0" : "=m"(*(uint8_t (*)[108])p->fpu));
    p->fpu_used = 1;
}

static void load(const void *area)
{
    if (has_fxsr)
        __asm__ __volatile__("fxrstor %0" : : "m"(*(const uint8_t (*)[512])area));
    else
        __asm__ __volatile__("frstor %0" : : "m"(*(const uint8_t (*)[108])area));
}

#ifndef PVGUEST_FPU_EAGER
static void set_ts(int on)
{
    if (on != ts_set) {
        arch_fpu_ts(on);
        ts_set = on;
    }
}
#endif

void fpu_switch(struct proc *next)
{
#ifdef PVGUEST_FPU_EAGER
    /* The eager variant (for the benchmarks): save and load at every switch. */
    if (owner && owner != next)
        save(owner);
    load(next->fpu_used ? next->fpu : clean);
    owner = next;
#else
    set_ts(next != owner);
#endif
}

void fpu_device_not_available(void)
{
    arch_fpu_nm_ack();                  /* native: clts; pv: the bounce cleared TS */
    ts_set = 0;
    if (owner == current)
        return;
    if (owner)
        save(owner);
    load(current->fpu_used ? current->fpu : clean);
    owner = current;
}

void fpu_fork(struct proc *child)
{
    if (owner == current) {
        save(current);
        if (!has_fxsr)
            load(current->fpu);         /* fnsave reinitialised the FPU */
    }
    child->fpu_used = current->fpu_used;
    if (current->fpu_used)
        memcpy(child->fpu, current->fpu, sizeof(child->fpu));
}

void fpu_forget(struct proc *p)
{
    p->fpu_used = 0;
    if (owner != p)
        return;
    owner = NULL;                       /* its registers are dropped, never saved */
#ifdef PVGUEST_FPU_EAGER
    if (p == current) {
        load(clean);
        owner = p;
    }
#else
    set_ts(1);
#endif
}
