/*
 * emit: the translator's code sequences (docs/bt.md lists them with their
 * costs). Every sequence keeps the guest's registers and flags, touches
 * guest memory only where the guest instruction does, and has its one
 * instruction that can fault on guest memory first, or leaves the guest's
 * state unchanged until after the last one that can (precise faults).
 */
#include "bt/emit.h"
#include "bt/translate.h"
#include "arch/x86/x86dec.h"

#define GS 0x65
#define LOOKUP_OFF (BT_LOOKUP_VA - BT_VPAGE_VA)

void bt_emit_byte(struct bt_emit *e, uint8_t b)
{
    if (e->n >= e->cap) {
        e->overflow = 1;
        return;
    }
    e->p[e->n++] = b;
}

void bt_emit_bytes(struct bt_emit *e, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bt_emit_byte(e, b[i]);
}

static void emit32(struct bt_emit *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        bt_emit_byte(e, (uint8_t)(v >> (8 * i)));
}

/* gs: moves between eax/ecx and a vpage dword. */
static void st_eax(struct bt_emit *e, uint32_t off)   /* mov gs:[off], eax */
{
    bt_emit_byte(e, GS);
    bt_emit_byte(e, 0xA3);
    emit32(e, off);
}
static void ld_eax(struct bt_emit *e, uint32_t off)   /* mov eax, gs:[off] */
{
    bt_emit_byte(e, GS);
    bt_emit_byte(e, 0xA1);
    emit32(e, off);
}
static void st_ecx(struct bt_emit *e, uint32_t off)   /* mov gs:[off], ecx */
{
    static const uint8_t op[] = { GS, 0x89, 0x0D };
    bt_emit_bytes(e, op, sizeof op);
    emit32(e, off);
}
static void ld_ecx(struct bt_emit *e, uint32_t off)   /* mov ecx, gs:[off] */
{
    static const uint8_t op[] = { GS, 0x8B, 0x0D };
    bt_emit_bytes(e, op, sizeof op);
    emit32(e, off);
}

/* The indirect entry: the lookup's target (gs:TARGET, ecx saved) is this
 * block's eip, else a miss (int3 at BT_PROLOGUE_MISS) with ecx restored.
 *   mov ecx, gs:[TARGET]; lea ecx, [ecx - eip]; jecxz +8;
 *   mov ecx, gs:[SAVE_ECX]; int3; mov ecx, gs:[SAVE_ECX]          */
void bt_emit_prologue(struct bt_emit *e, uint32_t eip)
{
    ld_ecx(e, BT_VP_TARGET);
    bt_emit_byte(e, 0x8D);
    bt_emit_byte(e, 0x89);
    emit32(e, 0u - eip);
    bt_emit_byte(e, 0xE3);
    bt_emit_byte(e, 0x08);
    ld_ecx(e, BT_VP_SAVE_ECX);
    bt_emit_byte(e, BT_CALLOUT_BYTE);
    ld_ecx(e, BT_VP_SAVE_ECX);
}

void bt_emit_miss_stub(uint8_t *out)
{
    struct bt_emit e = { out, BT_MISS_STUB_LEN, 0, 0, 0 };
    ld_ecx(&e, BT_VP_SAVE_ECX);
    bt_emit_byte(&e, BT_CALLOUT_BYTE);
}

/* An unchained exit: int3 and 4 bytes that become jmp rel32's. */
void bt_emit_stub(struct bt_emit *e)
{
    for (unsigned i = 0; i < BT_STUB_LEN; i++)
        bt_emit_byte(e, BT_CALLOUT_BYTE);
}

void bt_emit_jmp_to(struct bt_emit *e, uint32_t off)
{
    bt_emit_byte(e, 0xE9);
    emit32(e, off - (uint32_t)(e->n + 4));
}

void bt_emit_jcc_to(struct bt_emit *e, unsigned cc, uint32_t off)
{
    bt_emit_byte(e, 0x0F);
    bt_emit_byte(e, (uint8_t)(0x80u | (cc & 0xFu)));
    emit32(e, off - (uint32_t)(e->n + 4));
}

void bt_emit_jcc_short(struct bt_emit *e, unsigned cc, uint8_t d)
{
    bt_emit_byte(e, (uint8_t)(0x70u | (cc & 0xFu)));
    bt_emit_byte(e, d);
}

/* loop/loope/loopne/jecxz rel8 without 66 (which would truncate the TC's
 * EIP); 67 kept: the count is CX. */
