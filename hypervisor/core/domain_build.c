/*
 * domain_build: build a PV domain from a guest image the way Xen's domain
 * builder does (shared/xen-pv-abi.md, "Loading a guest").
 *
 * Guest pseudo-physical layout, pfn 0 at virt_base:
 *   [kernel image] p2m list | start_info | xenstore | console |
 *   page tables (L3, 4 x L2, L1s) | boot stack | ... free pages
 * What the hypervisor keeps pointing into after the build (shared_info,
 * the console ring, the xenstore page) is listed in core/guest_ptr.h; the
 * rest is written here, before the domain first runs, and never again.
 * The bootstrap tables map [virt_base, end of the above + 512 KiB) rounded
 * up to 4 MiB: data pages P|RW|A, page-table frames P|A (read-only).
 */
#include "core/domain.h"

#include <pv86/elfnote.h>
#include <pv86/shared.h>
#include <pv86/version.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/elf_xen.h"
#include "core/features.h"
#include "core/hypercall.h"
#include "core/panic.h"
#include "lib/cmdline.h"
#include "mm/mm.h"
#include "mm/pagetable.h"

extern struct domain domains[MAX_DOMAINS];

#define MB(x) ((uint32_t)(x) << 20)

struct layout {
    uint32_t image_pfns;    /* pfns [0, image_pfns) hold the kernel image */
    uint32_t p2m_pfn, p2m_pages;
    uint32_t si_pfn, store_pfn, cons_pfn;
    uint32_t pt_pfn, nr_pt, nr_l1;
    uint32_t stack_pfn;
    uint32_t map_pfns;      /* pfns [0, map_pfns) are mapped at boot */
    uint32_t l1_first_va;   /* VA covered by the first L1 */
};

static void plan_layout(const struct elf_xen_info *info, uint32_t nr_pages, struct layout *l)
{
    uint32_t vb = info->virt_base;
    l->image_pfns = (info->virt_kend - vb + PAGE_SIZE - 1) >> PAGE_SHIFT;
    l->p2m_pfn = l->image_pfns;
    l->p2m_pages = (nr_pages * 4 + PAGE_SIZE - 1) >> PAGE_SHIFT;
    l->si_pfn = l->p2m_pfn + l->p2m_pages;
    l->store_pfn = l->si_pfn + 1;
    l->cons_pfn = l->store_pfn + 1;
    l->pt_pfn = l->cons_pfn + 1;
    l->l1_first_va = vb & ~(MB(2) - 1);
    l->nr_l1 = 1;
    for (;;) {   /* the tables are inside the region they map: iterate */
        l->nr_pt = 1 + 4 + l->nr_l1;
        l->stack_pfn = l->pt_pfn + l->nr_pt;
        uint64_t end = (uint64_t)vb + ((uint64_t)(l->stack_pfn + 1) << PAGE_SHIFT) + 512 * 1024;
        end = (end + MB(4) - 1) & ~(uint64_t)(MB(4) - 1);
        uint32_t need = (uint32_t)((end - l->l1_first_va + MB(2) - 1) / MB(2));
        l->map_pfns = (uint32_t)((end - vb) >> PAGE_SHIFT);
        if (need <= l->nr_l1)
            break;
        l->nr_l1 = need;
    }
}

static void fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xCC, PAGE_SIZE);                 /* int3 between the slots */
    for (uint32_t i = 0; i < PV86_HYPERCALL_SLOTS; i++) {
        uint8_t *s = p + i * PV86_HYPERCALL_SLOT_SIZE;
        if (i == __HYPERVISOR_iret) {
            s[0] = 0x50;                        /* push %eax */
            s[1] = 0xB8;                        /* mov $23, %eax */
            memcpy(&s[2], &i, 4);
            s[6] = 0xCD;                        /* int $0x82 */
            s[7] = 0x82;
            continue;
        }
        s[0] = 0xB8;                            /* mov $i, %eax */
        memcpy(&s[1], &i, 4);
        s[5] = 0xCD;                            /* int $0x82 */
        s[6] = 0x82;
        s[7] = 0xC3;                            /* ret */
    }
}

/* BSD_SYMTAB: bytes at symtab_start + off, one page at a time. */
struct symtab_put {
    const uint32_t *pfn_to_mfn;
    uint32_t base;              /* VA of the first byte */
    uint32_t vb;
};

