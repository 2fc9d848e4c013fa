/* Unit tests: physdev_op (hypervisor/core/physdev.c) answers as Xen answers
 * an unprivileged PV guest, sub-op by sub-op, on a fake guest memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include <pv86/physdev.h>

#include "core/physdev.h"

/* Guest memory: 64 KiB at VA 0x10000, of which [0x18000, 0x19000) is
 * read-only; everything else faults. */
#define MEM_VA 0x10000u
#define RO_VA  0x18000u
static uint8_t mem[0x10000];
static int eoi_map_rc, eoi_map_calls;
static uint32_t eoi_map_gmfn;

static int in_mem(uint32_t va, uint32_t len)
{
    return va >= MEM_VA && len <= 0x10000u && va - MEM_VA <= 0x10000u - len;
}
static int rd(void *ctx, void *dst, uint32_t va, uint32_t len)
{
    (void)ctx;
    if (!in_mem(va, len))
        return -1;
    memcpy(dst, mem + (va - MEM_VA), len);
    return 0;
}
static int wr(void *ctx, uint32_t va, const void *src, uint32_t len)
{
    (void)ctx;
    if (!in_mem(va, len) || (va < RO_VA + 0x1000 && va + len > RO_VA))
        return -1;
    memcpy(mem + (va - MEM_VA), src, len);
    return 0;
}
static int exists(void *ctx, uint32_t domid)
{
    (void)ctx;
    return domid == DOMID_SELF || domid == 1 || domid == 2;
}
static int eoi_map(void *ctx, uint32_t gmfn)
{
    (void)ctx;
    eoi_map_calls++;
    eoi_map_gmfn = gmfn;
    return eoi_map_rc;
}
static const struct physdev_ops ops = { NULL, rd, wr, exists, eoi_map };
static struct physdev_vcpu pv;
static struct physdev_domain pd;

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    memset(&pv, 0, sizeof(pv));
    memset(&pd, 0, sizeof(pd));
    eoi_map_rc = 0;
    eoi_map_calls = 0;
    return 0;
}

static int32_t op(uint32_t cmd, uint32_t va, const void *arg, size_t len)
{
    if (arg)
        memcpy(mem + (va - MEM_VA), arg, len);
    return physdev_op(&ops, &pv, &pd, cmd, va);
}
#define A 0x11000u      /* a writable argument */

static void test_set_iopl(void **state)
{
    (void)state;
    for (uint32_t l = 0; l <= 3; l++) {
        struct physdev_set_iopl s = { l };
        assert_int_equal(op(PHYSDEVOP_set_iopl, A, &s, sizeof(s)), 0);
        assert_int_equal(pv.iopl, l << 12);
    }
    struct physdev_set_iopl bad = { 4 };
    assert_int_equal(op(PHYSDEVOP_set_iopl, A, &bad, sizeof(bad)), -XEN_EINVAL);
    bad.iopl = 0xFFFFFFFFu;
    assert_int_equal(op(PHYSDEVOP_set_iopl, A, &bad, sizeof(bad)), -XEN_EINVAL);
    assert_int_equal(pv.iopl, 3u << 12);                /* unchanged */
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_set_iopl, 0xF5800000u), -XEN_EFAULT);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_set_iopl, MEM_VA + 0xFFFE), -XEN_EFAULT);
}

static void test_set_iobitmap(void **state)
{
    (void)state;
    struct physdev_set_iobitmap b = { 0x20000, 65536 };
    assert_int_equal(op(PHYSDEVOP_set_iobitmap, A, &b, sizeof(b)), 0);
    assert_int_equal(pv.iobmp, 0x20000);
    assert_int_equal(pv.iobmp_nr, 65536);
    b.nr_ports = 65537;
    assert_int_equal(op(PHYSDEVOP_set_iobitmap, A, &b, sizeof(b)), -XEN_EINVAL);
    b.nr_ports = 0;
    b.bitmap = 0xF5800000u - 8192;                      /* the last 8 KiB below */
    assert_int_equal(op(PHYSDEVOP_set_iobitmap, A, &b, sizeof(b)), 0);
    b.bitmap = 0xF5800000u - 8191;
    assert_int_equal(op(PHYSDEVOP_set_iobitmap, A, &b, sizeof(b)), -XEN_EINVAL);
    b.bitmap = 0xFFFFF000u;
    assert_int_equal(op(PHYSDEVOP_set_iobitmap, A, &b, sizeof(b)), -XEN_EINVAL);
    b.bitmap = 0;                                       /* NULL is fine: Xen checks range only */
    assert_int_equal(op(PHYSDEVOP_set_iobitmap, A, &b, sizeof(b)), 0);
    assert_int_equal(pv.iobmp_nr, 0);
}

