/* Unit tests: the callout's store (hypervisor/bt/smc_store.c) on a fake
 * guest memory and page tables: the memory forms that write (mov, ALU,
 * inc, xchg...) with the registers and EFLAGS they leave, the effective
 * address with SIB, moffs and a segment base, a store across two pages,
 * the guest's #PF (not present; read-only, with the W bit; the second
 * page of a crossing store) with nothing written, translations dropped
 * only where the bytes overlap translated ones, the callout counted at
 * a retranslated site with the traps it avoided, and the forms refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/emulate.h"
#include "bt/smc.h"

#define EAX 0
#define ECX 1
#define EDX 2
#define EBX 3
#define ESP 4
#define EBP 5
#define ESI 6
#define EDI 7

/* guest memory: 8 frames; linear page p (va >> 12) -> pte[p] */
#define NFRAMES 8
static uint8_t ram[NFRAMES][4096];
static struct pte { int present, writable; uint32_t gpfn; unsigned walks_w; } pte[16];

static int fake_walk(void *ctx, uint32_t va, int write, uint32_t *gpfn, uint32_t *error)
{
    (void)ctx;
    uint32_t p = va >> 12;
    if (p >= 16 || !pte[p].present) {
        *error = write ? 2u : 0u;
        return -1;
    }
    if (write && !pte[p].writable) {
        *error = 3u;
        return -1;
    }
    if (write)
        pte[p].walks_w++;
    *gpfn = pte[p].gpfn;
    return 0;
}

static uint8_t *fake_frame(void *ctx, uint32_t gpfn)
{
    (void)ctx;
    return gpfn < NFRAMES ? ram[gpfn] : NULL;
}

static const struct bt_smc_mem mem = { NULL, fake_walk, fake_frame };

static char logbuf[32][24];
static unsigned nlog;
static void note(const char *what, uint32_t g)
{
    assert_true(nlog < 32);
    snprintf(logbuf[nlog++], sizeof(logbuf[0]), "%s %u", what, (unsigned)g);
}
static void f_protect(void *c, uint32_t g) { (void)c; note("protect", g); }
static void f_unprotect(void *c, uint32_t g) { (void)c; note("unprotect", g); }
static void f_invalidate(void *c, uint32_t g) { (void)c; note("invalidate", g); }
static void f_invalidate_eip(void *c, uint32_t e) { (void)c; note("retranslate", e); }
static const struct bt_smc_ops ops = { NULL, f_protect, f_unprotect, f_invalidate, f_invalidate_eip };

static struct bt_smc s;
static struct bt_smc_regs r;
static unsigned len;
static uint32_t fva, ferr;

#define SITE 0xC0100040u

static int setup(void **state)
{
    (void)state;
    memset(ram, 0, sizeof(ram));
    memset(pte, 0, sizeof(pte));
    for (unsigned p = 0; p < 8; p++)
        pte[p] = (struct pte){ 1, 1, p, 0 };
    pte[4].writable = 0;                   /* va 0x4000: read-only */
    pte[5].present = 0;                    /* va 0x5000: not present */
    pte[9] = (struct pte){ 1, 1, 2, 0 };   /* va 0x9000: an alias of frame 2 */
    pte[10] = (struct pte){ 1, 1, 100, 0 };/* va 0xA000: not RAM */
    bt_smc_init(&s, &ops);
    memset(&r, 0, sizeof(r));
    r.eflags = 0x202;
    nlog = 0;
    return 0;
}

static int emu(const uint8_t *b, size_t n, uint32_t seg_base)
{
    len = 0;
    return bt_smc_emulate(&s, SITE, b, n, seg_base, &r, &mem, &len, &fva, &ferr);
}

static uint32_t rd32(unsigned frame, unsigned off)
{
    uint32_t v;
    memcpy(&v, &ram[frame][off], 4);
    return v;
}

