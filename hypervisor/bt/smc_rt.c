/* smc_rt: see smc_rt.h (the logic is bt/smc.c's and bt/adapt.c's). */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/emulate.h"
#include "arch/x86/traps.h"
#include "bt/priv.h"
#include "bt/smc_rt.h"
#include "core/console.h"
#include "vm/mmio.h"
#include "vm/shadow.h"
#include "vm/vmem.h"

enum { TIMING_NONE = 0, TIMING_TRAP, TIMING_CALLOUT };

/* ---- smc's callbacks ---- */

static void rt_protect(void *ctx, uint32_t gpfn)
{
    struct bt_state *b = ctx;
    vx_shadow_protect(&b->te.vx, gpfn);
}

static void rt_unprotect(void *ctx, uint32_t gpfn)
{
    struct bt_state *b = ctx;
    vx_shadow_unprotect(&b->te.vx, gpfn);
}

/* A TC address the runtime held may be in a block dropped here: the
 * hint goes (the next exit looks the guest EIP up). */
static void rt_invalidate(void *ctx, uint32_t gpfn)
{
    struct bt_state *b = ctx;
    if (bt_cache_invalidate_gpfn(&b->cache, gpfn))
        b->hint = 0;
}

static void rt_invalidate_eip(void *ctx, uint32_t eip)
{
    struct bt_state *b = ctx;
    if (bt_cache_invalidate_eip(&b->cache, eip))
        b->hint = 0;
}

/* ---- the translator's hooks ---- */

/* A whole flush of the cache since smc last looked: it is told. */
static void catch_up_flushes(struct bt_state *b)
{
    if (b->cache.stats.flushes != b->smc.flushes_seen) {
        b->smc.flushes_seen = b->cache.stats.flushes;
        bt_smc_flushed(&b->smc.s);
    }
}

/* Called by the cache for each frame of each block it has just made,
 * the block's first frame first; the block is the cache's `out` then. */
static void rt_code_frame(void *ctx, uint32_t gpfn)
{
    struct bt_state *b = ctx;
    catch_up_flushes(b);
    if (gpfn == b->cache.out.gpfn[0])
        bt_smc_block(&b->smc.s, &b->cache.out);
}

/* A site retranslated as a callout, while its bytes are still a store the
 * callout emulates (the guest may have rewritten it since: then its
 * translation is the ordinary one again). */
static int rt_force_callout(void *ctx, uint32_t eip)
{
    struct bt_state *b = ctx;
    if (!bt_smc_force_callout(&b->smc.s, eip))
        return 0;
    uint8_t insn[X86_MAX_INSN_LEN];
    int faulted = b->fetch_faulted;
    uint32_t fva = b->fetch_fault_va, ferr = b->fetch_fault_error;
    size_t n = b->env.fetch(b, eip, insn, sizeof(insn), NULL);
    b->fetch_faulted = faulted;                 /* the translator's own fetch decides */
    b->fetch_fault_va = fva;
    b->fetch_fault_error = ferr;
    return bt_smc_can_emulate(insn, n);
}

/* ---- the guest's memory, for the callout's store ---- */

/* A store the callout emulates may be the instruction's next one to a
 * device (the same code writing RAM and MMIO): its frame then is none
 * (mem_frame: NULL, so the emulation stops before any access), the
 * address kept, and bt_smc_callout has the device's emulation do it. */
static int mem_walk(void *ctx, uint32_t va, int write, uint32_t *gpfn, uint32_t *error)
{
    struct vcpu *v = ctx;
    struct vx_cpu *x = vx_of(v);
    struct vx_walk w;
    if (vx_translate_any(v, va, write ? VX_ACC_WRITE : 0, &w) != VX_WALK_OK) {
        *error = w.error;
        return -1;
    }
    if (w.gpa >= (uint64_t)x->mem.nr_pages << PAGE_SHIFT) {
        if (!vplatform_mmio_decodes(&x->plat, w.gpa))
            vx_crash_beyond_ram(v, va, w.gpa);
        struct bt_smc_rt *rt = &bt_of(v)->smc;
        rt->mmio = 1;
        rt->mmio_va = va;
        rt->mmio_gpa = w.gpa;
    }
    *gpfn = (uint32_t)(w.gpa >> PAGE_SHIFT);
    if (write)                                   /* a tracked table: stale */
        vx_shadow_table_write(x, *gpfn);
    return 0;
}

