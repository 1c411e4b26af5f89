/*
 * virtio-net's vhost path against a fake kernel (every ioctl recorded): the
 * rings handed to vhost at DRIVER_OK with guest RAM's host addresses, the
 * ioeventfds on the notify addresses (datamatch the queue index), irqfds
 * with the queues' MSI-X messages; a masked vector loses its irqfd and
 * vhost's signal waits in the PBA until the unmask; a changed message or a
 * moved BAR re-registers; a stray kick is passed on; a reset stops it all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/acrn.h>
#include <linux/vhost.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm_log.h"
#include "vdev.h"
#include "vp_driver.h"

#define BAR	0xC0000000ULL
#define BAR2	0xC1000000ULL
#define RAM	(1u << 20)
#define QSIZE	16u
#define Q0	0x1000u
#define Q1	0x9000u

static struct pcicfg pci;
static struct gmem mem;
static struct vdev d;
static struct dm_dev cfg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int peer, hsm;
static unsigned nmsi;

/* what the fake kernel was told */
static struct {
	int owner;
	uint64_t features;
	struct vhost_memory_region region;
	unsigned num[2], base_set[2], base_got[2];
	struct vhost_vring_addr addr[2];
	int kick[2], call[2], backend[2];
	uint64_t ioev_addr[2];		/* 0: none */
	unsigned ioev_len[2], ioev_data[2], ioev_calls;
	bool irq_on[2];
	uint32_t irq_data[2];
	unsigned irq_calls;
} k;

static int fake_ioctl(int fd, unsigned long req, void *arg);

/* ioeventfd.c's one call into the kernel, here the fake's */
int dm_hsm_ioeventfd(int fd, struct acrn_ioeventfd *a)
{
	return fake_ioctl(fd, ACRN_IOCTL_IOEVENTFD, a) ? errno : 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd == hsm && req == ACRN_IOCTL_IOEVENTFD) {
		struct acrn_ioeventfd *e = arg;
		unsigned q = (unsigned)e->data;

		assert_true(q < 2 && (e->flags & ACRN_IOEVENTFD_FLAG_DATAMATCH));
		assert_false(e->flags & ACRN_IOEVENTFD_FLAG_PIO);
		assert_int_equal((int)e->fd, k.kick[q]);
		k.ioev_calls++;
		if (e->flags & ACRN_IOEVENTFD_FLAG_DEASSIGN) {
			assert_int_equal(e->addr, k.ioev_addr[q]);
			k.ioev_addr[q] = 0;
		} else {
			assert_int_equal(k.ioev_addr[q], 0);
			k.ioev_addr[q] = e->addr;
			k.ioev_len[q] = e->len;
			k.ioev_data[q] = (unsigned)e->data;
		}
		return 0;
	}
	if (fd == hsm && req == ACRN_IOCTL_IRQFD) {
		struct acrn_irqfd *f = arg;
		unsigned q = f->fd == k.call[0] ? 0 : 1;

		assert_true(f->fd == k.call[q]);
		k.irq_calls++;
		if (f->flags & ACRN_IRQFD_FLAG_DEASSIGN) {
			assert_true(k.irq_on[q]);
			k.irq_on[q] = false;
		} else {
			assert_false(k.irq_on[q]);
			assert_int_equal(f->msi.msi_addr, 0xFEE00000);
			k.irq_on[q] = true;
			k.irq_data[q] = (uint32_t)f->msi.msi_data;
		}
		return 0;
	}
	assert_true(fd != hsm);
	switch (req) {
	case VHOST_SET_OWNER: k.owner++; return 0;
	case VHOST_GET_FEATURES: *(uint64_t *)arg = ~0ULL >> 2; return 0;
	case VHOST_SET_FEATURES: k.features = *(uint64_t *)arg; return 0;
	case VHOST_SET_MEM_TABLE: {
		struct vhost_memory *m = arg;

		assert_int_equal(m->nregions, 1);
		k.region = m->regions[0];
		return 0;
	}
	case VHOST_SET_VRING_NUM: k.num[((struct vhost_vring_state *)arg)->index] = ((struct vhost_vring_state *)arg)->num; return 0;
	case VHOST_SET_VRING_BASE: k.base_set[((struct vhost_vring_state *)arg)->index]++; return 0;
	case VHOST_GET_VRING_BASE: k.base_got[((struct vhost_vring_state *)arg)->index]++; return 0;
	case VHOST_SET_VRING_ADDR: k.addr[((struct vhost_vring_addr *)arg)->index] = *(struct vhost_vring_addr *)arg; return 0;
	case VHOST_SET_VRING_KICK: k.kick[((struct vhost_vring_file *)arg)->index] = ((struct vhost_vring_file *)arg)->fd; return 0;
	case VHOST_SET_VRING_CALL: k.call[((struct vhost_vring_file *)arg)->index] = ((struct vhost_vring_file *)arg)->fd; return 0;
	case VHOST_NET_SET_BACKEND: k.backend[((struct vhost_vring_file *)arg)->index] = ((struct vhost_vring_file *)arg)->fd; return 0;
	default: fail(); return -1;
	}
}