static void symtab_put(void *ctx, uint32_t off, const void *src, uint32_t len)
{
    const struct symtab_put *c = ctx;
    const uint8_t *from = src;
    while (len) {
        uint32_t va = c->base + off;
        uint32_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint8_t *page = mfn_to_virt(c->pfn_to_mfn[(va - c->vb) >> PAGE_SHIFT]);
        memcpy(page + (va & (PAGE_SIZE - 1)), from, chunk);
        from += chunk;
        off += chunk;
        len -= chunk;
    }
}

static struct domain *new_domain(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOM_FREE) {
            memset(&domains[i], 0, sizeof(domains[i]));
            domains[i].id = (uint16_t)(i + 1);
            domains[i].shutdown_code = -1;
            domains[i].vcpu.domain = &domains[i];
            debugreg_init(&domains[i].vcpu.dbg);
            return &domains[i];
        }
    return NULL;
}

/* A pointer the hypervisor keeps into the new domain's memory: its frame
 * holds a writable type reference until teardown (core/guest_ptr.h). The
 * frames are fresh, so a refusal is the hypervisor's own bug. */
static void take_guest_ptr(struct domain *d, enum guest_ptr_kind kind, uint32_t mfn)
{
    int rc = guest_ptr_take(&hv_mm_ops, &d->guest_ptrs, d->id, kind, mfn);
    if (rc)
        panic("d%u: no reference on its %s (frame %#x): %d", d->id, guest_ptr_name(kind),
              mfn, rc);
}

/* Value of "key=" in a command line: its length, or -1 if absent. */
static int option(const char *cmdline, const char *key, const char **val)
{
    size_t len;
    *val = cmdline_value(cmdline, key, &len);
    return *val ? (int)len : -1;
}

uint16_t domain_built_id;

int domain_build(const void *image, size_t size, const char *cmdline)
{
    struct elf_xen_info info;
    struct layout l;
    const char *why;
    struct domain *d = new_domain();

    if (!d) {
        printk("cannot build a domain: at most %u\n", MAX_DOMAINS);
        return -XEN_ENOSPC;
    }
    if (strlen(cmdline) >= MAX_GUEST_CMDLINE) {
        printk("d%u: command line longer than %u bytes\n", d->id, MAX_GUEST_CMDLINE - 1);
        return -XEN_E2BIG;
    }
    /* A Xen PV image; else a multiboot kernel runs in vm_mode (te or hw).
     * The required FEATURES honoured are the loader's (core/elf_xen.h).
     * mem= MiB: a PV domain's from MIN_GUEST_MB to MAX_GUEST_MB
     * (DEFAULT_GUEST_MB if not given); an unmodified kernel's up to below
     * 4 GiB, as much as the machine has free, its mode may say less
     * (VM_DEFAULT_GUEST_MB if not given). */
    int rc = elf_xen_parse(image, size, ELF_XEN_LOADER_FEATURES, &info, &why);
    int unmodified = rc && rc != -XEN_EOPNOTSUPP && vm_is_multiboot(image, size);
    unsigned max_mb = unmodified ? VM_MAX_GUEST_MB : MAX_GUEST_MB;
    unsigned mb = unmodified ? VM_DEFAULT_GUEST_MB : DEFAULT_GUEST_MB;
    const char *val;
    int len = option(cmdline, "mem", &val);
    if (len >= 0) {
        mb = 0;
        for (int i = 0; i < len && mb <= max_mb; i++)
            mb = (val[i] >= '0' && val[i] <= '9') ? mb * 10 + (unsigned)(val[i] - '0') : ~0u;
        if (len == 0 || mb < MIN_GUEST_MB || mb > max_mb) {
            printk("d%u: mem=%.*s: give MiB from %u to %u\n", d->id, len, val, MIN_GUEST_MB,
                   max_mb);
            return -XEN_EINVAL;
        }
    }
    len = option(cmdline, "name", &val);
    if (len >= (int)sizeof(d->name)) {
        printk("d%u: name=%.*s: at most %u characters\n", d->id, len, val,
               (unsigned)sizeof(d->name) - 1);
        return -XEN_EINVAL;
    }
    memcpy(d->name, len > 0 ? val : "", len > 0 ? (size_t)len : 0);
    d->name[len > 0 ? len : 0] = '\0';
    if (unmodified)
        return vm_mode->build(d, image, size, cmdline, mb);
    if (rc == 0 && d->id == 1)      /* the initial domain: Xen's dom0 builder's checks */
        rc = elf_xen_check_initial(&info, &why);
    if (rc) {
        printk("d%u: cannot load the guest image: %s\n", d->id, why);
        return rc;
    }
    if (info.virt_base & (PAGE_SIZE - 1)) {
        printk("d%u: VIRT_BASE %#x is not page aligned\n", d->id, info.virt_base);
        return -XEN_EINVAL;
    }
    uint32_t vb = info.virt_base;
    uint32_t nr_pages = MB(mb) >> PAGE_SHIFT;
    plan_layout(&info, nr_pages, &l);
    if (l.map_pfns > nr_pages ||
        (uint64_t)vb + ((uint64_t)l.map_pfns << PAGE_SHIFT) > HYPERVISOR_VIRT_START) {
        printk("d%u: the image and its boot data need %u KiB: more than the domain's "
               "%u MiB or its address space\n", d->id, l.map_pfns * 4, mb);
        return -XEN_ENOMEM;
    }
    if (frame_allocator.nfree < nr_pages + 8) {
        printk("d%u: not enough free memory for %u MiB\n", d->id, mb);
        return -XEN_ENOMEM;
    }

    /* Memory: every pfn gets a zeroed frame of the domain's. */
    uint32_t *p2m_hv = NULL;    /* the p2m list, seen through the direct map */
    d->nr_pages = nr_pages;
    d->virt_base = vb;
    d->flags = d->id == 1 ? (SIF_INITDOMAIN | SIF_PRIVILEGED) : 0;
    d->vm_assist = vm_assist_initial(info.pae_mode, d->flags & SIF_INITDOMAIN);
    static uint32_t pfn_to_mfn[MB(MAX_GUEST_MB) >> PAGE_SHIFT];
    if (nr_pages > sizeof(pfn_to_mfn) / 4)
        panic("domain builder: %u pages is more than it plans for", nr_pages);
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        if (mm_alloc_frame(d->id, &pfn_to_mfn[pfn]))
            panic("frame allocator ran dry after its count said otherwise");
        m2p_table[pfn_to_mfn[pfn]] = pfn;
    }
