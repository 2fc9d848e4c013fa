/* lapic: the xAPIC of one vCPU (see lapic.h). */
#include "vdev/lapic.h"

#include <string.h>

#define DM_FIXED  0
#define DM_LOWPRI 1
#define DM_SMI    2
#define DM_NMI    4
#define DM_INIT   5
#define DM_SIPI   6
#define DM_EXTINT 7

/* Highest set bit of a 256-bit register, or -1. */
static int highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}

static void set_bit(uint32_t *r, unsigned v) { r[(v >> 5) & 7] |= 1u << (v & 31); }
static void clear_bit(uint32_t *r, unsigned v) { r[(v >> 5) & 7] &= ~(1u << (v & 31)); }

void vlapic_reset(struct vlapic *a)
{
    memset(a, 0, sizeof(*a));
    a->apicbase = VLAPIC_MMIO_BASE | VLAPIC_BASE_BSP | VLAPIC_BASE_ENABLE;
    a->svr = 0xFF;
    a->dest_mode = 0xF;
    for (unsigned i = 0; i < VLAPIC_NR_LVT; i++)
        a->lvt[i] = VLAPIC_LVT_MASKED;
    a->lvt[VLAPIC_LVT_LINT0] = 0x700;          /* QEMU's BSP reset */
    /* count_shift 0 (by 1) although the divide register reads 0 (by 2):
     * QEMU's reset leaves them so until the register is written. */
    /* What SeaBIOS's smp_scan leaves behind. */
    a->svr |= VLAPIC_SVR_ENABLE;
    a->lvt[VLAPIC_LVT_LINT0] = 0x8700;
    a->lvt[VLAPIC_LVT_LINT1] = 0x8400;
    a->icr[0] = 0x000C4610;
}

uint32_t vlapic_ppr(const struct vlapic *a)
{
    int isrv = highest(a->isr);
    unsigned isr_class = isrv < 0 ? 0 : (unsigned)isrv >> 4;
    return (unsigned)(a->tpr >> 4) >= isr_class ? a->tpr : isr_class << 4;
}

void vlapic_set_irq(struct vlapic *a, unsigned vector, int level)
{
    vector &= 0xFF;
    set_bit(a->irr, vector);
    if (level)
        set_bit(a->tmr, vector);
    else
        clear_bit(a->tmr, vector);
}

/* ---- the timer: QEMU counts 1 GHz (its virtual clock in ns) >> shift ---- */

static uint64_t ticks_since_load(const struct vlapic *a, uint64_t now_ns)
{
    return now_ns > a->load_ns ? (now_ns - a->load_ns) >> a->count_shift : 0;
}

/* QEMU's apic_next_timer: arm for the first expiry after now. */
static void timer_update(struct vlapic *a, uint64_t now_ns)
{
    uint32_t lvt = a->lvt[VLAPIC_LVT_TIMER];
    uint64_t d = ticks_since_load(a, now_ns), period = (uint64_t)a->initial_count + 1;
    a->armed = 0;
    if (lvt & VLAPIC_LVT_MASKED)
        return;
    if (lvt & VLAPIC_LVT_PERIODIC) {
        if (!a->initial_count)
            return;
        d = (d / period + 1) * period;
    } else {
        if (d >= a->initial_count)
            return;
        d = period;
    }
    a->next_ns = a->load_ns + (d << a->count_shift);
    a->armed = 1;
}

static uint32_t current_count(const struct vlapic *a, uint64_t now_ns)
{
    uint64_t d = ticks_since_load(a, now_ns);
    if (a->lvt[VLAPIC_LVT_TIMER] & VLAPIC_LVT_PERIODIC)
        return a->initial_count - (uint32_t)(d % ((uint64_t)a->initial_count + 1));
    return d >= a->initial_count ? 0 : a->initial_count - (uint32_t)d;
}

/* An LVT entry fires: only the fixed delivery mode has an effect here (NMI,
 * SMI and ExtINT through the timer, thermal, ... entries are not modelled). */
static void local_deliver(struct vlapic *a, unsigned lvt)
{
    uint32_t v = a->lvt[lvt];
    if (v & VLAPIC_LVT_MASKED)
        return;
    if (((v >> 8) & 7) == DM_FIXED)
        vlapic_set_irq(a, v & 0xFF, 0);
}