static uint8_t *mem_frame(void *ctx, uint32_t gpfn)
{
    struct vcpu *v = ctx;
    return gpmem_ptr(&vx_of(v)->mem, (uint64_t)gpfn << PAGE_SHIFT);
}

/* Up to 15 bytes of the guest kernel's code at eip (fewer before a page
 * its tables refuse). */
static size_t kernel_insn(struct vcpu *v, uint32_t eip, uint8_t *buf)
{
    uint32_t first = PAGE_SIZE - (eip & 0xFFF), fva, ferr;
    if (first > X86_MAX_INSN_LEN)
        first = X86_MAX_INSN_LEN;
    if (vx_copy_linear_as(v, eip, buf, first, 0, 0, &fva, &ferr))
        return 0;
    if (first < X86_MAX_INSN_LEN &&
        vx_copy_linear_as(v, eip + first, buf + first, X86_MAX_INSN_LEN - first, 0, 0, &fva,
                          &ferr))
        return first;
    return X86_MAX_INSN_LEN;
}

/* ---- the shadow layer's hooks ---- */

/* A write the guest's tables allow faulted on a protected frame (the
 * instruction has not run; it runs again on return, and the frame, now
 * unprotected, is filled writable). The registers are in guest context:
 * tc_fault mapped them, and ring 3 runs in it. */
static void code_write(struct vcpu *v, uint32_t va, uint64_t gpa)
{
    struct bt_state *b = bt_of(v);
    uint32_t gpfn = (uint32_t)(gpa >> PAGE_SHIFT);
    (void)va;
    catch_up_flushes(b);
    if (vx_guest_cpl(v->regs.cs) != 0) {
        bt_smc_user_write(&b->smc.s, gpfn);
        return;
    }
    b->smc.timing = TIMING_TRAP;
    b->smc.t0 = rdtsc();
    uint8_t insn[X86_MAX_INSN_LEN];
    size_t n = kernel_insn(v, v->regs.eip, insn);
    bt_smc_write_trap(&b->smc.s, v->regs.eip, n && bt_smc_can_emulate(insn, n), gpfn);
    struct x86_insn in;
    if (n && !vx_of(v)->shadow && x86_decode(insn, n, &in) && in.fault == X86F_NONE &&
        (in.cls == X86C_PLAIN || in.cls == X86C_CALL_REL || in.cls == X86C_CALL_IND)) {
        b->smc.stepping = 1;
        b->smc.step_eip = v->regs.eip;
        b->smc.steps++;
        v->regs.eflags |= EFLAGS_TF;
    }
}

/* The hypervisor writes guest memory for the guest (a delivery's frame,
 * an emulated store): translations those bytes overlap go first. */
static void hv_write(struct vcpu *v, uint64_t gpa, uint32_t len)
{
    struct bt_state *b = bt_of(v);
    catch_up_flushes(b);
    if (bt_smc_hv_write(&b->smc.s, (uint32_t)(gpa >> PAGE_SHIFT), (unsigned)(gpa & 0xFFF),
                        len))
        b->hint = 0;
}

void bt_smc_setup(struct bt_state *b)
{
    const struct bt_smc_ops ops = { b, rt_protect, rt_unprotect, rt_invalidate,
                                    rt_invalidate_eip };
    bt_smc_init(&b->smc.s, &ops);
    b->smc.flushes_seen = b->cache.stats.flushes;
    b->env.force_callout = rt_force_callout;
    b->env.code_frame = rt_code_frame;
    b->te.vx.code_write = code_write;
    b->te.vx.hv_write = hv_write;
}

/* ---- the runtime's hooks ---- */

