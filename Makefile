# bulkhead: one entry point. See README.md for the targets and variables.

BOARD    ?= bochs
SCENARIO ?= demo
BUILD    ?= build
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)

CC       := gcc
HOSTCC   := gcc
PYTHON   := python3

# Hypervisor: freestanding x86-64, identity-mapped below 4 GiB.
HV_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes -ffreestanding -fno-pie \
	-fno-pic -fno-stack-protector -fno-builtin -mno-red-zone \
	-mgeneral-regs-only -mcmodel=kernel -fno-asynchronous-unwind-tables \
	-fomit-frame-pointer -fno-tree-loop-distribute-patterns \
	-Iinclude -I$(BUILD)/config -MMD -MP
HV_ASFLAGS := -Iinclude -D__ASSEMBLY__ -MMD -MP
HV_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

HV_DIRS := boot arch/x86 vtd dm dm/vacpi dm/vmmio dm/vpci vmm hypercall lib
# Test-only code stays out of the hypervisor people run (as ACRN splits debug
# and release builds): VTD_SELFTEST=1 links the VT-d self-checks (run by the
# vtd_selftest option; tests/integration/vtd) into an image of its own,
# build/<scenario>-selftest/; otherwise vtd/selftest_none.c says they are absent.
VTD_SELFTEST ?= 0
HV_TEST_C := vtd/selftest.c vtd/selftest_edu.c
HV_C    := $(filter-out $(HV_TEST_C) vtd/selftest_none.c,$(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c)))
ifeq ($(VTD_SELFTEST),1)
HV_C    += $(HV_TEST_C)
else
HV_C    += vtd/selftest_none.c
endif
HV_S    := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.S))
HV_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(HV_C)) $(patsubst %.S,$(BUILD)/obj/%.o,$(HV_S))

SCEN_DIR := $(BUILD)/$(SCENARIO)$(if $(filter 1,$(VTD_SELFTEST)),-selftest)
HV_ELF   := $(SCEN_DIR)/bulkhead.elf

.PHONY: all iso efi esp run run-qemu check test unit config-test integration vtd-integration uefi-integration bench guests setup clean distclean
all: $(HV_ELF)
	$(Q)cp $(HV_ELF) $(BUILD)/bulkhead.elf
	@echo "built $(HV_ELF) (board $(BOARD), scenario $(SCENARIO))"

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

