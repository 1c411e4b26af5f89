/*
 * bulkhead-dm's launch path: CREATE_VM, guest RAM (hugetlbfs where the
 * Service VM has 2 MiB pages free, else anonymous memory) by SET_MEMSEG, the
 * boot platform (dm_boot.c), SET_VCPU_REGS, the ioreq client, START_VM, and
 * the loop that serves the VM's requests: PCI configuration (hostbridge,
 * lpc; absent functions read all ones), COM1 (a 16550 on stdout/stdin, its
 * interrupt on vIOAPIC pin 4), the RTC, ACPI PM1 (S5 powers off) and reset
 * (0xCF9 or the FADT's reset register: RESET_VM and boot again). Anything
 * else reads all ones and drops writes, counted. Passthrough functions
 * (passthru.c) are claimed before CREATE_VM, assigned before START_VM and
 * at each reset, and taken back on every way out.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/acrn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dm_boot.h"
#include "dm_launch.h"
#include "passthru.h"
#include "pcicfg.h"
#include "rtc.h"
#include "uart16550.h"
#include "vdev.h"
#include "vacpi.h"

#define HSM_DEV		"/dev/acrn_hsm"
#define HSM_REMOVE_CPU	"/sys/devices/virtual/misc/acrn_hsm/remove_cpu"
#define HV_LEAF_FREE_MEM 0x40000101
#define HUGE_2M		(2ULL << 20)
#define MFD_HUGE_2M	(21U << 26)	/* MFD_HUGE_2MB of <linux/memfd.h> */
#define COM1_BASE	0x3F8
#define RTC_BASE	0x70
#define GSI_SET_HIGH	0
#define GSI_SET_LOW	1
#define PM1_SLP_EN	0x2000
#define PM1_SCI_EN	0x0001
#define EXIT_FAIL	3

struct dm_vm {
	const struct dm_config *cfg;
	int hsm;
	uint16_t vmid;
	unsigned vcpu_num;
	struct acrn_io_request_buffer *iobuf;
	uint8_t *ram;
	uint64_t mem;
	int memfd;
	bool huge;
	void *kernel, *initrd;
	size_t kernel_size, initrd_size;
	pthread_mutex_t lock;		/* the devices: the serving loop and the stdin thread */
	struct uart16550 com1;
	bool com1_on, irq_line;
	struct rtc rtc;
	struct pcicfg pci;
	struct gmem gmem;		/* guest RAM for the virtio queues */
	struct vdevs vdevs;
	struct pt_set pt;		/* passthrough functions */
	struct vacpi_prt_entry prt[PT_MAX];	/* their INTx routes, in the DSDT */
	unsigned nr_prt;
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	bool power_off, reset;
	/* figures */
	uint64_t by_type[4], unclaimed_reads, unclaimed_writes, irqline_calls, notify_fail;
	uint64_t resets;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static unsigned long long hv_free_bytes(void)
{
	unsigned a, b, c, d;

	__cpuid(HV_LEAF_FREE_MEM, a, b, c, d);
	(void)b;
	(void)c;
	return ((unsigned long long)d << 32) | a;
}

static int hioctl(struct dm_vm *vm, unsigned long req, void *arg)
{
	return ioctl(vm->hsm, req, arg) < 0 ? errno : 0;
}

static unsigned long long rdtsc(void)
{
	unsigned lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (unsigned long long)hi << 32 | lo;
}

/*
 * START_VM, with the TSC right before it on stderr: the guest's TSC is the
 * host's (no offset), so the guest's own reading at init says how long it
 * took to boot (tests/dm/init's post_linux_boot_insns).
 */
static int start_vm(struct dm_vm *vm, const char *when)
{
	unsigned long long tsc = rdtsc();
	int e = hioctl(vm, ACRN_IOCTL_START_VM, NULL);

	if (!e)
		fprintf(stderr, "bulkhead-dm: %s: START_VM%s at TSC %llu\n", vm->cfg->name, when, tsc);
	return e;
}

static void *read_whole(const char *path, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	size_t done = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	while (buf && done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			free(buf);
			buf = NULL;
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	*size = done;
	return buf;
}

/* ---- CPUs: the Service VM gives up the ones the VM runs on ---- */

/*
 * --cpu_affinity names physical CPUs (LAPIC ids, as for acrn-dm), but
 * bulkhead's Service VM sees virtual LAPIC ids (0..n-1 in its vACPI), so its
 * /proc/cpuinfo cannot say which of its CPUs runs where. Until the hypervisor
 * tells, bulkhead-dm gives up the Service VM's highest-numbered online CPU
 * (never CPU 0) each time CREATE_VM refuses, at most once per vCPU asked for:
 * right when the post-launched template's CPUs are the Service VM's last ones,
 * as in the scenarios here. A HEURISTIC: see devicemodel/README.md.
 */
static int give_up_one_cpu(void)
{
	char path[64], buf[8];
	int last = -1, fd, n;

	for (int cpu = 1; cpu < 64; cpu++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (read(fd, buf, 1) == 1 && buf[0] == '1')
			last = cpu;
		close(fd);
	}
	if (last < 0)
		return -1;
	fd = open(HSM_REMOVE_CPU, O_WRONLY | O_CLOEXEC);
	n = snprintf(buf, sizeof(buf), "%d", last);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		fprintf(stderr, "bulkhead-dm: remove_cpu %d: %m\n", last);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	fprintf(stderr, "bulkhead-dm: Service VM CPU %d given up (remove_cpu)\n", last);
	return 0;
}

static uint64_t affinity_mask(const struct dm_config *cfg)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < cfg->ncpus; i++)
		if (cfg->cpu_lapic[i] < 64)
			m |= 1ULL << cfg->cpu_lapic[i];
	return m;
}

