/*
 * bt/counters: the bt mode's translation statistics, and the hypervisor
 * CPUID range through which a bt domain's kernel reads them (as the hw
 * mode's #VMEXIT counters: hw/cpuid_leaves.h). The runtime keeps one
 * table of BT_NR_COUNTERS counters per bt domain, counts into it, and
 * answers the guest kernel's CPUID with bt_cpuid_hv_leaf first: a kernel
 * CPUID under bt is a callout, so it reaches the runtime. Ring-3 CPUID runs
 * on the CPU and never sees this range (pvguest's bench program asks its
 * kernel: SYS_hvcpuid). A kernel that does not know the range never asks.
 *
 *   leaf 0x40000000: EAX = 0x40000001, the last leaf of the range;
 *                    EBX, ECX, EDX = "pv86", " bt\0", "\0\0\0\0"
 *   leaf 0x40000001, ECX = i < BT_NR_COUNTERS:
 *                    EAX = counter i (since the domain started, mod 2^32),
 *                    EBX = 0, ECX = BT_NR_COUNTERS, EDX = 0;
 *                    ECX = i >= BT_NR_COUNTERS: EAX = 0, the rest as above
 *   leaves 0x40000002-0x400000FF: all zero.
 *
 * The counts include the callout that reads them (a reader takes the cost
 * of an empty reading from its differences: pvguest/user/hvbt.c does).
 *
 * Freestanding C (stdint only): pvguest's programs include this header for
 * the leaf numbers, the signature and the counters' names.
 */
#ifndef HV_BT_COUNTERS_H
#define HV_BT_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#define BT_CPUID_HV_BASE      0x40000000u
#define BT_CPUID_HV_COUNTERS  0x40000001u
#define BT_CPUID_HV_LAST      0x400000FFu
#define BT_CPUID_SIG_EBX      0x36387670u   /* "pv86" */
#define BT_CPUID_SIG_ECX      0x00746220u   /* " bt\0" */
#define BT_CPUID_SIG_EDX      0x00000000u

/* X(index name, report name, what it counts) */
#define BT_COUNTERS(X)                                                          \
    X(BT_CTR_BLOCKS, "blocks", "basic blocks translated")                       \
    X(BT_CTR_INSNS, "insns", "guest instructions translated")                   \
    X(BT_CTR_CACHE_BYTES, "cache_bytes", "bytes of translated code written")    \
    X(BT_CTR_CALLOUTS, "callouts",                                              \
      "callouts run: a sensitive instruction emulated, an unchained exit, "     \
      "a lookup miss")                                                          \
    X(BT_CTR_TRAPS, "traps",                                                    \
      "other entries into the hypervisor while the domain ran: faults and "     \
      "interrupts in translated code and in ring 3")                            \
    X(BT_CTR_CHAIN_HITS, "chain_hits",                                          \
      "transfers between blocks without the runtime, as far as it counts them") \
    X(BT_CTR_CHAIN_MISSES, "chain_misses",                                      \
      "transfers between blocks through the runtime: unchained exits, "         \
      "lookup misses")                                                          \
    X(BT_CTR_XLATE_INSNS, "xlate_insns",                                        \
      "time spent translating, in RDTSC ticks (instructions under -icount)")    \
    X(BT_CTR_INVALIDATIONS, "invalidations",                                    \
      "translations invalidated by a write to their guest page")                \
    X(BT_CTR_FLUSHES, "flushes", "whole-cache flushes")                         \
    X(BT_CTR_ADAPTIVE, "adaptive", "sites retranslated as callouts (adaptive)")

enum bt_counter {
#define BT_CTR_ENUM(id, name, what) id,
    BT_COUNTERS(BT_CTR_ENUM)
#undef BT_CTR_ENUM
    BT_NR_COUNTERS
};

/* The report name of counter i ("blocks"), or NULL past the table. */
const char *bt_counter_name(unsigned i);

/* The answer to CPUID (leaf, subleaf) from the hypervisor range, into
 * out[0..3] = EAX, EBX, ECX, EDX, from the domain's table ctr of nr
 * counters (nr is the runtime's BT_NR_COUNTERS; ctr may be NULL when nr is
 * 0). Returns 1 when leaf is in 0x40000000-0x400000FF (out filled), 0
 * otherwise (out untouched: the caller answers as for any other leaf). */
int bt_cpuid_hv_leaf(const uint32_t *ctr, unsigned nr, uint32_t leaf, uint32_t subleaf,
                     uint32_t out[4]);

/* "blocks=N insns=N ... adaptive=N" into buf (n bytes, NUL-terminated,
 * truncated if short): for the runtime's line when the domain ends. */
void bt_counters_format(const uint32_t *ctr, unsigned nr, char *buf, size_t n);

#endif
