/* hsmtest: the post guest's RAM (our mappings), its loading and its memory segments. */
#include "hsmtest.h"

/* ---- guest RAM: where each guest-physical byte is in our address space ---- */

uint8_t *anon_ram, *huge_ram;
uint64_t anon_size;	/* 0 when the anonymous map was refused (hugetlbfs for all) */

static uint8_t *guest_ptr(uint64_t gpa, uint64_t *room)
{
	if (gpa < anon_size) {
		*room = anon_size - gpa;
		return anon_ram + gpa;
	}
	if (gpa < RAM_SIZE) {
		*room = RAM_SIZE - gpa;
		return huge_ram + (gpa - anon_size);
	}
	*room = 0;
	return NULL;
}

static bool guest_write(uint64_t gpa, const void *src, uint64_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint64_t room, n;
		uint8_t *p = guest_ptr(gpa, &room);

		if (!p)
			return false;
		n = len < room ? len : room;
		if (s) {
			memcpy(p, s, n);
			s += n;
		} else {
			memset(p, 0, n);
		}
		gpa += n;
		len -= n;
	}
	return true;
}

/* ---- loading the post guest (as tests/guests/dm64/load.c) ---- */

struct elf32_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

uint8_t *post_img;
size_t post_size;
const char *post_path = "/post.elf";

int post_read(void)
{
	struct stat st;
	int fd = open(post_path, O_RDONLY);

	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return EIO;
	}
	post_size = (size_t)st.st_size;
	post_img = malloc(post_size);
	if (!post_img || read(fd, post_img, post_size) != (ssize_t)post_size) {
		close(fd);
		return EIO;
	}
	close(fd);
	return 0;
}

int post_load(uint64_t *entry)
{
	static const uint64_t gdt[3] = { 0, 0x00CF9B000000FFFFULL, 0x00CF93000000FFFFULL };
	static const char cmdline[] = POST_CMDLINE " hpet=0 evfd=1";
	const struct elf32_ehdr *eh = (const void *)post_img;
	struct mb1_info mbi = { 0 };
	bool entry_loaded = false;

	if (post_size < sizeof(*eh) || memcmp(post_img, "\177ELF\1\1", 6) || eh->machine != 3 ||
	    eh->phentsize != sizeof(struct elf32_phdr) ||
	    (uint64_t)eh->phoff + (uint64_t)eh->phnum * sizeof(struct elf32_phdr) > post_size)
		return ENOEXEC;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf32_phdr *ph = (const void *)(post_img + eh->phoff + i * sizeof(*ph));

		if (ph->type != 1)
			continue;
		if (ph->filesz > ph->memsz || (uint64_t)ph->offset + ph->filesz > post_size ||
		    ph->paddr < 0x100000 || (uint64_t)ph->paddr + ph->memsz > RAM_SIZE)
			return ENOEXEC;
		if (!guest_write(ph->paddr, post_img + ph->offset, ph->filesz) ||
		    !guest_write((uint64_t)ph->paddr + ph->filesz, NULL, ph->memsz - ph->filesz))
			return EFAULT;
		if (eh->entry >= ph->paddr && eh->entry < ph->paddr + ph->memsz)
			entry_loaded = true;
	}
	if (!entry_loaded)
		return ENOEXEC;
	*entry = eh->entry;
	mbi.flags = 0x1 | 0x4;
	mbi.mem_lower = 640;
	mbi.mem_upper = (uint32_t)((RAM_SIZE - 0x100000) / 1024);
	mbi.cmdline = POST_CMDLINE_GPA;
	if (!guest_write(POST_MBINFO_GPA, &mbi, sizeof(mbi)) ||
	    !guest_write(POST_CMDLINE_GPA, cmdline, sizeof(cmdline)) ||
	    !guest_write(POST_GDT_GPA, gdt, sizeof(gdt)))
		return EFAULT;
	return 0;
}

/* 32-bit flat protected mode at the multiboot entry, as acrn-dm starts a kernel (-k/-E) */
int set_regs(uint16_t vcpu, uint64_t entry)
{
	struct acrn_vcpu_regs r;
	struct acrn_regs *g = &r.vcpu_regs;

	memset(&r, 0, sizeof(r));
	r.vcpu_id = vcpu;
	g->gprs.rax = 0x2BADB002;
	g->gprs.rbx = POST_MBINFO_GPA;
	g->gdt.base = POST_GDT_GPA;
	g->gdt.limit = 3 * 8 - 1;
	g->rip = entry;
	g->cr0 = 0x11;		/* PE, ET */
	g->rflags = 0x2;
	g->cs_ar = 0xC09B;
	g->cs_limit = 0xFFFFFFFF;
	g->cs_sel = 0x08;
	g->ss_sel = g->ds_sel = g->es_sel = g->fs_sel = g->gs_sel = 0x10;
	return hioctl(ACRN_IOCTL_SET_VCPU_REGS, &r);
}

/* ---- memory segments ---- */

int set_memseg(uint64_t user_gpa, void *va, uint64_t len)
{
	struct acrn_vm_memmap m = { .type = ACRN_MEMMAP_RAM, .attr = ACRN_MEM_ACCESS_RWX,
				    .user_vm_pa = user_gpa, .vma_base = (uint64_t)(uintptr_t)va,
				    .len = len };

	return hioctl(ACRN_IOCTL_SET_MEMSEG, &m);
}

/* A page of host memory through /dev/mem (a PFN map: the driver passes its address as is). */
int memseg_from_devmem(unsigned long long hpa, uint64_t user_gpa)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC), ret;
	void *p;

	if (fd < 0)
		return errno;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)hpa);
	close(fd);
	if (p == MAP_FAILED) {
		printf("# mmap of /dev/mem at %#llx: %s\n", hpa, err_str(errno));
		return errno;
	}
	ret = set_memseg(user_gpa, p, 4096);
	munmap(p, 4096);
	return ret;
}

int create_vm(int fd, struct acrn_vm_creation *c, void *iobuf)
{
	memset(c, 0, sizeof(*c));
	/* acrn-dm's name[16] in upstream's uuid bytes */
	memcpy(&c->uuid, VM_NAME, sizeof(VM_NAME));
	c->ioreq_buf = (uint64_t)(uintptr_t)iobuf;
	c->cpu_affinity = 0;	/* the template's CPUs */
	return ioctl(fd, ACRN_IOCTL_CREATE_VM, c) < 0 ? errno : 0;
}
