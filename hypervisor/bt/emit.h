/*
 * emit: the byte sequences bt's translator emits (bt/emit.c), one function
 * per translation; the costs and bytes are listed in docs/bt.md. All
 * vpage accesses are gs:offset (BT_GS_SEL's base is BT_VPAGE_VA).
 */
#ifndef HV_BT_EMIT_H
#define HV_BT_EMIT_H

#include <stddef.h>
#include <stdint.h>

struct x86_insn;

struct bt_emit {
    uint8_t *p;            /* the block's bytes */
    size_t cap;
    size_t n;              /* bytes emitted */
    uint32_t va;           /* the TC address of p[0] */
    int overflow;          /* an emit did not fit (nothing written past cap) */
};

/* Offsets inside the sequences that bt_block_where needs. */
#define BT_PEND_INSN_LEN    3u     /* mov eax, gs:[eax] */

void bt_emit_byte(struct bt_emit *e, uint8_t b);
void bt_emit_bytes(struct bt_emit *e, const uint8_t *b, size_t n);
void bt_emit_prologue(struct bt_emit *e, uint32_t eip);
void bt_emit_stub(struct bt_emit *e);
/* jmp / jcc rel32 to block offset off; jcc rel8 d; loop-class rel8 d. */
void bt_emit_jmp_to(struct bt_emit *e, uint32_t off);
void bt_emit_jcc_to(struct bt_emit *e, unsigned cc, uint32_t off);
void bt_emit_jcc_short(struct bt_emit *e, unsigned cc, uint8_t d);
void bt_emit_loop(struct bt_emit *e, uint8_t opcode, int addr16, uint8_t d);
void bt_emit_push_ret(struct bt_emit *e, uint32_t ret, unsigned opsize);
void bt_emit_ret(struct bt_emit *e, uint32_t imm16);
void bt_emit_jmp_ind(struct bt_emit *e, const uint8_t *insn, const struct x86_insn *in);
void bt_emit_call_ind(struct bt_emit *e, const uint8_t *insn, const struct x86_insn *in,
                      uint32_t ret);
void bt_emit_cli(struct bt_emit *e);
void bt_emit_sti(struct bt_emit *e);
void bt_emit_pushf(struct bt_emit *e);
/* These two return the block offset of their pending check's faulting insn. */
size_t bt_emit_popf(struct bt_emit *e);
size_t bt_emit_pend_check(struct bt_emit *e);

#endif