# Configuration data: scripts/genconfig validates config/boards/$(BOARD).xml and
# config/scenarios/$(SCENARIO).xml (which names its board) and writes C data plus the
# ISO module list (config/README.md).
CONFIG_DIR  := $(BUILD)/config/$(BOARD)/$(SCENARIO)
CONFIG_SRC  := $(CONFIG_DIR)/board.c $(CONFIG_DIR)/scenario.c
CONFIG_OBJ  := $(CONFIG_SRC:.c=.o)
CONFIG_MODS := $(CONFIG_DIR)/scenario.modules
GENCONFIG_DEPS := scripts/genconfig $(wildcard scripts/bulkhead_config/*.py config/schema/*.xsd) include/vm_config.h \
		  arch/x86/bulkhead.ld

$(CONFIG_SRC) $(CONFIG_MODS) &: config/boards/$(BOARD).xml config/scenarios/$(SCENARIO).xml $(GENCONFIG_DEPS)
	$(Q)$(PYTHON) scripts/genconfig --board config/boards/$(BOARD).xml \
		--scenario config/scenarios/$(SCENARIO).xml --build-dir $(BUILD) --out $(CONFIG_DIR)
	@touch $(CONFIG_SRC) $(CONFIG_MODS)

$(CONFIG_DIR)/%.o: $(CONFIG_DIR)/%.c
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(HV_ELF): $(HV_OBJ) $(CONFIG_OBJ) arch/x86/bulkhead.ld
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HV_LDFLAGS) -T arch/x86/bulkhead.ld -o $@ $(HV_OBJ) $(CONFIG_OBJ)
	$(Q)$(PYTHON) scripts/check-image.py $@

-include $(HV_OBJ:.o=.d) $(CONFIG_OBJ:.o=.d)

# Test guests (tests/guests/guests.mk defines GUEST_ELFS and their rules).
-include tests/guests/guests.mk
guests: $(GUEST_ELFS)

# bulkhead-dm, the Service VM's device model: its targets and tests (before the
# ISO rule: scenario linux-dm puts it into the Service VM's initramfs).
include devicemodel/devicemodel.mk

# hsmtest: the Linux Service VM's device model (tests/sos/), a static host program
# that drives Linux's ACRN driver; it goes into build/linux/sos-initramfs.cpio.gz.
SOS_HSMTEST := $(BUILD)/sos/hsmtest
$(SOS_HSMTEST): $(wildcard tests/sos/hsmtest/*.c tests/sos/hsmtest/*.h) $(wildcard tests/guests/post/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -static -O2 -Wall -Wextra -Werror -Itests/guests/post -o $@ \
		$(wildcard tests/sos/hsmtest/*.c) -lpthread

iso: $(SCEN_DIR)/bulkhead.iso
# always remade (0.3 s): its modules (e.g. the cached Linux kernel) change outside make's view
$(SCEN_DIR)/bulkhead.iso: $(HV_ELF) $(GUEST_ELFS) $(SOS_HSMTEST) $(DM_BIN) $(CONFIG_MODS) scripts/mkiso FORCE
	$(Q)if grep -q '^module build/linux/' $(CONFIG_MODS); then \
		scripts/build-linux --sos $(SOS_HSMTEST) $(GUEST_OUT)/post.elf --dm $(DM_BIN); fi
	$(Q)scripts/mkiso $(SCENARIO) $(HV_ELF) $(CONFIG_MODS) $@

# UEFI: bulkhead.efi, a gnu-efi application carrying the hypervisor ELF (boot/efi/,
# boot/README.md), and an EFI system partition image holding it, bulkhead.cfg and
# the scenario's modules (scripts/mkesp).
EFI_DIR     := $(SCEN_DIR)/efi
EFI_APP     := $(SCEN_DIR)/bulkhead.efi
ESP_IMG     := $(SCEN_DIR)/esp.img
GNU_EFI_INC := /usr/include/efi
GNU_EFI_LIB := /usr/lib
EFI_CFLAGS  := -std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes -ffreestanding -fpic \
	-fshort-wchar -fno-stack-protector -fno-stack-check -mno-red-zone -mno-mmx -mno-sse \
	-maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI -I$(GNU_EFI_INC) -I$(GNU_EFI_INC)/x86_64 \
	-Iinclude -MMD -MP
EFI_OBJ     := $(EFI_DIR)/efi_main.o $(EFI_DIR)/efi_files.o $(EFI_DIR)/efi_mmap.o $(EFI_DIR)/payload.o

efi: $(EFI_APP)
esp: $(ESP_IMG)

$(EFI_DIR)/hv.elf $(EFI_DIR)/hv_entry.h &: $(HV_ELF)
	@mkdir -p $(EFI_DIR)
	$(Q)objcopy --strip-all $(HV_ELF) $(EFI_DIR)/hv.elf
	$(Q)nm $(HV_ELF) | awk '$$3 == "_start32" { a = $$1 } $$3 == "_start64" { b = $$1 } \
		END { if (!a || !b) exit 1; printf "#define HV_ENTRY32 0x%sULL\n#define HV_ENTRY64 0x%sULL\n", a, b }' \
		>$(EFI_DIR)/hv_entry.h

$(EFI_DIR)/efi_main.o: boot/efi/efi_main.c boot/efi/efi_loader.h $(EFI_DIR)/hv_entry.h
	@test -f $(GNU_EFI_LIB)/crt0-efi-x86_64.o || { echo "gnu-efi missing: run scripts/setup"; exit 1; }
	$(Q)$(CC) $(EFI_CFLAGS) -include $(EFI_DIR)/hv_entry.h -c $< -o $@
$(EFI_DIR)/efi_files.o: boot/efi/efi_files.c boot/efi/efi_loader.h $(EFI_DIR)/hv_entry.h
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@
$(EFI_DIR)/efi_mmap.o: boot/efi_mmap.c $(EFI_DIR)/hv_entry.h
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@
$(EFI_DIR)/payload.o: boot/efi/payload.S $(EFI_DIR)/hv.elf
	$(Q)$(CC) -DHV_PAYLOAD='"$(EFI_DIR)/hv.elf"' -c $< -o $@

$(EFI_APP): $(EFI_OBJ)
	$(Q)ld -nostdlib -znocombreloc -T $(GNU_EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
		-L$(GNU_EFI_LIB) $(GNU_EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJ) -o $(EFI_DIR)/bulkhead.so \
		-lefi -lgnuefi
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 \
		$(EFI_DIR)/bulkhead.so $@
	@echo "built $@ (UEFI application; scenario $(SCENARIO))"

-include $(EFI_OBJ:.o=.d)

$(ESP_IMG): $(EFI_APP) $(GUEST_ELFS) $(CONFIG_MODS) scripts/mkesp FORCE
	$(Q)if grep -q '^module build/linux/' $(CONFIG_MODS); then scripts/build-linux; fi
	$(Q)scripts/mkesp $(EFI_APP) $(CONFIG_MODS) $@

run: setup-if-needed iso
	scripts/run-bochs --iso $(SCEN_DIR)/bulkhead.iso --scenario $(SCENARIO) --show --interactive

run-qemu: setup-if-needed iso
	scripts/run-qemu --iso $(SCEN_DIR)/bulkhead.iso

# Unit tests: each tests/unit/*.mk adds NAME to UNIT_TESTS and sets NAME_SRCS.
UNIT_TESTS :=
-include tests/unit/*.mk
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -DUNIT_TEST -Iinclude -Itests/unit -Ivtd -Ivmm -Idm/vpci \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.SECONDEXPANSION:
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/host_stubs.c $$($$*_SRCS) $(wildcard include/*.h include/public/*.h hypercall/*.h vtd/*.h vmm/*.h dm/vpci/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< tests/unit/host_stubs.c $($*_SRCS) -lcmocka

# The hypervisor's libFuzzer harnesses (make fuzz runs them with bulkhead-dm's).
include tests/fuzz/fuzz.mk
# make coverage: the unit tests' and the fuzz corpora's coverage of the hypervisor.
include tests/coverage.mk

unit: $(UNIT_BINS) $(DM_UNIT_BINS)
	$(Q)$(PYTHON) scripts/run-unit $(UNIT_BINS) $(DM_UNIT_BINS)

# Generator tests (tests/config/): ends with "config: N passed, N failed".
config-test:
	$(Q)$(PYTHON) tests/config/run.py

integration: setup-if-needed
	$(Q)$(PYTHON) -m unittest discover -q -s tests/integration -p 'test_*.py'
	$(Q)$(PYTHON) tests/integration/run.py

# VT-d proven with real DMA in QEMU q35 + intel-iommu + edu (no VT-x needed)
vtd-integration: setup-if-needed
	$(Q)tests/integration/vtd/run

# UEFI boots in QEMU q35 + OVMF: bulkhead.efi and GRUB's EFI multiboot2 (tests/integration/uefi)
uefi-integration: setup-if-needed
	$(Q)tests/integration/uefi/run

bench: setup-if-needed
	$(Q)$(PYTHON) tests/integration/run.py --bench

test: unit integration
check: setup-if-needed
	$(Q)$(MAKE) --no-print-directory config-test
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory vtd-integration
	$(Q)$(MAKE) --no-print-directory uefi-integration
	$(Q)$(MAKE) --no-print-directory integration

setup:
	scripts/setup

.PHONY: setup-if-needed FORCE
FORCE:
setup-if-needed:
	$(Q)scripts/setup --if-needed

clean:
	rm -rf $(BUILD)/obj $(BUILD)/unit $(BUILD)/guests $(BUILD)/config \
		$(BUILD)/dm-unit $(BUILD)/fuzz $(BUILD)/coverage $(BUILD)/bulkhead-dm \
		$(foreach s,$(wildcard config/scenarios/*.xml),$(BUILD)/$(basename $(notdir $(s))))
distclean:
	rm -rf $(BUILD)
