/*
 * virtio-net behind the transport, as a guest drives it, on a socket pair in
 * place of the TAP (both pass whole frames with their 12-byte header): a
 * transmitted chain arrives on the other end; a frame sent from there lands
 * in a posted receive buffer with an MSI; with no buffer it is dropped and
 * counted; a transmit chain with a writable buffer stops the device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm_log.h"
#include "vdev.h"
#include "vp_driver.h"

#define BAR	0xC0000000ULL
#define RAM	(1u << 20)
#define QSIZE	16u
#define Q0	0x1000u		/* receiveq: desc, avail +0x2000, used +0x3000 */
#define Q1	0x9000u		/* transmitq, the same layout */

static struct pcicfg pci;
static struct gmem mem;
static struct vdev d;
static struct dm_dev cfg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int peer;
static unsigned nmsi;
static uint16_t avail_idx[2];

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
static uint32_t qbase(unsigned q) { return q ? Q1 : Q0; }

static void attach(void)
{
	static const struct vpd_queue qs[2] = {
		{ Q0, Q0 + 0x2000, Q0 + 0x3000, 1 },
		{ Q1, Q1 + 0x2000, Q1 + 0x3000, 2 },
	};

	pcicfg_init(&pci);
	memset(mem.base, 0, RAM);
	avail_idx[0] = avail_idx[1] = 0;
	nmsi = 0;
	assert_int_equal(virtio_pci_init(&d.vp, &d.desc, &d, &pci, 6, 0, &mem, inject, NULL), 0);
	vp_driver_attach(&d.vp, &pci, 6, BAR, 3, 0, QSIZE, 2, qs, NULL);
	assert_int_equal(rd(0x14, 1), 0xF);
}

static int setup(void **state)
{
	char why[128];
	int sv[2];

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&cfg, 0, sizeof(cfg));
	if (!mem.base)
		mem = (struct gmem){ calloc(1, RAM), RAM };
	dm_log_set_sink(sink);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	peer = sv[1];
	cfg.kind = DM_DEV_VIRTIO_NET;
	cfg.slot = 6;
	strcpy(cfg.net.ifname, "tap0");
	d.fd = -1;
	assert_int_equal(virtio_net_open_fd(&d, &cfg, "vm1", sv[0], why, sizeof(why)), 0);
	attach();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_net_close(&d);
	close(peer);
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	free(mem.base);
	mem.base = NULL;
	dm_log_set_sink(NULL);
	return 0;
}

static void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc v = { addr, len, flags, next };

	memcpy(mem.base + qbase(q) + 16 * i, &v, sizeof(v));
}

static void offer(unsigned q, uint16_t head)
{
	uint16_t *avail = (uint16_t *)(mem.base + qbase(q) + 0x2000);

	avail[2 + avail_idx[q] % QSIZE] = head;
	avail[1] = ++avail_idx[q];
}

static uint16_t used_idx(unsigned q) { return *(volatile uint16_t *)(mem.base + qbase(q) + 0x3002); }

static struct virtq_used_elem used(unsigned q, unsigned i)
{
	struct virtq_used_elem e;

	memcpy(&e, mem.base + qbase(q) + 0x3004 + 8 * i, sizeof(e));
	return e;
}

