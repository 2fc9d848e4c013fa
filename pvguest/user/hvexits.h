/*
 * hvexits: a program's view of the hw mode's #VMEXIT counters, through the
 * hypervisor CPUID range (hypervisor/hw/cpuid_leaves.h). Under any other
 * mode, and on bare QEMU, hv_exits_present() is 0 and nothing is read.
 *
 * A snapshot holds every exit code that occurred so far and its count; a
 * delta of two snapshots is what happened between them, without the CPUID
 * exits of the snapshots themselves (the program counts its own reads).
 */
#ifndef PVGUEST_USER_HVEXITS_H
#define PVGUEST_USER_HVEXITS_H

#include <stddef.h>
#include <stdint.h>

#define HV_EXITS_MAX 32         /* distinct exit codes a snapshot keeps */
#define HV_EXIT_CPUID 0x72u     /* SVM's exit code for CPUID */

struct hv_exits {
    unsigned n;
    uint32_t code[HV_EXITS_MAX], count[HV_EXITS_MAX];
    uint32_t at[HV_EXITS_MAX];  /* this program's reads when code[i] was read */
    uint32_t total, total_at;   /* every exit, and the reads when it was read */
};

/* 1 when leaf 0x40000000 carries pv86's hw signature. */
int hv_exits_present(void);
void hv_exits_read(struct hv_exits *s);
/* d = after - before, only the codes with a nonzero difference. */
void hv_exits_delta(const struct hv_exits *before, const struct hv_exits *after,
                    struct hv_exits *d);
/* acc += d, code by code (codes past HV_EXITS_MAX are dropped). */
void hv_exits_add(struct hv_exits *acc, const struct hv_exits *d);
/* "0x7b=2 0x400=1", or "none". */
void hv_exits_format(const struct hv_exits *d, char *buf, size_t n);

#endif
