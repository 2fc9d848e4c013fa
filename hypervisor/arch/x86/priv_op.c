/*
 * priv_op: Xen's emulation of a PV guest's privileged instructions
 * (priv_op.h). Fetch, decide with the pure rules, apply.
 */
#include "arch/x86/priv_op.h"

#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/debugreg.h"
#include "arch/x86/descriptor.h"
#include "arch/x86/emulate.h"
#include "arch/x86/fpu.h"
#include "arch/x86/traps.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "mm/mm.h"

#define STRING_IO_BATCH 1024        /* iterations per trap; then restart */
#define PFEC_WRITE 2

static struct msr_cpu cpu;
static uint32_t guest_leaf1[4], guest_leaf7_ebx;

static uint64_t host_msr(void *ctx, uint32_t msr)
{
    (void)ctx;
    return msr == MSR_IA32_TSC ? rdtsc() : rdmsr(msr);
}

void priv_op_init(void)
{
    uint32_t r[4];
    cpuid_count(0, 0, r);
    cpu.vendor = msr_vendor_of(r);
    uint32_t max = r[0];
    cpuid_count(1, 0, r);
    unsigned fam = (r[0] >> 8) & 0xF;
    cpu.family = fam == 0xF ? fam + ((r[0] >> 20) & 0xFF) : fam;
    int pat = (r[3] >> 16) & 1;
    memcpy(guest_leaf1, r, sizeof(r));
    emul_cpuid_filter(1, 0, guest_leaf1, hypervisor_version());
    if (max >= 7) {
        cpuid_count(7, 0, r);
        emul_cpuid_filter(7, 0, r, hypervisor_version());
        guest_leaf7_ebx = r[1];
    }
    cpuid_count(0x80000000u, 0, r);
    if (r[0] >= 0x80000001u) {
        cpuid_count(0x80000001u, 0, r);
        if (r[3] & ((1u << 11) | (1u << 20) | (1u << 29)))   /* SYSCALL, NX, LM */
            cpu.efer = rdmsr(MSR_EFER);
    }
    cpu.host = host_msr;
    if (pat)
        wrmsr(MSR_IA32_CR_PAT, XEN_MSR_PAT);
}

/* ---- helpers ---- */

static int arch_iopl(const struct vcpu *v)
{
    return (v->domain->vm_assist >> VMASST_TYPE_architectural_iopl) & 1;
}

void priv_iret_iopl(struct vcpu *v, uint32_t eflags)
{
    if (arch_iopl(v))
        v->priv.physdev.iopl = eflags & EFLAGS_IOPL;
}

static void page_fault(struct vcpu *v, uint32_t addr, uint32_t error)
{
    v->vcpu_info->arch.cr2 = addr;
    bounce_exception(v, TRAP_PF, 1, error);
}

/* Bytes of [va, va+len) that can be read (or written) before the first
 * that cannot; copies what it can, as Xen's copy routines do. */
static unsigned copy_in(struct vcpu *v, void *dst, uint32_t va, unsigned len)
{
    unsigned i = 0;
    for (; i < len; i++)
        if (copy_from_guest(v, (uint8_t *)dst + i, va + i, 1))
            break;
    return i;
}

static unsigned copy_out(struct vcpu *v, uint32_t va, const void *src, unsigned len)
{
    unsigned i = 0;
    for (; i < len; i++)
        if (copy_to_guest(v, va + i, (const uint8_t *)src + i, 1))
            break;
    return i;
}

/* Xen's guest_io_okay: 1 permitted; 0 after delivering #GP or #PF. */
static int io_okay(struct vcpu *v, unsigned port, unsigned bytes)
{
    const struct physdev_vcpu *p = &v->priv.physdev;
    if (io_iopl_ok(v->regs.cs & 3, arch_iopl(v), p->iopl))
        return 1;
    if (io_bitmap_covers(port, bytes, p->iobmp_nr)) {
        uint8_t m[2] = { 0, 0 };
        uint32_t addr = p->iobmp + (port >> 3);
        unsigned got = copy_in(v, m, addr, 2);
        if (got < 2) {
            page_fault(v, io_bitmap_fault_addr(addr, bytes, 2 - got), 0);
            return 0;
        }
        if (io_bitmap_allows(port, bytes, (uint16_t)(m[0] | (m[1] << 8))))
            return 1;
    }
    bounce_exception(v, TRAP_GP, 1, 0);
    return 0;
}

