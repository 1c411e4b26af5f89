# Hypervisor libFuzzer harnesses (tests/fuzz/README.md), included by the top
# Makefile after tests/unit/*.mk: each tests/fuzz/fuzz_NAME.c links the
# hypervisor sources (and fakes) of the unit test that covers the same code,
# with the unit tests' include paths, under ASan+UBSan.
HV_FUZZ := insn guest_walk hcall vpci dmar bootinfo vacpi
fuzz_insn_SRCS       = $(insn_SRCS)
fuzz_guest_walk_SRCS = $(guest_walk_SRCS)
fuzz_hcall_SRCS      = $(hcall_vm_SRCS)
fuzz_vpci_SRCS       = $(vpci_cfg_SRCS)
fuzz_dmar_SRCS       = $(vtd_dmar_SRCS)
fuzz_bootinfo_SRCS   = $(bootinfo_SRCS)
fuzz_vacpi_SRCS      = $(vacpi_SRCS)

HV_FUZZ_BINS := $(addprefix $(BUILD)/fuzz/fuzz_,$(HV_FUZZ))
HV_FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wmissing-prototypes -DUNIT_TEST \
	-Iinclude -Itests/unit -Ivtd -Ivmm -Idm/vpci -Itests/fuzz \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt

$(HV_FUZZ_BINS): $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_check.h tests/fuzz/coverage-ignore.txt tests/unit/host_stubs.c \
		$$(fuzz_$$*_SRCS) $(wildcard include/*.h include/public/*.h hypercall/*.h vtd/*.h \
		vmm/*.h dm/vpci/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(HV_FUZZ_CFLAGS) -o $@ $< tests/unit/host_stubs.c $(fuzz_$*_SRCS) -lcmocka

# make fuzz: every harness (bulkhead-dm's, these, genconfig's) FUZZ_SECONDS each, from the
# seeds (make-seeds) and the regression inputs of crashes found before
# (tests/fuzz/regress/NAME/); FUZZ_ONLY="insn hcall" picks some. Per-harness
# figures go to build/fuzz/report.tsv.
# make fuzz-smoke (a part of make check): the same, FUZZ_SMOKE_SECONDS each.
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_ONLY ?=
# genconfig's mutation driver (a script called like a libFuzzer binary) runs with them
FUZZ_BINS := $(DM_FUZZ_BINS) $(HV_FUZZ_BINS) tests/fuzz/fuzz_genconfig
FUZZ_RUN  := $(if $(FUZZ_ONLY),$(foreach n,$(FUZZ_ONLY),$(filter %/fuzz_$(n),$(FUZZ_BINS))),$(FUZZ_BINS))
FUZZ_REGRESS := tests/fuzz/regress

.PHONY: fuzz fuzz-smoke fuzz-seeds
fuzz-seeds:
	$(Q)$(PYTHON) $(DM_DIR)/fuzz/make-seeds $(BUILD)/fuzz/seeds
	$(Q)$(PYTHON) tests/fuzz/make-seeds $(BUILD)/fuzz/seeds

fuzz: $(FUZZ_RUN) fuzz-seeds
	$(Q)nice -n 19 $(PYTHON) $(DM_DIR)/fuzz/run-fuzz --seconds $(FUZZ_SECONDS) --work $(BUILD)/fuzz \
		--inputs $(BUILD)/fuzz/seeds --inputs $(FUZZ_REGRESS) --report $(BUILD)/fuzz/report.tsv \
		$(FUZZ_RUN)

fuzz-smoke: $(FUZZ_BINS) fuzz-seeds
	$(Q)nice -n 19 $(PYTHON) $(DM_DIR)/fuzz/run-fuzz --seconds $(FUZZ_SMOKE_SECONDS) \
		--work $(BUILD)/fuzz --inputs $(BUILD)/fuzz/seeds --inputs $(FUZZ_REGRESS) $(FUZZ_BINS)
