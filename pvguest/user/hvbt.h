/*
 * hvbt: a program's view of the bt mode's translation statistics
 * (hypervisor/bt/counters.h), read through its kernel (SYS_hvcpuid: under
 * bt only kernel CPUID reaches the hypervisor; ring 3's runs on the CPU).
 * Under any other mode, on bare QEMU and in the pv flavour,
 * hv_bt_present() is 0 and nothing is read.
 *
 * A reading costs the counters something itself (the system call, its
 * callouts): hv_bt_calibrate measures one empty reading, and hv_bt_delta
 * takes it off, so a difference of two readings is what happened between
 * them.
 */
#ifndef PVGUEST_USER_HVBT_H
#define PVGUEST_USER_HVBT_H

#include <stdint.h>

#include "bt/counters.h"

struct hv_bt {
    uint32_t c[BT_NR_COUNTERS];
};

/* 1 when the kernel's leaf 0x40000000 carries pv86's bt signature. */
int hv_bt_present(void);
void hv_bt_read(struct hv_bt *s);
/* Measure the cost of one reading (after a warm-up reading). */
void hv_bt_calibrate(void);
/* acc += after - before - one reading's cost, counter by counter (never
 * below zero: an interrupt in a calibration reading cannot make one negative). */
void hv_bt_add_delta(struct hv_bt *acc, const struct hv_bt *before, const struct hv_bt *after);

#endif
