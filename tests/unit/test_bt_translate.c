/* Unit tests of bt's translator (bt/translate.c, bt/emit.c): the exact
 * bytes emitted for each instruction class (IDENT, relative branches,
 * the indirect lookups, cli/sti/pushf/popf, callouts of every sensitive
 * class and of gs:/cs: operands), the block ends (control transfer, page
 * boundary, BT_MAX_INSNS, an unreadable page), forced callouts, the
 * precise-fault map (bt_block_where at every TC address of a block), and
 * the emitted code decoded back with x86_decode: its lengths tile the
 * block and nothing sensitive appears outside the sites meant for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/x86dec.h"
#include "bt/emit.h"
#include "bt_fake.h"

#define TCVA 0xFF200100u
#define EIP  (GUEST_VA + 0x100u)

static struct fake_guest G;
static struct bt_env env;
static uint8_t out[BT_BLOCK_MAX];
static struct bt_block_out B;
static uint32_t fault_va;

static int setup(void **state)
{
    (void)state;
    memset(&G, 0x90, sizeof G.mem);         /* nop everywhere */
    memset(G.unreadable, 0, sizeof G.unreadable);
    G.nforced = G.nframes = G.fetches = 0;
    env = fake_env(&G);
    return 0;
}

static int tx(uint32_t eip)
{
    memset(out, 0xAA, sizeof out);
    return bt_translate(&env, eip, out, TCVA, sizeof out, &B, &fault_va);
}

static struct bt_block_info info(void)
{
    return (struct bt_block_info){ .eip = B.eip, .tc_va = TCVA, .size = (uint16_t)B.size,
                                   .body_off = (uint16_t)B.body_off,
                                   .exits_off = (uint16_t)B.exits_off,
                                   .ninsns = (uint8_t)B.ninsns, .nexits = (uint8_t)B.nexits,
                                   .insns = B.insns, .exits = B.exits };
}

static struct bt_where where(uint32_t off)
{
    struct bt_block_info bi = info();
    struct bt_where w;
    bt_block_where(&bi, TCVA + off, &w);
    return w;
}

/* Decode the block back: the prologue and the body tile exactly into
 * instructions; int3 only at callout and miss sites; pushf/popf only in
 * the translations of pushf/popf; indirect jumps only in lookups; nothing
 * else but plain code and relative branches. */
static void check_decode(void)
{
    struct x86_insn in;
    uint32_t off = 0;
    while (off < B.exits_off) {
        assert_true(x86_decode(out + off, B.exits_off - off, &in));
        assert_int_equal(in.fault, X86F_NONE);
        assert_true(off + in.len <= B.exits_off);
        struct bt_where w = where(off);
        switch (in.cls) {
        case X86C_PLAIN:
            break;
        case X86C_JMP_REL: case X86C_JCC_REL:
            break;
        case X86C_LOOP_REL:   /* jecxz of the indirect entry, loop translations */
            break;
        case X86C_INT:
            assert_int_equal(out[off], 0xCC);
            assert_true(w.site == BT_SITE_CALLOUT || w.site == BT_SITE_MISS);
            break;
        case X86C_PUSHF: case X86C_POPF: {
            /* only in the translations of pushf and popf */
            struct x86_insn g;
            assert_int_equal(w.site, BT_SITE_INSN);
            assert_true(x86_decode(&G.mem[w.eip - GUEST_VA], 15, &g));
            assert_true(g.cls == X86C_PUSHF || g.cls == X86C_POPF);
            break;
        }
        case X86C_CPUID: case X86C_SEG_READ: case X86C_SEG_WRITE:
            /* an IDENT copy of the guest's instruction (ES DS FS) */
            assert_int_equal(w.boundary, 1);
            assert_int_equal(w.len, in.len);
            assert_memory_equal(out + off, &G.mem[w.eip - GUEST_VA], in.len);
            break;
        case X86C_JMP_IND: {
            unsigned i = 0;
            while (i + 1 < B.ninsns && B.insns[i + 1].tc_off <= off)
                i++;
            assert_true(B.insns[i].flags & BT_MI_LOOKUP);
            break;
        }
        default:
            fail_msg("TC offset %u: class %s", off, x86_class_name((enum x86_class)in.cls));
        }
        off += in.len;
    }
    assert_int_equal(off, B.exits_off);
    /* every byte of every stub is int3 or a chained jmp */
    for (unsigned i = 0; i < B.nexits; i++)
        for (unsigned k = 0; k < BT_STUB_LEN; k++)
            assert_int_equal(out[B.exits[i].tc_off + k], 0xCC);
}

