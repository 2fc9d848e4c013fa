# pv86: build, run and test. `make help` lists the targets.

CC       ?= gcc
QEMU     ?= qemu-system-i386
BUILD    := build
GUEST    ?= $(BUILD)/pvguest.elf
GUEST_ARGS ?=
ACCEL    ?= tcg
MEM      ?= 256

REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
BUILD_DATE := $(shell git log -1 --format=%cd --date=format:%Y-%m-%d 2>/dev/null || echo unknown)

WARN     := -Wall -Wextra -Werror
KCFLAGS  := -std=c11 -m32 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
            -fno-builtin -mno-sse -mno-mmx -mno-80387 -fno-omit-frame-pointer \
            -O2 -g $(WARN)
HV_CFLAGS := $(KCFLAGS) -Ihypervisor/include -Ihypervisor -Iabi/include \
            -DPV86_CHANGESET='"$(REVISION)"' -DPV86_BUILD_DATE='"$(BUILD_DATE)"'
LDFLAGS_K := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

HV_SRCS  := hypervisor/arch/x86/boot.S hypervisor/arch/x86/switcher.S \
            hypervisor/arch/x86/setup.c hypervisor/arch/x86/traps.c \
            hypervisor/arch/x86/pv_traps.c hypervisor/arch/x86/descriptor.c \
            hypervisor/arch/x86/emulate.c \
            hypervisor/core/main.c hypervisor/core/console.c hypervisor/core/panic.c \
            hypervisor/core/domain.c hypervisor/core/domain_build.c \
            hypervisor/core/hypercall.c hypervisor/core/elf_xen.c \
            hypervisor/mm/mm.c hypervisor/mm/pv_mm.c hypervisor/mm/frame_alloc.c \
            hypervisor/mm/frame_table.c hypervisor/mm/pte.c \
            hypervisor/lib/format.c hypervisor/lib/string.c
HV_OBJS  := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

.PHONY: all
all: $(BUILD)/hypervisor.elf $(BUILD)/pvguest.elf

$(BUILD)/hypervisor/%.o: hypervisor/%
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hypervisor.elf: $(HV_OBJS) hypervisor/arch/x86/linker.ld
	$(CC) $(LDFLAGS_K) -T hypervisor/arch/x86/linker.ld -o $@ $(HV_OBJS) -lgcc

# pvguest, pv flavour. The freestanding string and format helpers are the
# hypervisor's (hypervisor/lib), compiled again into the guest.
PV_CFLAGS := $(KCFLAGS) -Ipvguest -Ihypervisor -Iabi/include
PV_SRCS  := pvguest/arch/pv/head.S pvguest/arch/pv/notes.c pvguest/arch/pv/arch.c \
            pvguest/arch/pv/selftest.c pvguest/kernel/main.c
PV_LIBS  := hypervisor/lib/format.c hypervisor/lib/string.c
PV_OBJS  := $(patsubst %,$(BUILD)/pv/%.o,$(PV_SRCS) $(PV_LIBS))

$(BUILD)/pv/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(PV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pvguest.elf: $(PV_OBJS) pvguest/arch/pv/linker.ld
	$(CC) $(LDFLAGS_K) -T pvguest/arch/pv/linker.ld -o $@ $(PV_OBJS) -lgcc

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: clean
clean:
	rm -rf $(BUILD)