static void test_irq_status_and_eoi(void **state)
{
    (void)state;
    struct physdev_irq_status_query q = { 55, 0xAA };
    assert_int_equal(op(PHYSDEVOP_irq_status_query, A, &q, sizeof(q)), 0);
    memcpy(&q, mem + (A - MEM_VA), sizeof(q));
    assert_int_equal(q.flags, XENIRQSTAT_needs_eoi);
    q.irq = 56;
    assert_int_equal(op(PHYSDEVOP_irq_status_query, A, &q, sizeof(q)), -XEN_EINVAL);
    q.irq = 0x80000000u;
    assert_int_equal(op(PHYSDEVOP_irq_status_query, A, &q, sizeof(q)), -XEN_EINVAL);
    q.irq = 3;                                          /* readable, not writable */
    memcpy(mem + (RO_VA - MEM_VA), &q, sizeof(q));
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_irq_status_query, RO_VA), -XEN_EFAULT);

    struct physdev_eoi e = { 55 };
    assert_int_equal(op(PHYSDEVOP_eoi, A, &e, sizeof(e)), -XEN_EINVAL);
    struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_MSI, 0 };
    assert_int_equal(op(PHYSDEVOP_get_free_pirq, A, &g, sizeof(g)), 0);
    memcpy(&g, mem + (A - MEM_VA), sizeof(g));
    assert_int_equal(g.pirq, 55);
    assert_int_equal(op(PHYSDEVOP_eoi, A, &e, sizeof(e)), 0);   /* allocated: EOI is fine */
    e.irq = 0xFFFFFFFFu;
    assert_int_equal(op(PHYSDEVOP_eoi, A, &e, sizeof(e)), -XEN_EINVAL);
}

static void test_get_free_pirq(void **state)
{
    (void)state;
    struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_GSI, 0 };
    for (uint32_t want = 16; want < 24; want++) {
        assert_int_equal(op(PHYSDEVOP_get_free_pirq, A, &g, sizeof(g)), 0);
        memcpy(&g, mem + (A - MEM_VA), sizeof(g));
        assert_int_equal(g.pirq, want);
    }
    /* GSIs gone: from the top down, for GSI and other types alike. */
    for (uint32_t want = 55; want >= 24; want--) {
        g.type = want & 1 ? MAP_PIRQ_TYPE_GSI : 7;
        assert_int_equal(op(PHYSDEVOP_get_free_pirq, A, &g, sizeof(g)), 0);
        memcpy(&g, mem + (A - MEM_VA), sizeof(g));
        assert_int_equal(g.pirq, want);
    }
    assert_int_equal(op(PHYSDEVOP_get_free_pirq, A, &g, sizeof(g)), -XEN_ENOSPC);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_get_free_pirq, 0), -XEN_EFAULT);
}

static void test_get_free_pirq_readonly(void **state)
{
    (void)state;
    struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_MSI, 0 };
    memcpy(mem + (RO_VA - MEM_VA), &g, sizeof(g));
    /* As Xen: the pirq is taken even though the answer cannot be written. */
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_get_free_pirq, RO_VA), -XEN_EFAULT);
    assert_int_equal(op(PHYSDEVOP_get_free_pirq, A, &g, sizeof(g)), 0);
    memcpy(&g, mem + (A - MEM_VA), sizeof(g));
    assert_int_equal(g.pirq, 54);
}