static int inject(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	nmsi++;
	return 0;
}

static void sink(const char *line) { (void)line; }
static void wr(unsigned off, unsigned size, uint64_t v) { virtio_pci_write(&d.vp, BAR + off, size, v); }
static uint64_t rd(unsigned off, unsigned size) { return virtio_pci_read(&d.vp, BAR + off, size); }

/* What the serving loop does after each request. */
static void after_request(void)
{
	virtio_pci_run(&d.vp);
	virtio_net_sync(&d);
}

static void locked_wr(unsigned off, unsigned size, uint64_t v)
{
	pthread_mutex_lock(&lock);
	wr(off, size, v);
	after_request();
	pthread_mutex_unlock(&lock);
}

static unsigned attach_starts;

/* After each queue's setup and DRIVER_OK: the owner is set, nothing starts before DRIVER_OK. */
static void attach_step(void)
{
	after_request();
	assert_int_equal(k.owner, 1);
	if (rd(0x14, 1) != 0xF)
		assert_int_equal(k.base_set[0], attach_starts);
}

static void attach(void)
{
	static const struct vpd_queue qs[2] = {
		{ Q0, Q0 + 0x2000, Q0 + 0x3000, 1 },
		{ Q1, Q1 + 0x2000, Q1 + 0x3000, 2 },
	};

	attach_starts = k.base_set[0];
	pcicfg_init(&pci);
	memset(mem.base, 0, RAM);
	assert_int_equal(virtio_pci_init(&d.vp, &d.desc, &d, &pci, 7, 0, &mem, inject, NULL), 0);
	vp_driver_attach(&d.vp, &pci, 7, BAR, 3, VPD_NO_VECTOR, QSIZE, 2, qs, attach_step);
	assert_int_equal(rd(0x14, 1), 0xF);
}

static bool wait_pba(uint32_t bit)
{
	for (int i = 0; i < 200; i++) {
		uint32_t pba;

		pthread_mutex_lock(&lock);
		pba = d.vp.pba;
		pthread_mutex_unlock(&lock);
		if (pba & bit)
			return true;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return false;
}

static int setup(void **state)
{
	char why[160];
	int sv[2];

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&cfg, 0, sizeof(cfg));
	memset(&k, 0, sizeof(k));
	nmsi = 0;
	if (!mem.base)
		mem = (struct gmem){ calloc(1, RAM), RAM };
	dm_log_set_sink(sink);
	vhost_net_set_ioctl(fake_ioctl, "/dev/null");
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	peer = sv[1];
	hsm = open("/dev/null", O_RDWR);
	cfg.kind = DM_DEV_VIRTIO_NET;
	cfg.slot = 7;
	cfg.net.vhost = true;
	strcpy(cfg.net.ifname, "tap1");
	d.fd = -1;
	assert_int_equal(virtio_net_open_fd(&d, &cfg, "vm1", sv[0], why, sizeof(why)), 0);
	assert_int_equal(virtio_net_start(&d, &lock, hsm), 0);
	attach();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_net_close(&d);
	close(peer);
	close(hsm);
	vhost_net_set_ioctl(NULL, NULL);
	return 0;
}

static void test_start(void **state)
{
	uintptr_t base = (uintptr_t)mem.base;

	(void)state;
	assert_int_equal(k.features, d.vp.driver_features);
	assert_true(k.features & (1ULL << VIRTIO_F_VERSION_1));
	assert_int_equal(k.region.guest_phys_addr, 0);
	assert_int_equal(k.region.memory_size, RAM);
	assert_int_equal(k.region.userspace_addr, base);
	for (unsigned q = 0; q < 2; q++) {
		uint32_t qb = q ? Q1 : Q0;

		assert_int_equal(k.num[q], QSIZE);
		assert_int_equal(k.base_set[q], 1);
		assert_int_equal(k.addr[q].desc_user_addr, base + qb);
		assert_int_equal(k.addr[q].avail_user_addr, base + qb + 0x2000);
		assert_int_equal(k.addr[q].used_user_addr, base + qb + 0x3000);
		assert_true(k.kick[q] >= 0 && k.call[q] >= 0);
		assert_int_equal(k.backend[q], d.net->tap);
		assert_int_equal(k.ioev_addr[q], BAR + VP_NOTIFY + q * VP_NOTIFY_MULT);
		assert_int_equal(k.ioev_len[q], 2);
		assert_int_equal(k.ioev_data[q], q);
		assert_true(k.irq_on[q]);
		assert_int_equal(k.irq_data[q], 0x41 + q);
	}
	assert_int_equal(nmsi, 0);
	/* nothing changes: nothing re-registered */
	locked_wr(0x16, 2, 0);
	assert_int_equal(k.ioev_calls, 2);
	assert_int_equal(k.irq_calls, 2);
}

