# pv86: build, run and test. `make help` lists the targets.
#
#   make              build the hypervisor, both flavours of pvguest, the tools
#   make run          boot pv86 with pvguest (pv flavour) running its selftest
#   make run MODE=native   the same kernel and programs on bare QEMU
#   make run MODE=te  the native kernel, unmodified, under trap-and-emulate
#                     (status 10, "not equivalent", by design: docs/census.md)
#   make run MODE=bt  the same under binary translation (docs/bt.md): the
#                     kernel's code runs only as translated, user code directly
#   make run MODE=hw  the same under AMD SVM with nested paging (-cpu max)
#   make run RUN=hello:7,selftest   the programs init runs (its run= list)
#   make run GUEST=path/to/guest.elf GUEST_ARGS="..."   any Xen PV guest ELF;
#                     MODE=te|bt|hw|native: any multiboot kernel (status as on
#                     bare QEMU: its exit-port write V gives (V << 1) | 1)
#                     (MODE=pv: the xenstore domain runs beside, last;
#                     XENSTORE=0 leaves it out: docs/xenstore.md)
#   make demo         the ABI test guest, an event ping-pong whose port goes
#                     through xenstore, an unmodified kernel under hw, and
#                     the xenstore domain (XENSTORE=0 leaves it out)
#   make iso          build/pv86.iso: a GRUB 2 image of the run and demo scenarios
#   make test         every test; the last line is "N passed, N failed"
#   make check-sensitive   no unlisted sensitive instruction in the pv kernel
#   make census       the sensitive-instruction census in every mode (Markdown;
#                     bt's columns once the hypervisor has bt: tools/hv-modes)
#   make bench        every benchmark in every mode: bench/results/latest.*
#                     (native, pv, bt with its translation statistics, hw)
#   make bench-profile   the pv benchmarks on the profiled hypervisor: the
#                     instructions of each path by phase (bench/results/profile.md)
#   make fuzz N=100000 SEED=1 [ROLE=d1|domU] [NEIGHBOUR=1]   the fuzzer beside an innocent domain
#   make decoder-fuzz [DECODER_N=1000000] [SEED=1]   x86dec against libzydis on random bytes
#   make ptfuzz [PTFUZZ_SEEDS="1 2 ..."] [PTFUZZ_N=1000]   te/bt page tables against bare QEMU
#   make fuzz-host    libFuzzer on the ELF loader, the page-table validator, te's
#                     decoder, the descriptor and the trap-table checks
#   make run-guest SRC=my.c     build a one-file PV guest and boot it
#   make debug        QEMU halted with a gdb stub; prints the gdb command
#                     (MODE= and GUEST= as for run: MODE=te|bt|hw debug the
#                     hypervisor with the native kernel's symbols added)
#   make deps         install the Debian packages pv86 needs (run/test do it)

.DEFAULT_GOAL := all

CC       ?= gcc
QEMU     ?= qemu-system-i386
BUILD    := build
MODE     ?= pv
RUN      ?= selftest
GUEST    ?=
GUEST_ARGS ?=
XENSTORE ?= 1
ACCEL    ?= tcg
MEM      ?= 256

REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
BUILD_DATE := $(shell git log -1 --format=%cd --date=format:%Y-%m-%d 2>/dev/null || echo unknown)

WARN     := -Wall -Wextra -Werror
KCFLAGS  := -std=c11 -m32 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
            -fno-builtin -mno-sse -mno-mmx -mno-80387 -fno-omit-frame-pointer \
            -O2 -g $(WARN)
# The hypervisor never uses the FPU, MMX or SSE itself (arch/x86/fpu.c only
# switches guests' registers; tests/tools checks the image).
HV_CFLAGS := $(KCFLAGS) -mgeneral-regs-only -Ihypervisor/include -Ihypervisor -Iabi/include \
            -DPV86_HYPERVISOR \
            -DPV86_CHANGESET='"$(REVISION)"' -DPV86_BUILD_DATE='"$(BUILD_DATE)"'
LDFLAGS_K := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

# the one decoder of x86 instructions (pure: also in the unit tests and tests/decoder)
X86DEC_SRCS := hypervisor/arch/x86/x86dec.c hypervisor/arch/x86/x86dec_tables.c \
               hypervisor/arch/x86/x86dec_vex.c
HV_SRCS  := hypervisor/arch/x86/boot.S hypervisor/arch/x86/switcher.S \
            hypervisor/arch/x86/setup.c hypervisor/arch/x86/traps.c \
            hypervisor/arch/x86/pv_traps.c hypervisor/arch/x86/descriptor.c \
            hypervisor/arch/x86/emulate.c hypervisor/arch/x86/watchdog.c \
            hypervisor/arch/x86/fpu.c hypervisor/arch/x86/fpu_rules.c \
            hypervisor/arch/x86/io_emul.c hypervisor/arch/x86/msr.c \
            hypervisor/arch/x86/priv_op.c hypervisor/core/physdev.c hypervisor/core/physdev_op.c \
            hypervisor/arch/x86/debugreg.c hypervisor/arch/x86/debugreg_hw.c \
            hypervisor/arch/x86/sysenter.c hypervisor/arch/x86/sysenter_rules.c \
            $(X86DEC_SRCS) \
            hypervisor/core/main.c hypervisor/core/console.c hypervisor/core/panic.c \
            hypervisor/core/domain.c hypervisor/core/domain_build.c \
            hypervisor/core/hypercall.c hypervisor/core/batch.c hypervisor/core/elf_xen.c \
            hypervisor/core/features.c hypervisor/core/grant.c hypervisor/core/xsdom.c \
            hypervisor/core/toolstack.c hypervisor/core/toolstack_rules.c \
            hypervisor/mm/mm.c hypervisor/mm/pv_mm.c hypervisor/mm/frame_alloc.c \
            hypervisor/mm/frame_table.c hypervisor/mm/pte.c hypervisor/mm/pagetable.c \
            hypervisor/mm/ptwr.c hypervisor/mm/ptwr_fault.c \
            hypervisor/lib/format.c hypervisor/lib/string.c hypervisor/lib/cmdline.c \
            hypervisor/core/evtchn.c hypervisor/core/runq.c hypervisor/core/timescale.c \
            hypervisor/core/time.c hypervisor/core/sched.c hypervisor/core/event.c \
            hypervisor/core/guest_ptr.c hypervisor/core/timer.c hypervisor/core/grant_rules.c \
            hypervisor/te/te.c hypervisor/te/trap.c hypervisor/te/load.c hypervisor/te/decode.c \
            hypervisor/vm/vcpu.c hypervisor/vm/vmem.c hypervisor/vm/vgdt.c hypervisor/vm/deliver.c \
            hypervisor/vm/shadow.c hypervisor/vm/emulate.c hypervisor/vm/io.c \
            hypervisor/vm/walk.c hypervisor/vm/rules.c hypervisor/vm/keep.c hypervisor/vm/pcrules.c hypervisor/vm/mmio.c \
            hypervisor/vdev/pic.c hypervisor/vdev/pit.c hypervisor/vdev/uart.c \
            hypervisor/vdev/platform.c hypervisor/vdev/lapic.c \
            hypervisor/vdev/pci.c hypervisor/vdev/fwcfg.c \
            hypervisor/vm/gpmem.c hypervisor/vm/build.c hypervisor/vm/mbload.c hypervisor/vm/mbinfo.c hypervisor/vm/modes.c hypervisor/vm/request.c \
            hypervisor/vm/gwalk.c hypervisor/hw/hw.c hypervisor/hw/npt.c hypervisor/hw/mmio.c
