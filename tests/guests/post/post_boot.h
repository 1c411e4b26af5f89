/*
 * How a device model boots the post-launched test guest without firmware,
 * shared by dm64 and hsmtest: the 32-bit ELF's loadable segments into the
 * VM's RAM, a multiboot info block, the command line and a flat boot GDT,
 * and the entry state (32-bit protected mode, multiboot registers) each
 * writes into its own SET_VCPU_REGS structure. Plain C types, like
 * post_dev.h; guest memory is reached through the caller's write function.
 */
#ifndef GUEST_POST_BOOT_H
#define GUEST_POST_BOOT_H

#include "post_dev.h"

#define POST_MB1_BOOT_MAGIC	0x2BADB002U
#define POST_CR0		0x11	/* PE, ET */
#define POST_AR_CODE32		0xC09B	/* present, code exec/read accessed, 32-bit, 4 KiB granular */
#define POST_SEL_CODE		0x08
#define POST_SEL_DATA		0x10
#define POST_GDT_LIMIT		(3 * 8 - 1)
#define POST_LOW_END		0x100000U	/* segments load above the boot data */

/*
 * The entry state into g, a SET_VCPU_REGS register block (include/public's
 * abi_regs or <linux/acrn.h>'s acrn_regs: the same fields) the caller has
 * zeroed: 32-bit flat protected mode at entry, multiboot1's EAX and EBX.
 */
#define POST_BOOT_REGS(g, entry) do {						\
	(g)->gprs.rax = POST_MB1_BOOT_MAGIC;						\
	(g)->gprs.rbx = POST_MBINFO_GPA;						\
	(g)->gdt.base = POST_GDT_GPA;							\
	(g)->gdt.limit = POST_GDT_LIMIT;						\
	(g)->rip = (entry);								\
	(g)->cr0 = POST_CR0;								\
	(g)->rflags = 0x2;								\
	(g)->cs_ar = POST_AR_CODE32;							\
	(g)->cs_limit = 0xFFFFFFFF;							\
	(g)->cs_sel = POST_SEL_CODE;							\
	(g)->ss_sel = (g)->ds_sel = (g)->es_sel = (g)->fs_sel = (g)->gs_sel = POST_SEL_DATA;	\
} while (0)

struct post_elf32_ehdr {
	unsigned char ident[16];
	unsigned short type, machine;
	unsigned int version, entry, phoff, shoff, flags;
	unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct post_elf32_phdr {
	unsigned int type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct post_mb1_info {
	unsigned int flags, mem_lower, mem_upper, boot_device, cmdline;
};

/* Writes len bytes at the guest-physical gpa (src NULL: zeros); 0 when it could not. */
typedef int (*post_write_fn)(void *ctx, unsigned long long gpa, const void *src,
			     unsigned long long len);

enum { POST_BOOT_OK, POST_BOOT_BAD_IMAGE, POST_BOOT_WRITE_FAILED };

/*
 * Loads the image and the boot data into a VM of POST_RAM_SIZE; *entry is
 * the ELF entry, which must lie in a loaded segment.
 */
static inline int post_boot_load(const unsigned char *img, unsigned long long size,
				 const char *cmdline, unsigned long long cmdline_size,
				 post_write_fn write, void *ctx, unsigned long long *entry)
{
	static const unsigned long long gdt[3] = { 0, 0x00CF9B000000FFFFULL, 0x00CF93000000FFFFULL };
	const struct post_elf32_ehdr *eh = (const void *)img;
	struct post_mb1_info mbi = { 0 };
	int entry_loaded = 0;

	if (size < sizeof(*eh) || img[0] != 0x7F || img[1] != 'E' || img[2] != 'L' ||
	    img[3] != 'F' || img[4] != 1 /* 32-bit */ || img[5] != 1 /* little-endian */ ||
	    eh->machine != 3 /* EM_386 */ || eh->phentsize != sizeof(struct post_elf32_phdr) ||
	    (unsigned long long)eh->phoff + (unsigned long long)eh->phnum * sizeof(struct post_elf32_phdr) > size)
		return POST_BOOT_BAD_IMAGE;
	for (unsigned int i = 0; i < eh->phnum; i++) {
		const struct post_elf32_phdr *ph =
			(const void *)(img + eh->phoff + i * sizeof(struct post_elf32_phdr));

		if (ph->type != 1 /* PT_LOAD */)
			continue;
		if (ph->filesz > ph->memsz || (unsigned long long)ph->offset + ph->filesz > size ||
		    ph->paddr < POST_LOW_END || (unsigned long long)ph->paddr + ph->memsz > POST_RAM_SIZE)
			return POST_BOOT_BAD_IMAGE;
		if (!write(ctx, ph->paddr, img + ph->offset, ph->filesz) ||
		    !write(ctx, (unsigned long long)ph->paddr + ph->filesz, 0, ph->memsz - ph->filesz))
			return POST_BOOT_WRITE_FAILED;
		if (eh->entry >= ph->paddr && eh->entry < ph->paddr + ph->memsz)
			entry_loaded = 1;
	}
	if (!entry_loaded)
		return POST_BOOT_BAD_IMAGE;
	*entry = eh->entry;
	mbi.flags = 0x1 | 0x4;		/* mem_lower/upper, cmdline */
	mbi.mem_lower = 640;
	mbi.mem_upper = (POST_RAM_SIZE - POST_LOW_END) / 1024;
	mbi.cmdline = POST_CMDLINE_GPA;
	if (!write(ctx, POST_MBINFO_GPA, &mbi, sizeof(mbi)) ||
	    !write(ctx, POST_CMDLINE_GPA, cmdline, cmdline_size) ||
	    !write(ctx, POST_GDT_GPA, gdt, sizeof(gdt)))
		return POST_BOOT_WRITE_FAILED;
	return POST_BOOT_OK;
}

#endif
