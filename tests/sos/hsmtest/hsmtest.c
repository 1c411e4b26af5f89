/*
 * hsmtest: a device model in a Linux Service VM, through Linux's own ACRN
 * driver (/dev/acrn_hsm, <linux/acrn.h>) as ACRN's acrn-dm drives it, against
 * bulkhead. It launches the post-launched test guest (tests/guests/post, an
 * ELF32 multiboot guest) and serves its I/O requests: COM1 (relayed as
 * "post: ..." lines), the test device (post_dev.h) and PCI function 00:05.0.
 *
 *   remove_cpu, CREATE_VM (the VM's name in the uuid bytes, as acrn-dm),
 *   SET_MEMSEG from anonymous memory (4 KiB pages) and from hugetlbfs (2 MiB),
 *   load the guest, SET_VCPU_REGS, CREATE_IOREQ_CLIENT, ASSIGN_PCIDEV (the
 *   e1000) and SET_PTDEV_INTR, IOEVENTFD and IRQFD, START_VM, serve phase 1
 *   (ATTACH_IOREQ_CLIENT / NOTIFY_REQUEST_FINISH, INJECT_MSI, SET_IRQLINE);
 *   PAUSE_VM, take the e1000 back, CLEAR_VM_IOREQ, RESET_VM, reload, START_VM,
 *   serve phase 2; PAUSE_VM, DESTROY_IOREQ_CLIENT, DESTROY_VM; the refusals
 *   on the way. The hypervisor's free memory (bulkhead's CPUID leaf
 *   0x40000101) after DESTROY_VM must be what it was before CREATE_VM.
 *
 * TAP on stdout (the Service VM's console). Arguments, key=value:
 *   post=PATH      the post guest's ELF (default /post.elf)
 *   cpu=N          the Linux CPU the post VM's template shares with us (1)
 *   hv=HPA         the hypervisor's memory (refused as guest RAM)
 *   prelaunched=HPA a pre-launched VM's RAM (refused as guest RAM)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/acrn.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "post_dev.h"

#define HSM_DEV		"/dev/acrn_hsm"
#define HSM_SYSFS	"/sys/devices/virtual/misc/acrn_hsm"
#define HUGETLB_FILE	"/dev/hugepages/hsmtest-ram"
#define E1000_CONFIG	"/sys/bus/pci/devices/0000:00:03.0/config"
#define VM_NAME		"hsmtest"
#define TESTS		52

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define HUGE_SIZE	(2 * MIB)
/* guest RAM: [0, 2 MiB) anonymous 4 KiB pages, [2 MiB, 16 MiB) hugetlbfs 2 MiB pages */
#define ANON_SIZE	(2 * MIB)
#define RAM_SIZE	((uint64_t)POST_RAM_SIZE)

#define E1000_BDF	(POST_E1000_DEV << 3)	/* 00:03.0 */
#define UNKNOWN_BDF	0xF8			/* 00:1f.0: no such device */
#define E1000_INTX_LINE	11
#define E1000_INTX_PIN	1
#define BAD_VCPU	5
#define WATCHDOG_S	60
#define HV_LEAF_FREE_MEM 0x40000101

#define GSI_RAISING_PULSE 2
#define COM1_BASE	0x3F8
#define COM1_LSR	5
#define LSR_IDLE	0x60
#define PM1A_CNT	0x404
#define PM1A_SLP_EN	0x2000
#define LINE_MAX	160

static int hsm = -1;
static unsigned test_no;
static unsigned long long hv_hpa = 0x1000000, pre_hpa = 0x4000000;
static const char *post_path = "/post.elf";
static unsigned share_cpu = 1;

/* ---- TAP ---- */

static bool tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

static const char *err_str(int e)
{
	static char buf[32];

	if (!e)
		return "0";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(e) ? strerrorname_np(e) : "E?");
	return buf;
}

/* ioctl: 0 or the errno */
static int hioctl(unsigned long req, void *arg)
{
	return ioctl(hsm, req, arg) < 0 ? errno : 0;
}

static bool tap_err(int got, int want, const char *what)
{
	return tap(got == want, "%s: %s (want %s)", what, err_str(got), err_str(want));
}