static void make_hot(void)
{
    for (unsigned i = 0; i < BT_ADAPT_HOT; i++)
        bt_smc_write_trap(&s, SITE, 1, 7);
    assert_true(bt_smc_force_callout(&s, SITE));
    nlog = 0;
}

static void forms(void **state)
{
    (void)state;
    /* mov [ebx+4], eax */
    static const uint8_t mov[] = { 0x89, 0x43, 0x04 };
    r.gpr[EBX] = 0x1000;
    r.gpr[EAX] = 0x11223344;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(len, 3);
    assert_int_equal(rd32(1, 4), 0x11223344);
    assert_int_equal(r.eflags, 0x202);
    /* mov dword [esi+ecx*4+0x10], 0xdeadbeef (c7 44 8e 10 imm32) */
    static const uint8_t movi[] = { 0xC7, 0x44, 0x8E, 0x10, 0xEF, 0xBE, 0xAD, 0xDE };
    r.gpr[ESI] = 0x3000;
    r.gpr[ECX] = 3;
    assert_int_equal(emu(movi, sizeof(movi), 0), BT_SMC_DONE);
    assert_int_equal(len, 8);
    assert_int_equal(rd32(3, 0x1C), 0xDEADBEEF);
    /* add [ebx+4], eax: 0x11223344 * 2, flags of the sum */
    static const uint8_t add[] = { 0x01, 0x43, 0x04 };
    assert_int_equal(emu(add, sizeof(add), 0), BT_SMC_DONE);
    assert_int_equal(rd32(1, 4), 0x22446688);
    assert_int_equal(r.eflags & 0x8D5, 0x004);          /* PF only */
    /* inc byte [0x1004] (fe 05 disp32): 0x88 -> 0x89, SF */
    static const uint8_t inc[] = { 0xFE, 0x05, 0x04, 0x10, 0x00, 0x00 };
    assert_int_equal(emu(inc, sizeof(inc), 0), BT_SMC_DONE);
    assert_int_equal(ram[1][4], 0x89);
    assert_int_equal(r.eflags & 0x8D4, 0x080);
    /* xchg [ebx+4], edx: both ways */
    static const uint8_t xchg[] = { 0x87, 0x53, 0x04 };
    r.gpr[EDX] = 0x55;
    assert_int_equal(emu(xchg, sizeof(xchg), 0), BT_SMC_DONE);
    assert_int_equal(rd32(1, 4), 0x55);
    assert_int_equal(r.gpr[EDX], 0x22446689);
    /* mov [moffs32], al (a2) with a segment base */
    static const uint8_t moffs[] = { 0xA2, 0x00, 0x02, 0x00, 0x00 };
    r.gpr[EAX] = 0x77;
    assert_int_equal(emu(moffs, sizeof(moffs), 0x6000), BT_SMC_DONE);
    assert_int_equal(len, 5);
    assert_int_equal(ram[6][0x200], 0x77);
    /* 66: mov word [ebx], 0x1234 */
    static const uint8_t movw[] = { 0x66, 0xC7, 0x03, 0x34, 0x12 };
    assert_int_equal(emu(movw, sizeof(movw), 0), BT_SMC_DONE);
    assert_int_equal(len, 5);
    assert_int_equal(rd32(1, 0), 0x1234);
    /* through the alias at 0x9000: frame 2 */
    static const uint8_t alias[] = { 0x89, 0x05, 0x08, 0x90, 0x00, 0x00 };
    r.gpr[EAX] = 0xA1A5;
    assert_int_equal(emu(alias, sizeof(alias), 0), BT_SMC_DONE);
    assert_int_equal(rd32(2, 8), 0xA1A5);
    assert_int_equal(s.callout_stores, 8);
}

