# pv86: build, run and test. `make help` lists the targets.
#
#   make              build the hypervisor, the PV guest and the host tools
#   make run          boot the hypervisor with the default PV guest under QEMU
#   make run GUEST=path/to/guest.elf GUEST_ARGS="..."   any Xen PV guest ELF
#   make test         every test; the last line is "N passed, N failed"
#   make debug        QEMU halted with a gdb stub; prints the gdb command
#   make deps         install the Debian packages pv86 needs (run/test do it)

.DEFAULT_GOAL := all

CC       ?= gcc
QEMU     ?= qemu-system-i386
BUILD    := build
GUEST    ?=
GUEST_ARGS ?=
# Without GUEST, `make run` boots the default scenario: the self-test as the
# initial domain (d1) and two domUs playing ping-pong over an event channel.
PV := $(BUILD)/pvguest.elf
DEFAULT_SCENARIO := "$(PV)" "$(PV) test=pong peer=3 count=100 name=pong" \
    "$(PV) test=ping peer=2 port=2 count=100 interval=1 name=ping"
RUN_MODULES = $(if $(GUEST),"$(GUEST) $(GUEST_ARGS)",$(DEFAULT_SCENARIO))
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
            hypervisor/mm/frame_table.c hypervisor/mm/pte.c hypervisor/mm/pagetable.c \
            hypervisor/lib/format.c hypervisor/lib/string.c hypervisor/lib/cmdline.c \
            hypervisor/core/evtchn.c hypervisor/core/runq.c hypervisor/core/timescale.c \
            hypervisor/core/time.c hypervisor/core/sched.c hypervisor/core/event.c
HV_OBJS  := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

.PHONY: all
all: $(BUILD)/hypervisor.elf $(BUILD)/pvguest.elf $(BUILD)/guest-info

$(BUILD)/hypervisor/%.o: hypervisor/%
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hypervisor.elf: $(HV_OBJS) hypervisor/arch/x86/linker.ld
	$(CC) $(LDFLAGS_K) -T hypervisor/arch/x86/linker.ld -o $@ $(HV_OBJS) -lgcc

# pvguest, pv flavour. The freestanding string and format helpers are the
# hypervisor's (hypervisor/lib), compiled again into the guest.
PV_CFLAGS := $(KCFLAGS) -Ipvguest -Ihypervisor -Iabi/include
PV_SRCS  := pvguest/arch/pv/head.S pvguest/arch/pv/notes.c pvguest/arch/pv/arch.c \
            pvguest/arch/pv/selftest.c pvguest/arch/pv/mmutest.c pvguest/arch/pv/events.c \
            pvguest/arch/pv/multi.c pvguest/arch/pv/evtest.c pvguest/kernel/main.c
PV_LIBS  := hypervisor/lib/format.c hypervisor/lib/string.c hypervisor/lib/cmdline.c \
            hypervisor/core/timescale.c
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

# ---- host unit tests (cmocka): the hypervisor's pure logic, built natively
HOST_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O1 \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Iabi/include -Ihypervisor
UNIT_PURE := hypervisor/core/elf_xen.c hypervisor/mm/frame_alloc.c \
             hypervisor/mm/frame_table.c hypervisor/mm/pte.c hypervisor/mm/pagetable.c \
             hypervisor/arch/x86/descriptor.c hypervisor/arch/x86/emulate.c \
             hypervisor/lib/format.c hypervisor/core/evtchn.c hypervisor/core/runq.c \
             hypervisor/core/timescale.c hypervisor/lib/cmdline.c
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

HOSTCC ?= gcc

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_PURE)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(UNIT_PURE) -lcmocka

.PHONY: unit
unit: $(UNIT_TESTS)

# guest-info: does an ELF load as a PV guest? (the hypervisor's parser)
$(BUILD)/guest-info: tools/guest-info.c hypervisor/core/elf_xen.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 \
	    -Iabi/include -Ihypervisor -o $@ $^

# ---- dependencies: Debian packages, installed only when missing
DEB_PACKAGES := qemu-system-x86 gcc-multilib multiboot libcmocka-dev binutils make
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps
deps:
	@command -v dpkg-query >/dev/null || { echo "deps: not a Debian system; install: $(DEB_PACKAGES)"; exit 1; }
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing" $$missing; \
	    $(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# ---- running
.PHONY: run debug
run: deps
	@$(MAKE) --no-print-directory -s all
	@tools/run-qemu $(BUILD)/hypervisor.elf $(RUN_MODULES)

debug: deps
	@$(MAKE) --no-print-directory -s all
	@echo "QEMU waits for gdb on localhost:1234. In another terminal:"
	@echo "  gdb -q -ex 'set architecture i386' -ex 'symbol-file $(BUILD)/hypervisor.elf' \\"
	@echo "      -ex 'add-symbol-file $(or $(GUEST),$(PV))' -ex 'target remote localhost:1234'"
	@echo "(hypervisor at 1 MiB, the switcher at 0xffe00000, pvguest at 4 MiB)"
	@tools/run-qemu --gdb $(BUILD)/hypervisor.elf $(RUN_MODULES)

# ---- tests: everything, then one summary line
.PHONY: test
test: deps
	@$(MAKE) --no-print-directory -s all unit
	@BUILD=$(BUILD) tests/run-all.sh

# ---- the pv kernel must contain no sensitive instruction but the listed ones
.PHONY: check-sensitive
check-sensitive: all
	@tools/sensitive-scan --allow tools/sensitive-allow-pv.txt --strict $(BUILD)/pvguest.elf
	@echo "(the native flavour of pvguest is not built yet: its census comes with it)"

.PHONY: help
help:
	@sed -n '3,9p' Makefile | sed 's/^# //'