#define PFN_PTR(pfn) ((uint8_t *)mfn_to_virt(pfn_to_mfn[(pfn)]))

    /* The image. */
    for (unsigned i = 0; i < info.nsegs; i++) {
        const struct elf_xen_seg *s = &info.segs[i];
        for (uint32_t off = 0; off < s->filesz;) {
            uint32_t va = s->vaddr + off;
            uint32_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
            if (chunk > s->filesz - off)
                chunk = s->filesz - off;
            memcpy(PFN_PTR((va - vb) >> PAGE_SHIFT) + (va & (PAGE_SIZE - 1)),
                   (const uint8_t *)image + s->offset + off, chunk);
            off += chunk;
        }
    }
    struct symtab_put sp = { pfn_to_mfn, info.symtab_start, vb };
    elf_xen_write_symtab(&info, image, symtab_put, &sp);
    if (info.has_hypercall_page)
        fill_hypercall_page(PFN_PTR((info.hypercall_page - vb) >> PAGE_SHIFT));

    /* p2m list: one page at a time, pages are not contiguous for us. */
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        p2m_hv = (uint32_t *)PFN_PTR(l.p2m_pfn + pfn / 1024);
        p2m_hv[pfn % 1024] = pfn_to_mfn[pfn];
    }

    /* shared_info: a hypervisor page the domain may map. */
    if (mm_alloc_frame(d->id, &d->shared_info_mfn) || mm_new_switcher_l1(&d->switcher_l1_mfn))
        panic("out of memory building d%u", d->id);
    frame_table[d->shared_info_mfn].flags |= PGF_XENHEAP;
    take_guest_ptr(d, GUEST_PTR_SHARED_INFO, d->shared_info_mfn);
    d->shared_info = mfn_to_virt(d->shared_info_mfn);
    d->shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    d->shared_info->arch.max_pfn = nr_pages;
    d->vcpu.vcpu_info = &d->shared_info->vcpu_info[0];
    time_update_vcpu(&d->vcpu);
    d->vcpu.periodic.period = TIMER_DEFAULT_PERIOD_NS;  /* Xen: a PV vCPU's 100 Hz ticker */
    time_fill_wallclock(d->shared_info);
    evtchn_init(&d->evtchn, d->id, d->shared_info);

    /* Bootstrap page tables, written here and then validated like any
     * guest's: pinning the L3 checks every entry and takes its references
     * (page-table frames are mapped read-only, so they can be tables). */
    uint32_t l3_mfn = pfn_to_mfn[l.pt_pfn];
    uint64_t *l3 = mfn_to_virt(l3_mfn);
    uint64_t *l2[4];
    for (unsigned i = 0; i < 4; i++) {
        uint32_t mfn = pfn_to_mfn[l.pt_pfn + 1 + i];
        l2[i] = mfn_to_virt(mfn);
        l3[i] = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED |
                _PAGE_DIRTY | _PAGE_USER;
    }
    for (uint32_t j = 0; j < l.nr_l1; j++) {
        uint32_t mfn = pfn_to_mfn[l.pt_pfn + 5 + j];
        uint32_t va = l.l1_first_va + j * MB(2);
        l2[l3_index(va)][l2_index(va)] = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT |
                                         _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER;
    }
    for (uint32_t pfn = 0; pfn < l.map_pfns; pfn++) {
        uint32_t va = vb + (pfn << PAGE_SHIFT);
        uint64_t *l1 = mfn_to_virt(pfn_to_mfn[l.pt_pfn + 5 + (va - l.l1_first_va) / MB(2)]);
        int is_table = pfn >= l.pt_pfn && pfn < l.pt_pfn + l.nr_pt;
        l1[l1_index(va)] = ((uint64_t)pfn_to_mfn[pfn] << PAGE_SHIFT) | _PAGE_PRESENT |
                           _PAGE_ACCESSED | (is_table ? 0 : _PAGE_RW);
    }
    rc = page_table_pin(&hv_mm_ops, d->id, l3_mfn, PGT_l3);
    if (rc == 0)
        rc = page_table_get(&hv_mm_ops, d->id, l3_mfn, PGT_l3);     /* the base pointer */
    if (rc)
        panic("domain builder: its own bootstrap tables refused (%d)", rc);

    /* start_info. */
    struct start_info *si = (struct start_info *)PFN_PTR(l.si_pfn);
    memcpy(si->magic, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC));
    si->nr_pages = nr_pages;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = d->flags;
    take_guest_ptr(d, GUEST_PTR_XENSTORE, pfn_to_mfn[l.store_pfn]);
    si->store_mfn = pfn_to_mfn[l.store_pfn];
    d->store_mfn = si->store_mfn;
    d->si_mfn = pfn_to_mfn[l.si_pfn];
    si->store_evtchn = 0;
    if (!(d->flags & SIF_INITDOMAIN)) {
        /* A domU writes its console into a ring the hypervisor drains. */
        if (evtchn_bind_hypervisor(&d->evtchn, &d->console_port))
            panic("no event channel for d%u's console", d->id);
        take_guest_ptr(d, GUEST_PTR_CONSOLE, pfn_to_mfn[l.cons_pfn]);
        d->console = (struct xencons_interface *)PFN_PTR(l.cons_pfn);
        si->console.domU.mfn = pfn_to_mfn[l.cons_pfn];
        si->console.domU.evtchn = d->console_port;
    }
    si->pt_base = vb + (l.pt_pfn << PAGE_SHIFT);
    si->nr_pt_frames = l.nr_pt;
    si->mfn_list = vb + (l.p2m_pfn << PAGE_SHIFT);
    if (d->flags & SIF_INITDOMAIN) {
        /* Xen's dom0 builder: the p2m entries it wrote from its first
         * allocation (2^order pages covering the bootstrap mapping), and no
         * p2m frames of its own (none for a 32-bit guest). A domU's builder
         * leaves both 0. */
        uint32_t first = 1;
        while (first < l.map_pfns)
            first <<= 1;
        si->first_p2m_pfn = first;
        si->nr_p2m_frames = 0;
    }
    memcpy(si->cmd_line, cmdline, strlen(cmdline) + 1);

    /* The vCPU, as the ABI says it starts. */
    struct vcpu *v = &d->vcpu;
    v->l3_mfn = l3_mfn;
    vcpu_update_pdpt(v);
    v->regs.eip = info.entry;
    v->regs.esi = vb + (l.si_pfn << PAGE_SHIFT);
    v->regs.esp = vb + ((l.stack_pfn + 1) << PAGE_SHIFT);
    v->regs.eflags = EFLAGS_IF | 0x2;
    v->regs.cs = FLAT_RING1_CS;
    v->regs.ds = v->regs.es = v->regs.fs = v->regs.gs = v->regs.ss = FLAT_RING1_DS;

    sched_add(d);
    printk("d%u%s%s%s: %s guest, %u MiB, entry %#x, hypercall page %#x, %u page-table frames%s\n",
           d->id, d->name[0] ? " (" : "", d->name, d->name[0] ? ")" : "",
           info.guest_os[0] ? info.guest_os : "unnamed", mb, info.entry,
           info.has_hypercall_page ? info.hypercall_page : 0, l.nr_pt,
           info.notes_from_sections ? " (notes from SHT_NOTE)" : "");
    domain_built_id = d->id;
    return 0;
}