static void test_map_unmap_pirq(void **state)
{
    (void)state;
    struct physdev_map_pirq m = { DOMID_SELF, 0, MAP_PIRQ_TYPE_MSI_SEG, 1, -1, 0, 0, 0, { 0, 0 } };
    assert_int_equal(op(PHYSDEVOP_map_pirq, A, &m, sizeof(m)), -XEN_EPERM);
    struct physdev_map_pirq back;
    memcpy(&back, mem + (A - MEM_VA), sizeof(back));
    assert_int_equal(back.type, MAP_PIRQ_TYPE_MSI);     /* written back converted */
    m.domid = 5;
    assert_int_equal(op(PHYSDEVOP_map_pirq, A, &m, sizeof(m)), -XEN_ESRCH);
    m.domid = 2;
    m.type = MAP_PIRQ_TYPE_GSI;
    assert_int_equal(op(PHYSDEVOP_map_pirq, A, &m, sizeof(m)), -XEN_EPERM);
    m.type = MAP_PIRQ_TYPE_MULTI_MSI;
    m.table_base[1] = 1;
    memset(mem + (A - MEM_VA) + 40, 0x5A, 4);
    assert_int_equal(op(PHYSDEVOP_map_pirq, A, &m, sizeof(m)), -XEN_EINVAL);
    m.table_base[1] = 0;
    memcpy(mem + (RO_VA - MEM_VA), &m, sizeof(m));
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_map_pirq, RO_VA), -XEN_EFAULT);

    struct physdev_unmap_pirq u = { DOMID_SELF, 0, 3 };
    assert_int_equal(op(PHYSDEVOP_unmap_pirq, A, &u, sizeof(u)), -XEN_EPERM);
    u.domid = 9;
    assert_int_equal(op(PHYSDEVOP_unmap_pirq, A, &u, sizeof(u)), -XEN_ESRCH);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_unmap_pirq, 0x100), -XEN_EFAULT);
}

static void test_refusals(void **state)
{
    (void)state;
    static const uint32_t copy_eperm[] = {
        PHYSDEVOP_apic_read, PHYSDEVOP_apic_write, PHYSDEVOP_alloc_irq_vector,
        PHYSDEVOP_manage_pci_add, PHYSDEVOP_manage_pci_remove, PHYSDEVOP_pci_device_remove,
        PHYSDEVOP_prepare_msix, PHYSDEVOP_release_msix,
    };
    for (size_t i = 0; i < sizeof(copy_eperm) / sizeof(copy_eperm[0]); i++) {
        assert_int_equal(physdev_op(&ops, &pv, &pd, copy_eperm[i], A), -XEN_EPERM);
        assert_int_equal(physdev_op(&ops, &pv, &pd, copy_eperm[i], 0), -XEN_EFAULT);
    }
    /* Refused before the argument is read. */
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_pci_mmcfg_reserved, 0), -XEN_EPERM);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_dbgp_op, 0), -XEN_EPERM);
    /* No such PCI device. */
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_restore_msi, A), -XEN_ENODEV);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_restore_msi_ext, A), -XEN_ENODEV);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_restore_msi_ext, 0), -XEN_EFAULT);
    /* Argument checks before the refusal. */
    struct physdev_setup_gsi s = { 24, 0, 0, 0 };
    assert_int_equal(op(PHYSDEVOP_setup_gsi, A, &s, sizeof(s)), -XEN_EINVAL);
    s.gsi = -1;
    assert_int_equal(op(PHYSDEVOP_setup_gsi, A, &s, sizeof(s)), -XEN_EINVAL);
    s.gsi = 23;
    assert_int_equal(op(PHYSDEVOP_setup_gsi, A, &s, sizeof(s)), -XEN_EPERM);
    struct physdev_manage_pci_ext x = { .is_virtfn = 2 };
    assert_int_equal(op(PHYSDEVOP_manage_pci_add_ext, A, &x, sizeof(x)), -XEN_EINVAL);
    x.is_virtfn = 1;
    assert_int_equal(op(PHYSDEVOP_manage_pci_add_ext, A, &x, sizeof(x)), -XEN_EPERM);
    struct physdev_pci_device_add a = { .flags = XEN_PCI_DEV_PXM };
    uint32_t end = MEM_VA + 0x10000 - sizeof(a);        /* the pxm word would be past the end */
    memcpy(mem + (end - MEM_VA), &a, sizeof(a));
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_pci_device_add, end), -XEN_EFAULT);
    assert_int_equal(op(PHYSDEVOP_pci_device_add, A, &a, sizeof(a)), -XEN_EPERM);
    /* Legacy and unknown. */
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_IRQ_UNMASK_NOTIFY, 0), 0);
    static const uint32_t nosys[] = { 0, 1, 2, 3, PHYSDEVOP_free_irq_vector, 18, 22, 32, 33,
                                      1000, 0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof(nosys) / sizeof(nosys[0]); i++)
        assert_int_equal(physdev_op(&ops, &pv, &pd, nosys[i], A), -XEN_ENOSYS);
}