/* ---- the hypervisor's free memory (bulkhead's CPUID leaf, Service VM only) ---- */

static unsigned long long hv_free_bytes(void)
{
	unsigned a, b, c, d;

	__cpuid(HV_LEAF_FREE_MEM, a, b, c, d);
	(void)b;
	(void)c;
	return ((unsigned long long)d << 32) | a;
}

/* ---- files ---- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = errno;
	close(fd);
	return ret;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static uint32_t e1000_config(unsigned off)
{
	uint32_t v = 0xFFFFFFFFu;
	int fd = open(E1000_CONFIG, O_RDONLY);

	if (fd < 0)
		return v;
	if (pread(fd, &v, 4, off) != 4)
		v = 0xFFFFFFFFu;
	close(fd);
	return v;
}

/* ---- guest RAM: where each guest-physical byte is in our address space ---- */

static uint8_t *anon_ram, *huge_ram;
static uint64_t anon_size;	/* 0 when the anonymous map was refused (hugetlbfs for all) */

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

static uint8_t *post_img;
static size_t post_size;

static int post_read(void)
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

static int post_load(uint64_t *entry)
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
static int set_regs(uint16_t vcpu, uint64_t entry)
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

/* ---- the device model proper ---- */

static struct acrn_io_request_buffer *ioreq_buf;
static uint16_t vmid;
static unsigned vcpu_num;

struct serve_stats {
	unsigned by_type[4], bad, notify_fail;
	uint32_t done;
	bool powered_off, timed_out, attach_failed;
	int msi_ret, irqline_ret, attach_err;
};

static uint32_t cur_phase, counter, port_scratch, mmio_scratch;
static char line[LINE_MAX];
static unsigned line_len;

static void uart_flush(void)
{
	line[line_len] = '\0';
	printf("post: %s\n", line);
	fflush(stdout);
	line_len = 0;
}

static void uart_write(uint64_t off, uint32_t v)
{
	char c = (char)v;

	if (off != 0 || c == '\r')
		return;
	if (c == '\n') {
		uart_flush();
		return;
	}
	line[line_len++] = c;
	if (line_len == LINE_MAX - 1)
		uart_flush();
}

static void inject_irqs(struct serve_stats *st)
{
	struct acrn_msi_entry msi = { .msi_addr = 0xFEE00000ULL, .msi_data = POSTDEV_MSI_VECTOR };

	st->msi_ret = hioctl(ACRN_IOCTL_INJECT_MSI, &msi);
	st->irqline_ret = ioctl(hsm, ACRN_IOCTL_SET_IRQLINE,
				((uint64_t)GSI_RAISING_PULSE << 32) | POSTDEV_IRQ_GSI) < 0 ? errno : 0;
}

static uint32_t pio_read(uint64_t port)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8)
		return port - COM1_BASE == COM1_LSR ? LSR_IDLE : 0;
	switch (port) {
	case POSTDEV_COUNTER:
		return POSTDEV_COUNTER_MAGIC + ++counter;
	case POSTDEV_SCRATCH:
		return port_scratch;
	case POSTDEV_PHASE:
		return cur_phase;
	case POSTDEV_BENCH:
		return 0;
	default:
		return ~0U;
	}
}

static void pio_write(uint64_t port, uint64_t size, uint32_t v, struct serve_stats *st)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8) {
		uart_write(port - COM1_BASE, v);
		return;
	}
	switch (port) {
	case POSTDEV_SCRATCH:
		port_scratch = v;
		break;
	case POSTDEV_PHASE:
		st->done = v;
		break;
	case POSTDEV_IRQ:
		inject_irqs(st);
		break;
	case PM1A_CNT:
		if (size == 2 && (v & PM1A_SLP_EN))
			st->powered_off = true;
		break;
	default:
		break;
	}
}

