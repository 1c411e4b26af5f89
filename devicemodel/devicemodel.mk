# bulkhead-dm (devicemodel/README.md): included by the top Makefile.
#   make bulkhead-dm   static binary build/bulkhead-dm
#   make unit          also runs devicemodel/tests/test_*.c (cmocka, ASan+UBSan)
#   make fuzz          each devicemodel/fuzz/fuzz_*.c for FUZZ_SECONDS (libFuzzer, clang-14),
#                      with the hypervisor's (tests/fuzz/fuzz.mk)

DM_DIR     := devicemodel
# The hypervisor's pure code the device model shares (not copies): the e820
# map, the vACPI builders and the bzImage loader. Their quoted includes find
# the hypervisor's include/ (-iquote: libc's <errno.h> etc. stay libc's).
DM_SHARED_C := arch/x86/e820.c arch/x86/guest_bzimage.c arch/x86/acpi_madt.c \
	$(wildcard dm/vacpi/*.c)
DM_LIB_C   := $(filter-out $(DM_DIR)/main.c,$(wildcard $(DM_DIR)/*.c)) $(DM_SHARED_C)
DM_HDRS    := $(wildcard $(DM_DIR)/include/*.h) include/e820.h include/guest_loader.h \
	include/vacpi.h include/vcpu_boot.h include/lib.h include/types.h include/acpi.h
DM_WARN    := -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes -D_GNU_SOURCE -I$(DM_DIR)/include \
	-iquote include
DM_BIN     := $(BUILD)/bulkhead-dm

.PHONY: bulkhead-dm
bulkhead-dm: $(DM_BIN)
	@echo "built $(DM_BIN)"

$(DM_BIN): $(DM_DIR)/main.c $(DM_LIB_C) $(DM_HDRS)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(DM_WARN) -O2 -g -static -o $@ $(DM_DIR)/main.c $(DM_LIB_C) -lpthread

# Unit tests: every test links the whole library (pure logic, no main).
DM_UNIT_SRCS := $(wildcard $(DM_DIR)/tests/test_*.c)
DM_UNIT_BINS := $(patsubst $(DM_DIR)/tests/test_%.c,$(BUILD)/dm-unit/test_%,$(DM_UNIT_SRCS))
DM_UNIT_CFLAGS := $(DM_WARN) -O1 -g -I$(DM_DIR)/tests \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

$(BUILD)/dm-unit/test_%: $(DM_DIR)/tests/test_%.c $(DM_LIB_C) $(DM_HDRS) $(wildcard $(DM_DIR)/tests/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(DM_UNIT_CFLAGS) -o $@ $< $(DM_LIB_C) -lcmocka

# Fuzzing: libFuzzer harnesses, each run FUZZ_SECONDS on its own corpus under build/fuzz/.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 10
DM_FUZZ_SRCS := $(wildcard $(DM_DIR)/fuzz/fuzz_*.c)
DM_FUZZ_BINS := $(patsubst $(DM_DIR)/fuzz/fuzz_%.c,$(BUILD)/fuzz/fuzz_%,$(DM_FUZZ_SRCS))

$(BUILD)/fuzz/fuzz_%: $(DM_DIR)/fuzz/fuzz_%.c $(DM_LIB_C) $(DM_HDRS) $(wildcard $(DM_DIR)/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(DM_WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ $< $(DM_LIB_C)

# make fuzz (with the hypervisor's harnesses): tests/fuzz/fuzz.mk