static void test_eoi_gmfn(void **state)
{
    (void)state;
    struct physdev_pirq_eoi_gmfn g = { 0x1234 };
    assert_int_equal(op(PHYSDEVOP_pirq_eoi_gmfn_v2, A, &g, sizeof(g)), 0);
    assert_int_equal(eoi_map_gmfn, 0x1234);
    assert_int_equal(pd.auto_unmask, 0);
    eoi_map_rc = -XEN_EBUSY;
    assert_int_equal(op(PHYSDEVOP_pirq_eoi_gmfn_v1, A, &g, sizeof(g)), -XEN_EBUSY);
    assert_int_equal(pd.auto_unmask, 0);
    eoi_map_rc = 0;
    assert_int_equal(op(PHYSDEVOP_pirq_eoi_gmfn_v1, A, &g, sizeof(g)), 0);
    assert_int_equal(pd.auto_unmask, 1);
    assert_int_equal(physdev_op(&ops, &pv, &pd, PHYSDEVOP_pirq_eoi_gmfn_v1, 0), -XEN_EFAULT);
    assert_int_equal(eoi_map_calls, 3);
}

static void test_compat(void **state)
{
    (void)state;
    struct physdev_op o;
    memset(&o, 0, sizeof(o));
    o.cmd = PHYSDEVOP_set_iopl;
    o.u.set_iopl.iopl = 2;
    memcpy(mem + (A - MEM_VA), &o, sizeof(o));
    assert_int_equal(physdev_op_compat(&ops, &pv, &pd, A), 0);
    assert_int_equal(pv.iopl, 2u << 12);
    o.cmd = PHYSDEVOP_irq_status_query;
    o.u.irq_status_query.irq = 1;
    memcpy(mem + (A - MEM_VA), &o, sizeof(o));
    assert_int_equal(physdev_op_compat(&ops, &pv, &pd, A), 0);
    memcpy(&o, mem + (A - MEM_VA), sizeof(o));
    assert_int_equal(o.u.irq_status_query.flags, XENIRQSTAT_needs_eoi);
    /* The whole 16-byte struct is read first. */
    uint32_t end = MEM_VA + 0x10000 - 12;
    assert_int_equal(physdev_op_compat(&ops, &pv, &pd, end), -XEN_EFAULT);
    o.cmd = 99;
    memcpy(mem + (A - MEM_VA), &o, sizeof(o));
    assert_int_equal(physdev_op_compat(&ops, &pv, &pd, A), -XEN_ENOSYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_set_iopl, setup),
        cmocka_unit_test_setup(test_set_iobitmap, setup),
        cmocka_unit_test_setup(test_irq_status_and_eoi, setup),
        cmocka_unit_test_setup(test_get_free_pirq, setup),
        cmocka_unit_test_setup(test_get_free_pirq_readonly, setup),
        cmocka_unit_test_setup(test_map_unmap_pirq, setup),
        cmocka_unit_test_setup(test_refusals, setup),
        cmocka_unit_test_setup(test_eoi_gmfn, setup),
        cmocka_unit_test_setup(test_compat, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
