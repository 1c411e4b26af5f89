/*
 * ELF loader for multiboot-style guests (the test guests are ELF32 i386).
 * The image is untrusted: all headers are copied out with memcpy (no
 * alignment assumptions) and every offset and size is range-checked, and the
 * whole image is validated before the first byte goes into guest memory.
 */
#include "guest_loader.h"
#include "errno.h"
#include "lib.h"

#define ELF_CLASS32	1
#define ELF_CLASS64	2
#define ELF_DATA_LSB	1
#define ELF_VERSION	1
#define ELF_ET_EXEC	2
#define ELF_EM_386	3
#define ELF_EM_X86_64	62
#define ELF_PT_LOAD	1
#define ELF_PN_XNUM	0xFFFF

#define X86_CR0_PE	BIT(0)
#define X86_CR0_ET	BIT(4)

struct elf32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __packed;

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} __packed;

/* What the loader needs, independent of the class. */
struct elf_img {
	const u8 *data;
	size_t size;
	bool is64;
	u64 entry, phoff;
	unsigned phnum, phentsize;
};

struct elf_seg {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

bool guest_elf_probe(const void *image, size_t size)
{
	return size >= 4 && !memcmp(image, "\177ELF", 4);
}

static int elf_parse_header(const void *image, size_t size, struct elf_img *ei)
{
	const u8 *id = image;
	u16 type, machine;
	u32 version;

	if (size < 16 || !guest_elf_probe(image, size))
		return -EINVAL;
	if (id[5] != ELF_DATA_LSB || id[6] != ELF_VERSION)
		return -EINVAL;
	ei->data = image;
	ei->size = size;
	if (id[4] == ELF_CLASS32) {
		struct elf32_ehdr h;

		if (size < sizeof(h))
			return -EINVAL;
		memcpy(&h, image, sizeof(h));
		ei->is64 = false;
		type = h.type;
		machine = h.machine;
		version = h.version;
		ei->entry = h.entry;
		ei->phoff = h.phoff;
		ei->phnum = h.phnum;
		ei->phentsize = h.phentsize;
		if (machine != ELF_EM_386 || h.phentsize != sizeof(struct elf32_phdr))
			return -EINVAL;
	} else if (id[4] == ELF_CLASS64) {
		struct elf64_ehdr h;

		if (size < sizeof(h))
			return -EINVAL;
		memcpy(&h, image, sizeof(h));
		ei->is64 = true;
		type = h.type;
		machine = h.machine;
		version = h.version;
		ei->entry = h.entry;
		ei->phoff = h.phoff;
		ei->phnum = h.phnum;
		ei->phentsize = h.phentsize;
		if (machine != ELF_EM_X86_64 || h.phentsize != sizeof(struct elf64_phdr))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (type != ELF_ET_EXEC || version != ELF_VERSION)
		return -EINVAL;
	if (ei->phnum == 0 || ei->phnum == ELF_PN_XNUM)
		return -EINVAL;
	if (ei->phoff > size || (u64)ei->phnum * ei->phentsize > size - ei->phoff)
		return -EINVAL;
	return 0;
}

static void elf_get_seg(const struct elf_img *ei, unsigned i, struct elf_seg *s)
{
	const u8 *p = ei->data + ei->phoff + (u64)i * ei->phentsize;

	if (ei->is64) {
		struct elf64_phdr ph;

		memcpy(&ph, p, sizeof(ph));
		s->type = ph.type;
		s->offset = ph.offset;
		s->vaddr = ph.vaddr;
		s->paddr = ph.paddr;
		s->filesz = ph.filesz;
		s->memsz = ph.memsz;
	} else {
		struct elf32_phdr ph;

		memcpy(&ph, p, sizeof(ph));
		s->type = ph.type;
		s->offset = ph.offset;
		s->vaddr = ph.vaddr;
		s->paddr = ph.paddr;
		s->filesz = ph.filesz;
		s->memsz = ph.memsz;
	}
}

static bool elf_seg_loads(const struct elf_seg *s)
{
	return s->type == ELF_PT_LOAD && s->memsz;
}

static int elf_check_seg(const struct elf_img *ei, const struct elf_seg *s,
			 const struct guest_mem *gm)
{
	u64 end;

	if (s->type != ELF_PT_LOAD)
		return 0;
	if (s->filesz > s->memsz)
		return -EINVAL;
	if (s->filesz && (s->offset > ei->size || s->filesz > ei->size - s->offset))
		return -EINVAL;
	if (!s->memsz)
		return 0;
	if (s->paddr < GUEST_ELF_MIN_GPA || !guest_mem_range_ok(gm, s->paddr, s->memsz))
		return -EINVAL;
	/* The boot info page is rewritten after loading: no sharing. */
	end = s->paddr + s->memsz;
	if (s->paddr < GUEST_MBINFO_GPA + PAGE_SIZE && end > GUEST_MBINFO_GPA)
		return -EINVAL;
	return 0;
}

int guest_elf_load(const void *image, size_t size, struct guest_mem *gm,
		   struct vcpu_boot_state *st)
{
	struct elf_img ei;
	struct elf_seg s;
	u64 entry_gpa = 0;
	bool loads = false, entry_found = false;
	int ret;

	ret = elf_parse_header(image, size, &ei);
	if (ret)
		return ret;

	for (unsigned i = 0; i < ei.phnum; i++) {
		elf_get_seg(&ei, i, &s);
		ret = elf_check_seg(&ei, &s, gm);
		if (ret)
			return ret;
		if (!elf_seg_loads(&s))
			continue;
		loads = true;
		if (!entry_found && ei.entry >= s.vaddr && ei.entry - s.vaddr < s.memsz) {
			entry_gpa = ei.entry - s.vaddr + s.paddr;
			entry_found = true;
		}
	}
	if (!loads || !entry_found || entry_gpa > 0xFFFFFFFFULL)
		return -EINVAL;

	for (unsigned i = 0; i < ei.phnum; i++) {
		elf_get_seg(&ei, i, &s);
		if (!elf_seg_loads(&s))
			continue;
		if (s.filesz) {
			ret = gm->write(gm->ctx, s.paddr, ei.data + s.offset, s.filesz);
			if (ret)
				return ret;
		}
		if (s.memsz > s.filesz) {
			ret = gm->zero(gm->ctx, s.paddr + s.filesz, s.memsz - s.filesz);
			if (ret)
				return ret;
		}
	}

	memset(st, 0, sizeof(*st));
	st->mode = VCPU_BOOT_PROT32;
	st->rip = entry_gpa;
	st->rflags = 0x2;
	st->rax = GUEST_MB1_BOOT_MAGIC;
	st->cr0 = X86_CR0_PE | X86_CR0_ET;
	return 0;
}
