/*
 * ioeventfds of the user-space back-ends (ioeventfd.c) against a stand-in
 * for the Service VM kernel: a queue's notify is registered when the driver
 * makes the device live, moves with the BAR, goes on reset; the kick thread
 * takes what an eventfd says and has the queue processed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/acrn.h>
#include <cmocka.h>

#include "dm_log.h"
#include "vdev.h"

#define BAR	0xC0000000ULL
#define RAM	(1u << 20)

static struct pcicfg pci;
static struct gmem mem;
static struct vdevs set;
static struct dm_config cfg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* the kernel's view: what is registered (one queue here), and calls seen */
static struct { bool on; int fd; uint64_t addr, data; unsigned len; } kernel;
static unsigned calls, fail_next;

int dm_hsm_ioeventfd(int hsm, struct acrn_ioeventfd *a)
{
	(void)hsm;
	calls++;
	if (fail_next) {
		fail_next = 0;
		return EEXIST;
	}
	if (a->flags & ACRN_IOEVENTFD_FLAG_DEASSIGN) {
		assert_true(kernel.on);
		assert_int_equal(a->fd, kernel.fd);
		kernel.on = false;
		return 0;
	}
	assert_false(kernel.on);			/* never twice for one eventfd */
	assert_int_equal(a->flags, ACRN_IOEVENTFD_FLAG_DATAMATCH);	/* MMIO, queue index */
	kernel.on = true;
	kernel.fd = (int)a->fd;
	kernel.addr = a->addr;
	kernel.data = a->data;
	kernel.len = a->len;
	return 0;
}

static int inject(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx, (void)addr, (void)data;
	return 0;
}

static void sink(const char *line) { (void)line; }
static struct virtio_pci *vp(void) { return &set.dev[0].vp; }
static void wr(unsigned off, unsigned size, uint64_t v) { virtio_pci_write(vp(), BAR + off, size, v); }
static void sync_now(void)
{
	pthread_mutex_lock(&lock);
	vdevs_kick_sync(&set);
	pthread_mutex_unlock(&lock);
}

static int setup(void **state)
{
	char err[128];

	(void)state;
	dm_log_set_sink(sink);
	memset(&cfg, 0, sizeof(cfg));
	memset(&kernel, 0, sizeof(kernel));
	calls = fail_next = 0;
	assert_int_equal(dm_parse_slot("4,virtio-rnd,ioeventfd", &cfg.dev[0], err, sizeof(err)), 0);
	cfg.ndevs = 1;
	mem = (struct gmem){ calloc(1, RAM), RAM };
	pcicfg_init(&pci);
	assert_int_equal(vdevs_open(&set, &cfg), 0);
	assert_int_equal(vdevs_attach(&set, &pci, &mem, inject, NULL), 0);
	pcicfg_write(&pci, 0, 4, 0, 0x10, 4, (uint32_t)BAR);
	pcicfg_write(&pci, 0, 4, 0, 0x04, 2, 0x6);
	assert_int_equal(vdevs_kick_start(&set, -1, &lock), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vdevs_kick_stop(&set);
	vdevs_close(&set);
	free(mem.base);
	dm_log_set_sink(NULL);
	return 0;
}

/* The driver's steps for queue 0 (rings in zeroed RAM), then DRIVER_OK. */
static void driver_live(void)
{
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x08, 4, 1);
	wr(0x0C, 4, 1);				/* VERSION_1 */
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	wr(0x16, 2, 0);
	wr(0x18, 2, 16);
	wr(0x20, 8, 0x1000);
	wr(0x28, 8, 0x3000);
	wr(0x30, 8, 0x4000);
	wr(0x1C, 2, 1);
	sync_now();
	assert_false(kernel.on);		/* enabled is not enough: not live yet */
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	   VIRTIO_STATUS_DRIVER_OK);
	virtio_pci_run(vp());
	sync_now();
}

static void test_follows_the_queue(void **state)
{
	(void)state;
	assert_false(kernel.on);
	driver_live();
	assert_true(kernel.on);
	assert_int_equal(kernel.addr, BAR + VP_NOTIFY);
	assert_int_equal(kernel.data, 0);
	assert_int_equal(kernel.len, 2);
	assert_int_equal(kernel.fd, set.dev[0].kick[0].efd);
	/* nothing changed: no call */
	calls = 0;
	sync_now();
	assert_int_equal(calls, 0);
	/* the BAR moved: taken away and registered at the new place */
	pcicfg_write(&pci, 0, 4, 0, 0x10, 4, (uint32_t)BAR + 0x10000);
	sync_now();
	assert_true(kernel.on);
	assert_int_equal(kernel.addr, BAR + 0x10000 + VP_NOTIFY);
	pcicfg_write(&pci, 0, 4, 0, 0x10, 4, (uint32_t)BAR);
	sync_now();
	/* reset: gone */
	wr(0x14, 1, 0);
	sync_now();
	assert_false(kernel.on);
}

static void test_refused_registration_keeps_the_slow_path(void **state)
{
	(void)state;
	fail_next = 1;
	driver_live();
	assert_false(kernel.on);		/* refused: the kick still comes as a request */
	assert_false(set.dev[0].kick[0].on);
	sync_now();				/* tried again after the next request */
	assert_true(kernel.on);
}

static void test_thread_takes_the_kick(void **state)
{
	uint64_t one = 1;
	struct timespec ts = { 0, 1000000 };

	(void)state;
	driver_live();
	assert_int_equal(write(set.dev[0].kick[0].efd, &one, sizeof(one)), sizeof(one));
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&lock);
		bool done = set.dev[0].evfd_kicks == 1;
		pthread_mutex_unlock(&lock);
		if (done)
			break;
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&lock);
	assert_int_equal(set.dev[0].evfd_kicks, 1);
	assert_int_equal(vp()->kicks, 1);	/* counted as the transport's kick */
	assert_int_equal(vp()->pending, 0);	/* and processed (no buffers: nothing more) */
	pthread_mutex_unlock(&lock);
	/* stop: the registration goes with it */
	vdevs_kick_stop(&set);
	assert_false(kernel.on);
	assert_false(set.dev[0].kick[0].open);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_follows_the_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_registration_keeps_the_slow_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_takes_the_kick, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
