# Test guests: freestanding 32-bit multiboot1 kernels, built with the host gcc in -m32 mode.
# Included by the top-level Makefile; defines GUEST_ELFS and the rules for them.
# A guest is any tests/guests/<name>/ holding a main.c; all its .c/.S files are linked with lib/.
# No libgcc is linked (Debian lacks a 32-bit libgcc without gcc-multilib): no 64-bit / or %.

GUEST_DIR    := tests/guests
GUEST_OUT    := $(BUILD)/guests
GUEST_OBJDIR := $(GUEST_OUT)/obj

GUEST_LDS    := $(GUEST_OBJDIR)/guest.ld

GUEST_CC := gcc
GUEST_LD := ld
GUEST_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-nostdlib -fno-stack-protector -mno-sse -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -I$(GUEST_DIR)/lib -MMD -MP
GUEST_ASFLAGS := -m32 -fno-pic -fno-pie -I$(GUEST_DIR)/lib -D__ASSEMBLY__ -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static --build-id=none -z max-page-size=4096 \
	-z noexecstack --no-warn-rwx-segments -T $(GUEST_LDS)

GUEST_NAMES := $(sort $(patsubst $(GUEST_DIR)/%/main.c,%,$(wildcard $(GUEST_DIR)/*/main.c)))
GUEST_ELFS  := $(foreach g,$(GUEST_NAMES),$(GUEST_OUT)/$(g).elf)

guest_objs = $(patsubst $(GUEST_DIR)/%,$(GUEST_OBJDIR)/%.o,$(wildcard $(GUEST_DIR)/$(1)/*.c $(GUEST_DIR)/$(1)/*.S))
GUEST_LIB_OBJS := $(call guest_objs,lib)
GUEST_ALL_OBJS := $(GUEST_LIB_OBJS) $(foreach g,$(GUEST_NAMES),$(call guest_objs,$(g)))

$(GUEST_OBJDIR)/%.c.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OBJDIR)/%.S.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_LDS): $(GUEST_DIR)/guest.ld.S $(GUEST_DIR)/lib/layout.h
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) -E -P -x c -D__ASSEMBLY__ -I$(GUEST_DIR)/lib $< -o $@

define guest_rule
$(GUEST_OUT)/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LIB_OBJS) $(GUEST_LDS)
	@mkdir -p $$(dir $$@)
	$$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) -o $$@ $(call guest_objs,$(1)) $(GUEST_LIB_OBJS)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_rule,$(g))))

-include $(GUEST_ALL_OBJS:.o=.d)

# Boot each guest directly under QEMU TCG (no hypervisor) and show its console.
.PHONY: guests-qemu
guests-qemu: $(GUEST_ELFS)
	$(Q)$(GUEST_DIR)/run-qemu.sh $(GUEST_ELFS)

# hcall64: a 64-bit guest (the hypercall ABI needs R8), built apart from the 32-bit ones.
HCALL64_CFLAGS := -m64 -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-nostdlib -fno-stack-protector -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-asynchronous-unwind-tables
$(GUEST_OUT)/hcall64.elf: $(GUEST_DIR)/hcall64/entry.S $(GUEST_DIR)/hcall64/hcall.c $(GUEST_DIR)/hcall64/hcall64.ld
	@mkdir -p $(GUEST_OBJDIR)/hcall64
	$(Q)$(GUEST_CC) -m64 -fno-pic -fno-pie -c $(GUEST_DIR)/hcall64/entry.S -o $(GUEST_OBJDIR)/hcall64/entry.o
	$(Q)$(GUEST_CC) $(HCALL64_CFLAGS) -c $(GUEST_DIR)/hcall64/hcall.c -o $(GUEST_OBJDIR)/hcall64/hcall.o
	$(Q)$(GUEST_LD) -m elf_x86_64 -nostdlib -static --build-id=none -z max-page-size=4096 \
		-z noexecstack --no-warn-rwx-segments -T $(GUEST_DIR)/hcall64/hcall64.ld -o $@ \
		$(GUEST_OBJDIR)/hcall64/entry.o $(GUEST_OBJDIR)/hcall64/hcall.o
GUEST_ELFS += $(GUEST_OUT)/hcall64.elf