HV_SRCS  += hypervisor/bt/adapt.c hypervisor/bt/smc.c hypervisor/bt/smc_store.c hypervisor/bt/smc_rt.c
# the hw mode: SVM (arch/x86/svm*) and the mode (hw/)
HV_SRCS  += hypervisor/arch/x86/svm.c hypervisor/arch/x86/svm_switch.S \
            hypervisor/hw/rules.c hypervisor/hw/exit.c hypervisor/hw/gmem.c
# bt's counters and their hypervisor CPUID range (the runtime counts into them)
HV_SRCS  += hypervisor/bt/counters.c
HV_SRCS  += hypervisor/hw/cpuid_leaves.c
# bt's translator and translation cache (pure; host-tested in tests/unit/test_bt_*)
BT_PURE  := hypervisor/bt/translate.c hypervisor/bt/emit.c hypervisor/bt/cache.c
HV_SRCS  += $(BT_PURE)
# the bt mode: the runtime (bt.c load.c run.c callout.c) on te's virtual CPU
HV_SRCS  += hypervisor/bt/bt.c hypervisor/bt/load.c hypervisor/bt/run.c hypervisor/bt/callout.c
HV_OBJS  := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

.PHONY: all
all: $(BUILD)/hypervisor.elf $(BUILD)/pvguest.elf $(BUILD)/pvguest-native.elf \
     $(BUILD)/abitest.elf $(BUILD)/guest-info

$(BUILD)/hypervisor/%.o: hypervisor/%
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hypervisor.elf: $(HV_OBJS) hypervisor/arch/x86/linker.ld
	$(CC) $(LDFLAGS_K) -T hypervisor/arch/x86/linker.ld -o $@ $(HV_OBJS) -lgcc

# The profiled hypervisor (core/prof.h: phase marks under -DPV86_PROFILE,
# nothing in the image above): make bench-profile, docs/benchmarks.md.
PROF_OBJS := $(patsubst %,$(BUILD)/prof/%.o,$(HV_SRCS) hypervisor/core/prof.c)

$(BUILD)/prof/hypervisor/%.o: hypervisor/%
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -DPV86_PROFILE -MMD -MP -c $< -o $@

$(BUILD)/prof/hypervisor.elf: $(PROF_OBJS) hypervisor/arch/x86/linker.ld
	$(CC) $(LDFLAGS_K) -T hypervisor/arch/x86/linker.ld -o $@ $(PROF_OBJS) -lgcc

# ---- pvguest: the mini kernel (pvguest/kernel) in two flavours, pv
# (arch/pv: hypercalls only, build/pvguest.elf) and native (arch/native:
# multiboot on bare QEMU, build/pvguest-native.elf), with the same user
# programs (pvguest/user) built once and embedded in both images.
USER_PROGS := init selftest hello echo sysloop true bench census fpu
USER_CFLAGS := $(KCFLAGS) -Ipvguest/include -Ipvguest/user -Ihypervisor -Iabi/include
USER_LIB_OBJS := $(patsubst %,$(BUILD)/user/%.o,pvguest/user/crt0.S pvguest/user/ulib.c pvguest/user/uasm.S \
                 hypervisor/lib/format.c hypervisor/lib/string.c)
USER_ELFS := $(patsubst %,$(BUILD)/user/%.elf,$(USER_PROGS))

$(BUILD)/user/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/user/%.elf: $(BUILD)/user/pvguest/user/%.c.o $(USER_LIB_OBJS) pvguest/user/user.ld
	$(CC) $(LDFLAGS_K) -T pvguest/user/user.ld -o $@ $(filter %.o,$^) -lgcc
# The hw mode's exit counters (hypervisor CPUID range): the two programs that read them.
$(BUILD)/user/bench.elf $(BUILD)/user/census.elf: $(BUILD)/user/pvguest/user/hvexits.c.o
# The bt mode's translation statistics (through the kernel's CPUID): bench reads them.
$(BUILD)/user/bench.elf: $(BUILD)/user/pvguest/user/hvbt.c.o $(BUILD)/user/hypervisor/bt/counters.c.o