static void test_masked_vector(void **state)
{
	uint64_t one = 1;

	(void)state;
	/* the receive queue's vector (1) masked: its irqfd goes */
	locked_wr(VP_MSIX_TABLE + 16 + 12, 4, 1);
	assert_false(k.irq_on[0]);
	assert_true(k.irq_on[1]);
	/* vhost signals: the thread here keeps it pending */
	assert_int_equal(write(k.call[0], &one, 8), 8);
	assert_true(wait_pba(1u << 1));
	assert_int_equal(nmsi, 0);
	/* unmasked: sent by the transport, the irqfd back */
	locked_wr(VP_MSIX_TABLE + 16 + 12, 4, 0);
	assert_int_equal(nmsi, 1);
	assert_int_equal(d.vp.pba, 0);
	assert_true(k.irq_on[0]);
	assert_int_equal(k.irq_data[0], 0x41);
	/* the whole function masked: both go; MSI-X off: the same */
	pthread_mutex_lock(&lock);
	pcicfg_write(&pci, 0, 7, 0, VP_CAP_MSIX + 2, 2, 0xC000);
	after_request();
	pthread_mutex_unlock(&lock);
	assert_false(k.irq_on[0]);
	assert_false(k.irq_on[1]);
	pthread_mutex_lock(&lock);
	pcicfg_write(&pci, 0, 7, 0, VP_CAP_MSIX + 2, 2, 0x8000);
	after_request();
	pthread_mutex_unlock(&lock);
	assert_true(k.irq_on[0] && k.irq_on[1]);
}

static void test_message_and_bar_move(void **state)
{
	uint64_t c = 0;

	(void)state;
	/* the transmit queue's vector (2) gets a new message: re-registered */
	locked_wr(VP_MSIX_TABLE + 32 + 8, 4, 0x77);
	assert_true(k.irq_on[1]);
	assert_int_equal(k.irq_data[1], 0x77);
	assert_int_equal(k.irq_data[0], 0x41);
	/* the BAR moves: the ioeventfds follow */
	pthread_mutex_lock(&lock);
	pcicfg_write(&pci, 0, 7, 0, 0x10, 4, (uint32_t)BAR2);
	after_request();
	pthread_mutex_unlock(&lock);
	assert_int_equal(k.ioev_addr[0], BAR2 + VP_NOTIFY);
	assert_int_equal(k.ioev_addr[1], BAR2 + VP_NOTIFY + VP_NOTIFY_MULT);
	/* a kick that reached the device model: passed on */
	pthread_mutex_lock(&lock);
	while (read(k.kick[1], &c, 8) == 8)
		;
	virtio_pci_write(&d.vp, BAR2 + VP_NOTIFY + VP_NOTIFY_MULT, 2, 1);
	virtio_pci_run(&d.vp);
	pthread_mutex_unlock(&lock);
	assert_int_equal(read(k.kick[1], &c, 8), 8);
	assert_int_equal(c, 1);
}

static void test_reset_stops(void **state)
{
	(void)state;
	locked_wr(0x14, 1, 0);
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(k.backend[q], -1);
		assert_int_equal(k.base_got[q], 1);
		assert_int_equal(k.ioev_addr[q], 0);
		assert_false(k.irq_on[q]);
	}
	/* the driver again: started afresh, base 0 */
	attach();
	assert_int_equal(k.base_set[0], 2);
	assert_int_equal(k.backend[0], d.net->tap);
	assert_true(k.irq_on[0] && k.irq_on[1]);
	/* a VM reset (attach again) stops it too; so does the end */
	pthread_mutex_lock(&lock);
	pcicfg_init(&pci);
	assert_int_equal(virtio_pci_init(&d.vp, &d.desc, &d, &pci, 7, 0, &mem, inject, NULL), 0);
	pthread_mutex_unlock(&lock);
	assert_int_equal(k.base_got[0], 2);
	assert_int_equal(k.backend[1], -1);
	assert_false(k.irq_on[0]);
}

static void test_stop_at_exit(void **state)
{
	(void)state;
	virtio_net_stop(&d);
	assert_int_equal(k.backend[0], -1);
	assert_int_equal(k.ioev_addr[1], 0);
	assert_false(k.irq_on[1]);
}

static void test_no_vhost_device(void **state)
{
	char why[160];
	struct vdev e;

	(void)state;
	memset(&e, 0, sizeof(e));
	vhost_net_set_ioctl(fake_ioctl, "/nonexistent/vhost-net");
	assert_int_equal(virtio_net_open_fd(&e, &cfg, "vm1", dup(peer), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/nonexistent/vhost-net"));
	virtio_net_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_masked_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_and_bar_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_at_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vhost_device, setup, teardown),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	free(mem.base);
	return r;
}
