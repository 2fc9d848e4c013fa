/*
 * modes: the list of modes that run unmodified multiboot kernels, and the
 * one the hypervisor's vmmode= option picks for them (core/mode.h).
 */
#include <multiboot/multiboot.h>
#include <string.h>

#include "bt/bt.h"
#include "core/domain.h"
#include "core/elf_xen.h"
#include "core/mode.h"
#include "hw/hw.h"
#include "te/te.h"

static const struct mode_ops *const modes[] = { &te_mode_ops, &hw_mode_ops, &bt_mode_ops };

const struct mode_ops *vm_mode = &te_mode_ops;

int vm_mode_select(const char *name, size_t len)
{
    for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strlen(modes[i]->name) == len && memcmp(modes[i]->name, name, len) == 0) {
            vm_mode = modes[i];
            return 0;
        }
    return -1;
}

int vm_is_multiboot(const void *image, size_t size)
{
    return multiboot_header_flags(image, size) >= 0;
}

void mode_switch_in(const struct domain *d)
{
    for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (modes[i]->switch_in)
            modes[i]->switch_in(d);
}