/* ---- guest RAM ---- */

static int ram_alloc(struct dm_vm *vm)
{
	struct acrn_vm_memmap m;
	int e;

	vm->memfd = memfd_create("bulkhead-dm-ram", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2M);
	vm->ram = MAP_FAILED;
	if (vm->memfd >= 0 && ftruncate(vm->memfd, (off_t)vm->mem) == 0)
		vm->ram = mmap(NULL, vm->mem, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			       vm->memfd, 0);
	vm->huge = vm->ram != MAP_FAILED;
	if (!vm->huge) {
		if (vm->memfd >= 0)
			close(vm->memfd);
		vm->memfd = -1;
		fprintf(stderr, "bulkhead-dm: no %llu 2 MiB pages free (hugetlbfs): guest RAM from "
			"anonymous 4 KiB pages\n", (unsigned long long)(vm->mem / HUGE_2M));
		vm->ram = mmap(NULL, vm->mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (vm->ram == MAP_FAILED) {
			vm->ram = NULL;
			fprintf(stderr, "bulkhead-dm: guest RAM (%llu MiB): %m\n",
				(unsigned long long)(vm->mem >> 20));
			return -1;
		}
		madvise(vm->ram, vm->mem, MADV_NOHUGEPAGE);
	}
	memset(&m, 0, sizeof(m));
	m.type = ACRN_MEMMAP_RAM;
	m.attr = ACRN_MEM_ACCESS_RWX;
	m.user_vm_pa = 0;
	m.vma_base = (uint64_t)(uintptr_t)vm->ram;
	m.len = vm->mem;
	vm->gmem = (struct gmem){ vm->ram, vm->mem };
	e = hioctl(vm, ACRN_IOCTL_SET_MEMSEG, &m);
	if (e) {
		fprintf(stderr, "bulkhead-dm: SET_MEMSEG of %llu MiB: %s\n",
			(unsigned long long)(vm->mem >> 20), strerror(e));
		return -1;
	}
	return 0;
}

static void ram_free(struct dm_vm *vm)
{
	if (vm->ram)
		munmap(vm->ram, vm->mem);
	if (vm->memfd >= 0)
		close(vm->memfd);
	vm->ram = NULL;
	vm->memfd = -1;
}

/* ---- boot: the platform in RAM, the first vCPU's registers ---- */

static int boot_setup(struct dm_vm *vm)
{
	struct vcpu_boot_state st;
	struct acrn_vcpu_regs r;
	struct acrn_regs *g = &r.vcpu_regs;
	char why[DM_BOOT_WHY_LEN];
	unsigned ncpus = vm->vcpu_num ? vm->vcpu_num : 1;
	int e;

	memset(&st, 0, sizeof(st));
	if (dm_boot_linux(vm->ram, vm->mem, ncpus, vm->prt, vm->nr_prt, vm->kernel,
			  vm->kernel_size, vm->initrd, vm->initrd_size, vm->cfg->bootargs ? vm->cfg->bootargs : "", &st, why,
			  sizeof(why))) {
		fprintf(stderr, "bulkhead-dm: -k %s: %s\n", vm->cfg->kernel, why);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.vcpu_id = 0;
	g->gprs.rax = st.rax;
	g->gprs.rbx = st.rbx;
	g->gprs.rcx = st.rcx;
	g->gprs.rdx = st.rdx;
	g->gprs.rsi = st.rsi;
	g->gprs.rdi = st.rdi;
	g->gprs.rbp = st.rbp;
	g->gprs.rsp = st.rsp;
	g->rip = st.rip;
	g->rflags = st.rflags | 0x2;
	g->cr0 = st.cr0;
	g->cr3 = st.cr3;
	g->cr4 = st.cr4;
	g->ia32_efer = st.efer;
	g->gdt.base = st.gdt_base;
	g->gdt.limit = st.gdt_limit;
	g->cs_sel = st.cs_sel;
	g->ss_sel = g->ds_sel = g->es_sel = g->fs_sel = g->gs_sel = st.ds_sel;
	g->cs_limit = 0xFFFFFFFF;
	/* 64-bit code (L) for the long-mode entry, else 32-bit flat code (D) */
	g->cs_ar = st.mode == VCPU_BOOT_LONG64 ? 0xA09B : 0xC09B;
	e = hioctl(vm, ACRN_IOCTL_SET_VCPU_REGS, &r);
	if (e) {
		fprintf(stderr, "bulkhead-dm: SET_VCPU_REGS: %s\n", strerror(e));
		return -1;
	}
	fprintf(stderr, "bulkhead-dm: %s: Linux loaded, entry %#llx (64-bit), %llu MiB RAM from %s\n",
		vm->cfg->name, (unsigned long long)st.rip, (unsigned long long)(vm->mem >> 20),
		vm->huge ? "hugetlbfs 2 MiB pages" : "anonymous 4 KiB pages");
	return 0;
}

/* ---- devices ---- */

static void set_irq_line(struct dm_vm *vm, unsigned gsi, bool high)
{
	uint64_t op = ((uint64_t)(high ? GSI_SET_HIGH : GSI_SET_LOW) << 32) | gsi;

	vm->irqline_calls++;
	if (ioctl(vm->hsm, ACRN_IOCTL_SET_IRQLINE, op) < 0)
		fprintf(stderr, "bulkhead-dm: SET_IRQLINE gsi %u: %m\n", gsi);
}

/* after anything that may change COM1's interrupt (lock held) */
static void com1_update_irq(struct dm_vm *vm)
{
	bool line = uart_irq_line(&vm->com1);

	if (line != vm->irq_line) {
		vm->irq_line = line;
		set_irq_line(vm, DM_COM1_IRQ, line);
	}
}

/* the virtio devices' MSI-X messages */
static int inject_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct dm_vm *vm = ctx;
	struct acrn_msi_entry m = { .msi_addr = addr, .msi_data = data };

	return hioctl(vm, ACRN_IOCTL_INJECT_MSI, &m);
}

static void com1_tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	putchar(byte);
	if (byte == '\n')
		fflush(stdout);
}

