/*
 * translate: one guest block (straight-line guest kernel code from one
 * entry) into translation-cache code. Pure: the guest's code comes through
 * env->fetch, the output is a byte buffer and a map (struct bt_block_out)
 * the cache keeps for bt_block_where. The sequences emitted for each
 * instruction class are in bt/emit.c; this file decides which one.
 *
 * A block:  [indirect entry: BT_PROLOGUE_LEN] [instructions] [exit stubs]
 * It ends at a control transfer, after BT_MAX_INSNS instructions, when the
 * next instruction starts in another guest page than the block's first
 * (one instruction may cross: the block then records both frames), when
 * the output is nearly full, or before an instruction that cannot be
 * fetched (an exit to it: the fault is raised when it is entered, as the
 * first instruction of its own block).
 */
#include "bt/translate.h"
#include "bt/emit.h"
#include "arch/x86/x86dec.h"

#define PAGE_MASK 0xFFFFF000u
/* Room kept free before each instruction: its longest translation (pushf,
 * 51 bytes), a pending check (21) and two exit stubs. */
#define INSN_RESERVE 96u

enum kind {
    K_IDENT, K_CALLOUT, K_CALLOUT_END, K_JMP, K_JCC, K_LOOP, K_CALL,
    K_JMP_IND, K_CALL_IND, K_RET, K_CLI, K_STI, K_PUSHF, K_POPF
};

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* The segment register a segment push/pop/move/load names, or -1. */
static int sreg_of(const struct x86_insn *in)
{
    if (in->map == X86M_ONE) {
        switch (in->opcode) {
        case 0x06: case 0x07: return SEG_ES;
        case 0x0E: return SEG_CS;
        case 0x16: case 0x17: return SEG_SS;
        case 0x1E: case 0x1F: return SEG_DS;
        case 0x8C: case 0x8E: return in->reg < 6 ? in->reg : -1;
        case 0xC4: return SEG_ES;   /* les */
        case 0xC5: return SEG_DS;   /* lds */
        default: return -1;
        }
    }
    if (in->map == X86M_0F) {
        switch (in->opcode) {
        case 0xA0: case 0xA1: return SEG_FS;
        case 0xA8: case 0xA9: return SEG_GS;
        case 0xB2: return SEG_SS;   /* lss */
        case 0xB4: return SEG_FS;   /* lfs */
        case 0xB5: return SEG_GS;   /* lgs */
        default: return -1;
        }
    }
    return -1;
}

static int is_control(unsigned cls)
{
    switch (cls) {
    case X86C_JMP_REL: case X86C_JCC_REL: case X86C_LOOP_REL: case X86C_CALL_REL:
    case X86C_JMP_IND: case X86C_CALL_IND: case X86C_RET: case X86C_JMP_FAR:
    case X86C_CALL_FAR: case X86C_RET_FAR: case X86C_IRET: case X86C_INT:
    case X86C_SYSTEM:
        return 1;
    default:
        return 0;
    }
}

