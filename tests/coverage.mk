# make coverage: line and branch coverage of the hypervisor's sources by the
# unit tests and the fuzz corpora (gcc --coverage, gcov), printed per folder
# and written to build/coverage/summary.tsv (scripts/coverage-summary).
# COV_FILES="vmm dm/vmmio" also lists those folders' sources, least covered first.
# Included by the top Makefile after tests/unit/*.mk and tests/fuzz/fuzz.mk.
#   build/coverage/unit/   the unit tests, as make unit builds them but with
#                          --coverage and without sanitizers
#   build/coverage/fuzz/   each hypervisor harness with a main() that replays
#                          its corpus, seeds and regression inputs once
#   build/coverage/all/    every hypervisor source compiled (not run), so
#                          code no test reaches counts as not covered
COV_DIR     := $(BUILD)/coverage
COV_FOLDERS := arch/x86 dm dm/vpci dm/vacpi dm/vmmio vtd vmm hypercall lib boot
COV_CFLAGS  := -std=gnu11 -O0 -g --coverage -Wall -Wextra -Werror -DUNIT_TEST -Iinclude \
	-Itests/unit -Ivtd -Ivmm -Idm/vpci -Itests/fuzz
COV_UNIT    := $(addprefix $(COV_DIR)/unit/test_,$(UNIT_TESTS))
COV_FUZZ    := $(addprefix $(COV_DIR)/fuzz/fuzz_,$(HV_FUZZ))
COV_ALL     := $(patsubst %.c,$(COV_DIR)/all/%.o,$(foreach d,$(COV_FOLDERS),$(wildcard $(d)/*.c)))

$(COV_UNIT): $(COV_DIR)/unit/test_%: tests/unit/test_%.c tests/unit/host_stubs.c $$($$*_SRCS) \
		$(wildcard include/*.h include/public/*.h hypercall/*.h vtd/*.h vmm/*.h dm/vpci/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(COV_CFLAGS) -o $@ $< tests/unit/host_stubs.c $($*_SRCS) -lcmocka

$(COV_FUZZ): $(COV_DIR)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c tests/unit/host_stubs.c \
		$$(fuzz_$$*_SRCS) $(wildcard include/*.h tests/fuzz/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(COV_CFLAGS) -o $@ $< tests/fuzz/replay_main.c tests/unit/host_stubs.c \
		$(fuzz_$*_SRCS) -lcmocka

# compile only: the same freestanding flags as the image, unoptimised, with --coverage
$(COV_DIR)/all/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(filter-out -O2 -MMD -MP,$(HV_CFLAGS)) -O0 --coverage -c $< -o $@

.PHONY: coverage
coverage: $(COV_UNIT) $(COV_FUZZ) $(COV_ALL) fuzz-seeds
	$(Q)find $(COV_DIR) -name '*.gcda' -delete
	$(Q)$(PYTHON) scripts/run-unit $(COV_UNIT)
	$(Q)for f in $(COV_FUZZ); do n=$$(basename $$f); \
		$$f $(BUILD)/fuzz/corpus/$$n $(BUILD)/fuzz/seeds/$$n $(FUZZ_REGRESS)/$$n || exit 1; done
	$(Q)$(PYTHON) scripts/coverage-summary --out $(COV_DIR)/summary.tsv --folders "$(COV_FOLDERS)" \
		$(foreach f,$(COV_FILES),--files $(f)) \
		$(COV_DIR)/unit $(COV_DIR)/fuzz $(COV_DIR)/all