# The program table: name, start and end of each ELF image (kernel/exec.c).
$(BUILD)/user/programs.S: $(USER_ELFS) Makefile
	@{ echo '/* generated by the Makefile: the built-in user programs */'; \
	  echo '    .section .rodata'; echo '    .balign 4'; \
	  echo '    .globl program_table, program_count'; echo 'program_table:'; \
	  $(foreach p,$(USER_PROGS),echo '    .long name_$(p), start_$(p), end_$(p)';) \
	  echo 'program_count:'; echo '    .long $(words $(USER_PROGS))'; \
	  $(foreach p,$(USER_PROGS),echo 'name_$(p): .asciz "$(p)"'; echo '    .balign 16'; \
	    echo 'start_$(p): .incbin "$(BUILD)/user/$(p).elf"'; echo 'end_$(p):';) \
	} > $@

KERNEL_SRCS := $(addprefix pvguest/kernel/,main.c pmm.c vm.c proc.c exec.c file.c fpu.c \
               syscall.c swtch.S) hypervisor/lib/format.c hypervisor/lib/string.c \
               hypervisor/lib/cmdline.c
PVK_CFLAGS := $(KCFLAGS) -Ipvguest -Ipvguest/include -Ihypervisor -Iabi/include
PVK_PV_SRCS := $(addprefix pvguest/arch/pv/,head.S arch.c notes.c) $(KERNEL_SRCS)
PVK_NATIVE_SRCS := $(addprefix pvguest/arch/native/,head.S arch.c census.c) $(KERNEL_SRCS)
PVK_PV_OBJS := $(patsubst %,$(BUILD)/pvk-pv/%.o,$(PVK_PV_SRCS)) $(BUILD)/pvk-pv/programs.o
PVK_NATIVE_OBJS := $(patsubst %,$(BUILD)/pvk-native/%.o,$(PVK_NATIVE_SRCS)) \
                   $(BUILD)/pvk-native/programs.o
PV := $(BUILD)/pvguest.elf
NATIVE := $(BUILD)/pvguest-native.elf

$(BUILD)/pvk-pv/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(PVK_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/pvk-native/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(PVK_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/pvk-%/programs.o: $(BUILD)/user/programs.S $(USER_ELFS)
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(PV): $(PVK_PV_OBJS) pvguest/arch/pv/linker.ld
	$(CC) $(LDFLAGS_K) -T pvguest/arch/pv/linker.ld -o $@ $(PVK_PV_OBJS) -lgcc
$(NATIVE): $(PVK_NATIVE_OBJS) pvguest/arch/native/linker.ld
	$(CC) $(LDFLAGS_K) -T pvguest/arch/native/linker.ld -o $@ $(PVK_NATIVE_OBJS) -lgcc

# abitest: the hypervisor's ABI test guest (tests/guests/abitest). The
# freestanding string and format helpers are the hypervisor's (hypervisor/lib),
# compiled again into the guests.
ABI_DIR  := tests/guests/abitest
ABI_CFLAGS := $(KCFLAGS) -I$(ABI_DIR) -Ihypervisor -Iabi/include -Ixenstore
ABI_SRCS := $(addprefix $(ABI_DIR)/,head.S notes.c arch.c selftest.c mmutest.c \
            events.c multi.c xs.c evtest.c main.c)
GUEST_LIBS := hypervisor/lib/format.c hypervisor/lib/string.c hypervisor/lib/cmdline.c
ABI_OBJS := $(patsubst %,$(BUILD)/abitest/%.o,$(ABI_SRCS) $(GUEST_LIBS))
ABITEST  := $(BUILD)/abitest.elf

$(BUILD)/abitest/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(ABI_CFLAGS) -MMD -MP -c $< -o $@

$(ABITEST): $(ABI_OBJS) $(ABI_DIR)/linker.ld
	$(CC) $(LDFLAGS_K) -T $(ABI_DIR)/linker.ld -o $@ $(ABI_OBJS) -lgcc

# Test guests (tests/guests): hello stands alone; attack, fuzz and innocent
# use the small runtime in tests/guests/lib.
GUEST_CFLAGS := $(KCFLAGS) -Itests/guests/lib -Iabi/include
GUEST_LD := tests/guests/lib/linker.ld
GUESTLIB_OBJS := $(patsubst %,$(BUILD)/guests/lib/%.o,start.S lib.c notes.c)
GUEST_PROGS := attack fuzz innocent neighbour xenpv grant xlctl blk xenbus
TEST_GUESTS := $(BUILD)/guests/hello.elf $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_PROGS))
# te-vm86: a bare multiboot kernel (run under te) that enters vm86.
TEST_GUESTS += $(BUILD)/guests/te-vm86.elf
$(BUILD)/guests/te-vm86.elf: tests/guests/te-vm86/te-vm86.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(LDFLAGS_K) -Wl,-Ttext=0x200000 -o $@ $<

$(BUILD)/guests/%.o: tests/guests/%
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/guests/hello.elf: $(BUILD)/guests/hello/hello.c.o $(GUEST_LD)
	$(CC) $(LDFLAGS_K) -T $(GUEST_LD) -o $@ $< -lgcc