static enum kind classify(const struct bt_env *env, const struct x86_insn *in, uint32_t eip)
{
    if (in->fault != X86F_NONE || in->cls == X86C_INVALID || in->cls >= X86C_NR)
        return K_CALLOUT_END;
    enum kind callout = is_control(in->cls) ? K_CALLOUT_END : K_CALLOUT;
    if (env->force_callout && env->force_callout(env->ctx, eip))
        return callout;
    /* GS is the runtime's (the vpage), CS the cache's: a memory operand
     * through either is the guest's segment only in emulation. */
    if (in->has_mem && (in->seg == SEG_GS || in->seg == SEG_CS))
        return callout;
    switch (in->cls) {
    case X86C_PLAIN:
        return K_IDENT;
    case X86C_CPUID:
        /* a callout (docs/bt.md): the hypervisor's range is bt's counters
         * (bt/counters.h), the runtime answers the rest from the CPU */
        return K_CALLOUT;
    case X86C_SEG_READ:
    case X86C_SEG_WRITE: {
        int s = sreg_of(in);
        if (s == SEG_ES || s == SEG_DS || s == SEG_FS)
            return K_IDENT;
        /* a load of CS is #UD: the runtime raises it, nothing follows */
        return in->cls == X86C_SEG_WRITE && s == SEG_CS ? K_CALLOUT_END : K_CALLOUT;
    }
    case X86C_JMP_REL: return K_JMP;
    case X86C_JCC_REL: return K_JCC;
    case X86C_LOOP_REL: return K_LOOP;
    case X86C_CALL_REL: return K_CALL;
    case X86C_JMP_IND: return in->opsize == 4 ? K_JMP_IND : K_CALLOUT_END;
    case X86C_CALL_IND: return in->opsize == 4 ? K_CALL_IND : K_CALLOUT_END;
    case X86C_RET: return in->opsize == 4 ? K_RET : K_CALLOUT_END;
    case X86C_CLI: return K_CLI;
    case X86C_STI: return K_STI;
    case X86C_PUSHF: return in->opsize == 4 ? K_PUSHF : K_CALLOUT;
    case X86C_POPF: return in->opsize == 4 ? K_POPF : K_CALLOUT;
    default:
        return callout;
    }
}

enum { FETCH_OK, FETCH_FAULT };

/* Fetch and decode the instruction at va: FETCH_FAULT with *fault_va the
 * first byte that cannot be read. *gpfn: va's frame; *gpfn2 (when
 * *cross): the next page's, which the instruction runs into. */
static int fetch_insn(const struct bt_env *env, uint32_t va, uint8_t *buf, struct x86_insn *in,
                      uint32_t *gpfn, uint32_t *gpfn2, int *cross, uint32_t *fault_va)
{
    uint32_t room = 0x1000u - (va & 0xFFFu);
    size_t want = room < 15u ? room : 15u;
    size_t got = env->fetch(env->ctx, va, buf, want, gpfn);
    *cross = 0;
    if (got > want)
        got = want;
    if (got == 0) {
        *fault_va = va;
        return FETCH_FAULT;
    }
    if (x86_decode(buf, got, in))
        return FETCH_OK;
    if (got < want) {
        *fault_va = va + (uint32_t)got;
        return FETCH_FAULT;
    }
    size_t want2 = 15u - got;
    size_t got2 = env->fetch(env->ctx, va + (uint32_t)got, buf + got, want2, gpfn2);
    if (got2 > want2)
        got2 = want2;
    if (!x86_decode(buf, got + got2, in)) {
        *fault_va = va + (uint32_t)(got + got2);
        return FETCH_FAULT;
    }
    *cross = 1;
    return FETCH_OK;
}

/* The offset of the translation of guest eip in this block so far, or -1. */
static int find_internal(const struct bt_block_out *b, uint32_t eip)
{
    for (unsigned i = 0; i < b->ninsns; i++)
        if (b->eip + b->insns[i].eip_off == eip)
            return b->insns[i].tc_off;
    return -1;
}

/* An exit through a stub whatever the target. */
static void exit_stub(struct bt_emit *e, struct bt_block_out *b, uint32_t target)
{
    b->exits[b->nexits].tc_off = (uint16_t)e->n;
    b->exits[b->nexits].target = target;
    b->nexits++;
    bt_emit_stub(e);
}

/* An exit to guest target: an internal jmp when the target is already in
 * the block, else a stub with an exit record. */
static void exit_to(struct bt_emit *e, struct bt_block_out *b, uint32_t target)
{
    int in = find_internal(b, target);
    if (in >= 0) {
        bt_emit_jmp_to(e, (uint32_t)in);
        return;
    }
    exit_stub(e, b, target);
}