static void expect_body(const char *hex)
{
    uint8_t exp[BT_BLOCK_MAX];
    size_t n = hex_to(exp, hex);
    assert_int_equal(B.size - B.body_off, n);
    assert_memory_equal(out + B.body_off, exp, n);
    check_decode();
}

static void expect_exit(unsigned i, uint32_t tc_off_from_body, uint32_t target)
{
    assert_true(i < B.nexits);
    assert_int_equal(B.exits[i].tc_off, B.body_off + tc_off_from_body);
    assert_int_equal(B.exits[i].target, target);
}

#define STUB     "CC CC CC CC CC "
#define CLI      "65 C6 05 01 00 00 00 00 "
#define STI      "65 C6 05 01 00 00 00 02 "
#define PEND     "65 A3 48 00 00 00 65 A1 04 00 00 00 65 8B 00 65 A1 48 00 00 00 "
#define PUSHF    "9C 65 A3 48 00 00 00 65 A1 00 00 00 00 25 00 02 00 00 65 0B 05 0C 00 00 00 " \
                 "25 00 32 00 00 81 24 24 FF CD FF FF 09 04 24 9D 8D 64 24 FC 65 A1 48 00 00 00 "
#define POPF     "65 A3 48 00 00 00 8B 04 24 65 A3 00 00 00 00 25 00 30 00 00 65 A3 0C 00 00 00 " \
                 "9D 65 A1 04 00 00 00 65 8B 00 65 A1 48 00 00 00 "
#define SAVE_ECX "65 89 0D 44 00 00 00 "
#define TO_TGT   "65 89 0D 40 00 00 00 "
#define LOOKUP_CX "0F B7 C9 65 FF 24 8D 00 20 00 00 "
#define RET_HEAD "65 8F 05 40 00 00 00 "
#define RET_TAIL SAVE_ECX "65 0F B7 0D 40 00 00 00 65 FF 24 8D 00 20 00 00 "