void bt_emit_loop(struct bt_emit *e, uint8_t opcode, int addr16, uint8_t d)
{
    if (addr16)
        bt_emit_byte(e, 0x67);
    bt_emit_byte(e, opcode);
    bt_emit_byte(e, d);
}

/* call rel's push of the guest return address: push imm32 (66: imm16). */
void bt_emit_push_ret(struct bt_emit *e, uint32_t ret, unsigned opsize)
{
    if (opsize == 2) {
        bt_emit_byte(e, 0x66);
        bt_emit_byte(e, 0x68);
        bt_emit_byte(e, (uint8_t)ret);
        bt_emit_byte(e, (uint8_t)(ret >> 8));
        return;
    }
    bt_emit_byte(e, 0x68);
    emit32(e, ret);
}

/* The lookup's end, with the guest target in gs:TARGET and ecx saved:
 *   movzx ecx, word gs:[TARGET]; jmp gs:[ecx*4 + LOOKUP]  (or from cx) */
static void lookup_jmp(struct bt_emit *e, int from_cx)
{
    if (from_cx) {
        static const uint8_t mz[] = { 0x0F, 0xB7, 0xC9 };
        bt_emit_bytes(e, mz, sizeof mz);
    } else {
        static const uint8_t mz[] = { GS, 0x0F, 0xB7, 0x0D };
        bt_emit_bytes(e, mz, sizeof mz);
        emit32(e, BT_VP_TARGET);
    }
    static const uint8_t jmp[] = { GS, 0xFF, 0x24, 0x8D };
    bt_emit_bytes(e, jmp, sizeof jmp);
    emit32(e, LOOKUP_OFF);
}

/* ret [imm16]:
 *   pop gs:[TARGET]; [lea esp, [esp + imm16]]; mov gs:[SAVE_ECX], ecx;
 *   movzx ecx, word gs:[TARGET]; jmp gs:[ecx*4 + LOOKUP]          */
void bt_emit_ret(struct bt_emit *e, uint32_t imm16)
{
    static const uint8_t pop[] = { GS, 0x8F, 0x05 };
    bt_emit_bytes(e, pop, sizeof pop);
    emit32(e, BT_VP_TARGET);
    if (imm16) {
        static const uint8_t lea[] = { 0x8D, 0xA4, 0x24 };
        bt_emit_bytes(e, lea, sizeof lea);
        emit32(e, imm16 & 0xFFFFu);
    }
    st_ecx(e, BT_VP_SAVE_ECX);
    lookup_jmp(e, 0);
}

/* The guest's prefixes that a copied memory operand keeps: ES SS DS FS
 * overrides and 67 (GS and CS with a memory operand are callouts). */
static void copy_operand_prefixes(struct bt_emit *e, const uint8_t *insn,
                                  const struct x86_insn *in)
{
    for (unsigned i = 0; i < in->npfx; i++) {
        uint8_t p = insn[i];
        if (p == 0x26 || p == 0x36 || p == 0x3E || p == 0x64 || p == 0x67)
            bt_emit_byte(e, p);
    }
}

/* opcode with the guest's ModRM (its reg field replaced), SIB, disp. */
static void copy_modrm(struct bt_emit *e, const uint8_t *insn, const struct x86_insn *in,
                       uint8_t opcode, unsigned reg)
{
    bt_emit_byte(e, opcode);
    bt_emit_byte(e, (uint8_t)((insn[in->modrm_off] & 0xC7u) | (reg << 3)));
    for (unsigned i = in->modrm_off + 1u; i < in->len; i++)
        bt_emit_byte(e, insn[i]);
}

/* jmp r/m32:
 *   mov gs:[SAVE_ECX], ecx; mov ecx, r/m; mov gs:[TARGET], ecx;
 *   movzx ecx, cx; jmp gs:[ecx*4 + LOOKUP]
 * (a fault of the operand's read leaves ecx the guest's: restart) */
void bt_emit_jmp_ind(struct bt_emit *e, const uint8_t *insn, const struct x86_insn *in)
{
    st_ecx(e, BT_VP_SAVE_ECX);
    copy_operand_prefixes(e, insn, in);
    copy_modrm(e, insn, in, 0x8B, 1);
    st_ecx(e, BT_VP_TARGET);
    lookup_jmp(e, 1);
}

/* call r/m32:
 *   push r/m (the target, where call pushes; faults precisely);
 *   mov gs:[SAVE_ECX], ecx; mov ecx, [esp]; mov dword [esp], ret;
 *   mov gs:[TARGET], ecx; movzx ecx, cx; jmp gs:[ecx*4 + LOOKUP]   */