/* The base of a data segment the guest names (flat ones: 0). */
static int seg_base(struct vcpu *v, uint32_t sel, uint32_t *base)
{
    sel &= 0xFFFF;
    uint32_t index = sel >> 3;
    if ((sel & ~3u) == (FLAT_RING1_DS & ~3u) || (sel & ~3u) == (FLAT_RING3_DS & ~3u)) {
        *base = 0;
        return 0;
    }
    const uint32_t *frames = (sel & 4) ? v->ldt_frames : v->gdt_frames;
    if (index == 0 || index >= ((sel & 4) ? v->ldt_ents : v->gdt_ents))
        return -1;
    const uint32_t *d = (uint32_t *)mfn_to_virt(frames[index / 512]) + (index % 512) * 2;
    *base = desc_base(d[0], d[1]);
    return 0;
}

static void string_io(struct vcpu *v, const struct io_insn *io, unsigned port)
{
    struct cpu_frame *r = &v->regs;
    uint32_t amask = io->addr16 ? 0xFFFFu : 0xFFFFFFFFu;
    uint32_t count = io->rep ? (r->ecx & amask) : 1;
    uint32_t sel, base;
    int32_t step = (r->eflags & EFLAGS_DF) ? -(int32_t)io->bytes : (int32_t)io->bytes;

    if (count == 0) {                           /* rep with CX 0: nothing */
        r->eip += (uint32_t)io->len;
        return;
    }
    if (!io_okay(v, port, io->bytes))
        return;
    if (io->kind == IO_INS) {
        sel = r->es;
    } else {
        static const int order[] = { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS,
                                     X86_SEG_FS, X86_SEG_GS };
        uint32_t sels[6] = { r->es, r->cs, r->ss, r->ds, r->fs, r->gs };
        sel = sels[io->seg >= 0 ? order[io->seg] : X86_SEG_DS];
    }
    if (seg_base(v, sel, &base)) {
        bounce_exception(v, TRAP_GP, 1, 0);
        return;
    }
    for (unsigned i = 0; i < STRING_IO_BATCH && count; i++) {
        uint32_t *reg = io->kind == IO_INS ? &r->edi : &r->esi;
        uint32_t addr = base + (*reg & amask);
        uint32_t data = 0;
        if (io->kind == IO_INS) {
            data = io_guest_read(&v->domain->priv.io, port, io->bytes);
            unsigned done = copy_out(v, addr, &data, io->bytes);
            if (done < io->bytes) {
                page_fault(v, addr + done, PFEC_WRITE);
                return;
            }
        } else {
            unsigned done = copy_in(v, &data, addr, io->bytes);
            if (done < io->bytes) {
                page_fault(v, addr + done, 0);
                return;
            }
            io_guest_write(&v->domain->priv.io, port, io->bytes, data);
        }
        *reg = (*reg & ~amask) | ((*reg + (uint32_t)step) & amask);
        count--;
        if (io->rep)
            r->ecx = (r->ecx & ~amask) | (count & amask);
    }
    if (!count)
        r->eip += (uint32_t)io->len;            /* else the rep runs on next time */
}

static void port_io(struct vcpu *v, const struct io_insn *io)
{
    struct cpu_frame *r = &v->regs;
    unsigned port = io->imm_port >= 0 ? (unsigned)io->imm_port : (r->edx & 0xFFFF);

    if (io->kind == IO_INS || io->kind == IO_OUTS) {
        string_io(v, io, port);
        return;
    }
    if (!io_okay(v, port, io->bytes))
        return;
    if (io->kind == IO_IN) {
        uint32_t data = io_guest_read(&v->domain->priv.io, port, io->bytes);
        uint32_t keep = io->bytes == 4 ? 0 : io->bytes == 2 ? 0xFFFF0000u : 0xFFFFFF00u;
        r->eax = (r->eax & keep) | (data & ~keep);
    } else {
        uint32_t mask = io->bytes == 4 ? ~0u : (1u << (io->bytes * 8)) - 1;
        io_guest_write(&v->domain->priv.io, port, io->bytes, r->eax & mask);
    }
    r->eip += (uint32_t)io->len;
}

/* ---- control registers, MSRs, TSC: the guest kernel only ---- */

static uint32_t cr4_view(const struct vcpu *v)
{
    return emul_pv_cr4_view(v->priv.cr4_bits, read_cr4());
}