static void test_prologue(void **state)
{
    (void)state;
    put_code(&G, EIP, "c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    assert_int_equal(B.body_off, BT_PROLOGUE_LEN);
    uint8_t exp[64];
    size_t n = hex_to(exp, "65 8B 0D 40 00 00 00 8D 89 00 FF EF 3F E3 08 "
                           "65 8B 0D 44 00 00 00 CC 65 8B 0D 44 00 00 00");
    assert_int_equal(n, BT_PROLOGUE_LEN);
    assert_memory_equal(out, exp, n);        /* lea ecx, [ecx - 0xC0100100] */
    assert_int_equal(where(BT_PROLOGUE_MISS).site, BT_SITE_MISS);
    assert_int_equal(where(0).site, BT_SITE_INSN);
    assert_int_equal(where(0).boundary, 0);
    uint8_t stub[BT_MISS_STUB_LEN];
    bt_emit_miss_stub(stub);
    n = hex_to(exp, "65 8B 0D 44 00 00 00 CC");
    assert_memory_equal(stub, exp, n);
}

static void test_ident(void **state)
{
    (void)state;
    /* mov eax,ebx; add eax,1; lock inc [ebx]; push ds; pop es; mov es,ax;
     * mov ax,fs; les eax,[ebx]; lfs eax,[ebx]; mov eax,ds:[ebx];
     * mov eax, fs:[ebx]; rep movsb; jmp $ */
    size_t n = put_code(&G, EIP, "89 d8 83 c0 01 f0 ff 03 1e 07 8e c0 66 8c e0 c4 03 0f b4 03 "
                                 "3e 8b 03 64 8b 03 f3 a4 eb fe");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("89 d8 83 c0 01 f0 ff 03 1e 07 8e c0 66 8c e0 c4 03 0f b4 03 "
                "3e 8b 03 64 8b 03 f3 a4 E9 FB FF FF FF");
    assert_int_equal(B.ninsns, 13);
    assert_int_equal(B.nexits, 0);
    assert_int_equal(B.ngpfn, 1);
    assert_int_equal(B.gpfn[0], GUEST_GPFN0);
    assert_int_equal(B.insns[12].eip_off, n - 2);
    for (unsigned i = 0; i < B.ninsns; i++)
        assert_int_equal(B.insns[i].flags, 0);
}

/* cpuid is a callout (docs/bt.md): the runtime answers the hypervisor's
 * range with bt's counters (bt/counters.h), the rest from the CPU. */
static void test_cpuid(void **state)
{
    (void)state;
    put_code(&G, EIP, "0f a2 90 eb fe");                 /* cpuid; nop; jmp $ */
    assert_int_equal(tx(EIP), BT_TX_OK);
    assert_true(B.ninsns >= 2);
    assert_true(B.insns[0].flags & BT_MI_CALLOUT);
    assert_int_equal(out[B.insns[0].tc_off], 0xCC);
    struct bt_where w = where(B.insns[0].tc_off);
    assert_int_equal(w.site, BT_SITE_CALLOUT);
    assert_int_equal(w.eip, EIP);
    assert_int_equal(w.len, 2);
}

static void test_jcc(void **state)
{
    (void)state;
    put_code(&G, EIP, "90 74 10");                       /* je +0x10 */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("90 74 05 " STUB STUB);
    assert_int_equal(B.nexits, 2);
    expect_exit(0, 3, EIP + 3);                          /* fall-through */
    expect_exit(1, 8, EIP + 0x13);                       /* taken */
    /* jcc rel32, backwards out of the block */
    put_code(&G, EIP, "0f 8c 00 f0 ff ff");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("7C 05 " STUB STUB);
    expect_exit(1, 7, EIP + 6 - 0x1000);
    /* 66 jcc rel16: the target is truncated to 16 bits */
    put_code(&G, EIP, "66 0f 85 00 10");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("75 05 " STUB STUB);
    expect_exit(1, 7, (EIP + 5 + 0x1000) & 0xFFFF);
    /* a target inside the block: jnz rel32 straight to it */
    put_code(&G, EIP, "90 41 75 fd");                    /* nop; inc ecx; jnz inc */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("90 41 0F 85 F9 FF FF FF " STUB);
    assert_int_equal(B.nexits, 1);
    expect_exit(0, 8, EIP + 4);
}

static void test_jmp_call_rel(void **state)
{
    (void)state;
    put_code(&G, EIP, "e9 00 01 00 00");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(STUB);
    expect_exit(0, 0, EIP + 0x105);
    put_code(&G, EIP, "eb 80");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(STUB);
    expect_exit(0, 0, EIP + 2 - 0x80);
    /* call rel32: push the guest return address, then as jmp */
    put_code(&G, EIP, "e8 fb 0f 00 00");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("68 05 01 10 C0 " STUB);
    assert_int_equal(B.nexits, 1);
    expect_exit(0, 5, EIP + 0x1000);
    /* call $+5 (get EIP): the target is the return address */
    put_code(&G, EIP, "e8 00 00 00 00");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("68 05 01 10 C0 " STUB);
    expect_exit(0, 5, EIP + 5);
    /* 66 call rel16 pushes IP and goes to a 16-bit target */
    put_code(&G, EIP, "66 e8 10 00");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("66 68 04 01 " STUB);
    expect_exit(0, 4, (EIP + 4 + 0x10) & 0xFFFF);
}

static void test_loop(void **state)
{
    (void)state;
    put_code(&G, EIP, "e2 fe");                          /* loop $ */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("E2 05 " STUB STUB);
    expect_exit(0, 2, EIP + 2);
    expect_exit(1, 7, EIP);
    put_code(&G, EIP, "67 e3 10");                       /* jcxz: 67 kept */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("67 E3 05 " STUB STUB);
    expect_exit(1, 8, EIP + 0x13);
    put_code(&G, EIP, "66 e1 10");                       /* 66 loope: 66 dropped, 16-bit target */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("E1 05 " STUB STUB);
    expect_exit(1, 7, (EIP + 0x13) & 0xFFFF);
    put_code(&G, EIP, "e0 10");                          /* loopne */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("E0 05 " STUB STUB);
}

static void test_ret(void **state)
{
    (void)state;
    put_code(&G, EIP, "c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(RET_HEAD RET_TAIL);
    assert_int_equal(B.nexits, 0);
    assert_int_equal(B.insns[0].flags, BT_MI_LOOKUP);
    put_code(&G, EIP, "c2 08 00");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(RET_HEAD "8D A4 24 08 00 00 00 " RET_TAIL);
    /* 66 ret (16-bit): a callout */
    put_code(&G, EIP, "66 c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("CC");
    assert_int_equal(B.insns[0].flags, BT_MI_CALLOUT);
}

static void test_jmp_ind(void **state)
{
    (void)state;
    put_code(&G, EIP, "ff e0");                          /* jmp eax */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(SAVE_ECX "8B C8 " TO_TGT LOOKUP_CX);
    assert_int_equal(B.insns[0].flags, BT_MI_LOOKUP);
    put_code(&G, EIP, "ff 64 24 04");                    /* jmp [esp+4] */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(SAVE_ECX "8B 4C 24 04 " TO_TGT LOOKUP_CX);
    put_code(&G, EIP, "ff 24 8d 00 10 00 c0");           /* jmp [ecx*4+0xc0001000] */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(SAVE_ECX "8B 0C 8D 00 10 00 C0 " TO_TGT LOOKUP_CX);
    put_code(&G, EIP, "64 ff 21");                       /* jmp fs:[ecx] */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(SAVE_ECX "64 8B 09 " TO_TGT LOOKUP_CX);
    put_code(&G, EIP, "67 ff 27");                       /* jmp [bx] */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(SAVE_ECX "67 8B 0F " TO_TGT LOOKUP_CX);
    put_code(&G, EIP, "66 ff e0");                       /* jmp ax: callout */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("CC");
}

static void test_call_ind(void **state)
{
    (void)state;
    put_code(&G, EIP, "ff d0");                          /* call eax */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("FF F0 " SAVE_ECX "8B 0C 24 C7 04 24 02 01 10 C0 " TO_TGT LOOKUP_CX);
    assert_int_equal(B.insns[0].flags, BT_MI_LOOKUP);
    put_code(&G, EIP, "ff 54 24 04");                    /* call [esp+4]: the old esp */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("FF 74 24 04 " SAVE_ECX "8B 0C 24 C7 04 24 04 01 10 C0 " TO_TGT LOOKUP_CX);
    put_code(&G, EIP, "3e ff 93 78 56 34 12");           /* call ds:[ebx+0x12345678] */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("3E FF B3 78 56 34 12 " SAVE_ECX "8B 0C 24 C7 04 24 07 01 10 C0 " TO_TGT
                LOOKUP_CX);
}

static void test_cli_sti_pushf_popf(void **state)
{
    (void)state;
    put_code(&G, EIP, "fa 9c 9d f4 e9 00 00 00 00");     /* cli; pushf; popf; hlt; jmp */
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(CLI PUSHF POPF "CC " STUB);
    assert_int_equal(B.insns[2].pend_off, B.body_off + 8 + 51 + 33);
    struct bt_where w = where(B.insns[2].pend_off);
    assert_int_equal(w.site, BT_SITE_PEND);
    assert_int_equal(w.eip, EIP + 2);
    assert_int_equal(w.next, EIP + 3);
    assert_int_equal(w.eax_saved, 1);
    assert_int_equal(w.resume, TCVA + B.insns[2].pend_off + 3);
    expect_exit(0, 8 + 51 + 42 + 1, EIP + 9);
    /* 16-bit pushf/popf: callouts, the block goes on */
    put_code(&G, EIP, "66 9c 66 9d c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("CC CC " RET_HEAD RET_TAIL);
    assert_int_equal(B.insns[0].flags, BT_MI_CALLOUT | BT_MI_RESUME);
    assert_int_equal(where(B.body_off).resume, TCVA + B.body_off + 1);
}

static void test_sti_shadow(void **state)
{
    (void)state;
    /* sti; nop; nop: the check after the first nop (the shadow) */
    put_code(&G, EIP, "fb 90 90 c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(STI "90 " PEND "90 " RET_HEAD RET_TAIL);
    assert_int_equal(B.insns[0].pend_off, 0);
    assert_int_equal(B.insns[1].pend_off, B.body_off + 9 + 12);
    struct bt_where w = where(B.insns[1].pend_off);
    assert_int_equal(w.site, BT_SITE_PEND);
    assert_int_equal(w.next, EIP + 2);
    /* sti; hlt: no check, the callout ends the shadow */
    put_code(&G, EIP, "fb f4 c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(STI "CC " RET_HEAD RET_TAIL);
    for (unsigned i = 0; i < B.ninsns; i++)
        assert_int_equal(B.insns[i].pend_off, 0);
    /* sti; cli: none */
    put_code(&G, EIP, "fb fa c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(STI CLI RET_HEAD RET_TAIL);
    /* sti; ret: the check right after sti */
    put_code(&G, EIP, "fb c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body(STI PEND RET_HEAD RET_TAIL);
    assert_int_equal(B.insns[0].pend_off, B.body_off + 8 + 12);
    assert_int_equal(where(B.insns[0].pend_off).next, EIP + 1);
    /* sti at the block's end (a page boundary next): checked before the exit */
    uint32_t e = GUEST_VA + 0x1000 - 1;
    put_code(&G, e, "fb");
    assert_int_equal(tx(e), BT_TX_OK);
    expect_body(STI PEND STUB);
    expect_exit(0, 8 + 21, e + 1);
}

/* The guest instruction at EIP is a callout; cont: the block goes on. */
static void callout(const char *code, int cont)
{
    size_t n = put_code(&G, EIP, code);
    put_code(&G, EIP + (uint32_t)n, "c3");
    assert_int_equal(tx(EIP), BT_TX_OK);
    assert_int_equal(out[B.body_off], 0xCC);
    assert_int_equal(B.insns[0].len, n);
    struct bt_where w = where(B.body_off);
    assert_int_equal(w.site, BT_SITE_CALLOUT);
    assert_int_equal(w.eip, EIP);
    assert_int_equal(w.boundary, 1);
    assert_int_equal(w.len, n);
    if (cont) {
        assert_int_equal(B.insns[0].flags, BT_MI_CALLOUT | BT_MI_RESUME);
        assert_int_equal(w.resume, TCVA + B.body_off + 1);
        expect_body("CC " RET_HEAD RET_TAIL);
    } else {
        assert_int_equal(B.insns[0].flags, BT_MI_CALLOUT);
        assert_int_equal(w.resume, 0);
        expect_body("CC");
        assert_int_equal(B.ninsns, 1);
    }
}

static void test_callouts(void **state)
{
    (void)state;
    /* control transfers: the block ends */
    callout("cf", 0);                      /* iret */
    callout("ea 00 00 00 00 08 00", 0);    /* jmp far */
    callout("ff 2b", 0);                   /* jmp far [ebx] */
    callout("9a 00 00 00 00 08 00", 0);    /* call far */
    callout("cb", 0);                      /* retf */
    callout("ca 04 00", 0);                /* retf 4 */
    callout("cd 80", 0);                   /* int 0x80 */
    callout("cc", 0);                      /* int3 */
    callout("ce", 0);                      /* into */
    callout("0f 34", 0);                   /* sysenter */
    callout("0f 0b", 0);                   /* ud2: invalid */
    callout("8e c8", 0);                   /* mov cs, ax: invalid */
    callout("65 ff 20", 0);                /* jmp gs:[eax] */
    callout("2e ff 10", 0);                /* call cs:[eax] */
    /* the rest: the block goes on after the int3 */
    callout("0e", 1);                      /* push cs */
    callout("16", 1);                      /* push ss */
    callout("0f a8", 1);                   /* push gs */
    callout("8c c8", 1);                   /* mov eax, cs */
    callout("8c d0", 1);                   /* mov eax, ss */
    callout("8c e8", 1);                   /* mov eax, gs */
    callout("8e d0", 1);                   /* mov ss, ax */
    callout("8e e8", 1);                   /* mov gs, ax */
    callout("17", 1);                      /* pop ss */
    callout("0f a9", 1);                   /* pop gs */
    callout("0f b2 03", 1);                /* lss */
    callout("0f b5 03", 1);                /* lgs */
    callout("0f 01 03", 1);                /* sgdt */
    callout("0f 01 0b", 1);                /* sidt */
    callout("0f 00 c0", 1);                /* sldt */
    callout("0f 00 c8", 1);                /* str */
    callout("0f 01 e0", 1);                /* smsw */
    callout("0f 02 c3", 1);                /* lar */
    callout("0f 03 c3", 1);                /* lsl */
    callout("0f 00 e0", 1);                /* verr */
    callout("0f 00 e8", 1);                /* verw */
    callout("0f 22 d8", 1);                /* mov cr3, eax */
    callout("0f 20 c0", 1);                /* mov eax, cr0 */
    callout("0f 23 c0", 1);                /* mov dr0, eax */
    callout("0f 01 13", 1);                /* lgdt */
    callout("0f 01 1b", 1);                /* lidt */
    callout("0f 00 d0", 1);                /* lldt */
    callout("0f 00 d8", 1);                /* ltr */
    callout("0f 01 38", 1);                /* invlpg [eax] */
    callout("0f 30", 1);                   /* wrmsr */
    callout("0f 32", 1);                   /* rdmsr */
    callout("f4", 1);                      /* hlt */
    callout("e4 60", 1);                   /* in al, 0x60 */
    callout("ec", 1);                      /* in al, dx */
    callout("e6 80", 1);                   /* out 0x80, al */
    callout("f3 6c", 1);                   /* rep insb */
    callout("6f", 1);                      /* outsd */
    callout("65 8b 00", 1);                /* mov eax, gs:[eax] */
    callout("2e 8b 00", 1);                /* mov eax, cs:[eax] */
    callout("65 a1 00 00 00 00", 1);       /* mov eax, gs:moffs */
    callout("66 9c", 1);                   /* pushfw */
}

static void test_too_long(void **state)
{
    (void)state;
    /* 15 prefixes and an opcode: #GP, a callout ending the block */
    put_code(&G, EIP, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("CC");
    assert_int_equal(where(B.body_off).site, BT_SITE_CALLOUT);
    assert_int_equal(B.insns[0].flags, BT_MI_CALLOUT);
}

static void test_page_end(void **state)
{
    (void)state;
    /* nops to the page's end: the block stops there, exit to the next page */
    uint32_t e = GUEST_VA + 0x1000 - 3;
    assert_int_equal(tx(e), BT_TX_OK);
    expect_body("90 90 90 " STUB);
    expect_exit(0, 3, GUEST_VA + 0x1000);
    assert_int_equal(B.ngpfn, 1);
    /* an instruction crossing into the next page: both frames, then stop */
    put_code(&G, e, "90 b8 11 22 33 44");                /* nop; mov eax, imm32 */
    assert_int_equal(tx(e), BT_TX_OK);
    expect_body("90 B8 11 22 33 44 " STUB);
    assert_int_equal(B.ngpfn, 2);
    assert_int_equal(B.gpfn[0], GUEST_GPFN0);
    assert_int_equal(B.gpfn[1], GUEST_GPFN0 + 1);
    expect_exit(0, 6, e + 6);
    /* the same into an unreadable page: the block ends before it */
    G.unreadable[1] = 1;
    assert_int_equal(tx(e), BT_TX_OK);
    expect_body("90 " STUB);
    expect_exit(0, 1, e + 1);
    assert_int_equal(B.ngpfn, 1);
    /* and that instruction first: the fault, at the page's first byte */
    assert_int_equal(tx(e + 1), BT_TX_FAULT);
    assert_int_equal(fault_va, GUEST_VA + 0x1000);
    /* an unreadable first instruction */
    assert_int_equal(tx(GUEST_VA + 0x1000), BT_TX_FAULT);
    assert_int_equal(fault_va, GUEST_VA + 0x1000);
    /* outside the guest */
    assert_int_equal(tx(0x1000), BT_TX_FAULT);
    assert_int_equal(fault_va, 0x1000);
}

static void test_max_insns(void **state)
{
    (void)state;
    assert_int_equal(tx(EIP), BT_TX_OK);                 /* nops only */
    assert_int_equal(B.ninsns, BT_MAX_INSNS);
    assert_int_equal(B.nexits, 1);
    expect_exit(0, BT_MAX_INSNS, EIP + BT_MAX_INSNS);
    /* the longest translations: the block stays within BT_BLOCK_MAX */
    for (unsigned i = 0; i < 200; i++)
        put_code(&G, EIP + i, "9c");
    assert_int_equal(tx(EIP), BT_TX_OK);
    assert_true(B.size <= BT_BLOCK_MAX);
    assert_int_equal(B.ninsns, BT_MAX_INSNS);
    check_decode();
    /* a small output buffer: the block ends early, never past it */
    uint32_t f;
    memset(out, 0xAA, sizeof out);
    assert_int_equal(bt_translate(&env, EIP, out, TCVA, 400, &B, &f), BT_TX_OK);
    assert_true(B.size <= 400);
    assert_true(B.ninsns < 8);
    assert_int_equal(out[400], 0xAA);
    assert_int_equal(bt_translate(&env, EIP, out, TCVA, 64, &B, &f), BT_TX_NOSPACE);
}

static void test_force_callout(void **state)
{
    (void)state;
    put_code(&G, EIP, "90 90 74 10");
    G.forced[G.nforced++] = EIP + 1;
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("90 CC 74 05 " STUB STUB);
    assert_int_equal(B.insns[1].flags, BT_MI_CALLOUT | BT_MI_RESUME);
    /* a forced jcc: the callout ends the block */
    G.forced[G.nforced++] = EIP + 2;
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("90 CC CC");
    assert_int_equal(B.insns[2].flags, BT_MI_CALLOUT);
    assert_int_equal(B.nexits, 0);
}

/* bt_block_where at every TC address of a mixed block. */
static void test_where_every_address(void **state)
{
    (void)state;
    /* nop; cli; pushf; in al,0x60; popf; mov [ebx],eax; jne +0x20 */
    put_code(&G, EIP, "90 fa 9c e4 60 9d 89 03 75 20");
    assert_int_equal(tx(EIP), BT_TX_OK);
    expect_body("90 " CLI PUSHF "CC " POPF "89 03 75 05 " STUB STUB);
    static const uint32_t goff[] = { 0, 1, 2, 3, 5, 6, 8 };
    static const unsigned glen[] = { 1, 1, 1, 2, 1, 2, 2 };
    unsigned starts[8];
    for (unsigned i = 0; i < 7; i++)
        starts[i] = B.insns[i].tc_off;
    starts[7] = B.exits_off;
    assert_int_equal(starts[1] - starts[0], 1);
    assert_int_equal(starts[2] - starts[1], 8);
    assert_int_equal(starts[3] - starts[2], 51);
    assert_int_equal(starts[4] - starts[3], 1);
    assert_int_equal(starts[5] - starts[4], 42);
    assert_int_equal(starts[6] - starts[5], 2);
    assert_int_equal(starts[7] - starts[6], 2);
    for (uint32_t off = 0; off < B.size + 4; off++) {
        struct bt_where w = where(off);
        if (off < B.body_off) {
            assert_int_equal(w.site, off == BT_PROLOGUE_MISS ? BT_SITE_MISS : BT_SITE_INSN);
            assert_int_equal(w.eip, EIP);
            assert_int_equal(w.boundary, 0);
            continue;
        }
        if (off >= B.size) {
            assert_int_equal(w.site, BT_SITE_NONE);
            continue;
        }
        if (off >= B.exits_off) {
            unsigned s = (off - B.exits_off) / BT_STUB_LEN;
            if ((off - B.exits_off) % BT_STUB_LEN == 0) {
                assert_int_equal(w.site, BT_SITE_EXIT);
                assert_int_equal(w.eip, s == 0 ? EIP + 10 : EIP + 0x2a);
                assert_int_equal(w.boundary, 1);
            } else {
                assert_int_equal(w.site, BT_SITE_NONE);
            }
            continue;
        }
        unsigned i = 0;
        while (i < 6 && starts[i + 1] <= off)
            i++;
        assert_int_equal(w.eip, EIP + goff[i]);
        assert_int_equal(w.len, glen[i]);
        assert_int_equal(w.next, EIP + goff[i] + glen[i]);
        assert_int_equal(w.boundary, off == starts[i]);
        if (i == 3 && off == starts[i]) {
            assert_int_equal(w.site, BT_SITE_CALLOUT);
            assert_int_equal(w.resume, TCVA + off + 1);
        } else if (i == 4 && off == B.insns[4].pend_off) {
            assert_int_equal(w.site, BT_SITE_PEND);
            assert_int_equal(w.resume, TCVA + off + 3);
        } else {
            assert_int_equal(w.site, BT_SITE_INSN);
        }
    }
}

/* Random guest bytes (a fixed seed): every block stays in bounds, decodes
 * back into exactly its instructions with nothing sensitive outside the
 * sites meant for it, and where agrees with the map at every address. */
static void test_random_code(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (unsigned i = 0; i < sizeof G.mem; i++) {
        x = x * 1103515245u + 12345u;
        G.mem[i] = (uint8_t)(x >> 16);
    }
    G.unreadable[5] = 1;
    unsigned callouts = 0, lookups = 0, exits = 0;
    for (unsigned k = 0; k < 3000; k++) {
        x = x * 1103515245u + 12345u;
        uint32_t eip = GUEST_VA + (x >> 8) % (GUEST_PAGES * 4096u);
        int r = tx(eip);
        if (((eip - GUEST_VA) >> 12) == 5) {
            assert_int_equal(r, BT_TX_FAULT);
            continue;
        }
        if (r == BT_TX_FAULT) {                  /* only an instruction running into page 5 */
            assert_int_equal(fault_va, GUEST_VA + 5 * 4096u);
            continue;
        }
        assert_int_equal(r, BT_TX_OK);
        assert_true(B.size <= BT_BLOCK_MAX);
        assert_true(B.ninsns >= 1 && B.ninsns <= BT_MAX_INSNS);
        assert_true(B.nexits <= BT_MAX_EXITS);
        assert_true(B.ngpfn >= 1 && B.ngpfn <= 2);
        check_decode();
        uint32_t prev_end = B.body_off;
        for (unsigned i = 0; i < B.ninsns; i++) {
            const struct bt_insn_map *m = &B.insns[i];
            assert_int_equal(m->tc_off, prev_end);         /* contiguous */
            struct bt_where w = where(m->tc_off);
            assert_int_equal(w.boundary, 1);
            if (m->tc_off == B.exits_off)          /* a jmp rel: its stub is its translation */
                assert_int_equal(w.site, BT_SITE_EXIT);
            else
                assert_int_equal(w.eip, eip + m->eip_off);
            callouts += !!(m->flags & BT_MI_CALLOUT);
            lookups += !!(m->flags & BT_MI_LOOKUP);
            prev_end = i + 1 < B.ninsns ? B.insns[i + 1].tc_off : B.exits_off;
            if (i + 1 < B.ninsns)
                assert_int_equal(B.insns[i + 1].eip_off, m->eip_off + m->len);
        }
        exits += B.nexits;
    }
    assert_true(callouts > 100 && lookups > 10 && exits > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_prologue, setup),
        cmocka_unit_test_setup(test_ident, setup),
        cmocka_unit_test_setup(test_cpuid, setup),
        cmocka_unit_test_setup(test_jcc, setup),
        cmocka_unit_test_setup(test_jmp_call_rel, setup),
        cmocka_unit_test_setup(test_loop, setup),
        cmocka_unit_test_setup(test_ret, setup),
        cmocka_unit_test_setup(test_jmp_ind, setup),
        cmocka_unit_test_setup(test_call_ind, setup),
        cmocka_unit_test_setup(test_cli_sti_pushf_popf, setup),
        cmocka_unit_test_setup(test_sti_shadow, setup),
        cmocka_unit_test_setup(test_callouts, setup),
        cmocka_unit_test_setup(test_too_long, setup),
        cmocka_unit_test_setup(test_page_end, setup),
        cmocka_unit_test_setup(test_max_insns, setup),
        cmocka_unit_test_setup(test_force_callout, setup),
        cmocka_unit_test_setup(test_where_every_address, setup),
        cmocka_unit_test_setup(test_random_code, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