/* stdin feeds COM1, or a virtio-console port on stdio (never both: cmdline.c) */
static void *stdin_thread(void *arg)
{
	struct dm_vm *vm = arg;
	uint8_t buf[64];

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		struct vdev *con;

		if (n <= 0)
			return NULL;
		pthread_mutex_lock(&vm->lock);
		con = vdevs_stdin(&vm->vdevs);
		if (con) {
			virtio_console_input(con, buf, (size_t)n);
		} else {
			for (ssize_t i = 0; i < n; i++)
				uart_receive(&vm->com1, buf[i]);
			com1_update_irq(vm);
		}
		pthread_mutex_unlock(&vm->lock);
	}
}

static void devices_reset(struct dm_vm *vm)
{
	const struct dm_config *cfg = vm->cfg;

	fflush(stdout);
	uart_init(&vm->com1, com1_tx, vm);
	vm->com1_on = cfg->com[0].present;
	rtc_init(&vm->rtc);
	pcicfg_init(&vm->pci);
	for (unsigned i = 0; i < cfg->ndevs; i++) {
		const struct dm_dev *d = &cfg->dev[i];

		if (d->kind == DM_DEV_HOSTBRIDGE)	/* as acrn-dm's hostbridge */
			pcicfg_add(&vm->pci, d->slot, d->fn, 0x8086, 0x5AF0, 0x060000, 0);
		else if (d->kind == DM_DEV_LPC)		/* an ISA bridge (PIIX3-like) */
			pcicfg_add(&vm->pci, d->slot, d->fn, 0x8086, 0x7000, 0x060100, 0);
	}
	if (vdevs_attach(&vm->vdevs, &vm->pci, &vm->gmem, inject_msi, vm))
		fprintf(stderr, "bulkhead-dm: a virtio device could not be attached\n");
	vm->pm1_sts = vm->pm1_en = 0;
	vm->pm1_cnt = PM1_SCI_EN;
	if (vm->irq_line) {
		vm->irq_line = false;
		set_irq_line(vm, DM_COM1_IRQ, false);
	}
}