int bt_translate(const struct bt_env *env, uint32_t eip, uint8_t *out, uint32_t out_va,
                 size_t cap, struct bt_block_out *b, uint32_t *fault_va)
{
    struct bt_emit e = { out, cap < BT_BLOCK_MAX ? cap : BT_BLOCK_MAX, 0, out_va, 0 };
    uint8_t buf[16];
    struct x86_insn in;
    uint32_t cur = eip;
    int pend_deferred = 0;     /* an sti's check waits for the next instruction */
    uint32_t fall = 0;         /* the fall-through exit's target, when there is one */
    int has_fall = 1;

    *b = (struct bt_block_out){ .eip = eip };
    if (e.cap < BT_PROLOGUE_LEN + INSN_RESERVE)
        return BT_TX_NOSPACE;
    bt_emit_prologue(&e, eip);
    b->body_off = (unsigned)e.n;

    for (;;) {
        if (b->ninsns == BT_MAX_INSNS || e.n + INSN_RESERVE > e.cap ||
            (b->ninsns > 0 && (cur & PAGE_MASK) != (eip & PAGE_MASK))) {
            fall = cur;
            break;
        }
        uint32_t gpfn = 0, gpfn2 = 0;
        int cross = 0;
        if (fetch_insn(env, cur, buf, &in, &gpfn, &gpfn2, &cross, fault_va) != FETCH_OK) {
            if (b->ninsns == 0)
                return BT_TX_FAULT;
            fall = cur;
            break;
        }
        if (b->ninsns == 0) {
            b->gpfn[0] = gpfn;
            b->ngpfn = 1;
        }
        if (cross && b->ngpfn < 2) {
            b->gpfn[1] = gpfn2;
            b->ngpfn = 2;
        }
        enum kind k = classify(env, &in, cur);
        unsigned len = in.fault == X86F_GP ? 15u : in.len;

        if (pend_deferred && k != K_IDENT) {
            /* The shadow ends at a callout (the runtime delivers there) or
             * with cli; before anything else the check comes now, after
             * the sti (one instruction early: a transfer cannot be
             * followed by a check in its own block). */
            if (k != K_CLI && k != K_CALLOUT && k != K_CALLOUT_END)
                b->insns[b->ninsns - 1].pend_off = (uint16_t)bt_emit_pend_check(&e);
            pend_deferred = 0;
        }

        struct bt_insn_map *m = &b->insns[b->ninsns++];
        m->eip_off = (uint16_t)(cur - eip);
        m->tc_off = (uint16_t)e.n;
        m->len = (uint8_t)len;
        m->flags = 0;
        m->pend_off = 0;
        uint32_t next = cur + len;
        int end = 0;

        switch (k) {
        case K_IDENT:
            bt_emit_bytes(&e, buf, in.len);
            if (pend_deferred) {
                m->pend_off = (uint16_t)bt_emit_pend_check(&e);
                pend_deferred = 0;
            }
            break;
        case K_CALLOUT:
            m->flags = BT_MI_CALLOUT | BT_MI_RESUME;
            bt_emit_byte(&e, BT_CALLOUT_BYTE);
            break;
        case K_CALLOUT_END:
            m->flags = BT_MI_CALLOUT;
            bt_emit_byte(&e, BT_CALLOUT_BYTE);
            end = 1;
            has_fall = 0;
            break;
        case K_JMP:
            exit_to(&e, b, x86_branch_target(&in, cur));
            end = 1;
            has_fall = 0;
            break;
        case K_JCC: {
            uint32_t t = x86_branch_target(&in, cur);
            int inb = find_internal(b, t);
            unsigned cc = in.opcode & 0xFu;
            if (inb >= 0) {
                bt_emit_jcc_to(&e, cc, (uint32_t)inb);
                exit_to(&e, b, next);
            } else {
                /* jcc over the fall-through stub into the taken one */
                bt_emit_jcc_short(&e, cc, BT_STUB_LEN);
                exit_stub(&e, b, next);
                exit_stub(&e, b, t);
            }
            end = 1;
            has_fall = 0;
            break;
        }
        case K_LOOP: {
            uint32_t t = x86_branch_target(&in, cur);
            bt_emit_loop(&e, in.opcode, in.addr16, BT_STUB_LEN);
            /* both through stubs (loop rel8 reaches only the next 5 bytes
             * on: no direct internal form) */
            exit_stub(&e, b, next);
            exit_stub(&e, b, t);
            end = 1;
            has_fall = 0;
            break;
        }
        case K_CALL:
            bt_emit_push_ret(&e, next, in.opsize);
            exit_to(&e, b, x86_branch_target(&in, cur));
            end = 1;
            has_fall = 0;
            break;
        case K_RET:
            m->flags = BT_MI_LOOKUP;
            bt_emit_ret(&e, in.opcode == 0xC2 ? in.imm : 0);
            end = 1;
            has_fall = 0;
            break;
        case K_JMP_IND:
            m->flags = BT_MI_LOOKUP;
            bt_emit_jmp_ind(&e, buf, &in);
            end = 1;
            has_fall = 0;
            break;
        case K_CALL_IND:
            m->flags = BT_MI_LOOKUP;
            bt_emit_call_ind(&e, buf, &in, next);
            end = 1;
            has_fall = 0;
            break;
        case K_CLI:
            bt_emit_cli(&e);
            break;
        case K_STI:
            bt_emit_sti(&e);
            pend_deferred = 1;
            break;
        case K_PUSHF:
            bt_emit_pushf(&e);
            break;
        case K_POPF:
            m->pend_off = (uint16_t)bt_emit_popf(&e);
            break;
        }
        cur = next;
        if (end)
            break;
    }
    if (pend_deferred)
        b->insns[b->ninsns - 1].pend_off = (uint16_t)bt_emit_pend_check(&e);
    unsigned body_end = (unsigned)e.n;
    if (has_fall)
        exit_to(&e, b, fall);
    b->exits_off = b->nexits ? b->exits[0].tc_off : body_end;
    b->size = (unsigned)e.n;
    return e.overflow ? BT_TX_NOSPACE : BT_TX_OK;
}