define GUEST_RULE
$(BUILD)/guests/$(1).elf: $(patsubst tests/guests/%,$(BUILD)/guests/%.o,$(wildcard tests/guests/$(1)/*.c tests/guests/$(1)/*.S)) $(GUESTLIB_OBJS) $(GUEST_LD)
	$$(CC) $$(LDFLAGS_K) -T $(GUEST_LD) -o $$@ $$(filter %.o,$$^) -lgcc
endef
$(foreach g,$(GUEST_PROGS),$(eval $(call GUEST_RULE,$(g))))
all: $(TEST_GUESTS)

# tetest (tests/te): a multiboot kernel that checks te against the SDM.
TETEST := $(BUILD)/tetest.elf
TETEST_OBJS := $(BUILD)/tetest/head.S.o $(BUILD)/tetest/tetest.c.o $(BUILD)/tetest/gdt.c.o \
               $(BUILD)/tetest/gdt_hostile.c.o $(BUILD)/tetest/ports_hostile.c.o
$(BUILD)/tetest/%.o: tests/te/%
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@
$(TETEST): $(TETEST_OBJS) tests/te/linker.ld
	$(CC) $(LDFLAGS_K) -T tests/te/linker.ld -o $@ $(TETEST_OBJS) -lgcc
all: $(TETEST)

# mbkern (tests/mbkern): multiboot test kernels written the way bare-QEMU
# test suites are, one kernel per test on the small runtime in lib/.
MBKERN_PROGS := lapic gdt64k pse fwcfg pci mboot hostile hwdebug intnp cr8 smc bthostile ptkeep ptfuzz
MBKERN_LIB_OBJS := $(BUILD)/mbkern/lib/head.S.o $(BUILD)/mbkern/lib/lib.c.o
MBKERN := $(patsubst %,$(BUILD)/mbkern/%.elf,$(MBKERN_PROGS))
$(BUILD)/mbkern/%.o: tests/mbkern/%
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -Itests/mbkern/lib -MMD -MP -c $< -o $@
$(BUILD)/mbkern/%.elf: $(BUILD)/mbkern/%.c.o $(MBKERN_LIB_OBJS) tests/mbkern/lib/linker.ld
	$(CC) $(LDFLAGS_K) -T tests/mbkern/lib/linker.ld -o $@ $(filter %.o,$^) -lgcc
.SECONDARY: $(patsubst %,$(BUILD)/mbkern/%.c.o,$(MBKERN_PROGS))
$(BUILD)/mbkern/bthostile.elf: $(BUILD)/mbkern/bthostile_gen.c.o $(BUILD)/mbkern/bthostile_seg.c.o
all: $(MBKERN)

# hwtest (tests/hw): a multiboot kernel that checks the CPU an hw guest sees
# (on tetest's entry and trap stubs).
HWTEST := $(BUILD)/hwtest.elf
HWTEST_OBJS := $(BUILD)/tetest/head.S.o $(BUILD)/hwtest/hwtest.c.o
$(BUILD)/hwtest/%.o: tests/hw/%
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@
$(HWTEST): $(HWTEST_OBJS) tests/hw/linker.ld
	$(CC) $(LDFLAGS_K) -T tests/hw/linker.ld -o $@ $(HWTEST_OBJS) -lgcc
all: $(HWTEST)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: clean
clean:
	rm -rf $(BUILD)

# ---- host unit tests (cmocka): the hypervisor's pure logic, built natively
HOST_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O1 \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Iabi/include -Ihypervisor
UNIT_PURE := hypervisor/core/elf_xen.c hypervisor/core/batch.c hypervisor/mm/frame_alloc.c \
             hypervisor/core/features.c \
             hypervisor/mm/frame_table.c hypervisor/mm/pte.c hypervisor/mm/pagetable.c \
             hypervisor/mm/ptwr.c hypervisor/arch/x86/descriptor.c hypervisor/arch/x86/emulate.c \
             hypervisor/arch/x86/fpu_rules.c hypervisor/arch/x86/io_emul.c \
             hypervisor/arch/x86/msr.c hypervisor/core/physdev.c hypervisor/arch/x86/debugreg.c \
             hypervisor/arch/x86/sysenter_rules.c \
             hypervisor/lib/format.c hypervisor/core/evtchn.c hypervisor/core/runq.c \
             hypervisor/core/timescale.c hypervisor/lib/cmdline.c \
             hypervisor/core/guest_ptr.c hypervisor/core/timer.c hypervisor/core/grant_rules.c \
             hypervisor/te/decode.c hypervisor/vm/walk.c hypervisor/vm/rules.c hypervisor/vdev/pic.c \
             hypervisor/vdev/pit.c hypervisor/vdev/uart.c hypervisor/vdev/platform.c hypervisor/vdev/lapic.c \
             hypervisor/vdev/pci.c hypervisor/vdev/fwcfg.c hypervisor/vm/mbinfo.c \
             hypervisor/vm/gwalk.c hypervisor/hw/npt.c hypervisor/hw/mmio.c
UNIT_PURE += hypervisor/bt/counters.c
UNIT_PURE += hypervisor/core/toolstack_rules.c
UNIT_PURE += hypervisor/hw/rules.c hypervisor/vm/pcrules.c hypervisor/vm/keep.c
UNIT_PURE += hypervisor/hw/cpuid_leaves.c
UNIT_PURE += hypervisor/bt/adapt.c hypervisor/bt/smc.c hypervisor/bt/smc_store.c
UNIT_PURE += $(X86DEC_SRCS)
UNIT_PURE += $(BT_PURE)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

HOSTCC ?= gcc

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_PURE)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(UNIT_PURE) -lcmocka

# A test is rebuilt when a header of the code it tests changes, too.
$(UNIT_TESTS): $(wildcard hypervisor/*/*.h hypervisor/*/*/*.h tests/unit/*.h)

# pvguest's memory decisions, on host memory with a fake arch layer.
KERNEL_PURE := pvguest/kernel/pmm.c pvguest/kernel/vm.c pvguest/kernel/exec.c
$(BUILD)/unit/test_kernel_vm: tests/unit/test_kernel_vm.c $(KERNEL_PURE) pvguest/kernel/kernel.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -DPVGUEST_HOST_TEST -Ipvguest -Ipvguest/include -o $@ \
	    $< $(KERNEL_PURE) -lcmocka

# the xenstore domain's pure core (xenstore/): the tree, the protocol, the ring
XENSTORE_PURE := xenstore/tree.c xenstore/store.c xenstore/ops.c xenstore/ring.c
$(BUILD)/unit/test_xenstore $(BUILD)/unit/test_xenstore_ring: $(BUILD)/unit/%: tests/unit/%.c $(XENSTORE_PURE) \
        $(wildcard xenstore/*.h) tests/unit/xs_test.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -Ixenstore -o $@ $< $(XENSTORE_PURE) -lcmocka
# ... and the same files freestanding -m32, as the domain compiles them
XENSTORE_K_OBJS := $(patsubst %,$(BUILD)/xenstore-k/%.o,$(XENSTORE_PURE))
$(BUILD)/xenstore-k/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -Iabi/include -MMD -MP -c $< -o $@
all: $(XENSTORE_K_OBJS)
# the xenstore domain's skeleton (xenstore/domain): a PV guest on abi/ only
XENSTORE_ELF := $(BUILD)/xenstore.elf
$(XENSTORE_ELF): $(BUILD)/xenstore-k/xenstore/domain/main.c.o $(XENSTORE_K_OBJS) $(GUEST_LD)
	$(CC) $(LDFLAGS_K) -T $(GUEST_LD) -o $@ $(filter %.o,$^) -lgcc
all: $(XENSTORE_ELF)

# the split block driver's pure core (blk/): ring, backend, frontend, handshake
BLK_PURE := blk/ring.c blk/blkback.c blk/blkfront.c blk/handshake.c
$(BUILD)/unit/test_blkif $(BUILD)/unit/test_blkif_handshake: $(BUILD)/unit/%: tests/unit/%.c $(BLK_PURE) $(wildcard blk/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -Iblk -o $@ $< $(BLK_PURE) -lcmocka

# ... and freestanding -m32 in the block driver's test domains (tests/guests/blk)
BLK_K_OBJS := $(patsubst %,$(BUILD)/blk-k/%.o,$(BLK_PURE))
$(BUILD)/blk-k/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -Iabi/include -MMD -MP -c $< -o $@
$(BUILD)/guests/blk.elf: $(BLK_K_OBJS)
# the xenstore ring client (tests/guests/lib/xs_client.c), in the three guests that talk to the store
$(BUILD)/guests/blk.elf $(BUILD)/guests/xenbus.elf $(BUILD)/guests/innocent.elf: $(BUILD)/guests/lib/xs_client.c.o
$(BUILD)/guests/blk/%.o: GUEST_CFLAGS += -Iblk

# bt's translations run on the host: a 32-bit program printing TAP (no
# cmocka, no sanitizers: it switches GS to a vpage segment of its own).
$(BUILD)/unit/test_bt_exec: tests/unit/test_bt_exec.c $(BT_PURE) $(X86DEC_SRCS)
	@mkdir -p $(dir $@)
	$(HOSTCC) -m32 -std=gnu11 -Wall -Wextra -Werror -O1 -g -fno-stack-protector -fno-pie -no-pie \
	    -Ihypervisor -o $@ $(filter %.c,$^)

.PHONY: unit
unit: $(UNIT_TESTS)

# guest-info: does an ELF load as a PV guest? (the hypervisor's parser)
$(BUILD)/guest-info: tools/guest-info.c hypervisor/core/elf_xen.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 \
	    -Iabi/include -Ihypervisor -o $@ $^

# ---- the decoder (arch/x86/x86dec) against libzydis and objdump, on the
# host (tests/decoder, docs/decoder.md). make test runs every built kernel
# and 50,000 random sequences; decoder-fuzz runs DECODER_N (a million).
DIFFTEST := $(BUILD)/decoder/difftest
DECODER_N ?= 1000000
$(DIFFTEST): tests/decoder/difftest.c $(X86DEC_SRCS) $(wildcard hypervisor/arch/x86/x86dec*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -Ihypervisor \
	    -o $@ $(filter %.c,$^) -lZydis

.PHONY: decoder-fuzz
decoder-fuzz: deps
	@$(MAKE) --no-print-directory -s $(DIFFTEST)
	$(DIFFTEST) --random $(DECODER_N) --seed $(SEED)

# ---- dependencies: Debian packages, installed only when missing
DEB_PACKAGES := qemu-system-x86 gcc-multilib multiboot libcmocka-dev binutils make gnuplot-nox librsvg2-bin libzydis-dev \
    grub-common grub-pc-bin xorriso mtools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# $(call install_missing,PACKAGES,WHO): apt-get install those of the Debian
# PACKAGES that are not installed yet, saying so as WHO.
define install_missing
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	    echo "$(2): installing" $$missing; \
	    $(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
endef

.PHONY: deps
deps:
	@command -v dpkg-query >/dev/null || { echo "deps: not a Debian system; install: $(DEB_PACKAGES)"; exit 1; }
	$(call install_missing,$(DEB_PACKAGES),deps)

# ---- running
# MODE=pv: the hypervisor with pvguest as d1 (or GUEST); MODE=native:
# pvguest's native flavour alone (or the multiboot kernel GUEST, bare);
# MODE=te|hw|bt: tools/run-qemu --mode, one virtual machine on pv86 running
# the native flavour unmodified (or the multiboot kernel GUEST). pvguest's
# init runs run=$(RUN); GUEST gets GUEST_ARGS instead.
# The xenstore domain (docs/xenstore.md) is added as the last module of
# make run (MODE=pv), run-guest, make demo and the ISO's entries, as a Xen
# system has one; XENSTORE=0 leaves it out (the hypervisor's own switch:
# HV_ARGS=noxenstore).
XS_MODULE = $(if $(filter 1,$(XENSTORE)),"$(BUILD)/xenstore.elf role=xenstore")
RUN_MODULES = $(if $(GUEST),"$(GUEST) $(GUEST_ARGS)","$(PV) run=$(RUN)") $(XS_MODULE)
# bt: the kernel's own code never runs, so a breakpoint on it never hits;
# its translations run from the cache (hypervisor/bt/layout.h: BT_TC_VA).
BT_GDB_NOTE = ; under bt its code runs only as translated, from the cache at 0xff200000: break in the hypervisor or in ring 3
VM_KERNEL = $(if $(GUEST),"$(GUEST) $(GUEST_ARGS)","$(NATIVE) run=$(RUN)")
ifeq ($(MODE),pv)
RUN_QEMU = tools/run-qemu $(1) $(BUILD)/hypervisor.elf $(RUN_MODULES)
GDB_SYMBOLS = -ex 'symbol-file $(BUILD)/hypervisor.elf' -ex 'add-symbol-file $(or $(GUEST),$(PV))'
GDB_NOTE = hypervisor at 1 MiB, the switcher at 0xffe00000, the guest kernel at 4 MiB
else ifeq ($(MODE),native)
RUN_QEMU = tools/run-qemu --native $(1) $(VM_KERNEL)
GDB_SYMBOLS = -ex 'symbol-file $(or $(GUEST),$(NATIVE))'
GDB_NOTE = $(if $(GUEST),the kernel where its ELF says,the kernel at 4 MiB, user programs at 1 GiB (add-symbol-file build/user/NAME.elf))
else ifneq ($(filter te hw bt,$(MODE)),)
# The kernel, unmodified, as the one virtual machine in that mode: its
# exit-port write V ends the run with (V << 1) | 1, as on bare QEMU.
RUN_QEMU = tools/run-qemu --mode $(MODE) $(1) $(BUILD)/hypervisor.elf $(VM_KERNEL)
GDB_SYMBOLS = -ex 'symbol-file $(BUILD)/hypervisor.elf' -ex 'add-symbol-file $(or $(GUEST),$(NATIVE))'
GDB_NOTE = hypervisor at 1 MiB; the guest kernel where its ELF says (guest-physical)$(if $(filter bt,$(MODE)),$(BT_GDB_NOTE))
else
RUN_QEMU = echo "MODE=$(MODE): the modes are pv, native, te, hw and bt" >&2; exit 2
endif
# make demo: three PV domains (the ABI self-test, an event ping-pong) and,
# beside them, the native flavour unmodified as an hw domain (SVM with
# nested paging: QEMU -cpu max), all in one hypervisor, with the xenstore
# domain last (d5). Each PV domain finds its xenstore home; pong publishes
# the port it allocated for ping in its home (data/port) and ping reads it
# there, as a Xen guest pair rendezvous: no port number is assumed.
# XENSTORE=0 runs it without: with no store to read it from, ping is told
# the port (port=2: a domU's first free port when it has no store port).
# DEMO_TIMEOUT=S ends it after S seconds (tools/run-qemu --timeout: 124),
# as tests/hw/demo.sh runs it; none by default.
DEMO_PING_PORT = $(if $(XS_MODULE),,port=2 )
DEMO_SCENARIO = "$(ABITEST)" "$(ABITEST) test=pong peer=3 count=100 name=pong" \
    "$(ABITEST) test=ping peer=2 $(DEMO_PING_PORT)count=100 interval=1 name=ping" \
    "$(NATIVE) run=hello:0:from:an:unmodified:kernel name=hw mem=32" $(XS_MODULE)

# make iso: a GRUB 2 rescue image (tools/mkiso) of the scenarios make run
# and make demo boot, each entry with the same modules and arguments (both
# with the xenstore domain unless XENSTORE=0, as make run and make demo);
# the pv selftest is the default; the split driver with the modules of
# tests/guests/blk.sh's blk case (the backend d1 with its 8 MiB RAM disk,
# the frontend d2, the xenstore domain d3). Booted by tests/iso/run.sh.
ISO := $(BUILD)/pv86.iso
ISO_ENTRIES = --entry selftest "pv86: the pvguest selftest as a PV domain" "" "$(PV) run=selftest" $(XS_MODULE) \
    --entry demo "pv86: three PV domains and an unmodified kernel under SVM (needs AMD-V)" vmmode=hw $(DEMO_SCENARIO) \
    --entry blk "pv86: the split block driver (backend, frontend, xenstore): 8 MiB through the ring" "" $(BLK_SCENARIO)
BLK_SCENARIO = "$(BUILD)/guests/blk.elf role=back peer=2 mem=24" "$(BUILD)/guests/blk.elf role=front" \
    "$(BUILD)/xenstore.elf role=xenstore"
$(ISO): tools/mkiso $(BUILD)/hypervisor.elf $(PV) $(NATIVE) $(ABITEST) $(XENSTORE_ELF) $(BUILD)/guests/blk.elf Makefile
	@tools/mkiso -o $@ $(BUILD)/hypervisor.elf $(ISO_ENTRIES)

.PHONY: iso
iso: deps
	@$(MAKE) --no-print-directory -s all
	@$(MAKE) --no-print-directory -s $(ISO)

.PHONY: run debug demo
run: deps
	@$(MAKE) --no-print-directory -s all
	@$(call RUN_QEMU,)

debug: deps
	@$(MAKE) --no-print-directory -s all
	@echo "QEMU waits for gdb on localhost:1234. In another terminal:"
	@echo "  gdb -q -ex 'set architecture i386' $(GDB_SYMBOLS) \\"
	@echo "      -ex 'target remote localhost:1234'"
	@echo "($(GDB_NOTE))"
	@$(call RUN_QEMU,--gdb)

demo: deps
	@$(MAKE) --no-print-directory -s all
	@QEMU_EXTRA="-cpu max $(QEMU_EXTRA)" tools/run-qemu $(if $(DEMO_TIMEOUT),--timeout $(DEMO_TIMEOUT)) \
	    --append vmmode=hw $(BUILD)/hypervisor.elf $(DEMO_SCENARIO)

# ---- tests: everything, then one summary line
.PHONY: test
test: deps
	@$(MAKE) --no-print-directory -s all unit $(DIFFTEST) $(ISO) $(BUILD)/prof/hypervisor.elf
	@BUILD=$(BUILD) tests/run-all.sh

# ---- the census: every sensitive instruction run in native, pv (user
# context), te, bt (when built) and hw, with and without UMIP; one Markdown
# matrix (docs/census.md).
.PHONY: census
census: deps
	@$(MAKE) --no-print-directory -s all
	@tools/census-report $(BUILD)

# ---- the pv kernel must contain no sensitive instruction but the listed
# ones; the native kernel's census is printed beside it for comparison.
.PHONY: check-sensitive
check-sensitive: all
	@tools/sensitive-scan --allow tools/sensitive-allow-pv.txt --strict $(PV)
	@echo
	@tools/sensitive-scan --census $(NATIVE)

# ---- benchmarks: every mode under -icount shift=0 (see docs/benchmarks.md).
# bench-quick runs the same pipeline with 1/100 of the work (in make test).
.PHONY: bench bench-quick
bench: deps
	@$(MAKE) --no-print-directory -s all
	@tools/bench-run bench/results full $(BUILD)
	@tools/bench-blk $(BUILD) bench/results

# ptfuzz: the differential page-table fuzzer (tests/mbkern/ptfuzz.sh) over
# more seeds and iterations than make test's 4 x 300.
PTFUZZ_SEEDS ?= $(shell seq 1 32)
PTFUZZ_N ?= 1000
.PHONY: ptfuzz
ptfuzz: deps
	@$(MAKE) --no-print-directory -s all
	@tests/mbkern/ptfuzz.sh $(BUILD) "$(PTFUZZ_SEEDS)" $(PTFUZZ_N)

bench-quick: deps
	@$(MAKE) --no-print-directory -s all
	@tools/bench-run $(BUILD)/bench-quick quick $(BUILD)

# bench-profile: the pv benchmarks on the profiled hypervisor; where each
# path's instructions go (bench/results/profile.md). PROFILE_KIND=quick: 1/100.
PROFILE_KIND ?= full
.PHONY: bench-profile
bench-profile: deps
	@$(MAKE) --no-print-directory -s all $(BUILD)/prof/hypervisor.elf
	@tools/bench-profile bench/results $(PROFILE_KIND) $(BUILD)

# ---- hostile guests: the fuzzer (tests/guests/fuzz) beside the innocent
# domain, whose checksum must come out right; and host-side libFuzzer.
N    ?= 100000
SEED ?= 1
ROLE ?= both
NEIGHBOUR ?=
FUZZ_TIME ?= 60
FUZZ_ROLES := $(if $(filter both,$(ROLE)),d1 domU,$(ROLE))
# ROLE=d1: the fuzzer is d1 (console_io), the innocent d2; ROLE=domU: the
# innocent is d1 and the fuzzer d2, a domU printing through its console ring.
# NEIGHBOUR=1: the latency neighbour too, as d3, in virtual time; its longest
# gap must stay within 20 ms.
FUZZ_NB_d1 := 1
FUZZ_NB_domU := 2
FUZZ_NEIGHBOUR = $(if $(NEIGHBOUR),neighbour=3)
FUZZ_NB_MODULE = $(if $(NEIGHBOUR),"$(BUILD)/guests/neighbour.elf max_ms=3600000 peer=$(FUZZ_NB_$(1))")
FUZZ_ENV = $(if $(NEIGHBOUR),QEMU_EXTRA="$(QEMU_EXTRA) -icount shift=0$(,)sleep=off")
, := ,
FUZZ_MODULES_d1 = "$(BUILD)/guests/fuzz.elf seed=$(SEED) n=$(N) innocent=2 $(FUZZ_NEIGHBOUR)" \
    "$(BUILD)/guests/innocent.elf max_ms=120000 peer=1" $(call FUZZ_NB_MODULE,d1)
FUZZ_MODULES_domU = "$(BUILD)/guests/innocent.elf max_ms=120000 peer=2" \
    "$(BUILD)/guests/fuzz.elf seed=$(SEED) n=$(N) innocent=1 $(FUZZ_NEIGHBOUR)" $(call FUZZ_NB_MODULE,domU)
FUZZ_INNOCENT_d1 := d2
FUZZ_INNOCENT_domU := d1
FUZZ_GAP_OK = $(if $(NEIGHBOUR),{ gap=$$(sed -n 's/^(d3) neighbour: longest gap \([0-9]*\) us over [0-9]* ms$$/\1/p' $(1)); \
    echo "fuzz: the neighbour's longest gap: $${gap:-none} us"; [ -n "$$gap" ] && [ "$$gap" -le 20000 ]; } &&)
.PHONY: fuzz fuzz-host run-guest
fuzz: deps
	@case "$(ROLE)" in d1|domU|both) ;; *) echo "fuzz: ROLE=$(ROLE): the roles are d1, domU and both"; exit 2;; esac
	@$(MAKE) --no-print-directory -s all
	@$(foreach r,$(FUZZ_ROLES),echo "fuzz: role $(r), seed $(SEED), $(N) calls"; \
	  $(FUZZ_ENV) tools/run-qemu --timeout 3600 $(BUILD)/hypervisor.elf $(FUZZ_MODULES_$(r)) | tee $(BUILD)/fuzz-$(r).log; \
	  grep -q '^($(FUZZ_INNOCENT_$(r))) innocent: checksum 0x89195e08 after the attacker.s signal$$' $(BUILD)/fuzz-$(r).log && \
	    grep -q '^(pv86) all domains powered off$$' $(BUILD)/fuzz-$(r).log && \
	    $(call FUZZ_GAP_OK,$(BUILD)/fuzz-$(r).log) \
	    echo "fuzz: role $(r): hypervisor alive, innocent domain's checksum right" || \
	    { echo "fuzz: role $(r): FAILED (log: $(BUILD)/fuzz-$(r).log)"; exit 1; };)

# Host-side fuzzing: libFuzzer harnesses (tests/fuzz) over the hypervisor's
# pure parsers and checks, under ASan and UBSan; each runs FUZZ_TIME seconds
# from its corpus in $(BUILD)/fuzz/corpus-NAME. clang and its runtime
# (libclang-rt-dev: libFuzzer itself) are installed when missing.
FUZZ_CC := clang
FUZZ_PACKAGES := clang libclang-rt-dev
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -Iabi/include -Ihypervisor
FUZZ_TARGETS := elf pagetable pagetable_preempt decode te_decode descriptor traps ptwr gwalk mmio
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
$(BUILD)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c hypervisor/core/elf_xen.c
$(BUILD)/fuzz/fuzz_pagetable: tests/fuzz/fuzz_pagetable.c hypervisor/mm/pagetable.c \
        hypervisor/mm/pte.c hypervisor/mm/frame_table.c
$(BUILD)/fuzz/fuzz_pagetable_preempt: tests/fuzz/fuzz_pagetable_preempt.c hypervisor/mm/pagetable.c \
        hypervisor/mm/pte.c hypervisor/mm/frame_table.c
$(BUILD)/fuzz/fuzz_decode: tests/fuzz/fuzz_decode.c hypervisor/te/decode.c hypervisor/arch/x86/emulate.c \
        $(X86DEC_SRCS)
$(BUILD)/fuzz/fuzz_descriptor: tests/fuzz/fuzz_descriptor.c hypervisor/arch/x86/descriptor.c
$(BUILD)/fuzz/fuzz_traps: tests/fuzz/fuzz_traps.c hypervisor/arch/x86/descriptor.c
$(BUILD)/fuzz/fuzz_te_decode: tests/fuzz/fuzz_te_decode.c hypervisor/te/decode.c \
        hypervisor/vm/walk.c hypervisor/vm/gwalk.c hypervisor/arch/x86/emulate.c $(X86DEC_SRCS)
$(BUILD)/fuzz/fuzz_ptwr: tests/fuzz/fuzz_ptwr.c hypervisor/mm/ptwr.c hypervisor/mm/pagetable.c \
        hypervisor/mm/pte.c hypervisor/mm/frame_table.c hypervisor/arch/x86/emulate.c $(X86DEC_SRCS)
$(BUILD)/fuzz/fuzz_gwalk: tests/fuzz/fuzz_gwalk.c hypervisor/vm/gwalk.c
$(BUILD)/fuzz/fuzz_mmio: tests/fuzz/fuzz_mmio.c hypervisor/hw/mmio.c hypervisor/arch/x86/emulate.c \
        $(X86DEC_SRCS)
$(FUZZ_BINS): $(wildcard hypervisor/*/*.h hypervisor/*/*/*.h tests/unit/fake_machine.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)
# max_len per harness: an ELF image, a page-table script, one instruction
# window, one descriptor, a trap table.
FUZZ_MAXLEN_elf := 65536
FUZZ_MAXLEN_pagetable := 4096
FUZZ_MAXLEN_pagetable_preempt := 2048
FUZZ_MAXLEN_decode := 32
FUZZ_MAXLEN_te_decode := 32
FUZZ_MAXLEN_descriptor := 8
FUZZ_MAXLEN_traps := 2048
FUZZ_MAXLEN_ptwr := 4000
FUZZ_MAXLEN_gwalk := 8236
FUZZ_MAXLEN_mmio := 61

.PHONY: fuzz-deps
fuzz-deps: deps
	$(call install_missing,$(FUZZ_PACKAGES),fuzz-deps)
	@echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' | \
	    $(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null || \
	    { echo "fuzz-deps: $(FUZZ_CC) cannot link libFuzzer (-fsanitize=fuzzer)"; exit 1; }

# No implicit 64- to 32-bit narrowing anywhere in the hypervisor (clang's
# -Wshorten-64-to-32 on the -m32 build): a frame number or machine address
# a guest supplies is never cut short by an assignment or a call; narrowing
# is explicit, after the frame table has looked the value up.
.PHONY: check-width
check-width: fuzz-deps
	@for f in $(filter %.c,$(HV_SRCS)); do \
	    $(FUZZ_CC) -std=c11 -m32 -ffreestanding -fno-builtin -Ihypervisor/include -Ihypervisor \
	        -Iabi/include -DPV86_CHANGESET='""' -DPV86_BUILD_DATE='""' -fsyntax-only \
	        -Werror=shorten-64-to-32 $$f || exit 1; \
	done; echo "check-width: no implicit 64-to-32-bit narrowing in the hypervisor"

fuzz-host: fuzz-deps check-width
	@$(MAKE) --no-print-directory -s all $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus-$$t; done
	@cp $(BUILD)/guests/hello.elf $(BUILD)/pvguest.elf $(BUILD)/fuzz/corpus-elf/ 2>/dev/null || true
	@tests/fuzz/seeds.sh $(BUILD)/fuzz
	@for t in $(FUZZ_TARGETS); do \
	    case $$t in elf) m=$(FUZZ_MAXLEN_elf);; pagetable) m=$(FUZZ_MAXLEN_pagetable);; \
	        decode|te_decode) m=$(FUZZ_MAXLEN_decode);; descriptor) m=$(FUZZ_MAXLEN_descriptor);; \
	        ptwr) m=$(FUZZ_MAXLEN_ptwr);; gwalk) m=$(FUZZ_MAXLEN_gwalk);; \
	        mmio) m=$(FUZZ_MAXLEN_mmio);; \
	        *) m=$(FUZZ_MAXLEN_traps);; esac; \
	    log=$(BUILD)/fuzz/$$t.log; \
	    if $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=$$m -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/corpus-$$t > $$log 2>&1; then \
	        echo "fuzz-host: $$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' $$log) inputs in $(FUZZ_TIME) s, corpus $$(ls $(BUILD)/fuzz/corpus-$$t | wc -l), no failure"; \
	    else \
	        tail -30 $$log; echo "fuzz-host: $$t FAILED (log: $$log)"; exit 1; \
	    fi; \
	done

# docs/abi.md is generated from the headers' comment blocks.
.PHONY: docs
docs:
	@tools/abi-doc > docs/abi.md
	@echo "docs: wrote docs/abi.md"

# A one-file PV guest (see docs/writing-a-pv-guest.md), built and booted.
run-guest: deps
	@test -n "$(SRC)" || { echo "run-guest: say which file: make run-guest SRC=path/to/guest.c"; exit 2; }
	@$(MAKE) --no-print-directory -s $(BUILD)/hypervisor.elf $(BUILD)/xenstore.elf
	@mkdir -p $(BUILD)/run-guest
	@echo "run-guest: building $(SRC) against abi/include"
	@$(CC) $(GUEST_CFLAGS) -c $(SRC) -o $(BUILD)/run-guest/guest.o
	@$(CC) $(LDFLAGS_K) -T $(GUEST_LD) -o $(BUILD)/run-guest/guest.elf $(BUILD)/run-guest/guest.o -lgcc
	@tools/run-qemu $(BUILD)/hypervisor.elf "$(BUILD)/run-guest/guest.elf $(GUEST_ARGS)" $(XS_MODULE)

.PHONY: help
help:
	@sed -n '3,27p' Makefile | sed 's/^# //'