void priv_op_switch_in(const struct vcpu *v)
{
    uint32_t cr4 = read_cr4();
    uint32_t want = (v->priv.cr4_bits & CR4_TSD) ? cr4 | CR4_TSD : cr4 & ~CR4_TSD;
    if (want != cr4)
        write_cr4(want);
}

static int mov_cr(struct vcpu *v, const struct mov_cr *m)
{
    uint32_t *reg = frame_reg(&v->regs, m->reg);
    if (!m->to_cr) {
        switch (m->cr) {
        case 2: *reg = v->vcpu_info->arch.cr2; break;
        case 3: *reg = xen_pfn_to_cr3(v->l3_mfn); break;   /* machine frame */
        case 4: *reg = cr4_view(v); break;
        default: return 0;
        }
    } else {
        switch (m->cr) {
        case 2:
            v->vcpu_info->arch.cr2 = *reg;
            break;
        case 4:
            v->priv.cr4_bits = emul_pv_cr4_bits(*reg, guest_leaf1, guest_leaf7_ebx);
            priv_op_switch_in(v);
            break;
        default:
            return 0;       /* CR3: not emulated (use MMUEXT_NEW_BASEPTR) */
        }
    }
    v->regs.eip += (uint32_t)m->len;
    return 1;
}

static int two_byte(struct vcpu *v, const uint8_t *b, size_t n)
{
    struct cpu_frame *r = &v->regs;
    struct x86_prefixes p;
    struct mov_cr m;
    unsigned k = emul_prefixes(b, n, &p);
    uint64_t val;

    if (fpu_emulate_cr0(v, b, n))
        return 1;                       /* clts, mov to/from CR0: the virtual TS */
    if (emul_decode_mov_cr(b, n, &m))
        return mov_cr(v, &m);
    if (p.lock || k + 2 > n || b[k] != 0x0F)
        return 0;
    switch (b[k + 1]) {
    case 0x09:                          /* wbinvd: ignored, as Xen for a domU */
        break;
    case 0x30:
        if (msr_pv_write(&cpu, &v->priv.msr, r->ecx, ((uint64_t)r->edx << 32) | r->eax))
            return 0;
        break;
    case 0x32:
        if (msr_pv_read(&cpu, &v->priv.msr, 0, r->ecx, &val))
            return 0;
        r->eax = (uint32_t)val;
        r->edx = (uint32_t)(val >> 32);
        break;
    case 0x31:                          /* rdtsc with the guest's CR4.TSD */
        val = rdtsc();
        r->eax = (uint32_t)val;
        r->edx = (uint32_t)(val >> 32);
        break;
    case 0x01: {                        /* rdtscp */
        uint32_t aux;
        if (k + 3 > n || b[k + 2] != 0xF9)
            return 0;
        val = rdtscp(&aux);
        r->eax = (uint32_t)val;
        r->edx = (uint32_t)(val >> 32);
        r->ecx = aux;
        r->eip += (uint32_t)k + 3;
        return 1;
    }
    default:
        return 0;
    }
    r->eip += (uint32_t)k + 2;
    return 1;
}

static int emulate(struct vcpu *v, const uint8_t *insn, size_t n)
{
    struct io_insn io;
    unsigned ring = v->regs.cs & 3;

    if (io_decode(insn, n, &io)) {
        if (io.kind == IO_CLI || io.kind == IO_STI) {
            /* Xen skips them, event mask untouched; without IOPL, #GP. */
            if (!io_iopl_ok(ring, arch_iopl(v), v->priv.physdev.iopl))
                return 0;
            v->regs.eip += (uint32_t)io.len;
            return 1;
        }
        port_io(v, &io);
        return 1;
    }
    if (ring != 1)
        return 0;                       /* the rest is the kernel's only */
    return two_byte(v, insn, n);
}

int priv_op_emulate(struct vcpu *v)
{
    uint8_t insn[X86_MAX_INSN_LEN];
    size_t n = fetch_insn(v, insn);

    /* mov to/from DR0-7 (debugreg_hw.c: it raises what Xen raises and
     * retires the instruction itself). */
    if ((v->regs.cs & 3) == 1 && debugreg_emulate(v, insn, n))
        return 1;
    uint32_t eip = v->regs.eip;
    if (!emulate(v, insn, n))
        return 0;
    /* Done (not faulted, not a rep to go on with): RF clear, and with TF the
     * single-step #DB after it, as Xen's pv_emul_instruction_done. */
    if (v->regs.eip != eip)
        debugreg_insn_retired(v);
    return 1;
}