void bt_emit_call_ind(struct bt_emit *e, const uint8_t *insn, const struct x86_insn *in,
                      uint32_t ret)
{
    copy_operand_prefixes(e, insn, in);
    copy_modrm(e, insn, in, 0xFF, 6);
    st_ecx(e, BT_VP_SAVE_ECX);
    static const uint8_t ld[] = { 0x8B, 0x0C, 0x24 };
    bt_emit_bytes(e, ld, sizeof ld);
    static const uint8_t st[] = { 0xC7, 0x04, 0x24 };
    bt_emit_bytes(e, st, sizeof st);
    emit32(e, ret);
    st_ecx(e, BT_VP_TARGET);
    lookup_jmp(e, 1);
}

/* cli / sti: mov byte gs:[VFLAGS + 1], 0 / 2 (IF is that byte's bit 1). */
static void set_vif(struct bt_emit *e, uint8_t v)
{
    static const uint8_t op[] = { GS, 0xC6, 0x05 };
    bt_emit_bytes(e, op, sizeof op);
    emit32(e, BT_VP_VFLAGS + 1u);
    bt_emit_byte(e, v);
}
void bt_emit_cli(struct bt_emit *e) { set_vif(e, 0x00); }
void bt_emit_sti(struct bt_emit *e) { set_vif(e, 0x02); }

/* The pending check: mov gs:[SAVE_EAX], eax; mov eax, gs:[PEND];
 * mov eax, gs:[eax] (faults in the guard page: BT_SITE_PEND);
 * mov eax, gs:[SAVE_EAX]. */
static size_t pend_tail(struct bt_emit *e)
{
    ld_eax(e, BT_VP_PEND);
    size_t at = e->n;
    static const uint8_t chk[] = { GS, 0x8B, 0x00 };
    bt_emit_bytes(e, chk, sizeof chk);
    ld_eax(e, BT_VP_SAVE_EAX);
    return at;
}
size_t bt_emit_pend_check(struct bt_emit *e)
{
    st_eax(e, BT_VP_SAVE_EAX);
    return pend_tail(e);
}

/* pushf (32-bit): the real image with IF and IOPL from the vpage:
 *   pushfd; mov gs:[SAVE_EAX], eax; mov eax, gs:[VFLAGS]; and eax, 0x200;
 *   or eax, gs:[VIOPL]; and eax, 0x3200; and dword [esp], ~0x3200;
 *   or [esp], eax; popfd (the real flags back: ring 1 leaves IF/IOPL);
 *   lea esp, [esp-4]; mov eax, gs:[SAVE_EAX]                         */
void bt_emit_pushf(struct bt_emit *e)
{
    bt_emit_byte(e, 0x9C);
    st_eax(e, BT_VP_SAVE_EAX);
    ld_eax(e, BT_VP_VFLAGS);
    bt_emit_byte(e, 0x25);
    emit32(e, 0x200u);
    static const uint8_t orv[] = { GS, 0x0B, 0x05 };
    bt_emit_bytes(e, orv, sizeof orv);
    emit32(e, BT_VP_VIOPL);
    bt_emit_byte(e, 0x25);
    emit32(e, 0x3200u);
    static const uint8_t andm[] = { 0x81, 0x24, 0x24 };
    bt_emit_bytes(e, andm, sizeof andm);
    emit32(e, ~0x3200u);
    static const uint8_t rest[] = { 0x09, 0x04, 0x24, 0x9D, 0x8D, 0x64, 0x24, 0xFC };
    bt_emit_bytes(e, rest, sizeof rest);
    ld_eax(e, BT_VP_SAVE_EAX);
}

/* popf (32-bit): IF and IOPL of the popped image into the vpage, the rest
 * by a real popfd, then the pending check:
 *   mov gs:[SAVE_EAX], eax; mov eax, [esp] (a fault: restart);
 *   mov gs:[VFLAGS], eax; and eax, 0x3000; mov gs:[VIOPL], eax; popfd;
 *   mov eax, gs:[PEND]; mov eax, gs:[eax]; mov eax, gs:[SAVE_EAX]     */
size_t bt_emit_popf(struct bt_emit *e)
{
    st_eax(e, BT_VP_SAVE_EAX);
    static const uint8_t ld[] = { 0x8B, 0x04, 0x24 };
    bt_emit_bytes(e, ld, sizeof ld);
    st_eax(e, BT_VP_VFLAGS);
    bt_emit_byte(e, 0x25);
    emit32(e, 0x3000u);
    st_eax(e, BT_VP_VIOPL);
    bt_emit_byte(e, 0x9D);
    return pend_tail(e);
}