static uint64_t size_mask(uint64_t size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static bool size_ok(uint64_t size)
{
	return size == 1 || size == 2 || size == 4;
}

static bool emulate(struct acrn_io_request *req, struct serve_stats *st)
{
	uint32_t type = req->type;

	if (type < 4)
		st->by_type[type]++;
	if (type == ACRN_IOREQ_TYPE_PORTIO) {
		struct acrn_pio_request *p = &req->reqs.pio_request;

		if (!size_ok(p->size))
			return false;
		if (p->direction == ACRN_IOREQ_DIR_READ)
			p->value = pio_read(p->address) & (uint32_t)size_mask(p->size);
		else
			pio_write(p->address, p->size, p->value & (uint32_t)size_mask(p->size), st);
		return true;
	}
	if (type == ACRN_IOREQ_TYPE_PCICFG) {
		struct acrn_pci_request *c = &req->reqs.pci_request;
		uint32_t reg = (uint32_t)c->reg;

		if (!size_ok(c->size) || reg >= 0x100 || (reg & 3) + c->size > 4)
			return false;
		if (c->direction == ACRN_IOREQ_DIR_READ)
			c->value = (postdev_pci_dword(c->bus, c->dev, c->func, reg) >> ((reg & 3) * 8)) &
				   (uint32_t)size_mask(c->size);
		return true;
	}
	if (type == ACRN_IOREQ_TYPE_MMIO) {
		struct acrn_mmio_request *m = &req->reqs.mmio_request;

		if (!size_ok(m->size) && m->size != 8)
			return false;
		if (m->direction == ACRN_IOREQ_DIR_READ)
			m->value = postdev_mmio_read(m->address, mmio_scratch) & size_mask(m->size);
		else if (m->address == POSTDEV_MMIO_BASE + POSTDEV_MMIO_SCRATCH && m->size == 4)
			mmio_scratch = (uint32_t)m->value;
		return true;
	}
	return false;
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* Serve until the guest says the phase is done (port 0x5008), powers off or goes quiet. */
static void serve_phase(uint32_t phase, struct serve_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->msi_ret = st->irqline_ret = -1;
	cur_phase = phase;
	while (st->done != phase && !st->powered_off) {
		alarmed = 0;
		alarm(WATCHDOG_S);
		if (ioctl(hsm, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			int e = errno;

			alarm(0);
			if (e == EINTR && alarmed) {
				st->timed_out = true;
				break;
			}
			if (e == EINTR)
				continue;
			st->attach_failed = true;
			st->attach_err = e;
			break;
		}
		alarm(0);
		for (unsigned i = 0; i < vcpu_num && i < ACRN_IO_REQUEST_MAX; i++) {
			struct acrn_io_request *req = &ioreq_buf->req_slot[i];
			struct acrn_ioreq_notify n = { .vmid = vmid, .vcpu = i };

			if (__atomic_load_n(&req->processed, __ATOMIC_ACQUIRE) !=
			    ACRN_IOREQ_STATE_PROCESSING || req->kernel_handled)
				continue;
			if (!emulate(req, st)) {
				st->bad++;
				printf("# malformed request in slot %u: type %u\n", i, req->type);
			}
			/* the driver marks it COMPLETE (after our stores) and notifies the hypervisor */
			if (hioctl(ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n))
				st->notify_fail++;
		}
	}
	if (line_len)
		uart_flush();
}

/* ioeventfd -> irqfd: a write of port POSTDEV_EVFD, completed in the kernel, answered by an MSI */
static int ioevent_fd = -1, irq_fd = -1;
static volatile unsigned ioevents;

static void *evfd_thread(void *arg)
{
	uint64_t n, one = 1;

	(void)arg;
	for (;;) {
		if (read(ioevent_fd, &n, sizeof(n)) != sizeof(n))
			return NULL;
		__atomic_add_fetch(&ioevents, (unsigned)n, __ATOMIC_SEQ_CST);
		if (write(irq_fd, &one, sizeof(one)) != sizeof(one))
			return NULL;
	}
}

static bool report_phase(uint32_t phase, const struct serve_stats *st)
{
	bool ok;

	if (st->attach_failed)
		ok = tap(false, "phase %u: ATTACH_IOREQ_CLIENT failed: %s", phase,
			 err_str(st->attach_err));
	else if (st->timed_out)
		ok = tap(false, "phase %u: no request for %u s (the post VM stopped?)", phase,
			 WATCHDOG_S);
	else if (st->powered_off)
		ok = tap(false, "phase %u: the post guest powered off instead", phase);
	else
		ok = tap(st->done == phase, "the post guest ran phase %u and said so on port %#x",
			 phase, POSTDEV_PHASE);
	tap(st->by_type[ACRN_IOREQ_TYPE_PORTIO] && st->by_type[ACRN_IOREQ_TYPE_MMIO] &&
	    st->by_type[ACRN_IOREQ_TYPE_PCICFG] && !st->by_type[3] && !st->bad && !st->notify_fail,
	    "phase %u requests served and completed: %u port I/O, %u MMIO, %u PCI config, "
	    "%u other, %u malformed, %u NOTIFY_REQUEST_FINISH failed", phase,
	    st->by_type[ACRN_IOREQ_TYPE_PORTIO], st->by_type[ACRN_IOREQ_TYPE_MMIO],
	    st->by_type[ACRN_IOREQ_TYPE_PCICFG], st->by_type[3], st->bad, st->notify_fail);
	return ok;
}

/* ---- memory segments ---- */

static int set_memseg(uint64_t user_gpa, void *va, uint64_t len)
{
	struct acrn_vm_memmap m = { .type = ACRN_MEMMAP_RAM, .attr = ACRN_MEM_ACCESS_RWX,
				    .user_vm_pa = user_gpa, .vma_base = (uint64_t)(uintptr_t)va,
				    .len = len };

	return hioctl(ACRN_IOCTL_SET_MEMSEG, &m);
}

/* A page of host memory through /dev/mem (a PFN map: the driver passes its address as is). */
static int memseg_from_devmem(unsigned long long hpa, uint64_t user_gpa)
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

static int create_vm(int fd, struct acrn_vm_creation *c, void *iobuf)
{
	memset(c, 0, sizeof(*c));
	/* acrn-dm's name[16] in upstream's uuid bytes */
	memcpy(&c->uuid, VM_NAME, sizeof(VM_NAME));
	c->ioreq_buf = (uint64_t)(uintptr_t)iobuf;
	c->cpu_affinity = 0;	/* the template's CPUs */
	return ioctl(fd, ACRN_IOCTL_CREATE_VM, c) < 0 ? errno : 0;
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(argv[i], "post"))
			post_path = v;
		else if (!strcmp(argv[i], "cpu"))
			share_cpu = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "hv"))
			hv_hpa = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "prelaunched"))
			pre_hpa = strtoull(v, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	struct acrn_vm_creation creation, other;
	struct acrn_pcidev pcidev;
	struct acrn_ptdev_irq ptirq;
	struct acrn_ioeventfd ioev;
	struct acrn_irqfd irqfd;
	struct serve_stats st;
	struct sigaction sa;
	unsigned long long free_before, free_after;
	uint64_t pm_cmd;
	uint64_t entry = 0;
	uint32_t bar1, id;
	char path[128], buf[64];
	void *iobuf;
	int r, r2, fd2, hfd;
	bool started;
	pthread_t thr;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the watchdog interrupts ATTACH */
	sigaction(SIGALRM, &sa, NULL);

	printf("1..%u\n", TESTS);
	r = post_read();
	tap(r == 0, "post guest %s read (%zu bytes): %s", post_path, post_size, err_str(r));

	/* acrn-dm reads the MADT at start (LAPIC ids of --cpu_affinity) and exits without it */
	r = read_file("/sys/firmware/acpi/tables/APIC", buf, sizeof(buf));
	tap(r == 0 && !memcmp(buf, "APIC", 4), "/sys/firmware/acpi/tables/APIC (the MADT acrn-dm "
	    "reads) is there: %s", r ? "no" : "yes");

	/* the kernel set its clock from the CMOS RTC (Bochs starts it at 2000-01-01): 1970 if unreadable */
	tap(time(NULL) >= 946684800, "the wall clock came from the RTC (%ld s since 1970)",
	    (long)time(NULL));

	hsm = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	if (!tap(hsm >= 0, "%s opens: %s", HSM_DEV, err_str(hsm >= 0 ? 0 : errno))) {
		printf("# no HSM: nothing more to try\n");
		return 1;
	}
	iobuf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(iobuf, 0, 4096);
	ioreq_buf = iobuf;

	/* the template's CPU is still ours: the hypervisor refuses (the driver says EINVAL) */
	fd2 = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	r = create_vm(fd2, &other, iobuf);
	tap_err(r, EINVAL, "CREATE_VM while the template's CPU is still the Service VM's");
	close(fd2);

	/* ACRN's launch flow: the Linux CPU number into remove_cpu; the driver passes its LAPIC id */
	r = write_file(HSM_SYSFS "/remove_cpu", "0");
	tap_err(r, EINVAL, "remove_cpu 0 (the boot CPU)");
	snprintf(buf, sizeof(buf), "%u", share_cpu);
	r = write_file(HSM_SYSFS "/remove_cpu", buf);
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", share_cpu);
	r2 = read_file(path, buf, sizeof(buf));
	tap(r == 0 && r2 == 0 && buf[0] == '0', "remove_cpu %u: %s, cpu%u/online now %c", share_cpu,
	    err_str(r), share_cpu, r2 ? '?' : buf[0]);

	free_before = hv_free_bytes();
	tap(free_before != 0, "hypervisor free memory before CREATE_VM: %llu KiB",
	    free_before >> 10);

	r = create_vm(hsm, &creation, iobuf);
	vmid = creation.vmid;
	vcpu_num = creation.vcpu_num;
	tap(r == 0 && vcpu_num == 1, "CREATE_VM \"%s\" (name in the uuid bytes): %s, vmid %u, "
	    "%u vCPU(s)", VM_NAME, err_str(r), vmid, vcpu_num);
	fd2 = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	r = create_vm(fd2, &other, iobuf);
	tap_err(r, EINVAL, "CREATE_VM with a name in use (the hypervisor's EEXIST)");
	close(fd2);
	/* acrn-dm asks for the CPUs' P-states at launch and goes on without them */
	pm_cmd = ACRN_PMCMD_GET_PX_CNT;
	r = hioctl(ACRN_IOCTL_PM_GET_CPU_STATE, &pm_cmd);
	tap_err(r, ENOSYS, "PM_GET_CPU_STATE (not provided; acrn-dm tolerates a failure)");

	r = set_regs(BAD_VCPU, 0x100000);
	tap_err(r, EINVAL, "SET_VCPU_REGS for vCPU 5 of a 1-vCPU VM");

	/* not the Service VM's RAM: refused whatever the user address */
	r = memseg_from_devmem(hv_hpa, 0);
	tap_err(r, EFAULT, "SET_MEMSEG of the hypervisor's memory (a /dev/mem page)");
	r = memseg_from_devmem(pre_hpa, 0);
	tap_err(r, EFAULT, "SET_MEMSEG of the pre-launched VM's RAM (a /dev/mem page)");

	/* guest RAM: anonymous 4 KiB pages (one region each), then hugetlbfs 2 MiB pages */
	anon_ram = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	madvise(anon_ram, ANON_SIZE, MADV_NOHUGEPAGE);
	memset(anon_ram, 0, ANON_SIZE);
	r = set_memseg(0, anon_ram, ANON_SIZE);
	tap_err(r, 0, "SET_MEMSEG user [0, 2 MiB) from anonymous memory (512 4-KiB regions)");
	anon_size = r ? 0 : ANON_SIZE;

	hfd = open(HUGETLB_FILE, O_CREAT | O_RDWR, 0600);
	huge_ram = MAP_FAILED;
	if (hfd >= 0 && ftruncate(hfd, (off_t)(RAM_SIZE - anon_size)) == 0)
		huge_ram = mmap(NULL, RAM_SIZE - anon_size, PROT_READ | PROT_WRITE, MAP_SHARED, hfd,
				0);
	r = huge_ram == MAP_FAILED ? errno : set_memseg(anon_size, huge_ram, RAM_SIZE - anon_size);
	tap_err(r, 0, anon_size ? "SET_MEMSEG user [2 MiB, 16 MiB) from hugetlbfs (7 2-MiB regions)"
		: "SET_MEMSEG user [0, 16 MiB) from hugetlbfs (8 2-MiB regions; the 4 KiB map failed)");
	r = huge_ram == MAP_FAILED ? EFAULT : set_memseg(anon_size, huge_ram, HUGE_SIZE);
	tap_err(r, EEXIST, "SET_MEMSEG over a mapped range");

	r = post_img ? post_load(&entry) : ENOENT;
	tap(r == 0, "post guest loaded into its RAM through our mappings, entry %#llx: %s",
	    (unsigned long long)entry, err_str(r));
	r = set_regs(0, entry);
	tap_err(r, 0, "SET_VCPU_REGS vCPU 0: 32-bit protected mode at the entry");

	r = hioctl(ACRN_IOCTL_CREATE_IOREQ_CLIENT, NULL);
	tap_err(r, 0, "CREATE_IOREQ_CLIENT");
	r = hioctl(ACRN_IOCTL_CREATE_IOREQ_CLIENT, NULL);
	tap_err(r, EEXIST, "CREATE_IOREQ_CLIENT again");

	/* the e1000: ours until assigned; its I/O BAR is identity-mapped */
	id = e1000_config(0);
	tap(id == POST_E1000_ID, "before assignment the e1000 is ours: 00:03.0 reads %#x", id);
	bar1 = e1000_config(0x14);
	memset(&pcidev, 0, sizeof(pcidev));
	pcidev.virt_bdf = E1000_BDF;
	pcidev.phys_bdf = UNKNOWN_BDF;
	pcidev.intr_line = E1000_INTX_LINE;
	pcidev.intr_pin = E1000_INTX_PIN;
	pcidev.bar[0] = POST_E1000_BAR0;
	pcidev.bar[1] = bar1;
	r = hioctl(ACRN_IOCTL_ASSIGN_PCIDEV, &pcidev);
	tap_err(r, ENODEV, "ASSIGN_PCIDEV of 00:1f.0 (no such device)");
	pcidev.phys_bdf = E1000_BDF;
	r = hioctl(ACRN_IOCTL_ASSIGN_PCIDEV, &pcidev);
	tap_err(r, 0, "ASSIGN_PCIDEV e1000 00:03.0 -> 00:03.0");
	id = e1000_config(0);
	tap(id == 0xFFFFFFFFu, "assigned away, 00:03.0 reads %#x for us", id);
	memset(&ptirq, 0, sizeof(ptirq));
	ptirq.type = ACRN_PTDEV_IRQ_INTX;
	ptirq.virt_bdf = ptirq.phys_bdf = E1000_BDF;
	ptirq.intx.virt_pin = POST_E1000_GSI;
	ptirq.intx.phys_pin = E1000_INTX_LINE;
	r = hioctl(ACRN_IOCTL_SET_PTDEV_INTR, &ptirq);
	tap_err(r, 0, "SET_PTDEV_INTR e1000 GSI 11 -> its GSI 11");

	/* a port the kernel completes (ioeventfd) and an MSI raised from an eventfd (irqfd) */
	ioevent_fd = eventfd(0, EFD_CLOEXEC);
	irq_fd = eventfd(0, EFD_CLOEXEC);
	ioev = (struct acrn_ioeventfd){ .fd = (uint32_t)ioevent_fd, .flags = ACRN_IOEVENTFD_FLAG_PIO,
					.addr = POSTDEV_EVFD, .len = 4 };
	r = hioctl(ACRN_IOCTL_IOEVENTFD, &ioev);
	irqfd = (struct acrn_irqfd){ .fd = irq_fd,
				     .msi = { .msi_addr = 0xFEE00000ULL,
					      .msi_data = POSTDEV_EVFD_VECTOR } };
	r2 = hioctl(ACRN_IOCTL_IRQFD, &irqfd);
	tap(r == 0 && r2 == 0, "IOEVENTFD on port %#x: %s; IRQFD with vector %#x: %s", POSTDEV_EVFD,
	    err_str(r), POSTDEV_EVFD_VECTOR, err_str(r2));
	if (r == 0 && r2 == 0)
		pthread_create(&thr, NULL, evfd_thread, NULL);

	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	started = tap_err(r, 0, "START_VM");
	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	tap_err(r, EBUSY, "START_VM of a running VM");
	r = set_regs(0, entry);
	tap_err(r, EBUSY, "SET_VCPU_REGS of a running VM");

	memset(&st, 0, sizeof(st));
	if (started)
		serve_phase(1, &st);
	report_phase(1, &st);
	tap(st.msi_ret == 0 && st.irqline_ret == 0,
	    "INJECT_MSI and SET_IRQLINE when the guest asked: %s, %s",
	    st.msi_ret < 0 ? "not asked" : err_str(st.msi_ret),
	    st.irqline_ret < 0 ? "not asked" : err_str(st.irqline_ret));
	tap(ioevents == 1, "the guest's write of port %#x reached our ioeventfd %u time(s), "
	    "without a request to us", POSTDEV_EVFD, ioevents);

	r = hioctl(ACRN_IOCTL_PAUSE_VM, NULL);
	tap_err(r, 0, "PAUSE_VM after phase 1");
	r = hioctl(ACRN_IOCTL_RESET_PTDEV_INTR, &ptirq);
	tap_err(r, 0, "RESET_PTDEV_INTR of the e1000");
	pcidev.phys_bdf = UNKNOWN_BDF;
	r = hioctl(ACRN_IOCTL_DEASSIGN_PCIDEV, &pcidev);
	tap_err(r, ENODEV, "DEASSIGN_PCIDEV of 00:1f.0 (no such device)");
	pcidev.phys_bdf = E1000_BDF;
	r = hioctl(ACRN_IOCTL_DEASSIGN_PCIDEV, &pcidev);
	tap_err(r, 0, "DEASSIGN_PCIDEV e1000 from the paused VM");
	id = e1000_config(0);
	tap(id == POST_E1000_ID, "the e1000 is ours again: 00:03.0 reads %#x", id);

	/* acrn-dm's reboot: CLEAR_VM_IOREQ, then RESET_VM */
	r = hioctl(ACRN_IOCTL_CLEAR_VM_IOREQ, NULL);
	r2 = hioctl(ACRN_IOCTL_RESET_VM, NULL);
	tap(r == 0 && r2 == 0, "CLEAR_VM_IOREQ: %s, RESET_VM: %s", err_str(r), err_str(r2));
	r = post_load(&entry);
	if (!r)
		r = set_regs(0, entry);
	tap_err(r, 0, "post guest reloaded and SET_VCPU_REGS after the reset");
	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	started = tap_err(r, 0, "START_VM after the reset");
	memset(&st, 0, sizeof(st));
	if (started)
		serve_phase(2, &st);
	report_phase(2, &st);

	r = hioctl(ACRN_IOCTL_PAUSE_VM, NULL);
	tap_err(r, 0, "PAUSE_VM after phase 2");
	r = hioctl(ACRN_IOCTL_DESTROY_IOREQ_CLIENT, NULL);
	tap_err(r, 0, "DESTROY_IOREQ_CLIENT");
	r = hioctl(ACRN_IOCTL_ATTACH_IOREQ_CLIENT, NULL);
	tap_err(r, ENODEV, "ATTACH_IOREQ_CLIENT without a client");
	r = hioctl(ACRN_IOCTL_DESTROY_VM, NULL);
	tap_err(r, 0, "DESTROY_VM");
	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	tap_err(r, EINVAL, "START_VM after DESTROY_VM (the driver has no VM)");

	/* the driver unpinned our pages at DESTROY_VM: give them back */
	munmap(anon_ram, ANON_SIZE);
	if (huge_ram != MAP_FAILED)
		munmap(huge_ram, RAM_SIZE - anon_size);
	if (hfd >= 0)
		close(hfd);
	unlink(HUGETLB_FILE);
	free_after = hv_free_bytes();
	tap(free_after == free_before, "hypervisor free memory after DESTROY_VM: %llu KiB "
	    "(before CREATE_VM: %llu KiB)", free_after >> 10, free_before >> 10);

	/* a second VM on the same template: everything came back */
	fd2 = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	r = create_vm(fd2, &other, iobuf);
	r2 = r ? r : (ioctl(fd2, ACRN_IOCTL_DESTROY_VM, 0) < 0 ? errno : 0);
	tap(r == 0 && r2 == 0, "CREATE_VM and DESTROY_VM again with the same name: %s, %s",
	    err_str(r), err_str(r2));
	close(fd2);
	free_after = hv_free_bytes();
	tap(free_after == free_before, "hypervisor free memory after that: %llu KiB", free_after >> 10);

	if (test_no != TESTS)
		printf("# planned %u tests, ran %u\n", TESTS, test_no);
	close(hsm);
	return 0;
}