int bt_smc_callout(struct vcpu *v, uint32_t eip)
{
    struct bt_state *b = bt_of(v);
    if (!bt_smc_force_callout(&b->smc.s, eip))
        return 0;
    uint64_t t0 = rdtsc();
    uint8_t insn[X86_MAX_INSN_LEN];
    size_t n = kernel_insn(v, eip, insn);
    if (!n || !bt_smc_can_emulate(insn, n))
        return 0;                                /* not a store now: the runtime's */
    struct cpu_frame *r = &v->regs;
    struct bt_smc_regs g = {
        .gpr = { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi },
        .eflags = r->eflags,
    };
    const struct bt_smc_mem mem = { v, mem_walk, mem_frame };
    unsigned len = 0;
    uint32_t fva = 0, ferr = 0;
    catch_up_flushes(b);
    b->smc.mmio = 0;
    int rc = bt_smc_emulate(&b->smc.s, eip, insn, n, vx_seg_base(v, bt_smc_segment(insn, n)),
                            &g, &mem, &len, &fva, &ferr);
    if (rc == BT_SMC_UNHANDLED && b->smc.mmio) {
        /* to a device (nothing done yet: its first access refused) */
        vx_mmio_access(v, b->smc.mmio_va, b->smc.mmio_gpa);
        return 1;
    }
    if (rc == BT_SMC_UNHANDLED)
        return 0;
    if (rc == BT_SMC_FAULT) {
        vx_of(v)->cr2 = fva;
        vx_inject(v, TRAP_PF, 1, ferr);
        return 1;
    }
    r->eax = g.gpr[0]; r->ecx = g.gpr[1]; r->edx = g.gpr[2]; r->ebx = g.gpr[3];
    r->esp = g.gpr[4]; r->ebp = g.gpr[5]; r->esi = g.gpr[6]; r->edi = g.gpr[7];
    r->eflags = g.eflags;
    r->eip = eip + len;
    b->smc.timing = TIMING_CALLOUT;
    b->smc.t0 = t0;
    return 1;
}

int bt_smc_tc_live(struct bt_state *b, uint32_t tc)
{
    if (b->smc.stepping)
        return 0;                                /* the step runs in guest context */
    struct bt_where w;
    bt_cache_where(&b->cache, tc, &w);
    return w.site != BT_SITE_NONE && w.live;
}

/* Any trap while the store runs single-stepped in guest context. */
int bt_smc_step_trap(struct vcpu *v, uint32_t cr2)
{
    struct bt_state *b = bt_of(v);
    struct cpu_frame *r = &v->regs;
    if (!b->smc.stepping)
        return 0;
    if (bt_in_tc(v)) {                           /* cannot be: the step is not translated */
        b->smc.stepping = 0;
        r->eflags &= ~EFLAGS_TF;
        return 0;
    }
    if (r->vector == TRAP_DB) {
        /* it ran (a rep string instruction: one iteration; on while EIP
         * stays) */
        if (r->eip != b->smc.step_eip) {
            b->smc.stepping = 0;
            r->eflags &= ~EFLAGS_TF;
        }
        return 1;                                /* before_exit translates what follows */
    }
    /* A fault on the way (a shadow fill, the guest's own #PF): te's, as
     * for any guest-context trap; the step goes on if the instruction is
     * to run again and nothing was delivered, else it is over. */
    struct vx_cpu *x = vx_of(v);
    uint32_t injected = x->injected;
    r->eflags &= ~EFLAGS_TF;
    te_trap(v, cr2);
    if (x->injected == injected && r->eip == b->smc.step_eip && vx_guest_cpl(r->cs) == 0)
        r->eflags |= EFLAGS_TF;
    else
        b->smc.stepping = 0;
    return 1;
}

/* Before the exit while stepping: te's (nothing delivered: the step's
 * single instruction first), staying in guest context. */
int bt_smc_step_exit(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    if (!b->smc.stepping)
        return 0;
    struct vx_cpu *x = vx_of(v);
    int vif = x->vif;
    x->vif = 0;
    te_before_exit(v);
    x->vif = vif;
    return 1;
}

void bt_smc_exit(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    if (!b->smc.timing || b->smc.stepping)
        return;
    uint64_t cost = rdtsc() - b->smc.t0;
    if (b->smc.timing == TIMING_TRAP)
        bt_adapt_trap_cost(&b->smc.s.adapt, cost);
    else
        bt_adapt_callout_cost(&b->smc.s.adapt, cost);
    b->smc.timing = TIMING_NONE;
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printk("%s\n", line);
}

void bt_smc_print(const struct domain *d)
{
    const struct bt_state *b = bt_dom(d);
    bt_smc_report(&b->smc.s, d->id, print_line, NULL);
}
