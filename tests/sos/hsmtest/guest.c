/* hsmtest: the post guest's RAM (our mappings), its loading and its memory segments. */
#include "hsmtest.h"
#include "post_boot.h"

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

/* ---- loading the post guest (tests/guests/post/post_boot.h, as dm64 does) ---- */

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

static int write_guest(void *ctx, unsigned long long gpa, const void *src, unsigned long long len)
{
	(void)ctx;
	return guest_write(gpa, src, len);
}

int post_load(uint64_t *entry)
{
	static const char cmdline[] = POST_CMDLINE " hpet=0 evfd=1";
	unsigned long long e = 0;

	switch (post_boot_load(post_img, post_size, cmdline, sizeof(cmdline), write_guest, NULL, &e)) {
	case POST_BOOT_OK:
		*entry = e;
		return 0;
	case POST_BOOT_BAD_IMAGE:
		return ENOEXEC;
	default:
		return EFAULT;
	}
}

/* 32-bit flat protected mode at the multiboot entry, as acrn-dm starts a kernel (-k/-E) */
int set_regs(uint16_t vcpu, uint64_t entry)
{
	struct acrn_vcpu_regs r;
	struct acrn_regs *g = &r.vcpu_regs;

	memset(&r, 0, sizeof(r));
	r.vcpu_id = vcpu;
	POST_BOOT_REGS(g, entry);
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
