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

# Boot each 32-bit guest directly under QEMU TCG (no hypervisor) and show its console
# (QEMU's multiboot loader takes no 64-bit ELF).
GUEST32_ELFS := $(GUEST_ELFS)
.PHONY: guests-qemu
guests-qemu: $(GUEST32_ELFS)
	$(Q)$(GUEST_DIR)/run-qemu.sh $(GUEST32_ELFS)

# 64-bit guests (the ACRN hypercall ABI passes the id in R8), built apart from the 32-bit
# ones, without lib/. Both enter through hcall64/entry.S (long mode on an identity map of
# the first GiB) and link with hcall64/hcall64.ld:
#   hcall64: hypercall checks; dm64: the Service VM's device model for the postvm scenario,
#   which embeds post.elf and uses the hypervisor's public ABI headers (include/public/).
GUEST64_OBJDIR := $(GUEST_OUT)/obj64
GUEST64_CFLAGS := -m64 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-nostdlib -fno-stack-protector -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-Iinclude -I$(GUEST_DIR)/post -MMD -MP
GUEST64_ASFLAGS := -m64 -fno-pic -fno-pie -MMD -MP
GUEST64_LDFLAGS := -m elf_x86_64 -nostdlib -static --build-id=none -z max-page-size=4096 \
	-z noexecstack --no-warn-rwx-segments -T $(GUEST_DIR)/hcall64/hcall64.ld

$(GUEST64_OBJDIR)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST64_CFLAGS) -c $< -o $@

$(GUEST64_OBJDIR)/%.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST64_ASFLAGS) $(GUEST64_ASDEFS) -c $< -o $@

HCALL64_OBJS := $(GUEST64_OBJDIR)/hcall64/entry.o $(GUEST64_OBJDIR)/hcall64/hcall.o
$(GUEST_OUT)/hcall64.elf: $(HCALL64_OBJS) $(GUEST_DIR)/hcall64/hcall64.ld
	$(Q)$(GUEST_LD) $(GUEST64_LDFLAGS) -o $@ $(HCALL64_OBJS)

# dm64 carries the post guest without its debug sections (it loads only the segments).
DM64_POST := $(GUEST64_OBJDIR)/dm64/post.elf
DM64_OBJS := $(GUEST64_OBJDIR)/hcall64/entry.o \
	$(patsubst $(GUEST_DIR)/%,$(GUEST64_OBJDIR)/%,$(patsubst %.c,%.o,$(wildcard $(GUEST_DIR)/dm64/*.c)) \
		$(patsubst %.S,%.o,$(wildcard $(GUEST_DIR)/dm64/*.S)))
$(DM64_POST): $(GUEST_OUT)/post.elf
	@mkdir -p $(dir $@)
	$(Q)objcopy --strip-all $< $@
$(GUEST64_OBJDIR)/dm64/post_image.o: $(DM64_POST)
$(GUEST64_OBJDIR)/dm64/post_image.o: GUEST64_ASDEFS = -DPOST_ELF='"$(DM64_POST)"'
$(GUEST_OUT)/dm64.elf: $(DM64_OBJS) $(GUEST_DIR)/hcall64/hcall64.ld
	$(Q)$(GUEST_LD) $(GUEST64_LDFLAGS) -o $@ $(DM64_OBJS)

# atk64: the attack scenario's Service VM (hostile hypercalls), with dm64's console/TAP/hypercall helpers.
# It loads attack.elf (role=post) as its post-launched attacker with dm64's loader and serves it.
ATK64_IMAGE := $(GUEST64_OBJDIR)/atk64/attack.elf
ATK64_OBJS := $(GUEST64_OBJDIR)/hcall64/entry.o $(GUEST64_OBJDIR)/dm64/cpu.o $(GUEST64_OBJDIR)/dm64/isr.o \
	$(GUEST64_OBJDIR)/dm64/load.o $(GUEST64_OBJDIR)/dm64/serve.o $(GUEST64_OBJDIR)/atk64/attack_image.o \
	$(patsubst $(GUEST_DIR)/%.c,$(GUEST64_OBJDIR)/%.o,$(wildcard $(GUEST_DIR)/atk64/*.c))
$(GUEST64_OBJDIR)/atk64/%.o: GUEST64_CFLAGS += -I$(GUEST_DIR)/dm64
$(ATK64_IMAGE): $(GUEST_OUT)/attack.elf
	@mkdir -p $(dir $@)
	$(Q)objcopy --strip-all $< $@
# dm64's image wrapper, with attack.elf in it
$(GUEST64_OBJDIR)/atk64/attack_image.o: $(GUEST_DIR)/dm64/post_image.S $(ATK64_IMAGE)
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST64_ASFLAGS) -DPOST_ELF='"$(ATK64_IMAGE)"' -c $< -o $@
$(GUEST_OUT)/atk64.elf: $(ATK64_OBJS) $(GUEST_DIR)/hcall64/hcall64.ld
	$(Q)$(GUEST_LD) $(GUEST64_LDFLAGS) -o $@ $(ATK64_OBJS)

-include $(HCALL64_OBJS:.o=.d) $(DM64_OBJS:.o=.d) $(ATK64_OBJS:.o=.d)
GUEST_ELFS += $(GUEST_OUT)/hcall64.elf $(GUEST_OUT)/dm64.elf $(GUEST_OUT)/atk64.elf