static void across_pages(void **state)
{
    (void)state;
    /* mov [ebx], eax at 0x1FFE: two bytes in frame 1, two in frame 2 */
    static const uint8_t mov[] = { 0x89, 0x03 };
    r.gpr[EBX] = 0x1FFE;
    r.gpr[EAX] = 0xA4A3A2A1;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(ram[1][0xFFE], 0xA1);
    assert_int_equal(ram[1][0xFFF], 0xA2);
    assert_int_equal(ram[2][0], 0xA3);
    assert_int_equal(ram[2][1], 0xA4);
    /* its second page read-only (0x3FFE: 0x4000): #PF at 0x4000, W,
     * nothing written on the first page */
    r.gpr[EBX] = 0x3FFE;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_FAULT);
    assert_int_equal(fva, 0x4000);
    assert_int_equal(ferr, 3);
    assert_int_equal(ram[3][0xFFE], 0);
}

static void faults(void **state)
{
    (void)state;
    static const uint8_t mov[] = { 0x89, 0x03 };          /* mov [ebx], eax */
    static const uint8_t add[] = { 0x01, 0x03 };          /* add [ebx], eax */
    struct bt_smc_regs before;
    r.gpr[EAX] = 5;
    /* not present */
    r.gpr[EBX] = 0x5010;
    before = r;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_FAULT);
    assert_int_equal(fva, 0x5010);
    assert_int_equal(ferr, 2);
    /* a read-modify-write reads first, as QEMU: not present is a read fault */
    assert_int_equal(emu(add, sizeof(add), 0), BT_SMC_FAULT);
    assert_int_equal(ferr, 0);
    /* read-only: the read passes, the write faults; memory and registers kept */
    ram[4][0x10] = 9;
    r.gpr[EBX] = 0x4010;
    before = r;
    assert_int_equal(emu(add, sizeof(add), 0), BT_SMC_FAULT);
    assert_int_equal(fva, 0x4010);
    assert_int_equal(ferr, 3);
    assert_int_equal(ram[4][0x10], 9);
    assert_memory_equal(&r, &before, sizeof(r));
    /* not RAM: unhandled */
    r.gpr[EBX] = 0xA000;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_UNHANDLED);
    assert_int_equal(s.callout_stores, 0);
}

static void refused(void **state)
{
    (void)state;
    static const uint8_t push[] = { 0x50 };               /* push eax */
    static const uint8_t load[] = { 0x8B, 0x03 };         /* mov eax, [ebx] */
    static const uint8_t cmp[] = { 0x39, 0x03 };          /* cmp [ebx], eax: no write */
    static const uint8_t reg[] = { 0x89, 0xC3 };          /* mov ebx, eax */
    static const uint8_t movs[] = { 0xA5 };               /* movsd */
    static const uint8_t mov[] = { 0x89, 0x03 };
    assert_false(bt_smc_can_emulate(push, sizeof(push)));
    assert_false(bt_smc_can_emulate(load, sizeof(load)));
    assert_false(bt_smc_can_emulate(cmp, sizeof(cmp)));
    assert_false(bt_smc_can_emulate(reg, sizeof(reg)));
    assert_false(bt_smc_can_emulate(movs, sizeof(movs)));
    assert_false(bt_smc_can_emulate(mov, 1));             /* cut short */
    assert_true(bt_smc_can_emulate(mov, sizeof(mov)));
    r.gpr[EBX] = 0x1000;
    assert_int_equal(emu(load, sizeof(load), 0), BT_SMC_UNHANDLED);
    assert_int_equal(emu(push, sizeof(push), 0), BT_SMC_UNHANDLED);
}