void bt_block_where(const struct bt_block_info *bi, uint32_t tc_va, struct bt_where *w)
{
    uint32_t off = tc_va - bi->tc_va;
    *w = (struct bt_where){ .site = BT_SITE_NONE };
    if (tc_va < bi->tc_va || off >= bi->size)
        return;
    if (off < bi->body_off) {
        w->site = off == BT_PROLOGUE_MISS ? BT_SITE_MISS : BT_SITE_INSN;
        w->eip = bi->eip;
        return;
    }
    for (unsigned i = 0; i < bi->nexits; i++) {
        if (off == bi->exits[i].tc_off) {
            w->site = BT_SITE_EXIT;
            w->eip = bi->exits[i].target;
            w->next = w->eip;
            w->boundary = 1;
            return;
        }
    }
    if (off >= bi->exits_off || bi->ninsns == 0)
        return;
    unsigned i = 0;
    while (i + 1u < bi->ninsns && bi->insns[i + 1u].tc_off <= off)
        i++;
    const struct bt_insn_map *m = &bi->insns[i];
    if (off < m->tc_off)
        return;
    w->eip = bi->eip + m->eip_off;
    w->len = m->len;
    w->next = w->eip + m->len;
    w->site = BT_SITE_INSN;
    if (off == m->tc_off) {
        w->boundary = 1;
        if (m->flags & BT_MI_CALLOUT) {
            w->site = BT_SITE_CALLOUT;
            w->resume = (m->flags & BT_MI_RESUME) ? tc_va + 1u : 0;
        }
    } else if (m->pend_off && off == m->pend_off) {
        w->site = BT_SITE_PEND;
        w->eax_saved = 1;
        w->resume = tc_va + BT_PEND_INSN_LEN;
    }
}