void vlapic_advance(struct vlapic *a, uint64_t now_ns)
{
    if (!a->armed || now_ns < a->next_ns)
        return;
    local_deliver(a, VLAPIC_LVT_TIMER);        /* missed periods coalesce in IRR */
    timer_update(a, now_ns);
}

uint64_t vlapic_deadline_ns(const struct vlapic *a)
{
    return a->armed ? a->next_ns : UINT64_MAX;
}

/* ---- interrupt acceptance ---- */

int vlapic_hw_enabled(const struct vlapic *a)
{
    return (a->apicbase & VLAPIC_BASE_ENABLE) != 0;
}

int vlapic_accept_pic(const struct vlapic *a)
{
    return !vlapic_hw_enabled(a) || !(a->lvt[VLAPIC_LVT_LINT0] & VLAPIC_LVT_MASKED);
}

int vlapic_pending(const struct vlapic *a)
{
    if (!vlapic_hw_enabled(a) || !(a->svr & VLAPIC_SVR_ENABLE))
        return -1;
    int irrv = highest(a->irr);
    if (irrv <= 0)
        return -1;                             /* vector 0 is never delivered */
    uint32_t ppr = vlapic_ppr(a);
    if (ppr && ((unsigned)irrv & 0xF0) <= (ppr & 0xF0))
        return -1;
    return irrv;
}

int vlapic_ack(struct vlapic *a)
{
    int v = vlapic_pending(a);
    if (v < 0)
        return -1;
    clear_bit(a->irr, (unsigned)v);
    set_bit(a->isr, (unsigned)v);
    return v;
}

static void eoi(struct vlapic *a)
{
    int v = highest(a->isr);
    if (v >= 0)
        clear_bit(a->isr, (unsigned)v);        /* no I/O APIC to tell of a level EOI */
}

/* ---- IPIs: this is the only APIC on the bus ---- */

/* Is this APIC among the destination (QEMU's apic_get_delivery_bitmask)? */
static int is_destination(const struct vlapic *a, uint8_t dest, unsigned logical)
{
    if (!logical)
        return dest == 0xFF || dest == a->id;
    if (a->dest_mode == 0xF)
        return (dest & a->log_dest) != 0;                   /* flat */
    if (a->dest_mode == 0x0)
        return (dest & 0xF0) == (a->log_dest & 0xF0) &&     /* cluster */
               (dest & a->log_dest & 0x0F) != 0;
    return 0;
}

/* An interrupt on the APIC bus: fixed, lowest priority and ExtINT (which
 * QEMU's bus treats as fixed) set the vector. INIT and startup would go to
 * other CPUs (there are none) and to this one are not modelled, nor are NMI
 * and SMI: all of these do nothing. */
static void bus_deliver(struct vlapic *a, int self, unsigned mode, unsigned vector,
                        int level)
{
    if (self && (mode == DM_FIXED || mode == DM_LOWPRI || mode == DM_EXTINT))
        vlapic_set_irq(a, vector, level);
}

static void icr_send(struct vlapic *a)
{
    uint32_t lo = a->icr[0];
    int self;
    switch ((lo >> 18) & 3) {
    case 0:  self = is_destination(a, (uint8_t)(a->icr[1] >> 24), (lo >> 11) & 1); break;
    case 1:                                    /* self */
    case 2:  self = 1; break;                  /* all including self */
    default: self = 0; break;                  /* all excluding self */
    }
    bus_deliver(a, self, (lo >> 8) & 7, lo & 0xFF, (lo >> 15) & 1);
}

/* A write to 0xFEE00000-0xFEE0000F: an MSI (address bits 19:12 the
 * destination, bit 2 logical; data as an ICR's low half). */
static void msi(struct vlapic *a, uint32_t offset, uint32_t data)
{
    int self = is_destination(a, (uint8_t)(offset >> 12), (offset >> 2) & 1);
    bus_deliver(a, self, (data >> 8) & 7, data & 0xFF, (data >> 15) & 1);
}