static uint32_t pio_in(struct dm_vm *vm, uint32_t port, unsigned size)
{
	if (vm->com1_on && port >= COM1_BASE && port < COM1_BASE + 8 && size == 1) {
		uint8_t v = uart_read(&vm->com1, port - COM1_BASE);

		com1_update_irq(vm);
		return v;
	}
	if ((port == RTC_BASE || port == RTC_BASE + 1) && size == 1)
		return rtc_read(&vm->rtc, port, time(NULL));
	if (port >= DM_PM1A_EVT && port + size <= DM_PM1A_EVT + 4) {
		uint32_t all = vm->pm1_sts | (uint32_t)vm->pm1_en << 16;

		return (all >> ((port - DM_PM1A_EVT) * 8)) & (size >= 4 ? ~0U : (1U << (size * 8)) - 1);
	}
	if (port == DM_PM1A_CNT && size <= 2)
		return vm->pm1_cnt & (size == 1 ? 0xFF : 0xFFFF);
	vm->unclaimed_reads++;
	return ~0U;
}

static void pio_out(struct dm_vm *vm, uint32_t port, unsigned size, uint32_t v)
{
	if (vm->com1_on && port >= COM1_BASE && port < COM1_BASE + 8 && size == 1) {
		uart_write(&vm->com1, port - COM1_BASE, (uint8_t)v);
		com1_update_irq(vm);
		return;
	}
	if ((port == RTC_BASE || port == RTC_BASE + 1) && size == 1) {
		rtc_write(&vm->rtc, port, (uint8_t)v, time(NULL));
		return;
	}
	if (port >= DM_PM1A_EVT && port + size <= DM_PM1A_EVT + 4) {
		for (unsigned i = 0; i < size; i++) {
			unsigned at = port - DM_PM1A_EVT + i;
			uint8_t b = (uint8_t)(v >> (i * 8));

			if (at < 2)	/* status: write 1 to clear */
				vm->pm1_sts &= (uint16_t)~((unsigned)b << (at * 8));
			else
				vm->pm1_en = (uint16_t)((vm->pm1_en & ~(0xFFu << ((at - 2) * 8))) |
							((unsigned)b << ((at - 2) * 8)));
		}
		return;
	}
	if (port == DM_PM1A_CNT && size <= 2) {
		vm->pm1_cnt = (uint16_t)((v & ~PM1_SLP_EN) | PM1_SCI_EN);
		if ((v & PM1_SLP_EN) && ((v >> 10) & 7) == DM_S5_SLP_TYP)
			vm->power_off = true;
		return;
	}
	if (port == DM_RESET_PORT && size == 1) {
		if (v & 0x04)	/* RST_CPU (with SYS_RST: 6, the FADT's value) */
			vm->reset = true;
		return;
	}
	vm->unclaimed_writes++;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void serve_one(struct dm_vm *vm, struct acrn_io_request *req)
{
	if (req->type < 4)
		vm->by_type[req->type]++;
	switch (req->type) {
	case ACRN_IOREQ_TYPE_PORTIO: {
		struct acrn_pio_request *p = &req->reqs.pio_request;
		unsigned size = (unsigned)p->size;

		if (p->direction == ACRN_IOREQ_DIR_READ)
			p->value = pio_in(vm, (uint32_t)p->address, size) & (uint32_t)size_mask(size);
		else
			pio_out(vm, (uint32_t)p->address, size, p->value & (uint32_t)size_mask(size));
		break;
	}
	case ACRN_IOREQ_TYPE_PCICFG: {
		struct acrn_pci_request *c = &req->reqs.pci_request;

		if (c->direction == ACRN_IOREQ_DIR_READ)
			c->value = pcicfg_read(&vm->pci, (unsigned)c->bus, (unsigned)c->dev,
					       (unsigned)c->func, (unsigned)c->reg, (unsigned)c->size);
		else
			pcicfg_write(&vm->pci, (unsigned)c->bus, (unsigned)c->dev, (unsigned)c->func,
				     (unsigned)c->reg, (unsigned)c->size, c->value);
		break;
	}
	case ACRN_IOREQ_TYPE_MMIO: {
		struct acrn_mmio_request *m = &req->reqs.mmio_request;
		unsigned size = (unsigned)m->size;
		uint64_t v = m->value;

		if (m->address >= DM_ECAM_BASE && m->address < DM_ECAM_BASE + DM_ECAM_SIZE &&
		    size <= 4) {
			unsigned bus, dev, fn, reg;

			pcicfg_ecam_decode(m->address - DM_ECAM_BASE, &bus, &dev, &fn, &reg);
			if (m->direction == ACRN_IOREQ_DIR_READ)
				m->value = pcicfg_read(&vm->pci, bus, dev, fn, reg, size);
			else
				pcicfg_write(&vm->pci, bus, dev, fn, reg, size, (uint32_t)m->value);
		} else if (vdevs_mmio(&vm->vdevs, m->address, size, m->direction == ACRN_IOREQ_DIR_WRITE,
				      &v)) {
			if (m->direction == ACRN_IOREQ_DIR_READ)
				m->value = v & size_mask(size);
		} else if (m->direction == ACRN_IOREQ_DIR_READ) {
			vm->unclaimed_reads++;
			m->value = size_mask(size);
		} else {
			vm->unclaimed_writes++;
		}
		break;
	}
	default:
		break;
	}
}

/* ---- the loop ---- */

enum serve_end { END_POWER_OFF, END_RESET, END_SIGNAL, END_ERROR };

static enum serve_end serve(struct dm_vm *vm)
{
	for (;;) {
		if (stop_signal)
			return END_SIGNAL;
		if (ioctl(vm->hsm, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "bulkhead-dm: ATTACH_IOREQ_CLIENT: %m\n");
			return END_ERROR;
		}
		for (unsigned i = 0; i < vm->vcpu_num && i < ACRN_IO_REQUEST_MAX; i++) {
			struct acrn_io_request *req = &vm->iobuf->req_slot[i];
			struct acrn_ioreq_notify n = { .vmid = vm->vmid, .vcpu = i };

			if (__atomic_load_n(&req->processed, __ATOMIC_ACQUIRE) !=
			    ACRN_IOREQ_STATE_PROCESSING || req->kernel_handled)
				continue;
			pthread_mutex_lock(&vm->lock);
			serve_one(vm, req);
			pthread_mutex_unlock(&vm->lock);
			/*
			 * Reset: the request is left open; the caller pauses the VM,
			 * clears the requests and resets it. Power off: completed, as
			 * any other; the guest runs on (Linux spins with interrupts off
			 * after its S5 write) until PAUSE_VM takes its vCPUs off their
			 * pCPUs (the hypervisor follows an unanswered kick with NMIs).
			 */
			if (vm->reset)
				return END_RESET;
			if (hioctl(vm, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n))
				vm->notify_fail++;
			if (vm->power_off)
				return END_POWER_OFF;
			/* the guest runs on while the devices do what it asked */
			pthread_mutex_lock(&vm->lock);
			vdevs_run(&vm->vdevs);
			vdevs_kick_sync(&vm->vdevs);	/* ioeventfds follow the queues */
			pthread_mutex_unlock(&vm->lock);
		}
	}
}

static int vm_reboot(struct dm_vm *vm)
{
	int e;

	vm->resets++;
	fflush(stdout);
	fprintf(stderr, "bulkhead-dm: %s: the guest reset itself: RESET_VM and boot again\n",
		vm->cfg->name);
	/* the lock from the pause to the devices' reset: no back-end thread injects meanwhile */
	pthread_mutex_lock(&vm->lock);
	if ((e = hioctl(vm, ACRN_IOCTL_PAUSE_VM, NULL))) {
		pthread_mutex_unlock(&vm->lock);
		fprintf(stderr, "bulkhead-dm: reset: %s\n", strerror(e));
		return -1;
	}
	/* passthrough functions go back and come again: reset, their vPCI state fresh */
	pt_deassign(&vm->pt, vm->hsm);
	if ((e = hioctl(vm, ACRN_IOCTL_CLEAR_VM_IOREQ, NULL)) ||
	    (e = hioctl(vm, ACRN_IOCTL_RESET_VM, NULL))) {
		pthread_mutex_unlock(&vm->lock);
		fprintf(stderr, "bulkhead-dm: reset: %s\n", strerror(e));
		return -1;
	}
	if (pt_assign(&vm->pt, vm->hsm)) {
		pthread_mutex_unlock(&vm->lock);
		return -1;
	}
	vm->reset = false;
	devices_reset(vm);
	pthread_mutex_unlock(&vm->lock);
	memset(vm->ram, 0, vm->mem);
	if (boot_setup(vm))
		return -1;
	e = start_vm(vm, " after the reset");
	if (e) {
		fprintf(stderr, "bulkhead-dm: START_VM after the reset: %s\n", strerror(e));
		return -1;
	}
	return 0;
}

int dm_launch(const struct dm_config *cfg)
{
	static struct dm_vm vmstore;
	struct dm_vm *vm = &vmstore;
	struct acrn_vm_creation cv;
	struct sigaction sa;
	unsigned long long free_before, free_after;
	uint64_t affinity;
	enum serve_end end = END_ERROR;
	pthread_t thr;
	int e, status = EXIT_FAIL;
	bool created = false, client = false;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->memfd = -1;
	vm->mem = cfg->mem_bytes;
	pthread_mutex_init(&vm->lock, NULL);
	if (vm->mem > DM_PCI_HOLE) {
		fprintf(stderr, "bulkhead-dm: -m: at most %llu MiB of guest RAM for now (no RAM "
			"above 4 GiB yet)\n", DM_PCI_HOLE >> 20);
		return EXIT_FAIL;
	}
	vm->kernel = read_whole(cfg->kernel, &vm->kernel_size);
	if (!vm->kernel) {
		fprintf(stderr, "bulkhead-dm: -k %s: cannot read it\n", cfg->kernel);
		return EXIT_FAIL;
	}
	if (cfg->initrd && !(vm->initrd = read_whole(cfg->initrd, &vm->initrd_size))) {
		fprintf(stderr, "bulkhead-dm: -r %s: cannot read it\n", cfg->initrd);
		return EXIT_FAIL;
	}

	if (vdevs_open(&vm->vdevs, cfg)) {
		vdevs_close(&vm->vdevs);
		return EXIT_FAIL;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: a signal ends ATTACH's wait */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	{
		char err[PT_WHY_LEN + 200];

		if (pt_claim(&vm->pt, cfg, PT_SYSFS_ROOT, err, sizeof(err))) {
			fprintf(stderr, "bulkhead-dm: %s\n", err);
			vdevs_close(&vm->vdevs);
			return EXIT_FAIL;
		}
		vm->nr_prt = pt_prt(&vm->pt, vm->prt, PT_MAX);
	}

	vm->hsm = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	if (vm->hsm < 0) {
		fprintf(stderr, "bulkhead-dm: %s: %m (is this bulkhead's Service VM?)\n", HSM_DEV);
		pt_release(&vm->pt);
		return EXIT_FAIL;
	}
	affinity = affinity_mask(cfg);
	for (unsigned i = 0; i < cfg->ncpus; i++)
		if (cfg->cpu_lapic[i] >= 64) {
			fprintf(stderr, "bulkhead-dm: --cpu_affinity %u: LAPIC ids above 63 are not "
				"supported\n", cfg->cpu_lapic[i]);
			goto out;
		}
	vm->iobuf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->iobuf == MAP_FAILED) {
		vm->iobuf = NULL;
		goto out;
	}
	memset(vm->iobuf, 0, 4096);
	memset(&cv, 0, sizeof(cv));
	memcpy(&cv.uuid, cfg->name, strlen(cfg->name));	/* acrn-dm's name[16] */
	cv.ioreq_buf = (uint64_t)(uintptr_t)vm->iobuf;
	cv.cpu_affinity = affinity;
	free_before = hv_free_bytes();
	e = hioctl(vm, ACRN_IOCTL_CREATE_VM, &cv);
	for (unsigned tries = 0; e == EINVAL && tries < (cfg->ncpus ? cfg->ncpus : 1) &&
	     !give_up_one_cpu(); tries++) {
		free_before = hv_free_bytes();
		e = hioctl(vm, ACRN_IOCTL_CREATE_VM, &cv);
	}
	if (e) {
		fprintf(stderr, "bulkhead-dm: CREATE_VM %s (cpu_affinity %#llx): %s\n", cfg->name,
			(unsigned long long)affinity, strerror(e));
		goto out;
	}
	created = true;
	vm->vmid = cv.vmid;
	vm->vcpu_num = cv.vcpu_num;
	fprintf(stderr, "bulkhead-dm: %s: VM %u created, %u vCPU(s)\n", cfg->name, vm->vmid,
		vm->vcpu_num);
	if (ram_alloc(vm))
		goto out;
	devices_reset(vm);
	if (boot_setup(vm))
		goto out;
	e = hioctl(vm, ACRN_IOCTL_CREATE_IOREQ_CLIENT, NULL);
	if (e) {
		fprintf(stderr, "bulkhead-dm: CREATE_IOREQ_CLIENT: %s\n", strerror(e));
		goto out;
	}
	client = true;
	/* receive threads (virtio-net), kick thread (",ioeventfd" devices), passthrough functions */
	if (vdevs_start(&vm->vdevs, &vm->lock, vm->hsm) ||
	    vdevs_kick_start(&vm->vdevs, vm->hsm, &vm->lock) || pt_assign(&vm->pt, vm->hsm))
		goto out;
	if (((vm->com1_on && cfg->com[0].backend == DM_CHR_STDIO) || vdevs_stdin(&vm->vdevs)) &&
	    pthread_create(&thr, NULL, stdin_thread, vm) == 0)
		pthread_detach(thr);
	e = start_vm(vm, "");
	if (e) {
		fprintf(stderr, "bulkhead-dm: START_VM: %s\n", strerror(e));
		goto out;
	}
	for (;;) {
		end = serve(vm);
		if (end != END_RESET || vm_reboot(vm))
			break;
	}
out:
	fflush(stdout);
	vdevs_stop(&vm->vdevs);		/* their threads touch the VM: gone before it is */
	if (created) {
		if ((e = hioctl(vm, ACRN_IOCTL_PAUSE_VM, NULL)))
			fprintf(stderr, "bulkhead-dm: PAUSE_VM: %s\n", strerror(e));
		vdevs_kick_stop(&vm->vdevs);
		pt_deassign(&vm->pt, vm->hsm);
		if (client && (e = hioctl(vm, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, NULL)))
			fprintf(stderr, "bulkhead-dm: DESTROY_IOREQ_CLIENT: %s\n", strerror(e));
		if ((e = hioctl(vm, ACRN_IOCTL_DESTROY_VM, NULL)))
			fprintf(stderr, "bulkhead-dm: DESTROY_VM: %s\n", strerror(e));
	}
	vdevs_close(&vm->vdevs);
	pt_release(&vm->pt);		/* the hypervisor gave them back (DESTROY_VM at the latest) */
	ram_free(vm);
	if (vm->iobuf)
		munmap(vm->iobuf, 4096);
	close(vm->hsm);
	if (created) {
		free_after = hv_free_bytes();
		fprintf(stderr, "bulkhead-dm: %s: %llu requests (%llu port I/O, %llu MMIO, %llu PCI "
			"config), %llu unclaimed reads, %llu unclaimed writes, %llu SET_IRQLINE, "
			"%llu COM1 bytes out, %llu resets, %llu NOTIFY failures\n", cfg->name,
			(unsigned long long)(vm->by_type[0] + vm->by_type[1] + vm->by_type[2] + vm->by_type[3]),
			(unsigned long long)vm->by_type[ACRN_IOREQ_TYPE_PORTIO],
			(unsigned long long)vm->by_type[ACRN_IOREQ_TYPE_MMIO],
			(unsigned long long)vm->by_type[ACRN_IOREQ_TYPE_PCICFG],
			(unsigned long long)vm->unclaimed_reads, (unsigned long long)vm->unclaimed_writes,
			(unsigned long long)vm->irqline_calls, (unsigned long long)vm->com1.tx_bytes,
			(unsigned long long)vm->resets, (unsigned long long)vm->notify_fail);
		fprintf(stderr, "bulkhead-dm: hypervisor free memory %llu KiB after DESTROY_VM, "
			"%llu KiB before CREATE_VM%s\n", free_after >> 10, free_before >> 10,
			free_after == free_before ? "" : " (NOT all given back)");
	}
	if (end == END_POWER_OFF) {
		fprintf(stderr, "bulkhead-dm: %s powered off (ACPI S5)\n", cfg->name);
		status = 0;
	} else if (end == END_SIGNAL) {
		fprintf(stderr, "bulkhead-dm: %s stopped by signal %d\n", cfg->name, (int)stop_signal);
		status = 128 + stop_signal;
	}
	free(vm->kernel);
	free(vm->initrd);
	return status;
}
