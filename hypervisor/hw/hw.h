/*
 * hw: an unmodified multiboot kernel under AMD SVM with nested paging
 * (the 2005 hardware answer; arch/x86/svm* holds the VMCB and the world
 * switch). The guest runs at its own CPL 0 on its own page tables; pv86
 * builds the nested tables and handles the intercepted exits against the
 * virtual PC (vdev).
 */
#ifndef HV_HW_HW_H
#define HV_HW_HW_H

#include "core/mode.h"

extern const struct mode_ops hw_mode_ops;

#endif
