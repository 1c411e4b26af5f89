/*
 * What a device model does to boot its guest without firmware: copy the
 * kernel's loadable segments into the VM's RAM (ours, mapped to it by
 * VM_SET_MEMORY_REGIONS), write a multiboot info block, a command line and a
 * boot GDT there, and describe the entry state for SET_VCPU_REGS.
 */
#include "dm.h"

#define ENOEXEC			8
#define ELF_PT_LOAD		1
#define ELF_EM_386		3
#define MB1_BOOT_MAGIC		0x2BADB002U
#define MB1_INFO_MEM		0x1U
#define MB1_INFO_CMDLINE	0x4U
#define MB1_MEM_LOWER_KB	640
#define LOW_END			0x100000U	/* segments must load above the boot data */

#define CR0_PE			0x1
#define CR0_ET			0x10
#define AR_CODE32		0xC09B	/* present, code exec/read accessed, 32-bit, 4 KiB granular */
#define SEL_CODE		0x08
#define SEL_DATA		0x10

struct elf32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
};

extern const u8 post_elf_start[], post_elf_end[];

static void *user_ptr(u64 user_gpa)
{
	return (void *)(POST_RAM_BASE + user_gpa);
}

static int load_segments(const u8 *img, u64 size, u64 *entry)
{
	const struct elf32_ehdr *eh = (const void *)img;
	bool entry_loaded = false;

	if (size < sizeof(*eh) || img[0] != 0x7F || img[1] != 'E' || img[2] != 'L' ||
	    img[3] != 'F' || img[4] != 1 /* 32-bit */ || img[5] != 1 /* little-endian */ ||
	    eh->machine != ELF_EM_386 || eh->phentsize != sizeof(struct elf32_phdr) ||
	    (u64)eh->phoff + (u64)eh->phnum * sizeof(struct elf32_phdr) > size)
		return -ENOEXEC;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf32_phdr *ph = (const void *)(img + eh->phoff + i * sizeof(*ph));

		if (ph->type != ELF_PT_LOAD)
			continue;
		if (ph->filesz > ph->memsz || (u64)ph->offset + ph->filesz > size ||
		    ph->paddr < LOW_END || (u64)ph->paddr + ph->memsz > POST_RAM_SIZE)
			return -ENOEXEC;
		memcpy(user_ptr(ph->paddr), img + ph->offset, ph->filesz);
		memset(user_ptr((u64)ph->paddr + ph->filesz), 0, ph->memsz - ph->filesz);
		if (eh->entry >= ph->paddr && eh->entry < ph->paddr + ph->memsz)
			entry_loaded = true;
	}
	if (!entry_loaded)
		return -ENOEXEC;
	*entry = eh->entry;
	return 0;
}

u64 post_image_size(void)
{
	return (u64)(post_elf_end - post_elf_start);
}

int post_load(u64 *entry)
{
	static const u64 gdt[3] = { 0, 0x00CF9B000000FFFFULL, 0x00CF93000000FFFFULL };
	struct mb1_info *mbi = user_ptr(POST_MBINFO_GPA);
	int ret;

	ret = load_segments(post_elf_start, post_image_size(), entry);
	if (ret)
		return ret;
	memset(mbi, 0, sizeof(*mbi));
	mbi->flags = MB1_INFO_MEM | MB1_INFO_CMDLINE;
	mbi->mem_lower = MB1_MEM_LOWER_KB;
	mbi->mem_upper = (POST_RAM_SIZE - LOW_END) / 1024;
	mbi->cmdline = POST_CMDLINE_GPA;
	memcpy(user_ptr(POST_CMDLINE_GPA), POST_CMDLINE, sizeof(POST_CMDLINE));
	memcpy(user_ptr(POST_GDT_GPA), gdt, sizeof(gdt));
	return 0;
}

void post_regs(struct abi_vcpu_regs *r, u16 vcpu, u64 entry)
{
	struct abi_regs *g = &r->vcpu_regs;

	memset(r, 0, sizeof(*r));
	r->vcpu_id = vcpu;
	/* a multiboot1 entry, as every test guest expects (tests/guests/README.md) */
	g->gprs.rax = MB1_BOOT_MAGIC;
	g->gprs.rbx = POST_MBINFO_GPA;
	g->gdt.base = POST_GDT_GPA;
	g->gdt.limit = 3 * 8 - 1;
	g->rip = entry;
	g->cr0 = CR0_PE | CR0_ET;
	g->rflags = 0x2;
	g->cs_ar = AR_CODE32;
	g->cs_limit = 0xFFFFFFFF;
	g->cs_sel = SEL_CODE;
	g->ss_sel = g->ds_sel = g->es_sel = g->fs_sel = g->gs_sel = SEL_DATA;
}
