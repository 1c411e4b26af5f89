/*
 * What a device model does to boot its guest without firmware: copy the
 * kernel's loadable segments into the VM's RAM (ours, mapped to it by
 * VM_SET_MEMORY_REGIONS), write a multiboot info block, a command line and a
 * boot GDT there, and describe the entry state for SET_VCPU_REGS.
 */
#include "dm.h"
#include "post_boot.h"

#define ENOEXEC			8

extern const u8 post_elf_start[], post_elf_end[];

static void *user_ptr(u64 user_gpa)
{
	return (void *)(POST_RAM_BASE + user_gpa);
}

static int write_user(void *ctx, unsigned long long gpa, const void *src, unsigned long long len)
{
	(void)ctx;
	/* post_boot_load keeps every write inside POST_RAM_SIZE, all of it ours */
	if (src)
		memcpy(user_ptr(gpa), src, len);
	else
		memset(user_ptr(gpa), 0, len);
	return 1;
}

u64 post_image_size(void)
{
	return (u64)(post_elf_end - post_elf_start);
}

int post_load(u64 *entry)
{
	unsigned long long e = 0;

	switch (post_boot_load(post_elf_start, post_image_size(), POST_CMDLINE, sizeof(POST_CMDLINE),
			       write_user, NULL, &e)) {
	case POST_BOOT_OK:
		*entry = e;
		return 0;
	case POST_BOOT_BAD_IMAGE:
		return -ENOEXEC;
	default:
		return -EFAULT;
	}
}

void post_regs(struct abi_vcpu_regs *r, u16 vcpu, u64 entry)
{
	struct abi_regs *g = &r->vcpu_regs;

	memset(r, 0, sizeof(*r));
	r->vcpu_id = vcpu;
	/* a multiboot1 entry, as every test guest expects (tests/guests/README.md) */
	POST_BOOT_REGS(g, entry);
}
