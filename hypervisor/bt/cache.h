/*
 * cache: bt's translation cache (pure; tests/unit/test_bt_cache.c). The
 * runtime gives it the TC's bytes (a hypervisor-writable mapping of the
 * BT_TC_SIZE bytes the translated code runs at, tc_va) and the lookup
 * table's (BT_LOOKUP_ENTRIES dwords, read by translated code at
 * BT_LOOKUP_VA); the blocks' metadata is in the struct, fixed-size.
 *
 * Blocks are laid out one after the other in the TC and never move; an
 * invalidated block stays where it is (unreachable: every chain into it
 * undone, its lookup entry cleared; bt_cache_where still answers for it,
 * live = 0) until the cache is flushed whole, which happens when the TC or
 * any metadata array is full (bt_cache_get says so: every TC address the
 * runtime held is then stale).
 *
 * The TC starts with the miss stub (BT_MISS_STUB_LEN bytes): empty lookup
 * entries point at it.
 *
 * sizeof(struct bt_cache) is about 490 KiB with the default
 * BT_CACHE_BLOCKS (4096 blocks, 32768 instruction maps, 8192 exits).
 */
#ifndef HV_BT_CACHE_H
#define HV_BT_CACHE_H

#include "bt/translate.h"

#ifndef BT_CACHE_BLOCKS
#define BT_CACHE_BLOCKS     4096u
#endif
#define BT_CACHE_INSNS      (BT_CACHE_BLOCKS * 8u)
#define BT_CACHE_EXITS      (BT_CACHE_BLOCKS * 2u)
#define BT_CACHE_HASH       4096u      /* guest EIP -> block chains */

struct bt_cache_stats {
    uint32_t blocks;        /* translated since init */
    uint32_t insns;         /* guest instructions translated */
    uint32_t bytes;         /* TC bytes in use now */
    uint32_t chains;        /* exits patched into jumps (eager ones included) */
    uint32_t unchains;      /* chains undone by invalidations */
    uint32_t flushes;       /* whole-cache flushes (full) */
    uint32_t invalidations; /* blocks dropped by bt_cache_invalidate_* */
    uint32_t lookup_hits;   /* bt_cache_get found the block */
    uint32_t lookup_misses; /* bt_cache_get translated */
    uint32_t ind_misses;    /* the runtime's: MISS callouts */
    uint32_t callouts;      /* the runtime's: CALLOUT sites run */
    uint32_t exits;         /* the runtime's: EXIT sites resolved */
};

struct bt_cblock {
    uint32_t eip;
    uint32_t tc_off;        /* the block's first byte, from the TC's start */
    uint32_t gpfn[2];
    uint32_t guest_len;     /* guest bytes covered, from eip */
    uint16_t size, body_off, exits_off;
    uint16_t first_insn, first_exit;
    int16_t hnext;          /* next live block in its hash chain, -1 */
    uint8_t ninsns, nexits, ngpfn, live;
};

struct bt_cache {
    uint8_t *tc;            /* writable view of the TC */
    uint32_t tc_va;         /* where it runs */
    uint32_t tc_size;
    uint32_t *lookup;       /* writable view of the lookup table */
    uint32_t used;          /* TC bytes allocated */
    unsigned nblocks, ninsns, nexits;
    struct bt_cblock blocks[BT_CACHE_BLOCKS];
    struct bt_insn_map insns[BT_CACHE_INSNS];
    struct bt_exit_map exits[BT_CACHE_EXITS];
    int16_t exit_to[BT_CACHE_EXITS];   /* the block an exit is chained to, -1 */
    int16_t hash[BT_CACHE_HASH];
    struct bt_block_out out;           /* the translator's output */
    struct bt_cache_stats stats;
};

enum bt_get_result {
    BT_GET_OK = 0,
    BT_GET_FAULT,      /* the guest's code at *fault_va cannot be fetched (the
                        * env's fetch knows why): the guest's #PF there */
    BT_GET_FLUSHED,    /* the cache was full and is now empty: every TC
                        * address held is stale; call again */
};

/* tc_size: the TC's bytes (BT_TC_SIZE, or fewer; at least 2 * BT_BLOCK_MAX). */
void bt_cache_init(struct bt_cache *c, uint8_t *tc, uint32_t tc_va, uint32_t tc_size,
                   uint32_t *lookup);
void bt_cache_flush(struct bt_cache *c);
/* The direct entry of guest eip's block, translated when missing. */
int bt_cache_get(struct bt_cache *c, const struct bt_env *env, uint32_t eip,
                 uint32_t *tc_va, uint32_t *fault_va);
/* The live block starting at guest eip, without translating: its direct
 * entry, or 0. */
uint32_t bt_cache_find(const struct bt_cache *c, uint32_t eip);
/* What tc_va is (site NONE outside every block and the miss stub). */
void bt_cache_where(const struct bt_cache *c, uint32_t tc_va, struct bt_where *w);
/* Patch the exit stub at exit_tc_va (an EXIT site of a live block) into a
 * jump to target_tc_va (a live block's direct entry for the exit's guest
 * target): 0, or -1 (nothing changed). */
int bt_cache_chain(struct bt_cache *c, uint32_t exit_tc_va, uint32_t target_tc_va);
/* Drop every block made from guest frame gpfn / covering guest byte eip:
 * the number dropped. */
unsigned bt_cache_invalidate_gpfn(struct bt_cache *c, uint32_t gpfn);
unsigned bt_cache_invalidate_eip(struct bt_cache *c, uint32_t eip);
/* 1 if a live block was made from gpfn. */
int bt_cache_has_gpfn(const struct bt_cache *c, uint32_t gpfn);

#endif