static void segments(void **state)
{
    (void)state;
    static const uint8_t ebp[] = { 0x89, 0x45, 0x00 };    /* mov [ebp], eax */
    static const uint8_t esp[] = { 0x89, 0x04, 0x24 };    /* mov [esp], eax */
    static const uint8_t es[] = { 0x26, 0x89, 0x03 };     /* mov es:[ebx], eax */
    static const uint8_t ds[] = { 0x89, 0x03 };
    static const uint8_t abs[] = { 0x89, 0x05, 0, 0, 0, 0 };  /* mov [disp32]: DS */
    static const uint8_t ebpidx[] = { 0x89, 0x04, 0x2B };  /* mov [ebx+ebp], eax: DS */
    assert_int_equal(bt_smc_segment(ebp, sizeof(ebp)), X86_SEG_SS);
    assert_int_equal(bt_smc_segment(esp, sizeof(esp)), X86_SEG_SS);
    assert_int_equal(bt_smc_segment(es, sizeof(es)), X86_SEG_ES);
    assert_int_equal(bt_smc_segment(ds, sizeof(ds)), X86_SEG_DS);
    assert_int_equal(bt_smc_segment(abs, sizeof(abs)), X86_SEG_DS);
    assert_int_equal(bt_smc_segment(ebpidx, sizeof(ebpidx)), X86_SEG_DS);
}

static void overlap_drops(void **state)
{
    (void)state;
    static const uint8_t mov[] = { 0x89, 0x03 };          /* mov [ebx], eax */
    make_hot();
    bt_smc_code(&s, 2, 0x100, 0x20);                      /* code at 0x100-0x11F of frame 2 */
    nlog = 0;
    /* data beside the code: kept, but the store would have trapped */
    r.gpr[EBX] = 0x20FC;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(nlog, 0);
    assert_true(bt_smc_has_code(&s, 2));
    assert_int_equal(bt_adapt_find(&s.adapt, SITE)->callouts, 1);
    assert_int_equal(bt_adapt_find(&s.adapt, SITE)->avoided, 1);
    /* a frame without code: nothing avoided */
    r.gpr[EBX] = 0x3000;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(bt_adapt_find(&s.adapt, SITE)->callouts, 2);
    assert_int_equal(bt_adapt_find(&s.adapt, SITE)->avoided, 1);
    /* one byte into the code (0x20FD-0x2100): dropped before the write */
    r.gpr[EBX] = 0x20FD;
    r.gpr[EAX] = 0xCCCCCCCC;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(nlog, 2);
    assert_string_equal(logbuf[0], "invalidate 2");
    assert_string_equal(logbuf[1], "unprotect 2");
    assert_false(bt_smc_has_code(&s, 2));
    assert_int_equal(ram[2][0x100], 0xCC);
    assert_int_equal(s.callout_invalidations, 1);
    /* through the alias (0x9000 maps frame 2), and across pages: the
     * second frame's code only */
    bt_smc_code(&s, 2, 0x0, 0x1);
    bt_smc_code(&s, 1, 0x0, 0x10);                        /* frame 1's code far from the end */
    nlog = 0;
    r.gpr[EBX] = 0x1FFE;                                  /* 1:FFE-FFF, 2:0-1 */
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(nlog, 2);
    assert_string_equal(logbuf[0], "invalidate 2");
    assert_true(bt_smc_has_code(&s, 1));
    bt_smc_code(&s, 2, 0x40, 0x1);
    nlog = 0;
    r.gpr[EBX] = 0x9040;
    assert_int_equal(emu(mov, sizeof(mov), 0), BT_SMC_DONE);
    assert_int_equal(nlog, 2);
    assert_string_equal(logbuf[0], "invalidate 2");
    assert_int_equal(s.callout_invalidations, 3);
    /* a callout at a site that is not retranslated is not counted */
    unsigned before = bt_adapt_find(&s.adapt, SITE)->callouts;
    len = 0;
    assert_int_equal(bt_smc_emulate(&s, SITE + 1, mov, sizeof(mov), 0, &r, &mem, &len, &fva,
                                    &ferr), BT_SMC_DONE);
    assert_null(bt_adapt_find(&s.adapt, SITE + 1));
    assert_int_equal(bt_adapt_find(&s.adapt, SITE)->callouts, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(forms, setup),
        cmocka_unit_test_setup(across_pages, setup),
        cmocka_unit_test_setup(faults, setup),
        cmocka_unit_test_setup(refused, setup),
        cmocka_unit_test_setup(segments, setup),
        cmocka_unit_test_setup(overlap_drops, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