/* Wait (at most 2 s) until *p reaches want, reading it under the devices' lock. */
static bool wait_for(const uint64_t *p, uint64_t want)
{
	for (int i = 0; i < 200; i++) {
		uint64_t v;

		pthread_mutex_lock(&lock);
		v = *p;
		pthread_mutex_unlock(&lock);
		if (v >= want)
			return true;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return false;
}

static void test_config(void **state)
{
	uint8_t mac[6];

	(void)state;
	assert_int_equal(pcicfg_read(&pci, 0, 6, 0, 0, 4), 0x10411AF4);
	assert_int_equal(pcicfg_read(&pci, 0, 6, 0, 0x08, 4) >> 8, 0x020000);	/* Ethernet */
	net_mac_derive("vm1", 6, 0, mac);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rd(VP_DEVCFG + i, 1), mac[i]);
	assert_int_equal(rd(VP_DEVCFG + 6, 2), VIRTIO_NET_S_LINK_UP);
	assert_true(virtio_pci_has(&d.vp, VIRTIO_NET_F_MAC));
	assert_true(virtio_pci_has(&d.vp, VIRTIO_NET_F_STATUS));
	assert_false(d.vp.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_false(d.vp.features & 1);	/* no CSUM */
}

static void test_tx(void **state)
{
	uint8_t got[200];
	ssize_t k;

	(void)state;
	/* header in one buffer, the frame in two */
	memset(mem.base + 0x20000, 0, VIRTIO_NET_HDR_LEN);
	for (unsigned i = 0; i < 60; i++)
		mem.base[0x20100 + i] = (uint8_t)(0xA0 + i);
	desc(1, 0, 0x20000, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 1, 0x20100, 20, VIRTQ_DESC_F_NEXT, 2);
	desc(1, 2, 0x20114, 40, 0, 0);
	offer(1, 0);
	wr(VP_NOTIFY + VP_NOTIFY_MULT, 2, 1);
	virtio_pci_run(&d.vp);
	k = recv(peer, got, sizeof(got), 0);
	assert_int_equal(k, VIRTIO_NET_HDR_LEN + 60);
	for (unsigned i = 0; i < VIRTIO_NET_HDR_LEN; i++)
		assert_int_equal(got[i], 0);
	assert_memory_equal(got + VIRTIO_NET_HDR_LEN, mem.base + 0x20100, 60);
	assert_int_equal(used_idx(1), 1);
	assert_int_equal(used(1, 0).id, 0);
	assert_int_equal(d.net->tx_frames, 1);
	assert_int_equal(d.net->tx_bytes, 60);
	assert_int_equal(nmsi, 1);
	/* an offload nobody negotiated: dropped, the chain done, the device goes on */
	mem.base[0x20000] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	offer(1, 0);
	wr(VP_NOTIFY + VP_NOTIFY_MULT, 2, 1);
	virtio_pci_run(&d.vp);
	assert_int_equal(used_idx(1), 2);
	assert_int_equal(d.net->tx_drop, 1);
	assert_true(recv(peer, got, sizeof(got), 0) < 0);
	assert_int_equal(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_tx_writable_breaks(void **state)
{
	(void)state;
	desc(1, 0, 0x20000, VIRTIO_NET_HDR_LEN + 60, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 1, 0x21000, 16, VIRTQ_DESC_F_WRITE, 0);
	offer(1, 0);
	wr(VP_NOTIFY + VP_NOTIFY_MULT, 2, 1);
	virtio_pci_run(&d.vp);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(used_idx(1), 0);
	/* the driver resets it: the device is usable again */
	wr(0x14, 1, 0);
	assert_int_equal(rd(0x14, 1), 0);
}

static void test_rx(void **state)
{
	uint8_t pkt[VIRTIO_NET_HDR_LEN + 60];
	struct net_hdr h;

	(void)state;
	assert_int_equal(virtio_net_start(&d, &lock, -1), 0);
	/* one buffer posted, as Linux's small buffers: header and frame together */
	pthread_mutex_lock(&lock);
	desc(0, 0, 0x30000, VIRTIO_NET_HDR_LEN + 1514, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	pthread_mutex_unlock(&lock);
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	for (unsigned i = 0; i < 60; i++)
		pkt[VIRTIO_NET_HDR_LEN + i] = (uint8_t)i;
	assert_int_equal(send(peer, pkt, sizeof(pkt), 0), sizeof(pkt));
	assert_true(wait_for(&d.net->rx_frames, 1));
	pthread_mutex_lock(&lock);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(used(0, 0).len, VIRTIO_NET_HDR_LEN + 60);
	net_hdr_decode(mem.base + 0x30000, &h);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.num_buffers, 1);
	assert_memory_equal(mem.base + 0x30000 + VIRTIO_NET_HDR_LEN, pkt + VIRTIO_NET_HDR_LEN, 60);
	assert_int_equal(nmsi, 1);
	pthread_mutex_unlock(&lock);
	/* no buffer left: the next frame is dropped, counted */
	assert_int_equal(send(peer, pkt, sizeof(pkt), 0), sizeof(pkt));
	assert_true(wait_for(&d.net->rx_nobuf, 1));
	/* a runt: dropped as malformed, not a reason to stop the device */
	assert_int_equal(send(peer, pkt, VIRTIO_NET_HDR_LEN + 10, 0), VIRTIO_NET_HDR_LEN + 10);
	assert_true(wait_for(&d.net->rx_drop, 1));
	/* a readable receive buffer stops the device */
	pthread_mutex_lock(&lock);
	desc(0, 1, 0x30000, 2000, 0, 0);
	offer(0, 1);
	pthread_mutex_unlock(&lock);
	assert_int_equal(send(peer, pkt, sizeof(pkt), 0), sizeof(pkt));
	for (int i = 0; i < 200; i++) {
		bool broken;

		pthread_mutex_lock(&lock);
		broken = rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET;
		pthread_mutex_unlock(&lock);
		if (broken)
			break;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	pthread_mutex_lock(&lock);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(d.net->rx_frames, 1);
	pthread_mutex_unlock(&lock);
	virtio_net_stop(&d);
}

static void test_rx_before_driver(void **state)
{
	uint8_t pkt[VIRTIO_NET_HDR_LEN + 60] = { 0 };

	(void)state;
	wr(0x14, 1, 0);		/* reset: no driver */
	assert_int_equal(virtio_net_start(&d, &lock, -1), 0);
	assert_int_equal(send(peer, pkt, sizeof(pkt), 0), sizeof(pkt));
	assert_true(wait_for(&d.net->rx_notready, 1));
	assert_int_equal(nmsi, 0);
	/* stopped twice (vdevs_stop, then the close): harmless */
	virtio_net_stop(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_writable_breaks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_before_driver, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