/* ---- registers ---- */

uint32_t vlapic_read(struct vlapic *a, uint32_t offset, unsigned size, uint64_t now_ns)
{
    if (size != 4 || (offset & 3) || offset >= VLAPIC_MMIO_SIZE)
        return 0;
    unsigned idx = offset >> 4;
    switch (idx) {
    case 0x02: return (uint32_t)a->id << 24;
    case 0x03: return VLAPIC_VERSION;
    case 0x08: return a->tpr;
    case 0x09: return 0;                       /* APR: QEMU does no arbitration */
    case 0x0A: return vlapic_ppr(a);
    case 0x0B: return 0;                       /* EOI */
    case 0x0D: return (uint32_t)a->log_dest << 24;
    case 0x0E: return ((uint32_t)a->dest_mode << 28) | 0x0FFFFFFF;
    case 0x0F: return a->svr;
    case 0x28: return a->esr;
    case 0x30: case 0x31: return a->icr[idx & 1];
    case 0x38: return a->initial_count;
    case 0x39: return current_count(a, now_ns);
    case 0x3E: return a->divide_conf;
    default: break;
    }
    if (idx >= 0x10 && idx <= 0x17)
        return a->isr[idx & 7];
    if (idx >= 0x18 && idx <= 0x1F)
        return a->tmr[idx & 7];
    if (idx >= 0x20 && idx <= 0x27)
        return a->irr[idx & 7];
    if (idx >= 0x32 && idx <= 0x37)
        return a->lvt[idx - 0x32];
    a->esr |= VLAPIC_ESR_ILLEGAL_ADDRESS;
    return 0;
}

void vlapic_write(struct vlapic *a, uint32_t offset, unsigned size, uint32_t val,
                  uint64_t now_ns)
{
    if (size != 4 || (offset & 3) || offset >= VLAPIC_MMIO_SIZE)
        return;
    unsigned idx = offset >> 4;
    if (idx == 0) {
        msi(a, offset, val);
        return;
    }
    if (idx >= 0x32 && idx <= 0x37) {          /* LVT: stored as written, as QEMU */
        a->lvt[idx - 0x32] = val;
        if (idx - 0x32 == VLAPIC_LVT_TIMER)
            timer_update(a, now_ns);
        return;
    }
    if (idx >= 0x10 && idx <= 0x28)            /* ISR, TMR, IRR, ESR: read-only */
        return;
    switch (idx) {
    case 0x02: a->id = (uint8_t)(val >> 24); return;
    case 0x03: case 0x09: case 0x0A: case 0x39: return;   /* read-only */
    case 0x08: a->tpr = (uint8_t)val; return;
    case 0x0B: eoi(a); return;
    case 0x0D: a->log_dest = (uint8_t)(val >> 24); return;
    case 0x0E: a->dest_mode = (uint8_t)(val >> 28); return;
    case 0x0F: a->svr = val & 0x1FF; return;
    case 0x30: a->icr[0] = val; icr_send(a); return;
    case 0x31: a->icr[1] = val; return;
    case 0x38:
        a->initial_count = val;
        a->load_ns = now_ns;
        timer_update(a, now_ns);
        return;
    case 0x3E: {
        /* QEMU re-arms nothing here: the next expiry keeps the old divider. */
        a->divide_conf = val & 0xB;
        unsigned v = (a->divide_conf & 3) | ((a->divide_conf >> 1) & 4);
        a->count_shift = (v + 1) & 7;
        return;
    }
    default:
        a->esr |= VLAPIC_ESR_ILLEGAL_ADDRESS;
        return;
    }
}

uint64_t vlapic_get_base(const struct vlapic *a)
{
    return a->apicbase;
}

void vlapic_set_base(struct vlapic *a, uint64_t val)
{
    a->apicbase = ((uint32_t)val & 0xFFFFF000u) |
                  (a->apicbase & (VLAPIC_BASE_BSP | VLAPIC_BASE_ENABLE));
    if (!(val & VLAPIC_BASE_ENABLE)) {
        a->apicbase &= ~VLAPIC_BASE_ENABLE;
        a->svr &= ~VLAPIC_SVR_ENABLE;
    }
}
