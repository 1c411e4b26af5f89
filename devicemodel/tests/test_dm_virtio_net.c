/*
 * virtio-net frames: transmit chains (header split anywhere, offloads and
 * lengths checked, writable buffers refused), packets from the TAP made
 * ready for the guest, receive chains too small or readable, derived MACs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iov.h"
#include "virtio_net_req.h"

static uint8_t pkt[VIRTIO_NET_HDR_LEN + 100];
static struct iovec frame[8];
static struct net_hdr h;
static unsigned nf;
static size_t flen;

static int tx(struct iovec *iov, unsigned n_read, unsigned n_write)
{
	struct virtq_chain c = { .iov = iov, .n_read = n_read, .n_write = n_write };

	c.read_len = (uint32_t)iov_size(iov, n_read);
	c.write_len = (uint32_t)iov_size(iov + n_read, n_write);
	return net_tx_parse(&c, &h, frame, 8, &nf, &flen);
}

static void fill(size_t frame_len)
{
	memset(pkt, 0, VIRTIO_NET_HDR_LEN);
	for (size_t i = 0; i < frame_len; i++)
		pkt[VIRTIO_NET_HDR_LEN + i] = (uint8_t)(i + 1);
}

static void test_tx_ok_any_split(void **state)
{
	uint8_t out[100];

	(void)state;
	fill(60);
	/* the header and frame in one buffer, then split at every byte */
	for (size_t cut = 0; cut <= VIRTIO_NET_HDR_LEN + 60; cut++) {
		struct iovec iov[2] = { { pkt, cut }, { pkt + cut, VIRTIO_NET_HDR_LEN + 60 - cut } };

		assert_int_equal(tx(iov, 2, 0), NET_OK);
		assert_int_equal(flen, 60);
		assert_int_equal(iov_size(frame, nf), 60);
		assert_int_equal(iov_to_buf(frame, nf, 0, out, sizeof(out)), 60);
		assert_memory_equal(out, pkt + VIRTIO_NET_HDR_LEN, 60);
	}
}

static void test_tx_malformed(void **state)
{
	uint8_t wbuf[4];
	struct iovec iov[2] = { { pkt, VIRTIO_NET_HDR_LEN + 60 }, { wbuf, 4 } };
	struct iovec many[10];

	(void)state;
	fill(60);
	assert_int_equal(tx(iov, 1, 1), NET_ERR_WRITABLE);
	assert_int_equal(tx(iov + 1, 0, 1), NET_ERR_WRITABLE);
	iov[0].iov_len = VIRTIO_NET_HDR_LEN - 1;
	assert_int_equal(tx(iov, 1, 0), NET_ERR_SHORT_HDR);
	assert_int_equal(tx(iov, 0, 0), NET_ERR_SHORT_HDR);
	/* more frame segments than the caller's list holds */
	for (unsigned i = 0; i < 10; i++)
		many[i] = (struct iovec){ pkt + 7 * i, 7 };
	assert_int_equal(tx(many, 10, 0), NET_ERR_SEGS);
	assert_true(strstr(net_strerror(NET_ERR_SEGS), "segments") != NULL);
}

static void test_tx_dropped(void **state)
{
	struct iovec iov[1] = { { pkt, VIRTIO_NET_HDR_LEN + 13 } };
	uint8_t *big;

	(void)state;
	fill(60);
	assert_int_equal(tx(iov, 1, 0), NET_DROP_RUNT);
	iov[0].iov_len = VIRTIO_NET_HDR_LEN + 14;
	assert_int_equal(tx(iov, 1, 0), NET_OK);
	pkt[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	assert_int_equal(tx(iov, 1, 0), NET_DROP_OFFLOAD);
	pkt[0] = 0;
	pkt[1] = 1;	/* GSO TCPv4 */
	assert_int_equal(tx(iov, 1, 0), NET_DROP_OFFLOAD);
	pkt[1] = 0;
	/* num_buffers and the other fields mean nothing without offloads */
	pkt[10] = 7;
	pkt[3] = 9;
	assert_int_equal(tx(iov, 1, 0), NET_OK);
	assert_int_equal(h.num_buffers, 7);
	assert_int_equal(h.hdr_len, 9 << 8);
	big = calloc(1, VIRTIO_NET_HDR_LEN + NET_MAX_FRAME + 1);
	assert_non_null(big);
	iov[0] = (struct iovec){ big, VIRTIO_NET_HDR_LEN + NET_MAX_FRAME };
	assert_int_equal(tx(iov, 1, 0), NET_OK);
	iov[0].iov_len++;
	assert_int_equal(tx(iov, 1, 0), NET_DROP_BIG);
	free(big);
}

static void test_rx_prepare(void **state)
{
	struct net_hdr g;

	(void)state;
	fill(60);
	pkt[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	pkt[10] = 0x55;
	assert_int_equal(net_rx_prepare(pkt, VIRTIO_NET_HDR_LEN + 60), NET_OK);
	net_hdr_decode(pkt, &g);
	assert_int_equal(g.flags, 0);		/* no GUEST_CSUM: no DATA_VALID */
	assert_int_equal(g.num_buffers, 1);
	assert_int_equal(pkt[VIRTIO_NET_HDR_LEN], 1);	/* the frame untouched */
	assert_int_equal(net_rx_prepare(pkt, VIRTIO_NET_HDR_LEN + 13), NET_DROP_RUNT);
	assert_int_equal(net_rx_prepare(pkt, 3), NET_DROP_RUNT);
	assert_int_equal(net_rx_prepare(pkt, VIRTIO_NET_HDR_LEN + NET_MAX_FRAME + 1), NET_DROP_BIG);
	pkt[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	assert_int_equal(net_rx_prepare(pkt, VIRTIO_NET_HDR_LEN + 60), NET_DROP_OFFLOAD);
	pkt[0] = 0;
	pkt[1] = 3;
	assert_int_equal(net_rx_prepare(pkt, VIRTIO_NET_HDR_LEN + 60), NET_DROP_OFFLOAD);
}

static void test_rx_copy(void **state)
{
	uint8_t a[20], b[200];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct virtq_chain c = { .iov = iov, .n_write = 2, .write_len = 220 };
	uint32_t w = 99;

	(void)state;
	fill(60);
	assert_int_equal(net_rx_prepare(pkt, VIRTIO_NET_HDR_LEN + 60), NET_OK);
	assert_int_equal(net_rx_copy(&c, pkt, VIRTIO_NET_HDR_LEN + 60, &w), NET_OK);
	assert_int_equal(w, VIRTIO_NET_HDR_LEN + 60);
	assert_memory_equal(a, pkt, 20);
	assert_memory_equal(b, pkt + 20, VIRTIO_NET_HDR_LEN + 60 - 20);
	c.write_len = 71;
	iov[1].iov_len = 51;
	assert_int_equal(net_rx_copy(&c, pkt, VIRTIO_NET_HDR_LEN + 60, &w), NET_DROP_NOROOM);
	assert_int_equal(w, 0);
	c.n_read = 1;
	c.n_write = 1;
	assert_int_equal(net_rx_copy(&c, pkt, 20, &w), NET_ERR_READABLE);
}

static void test_mac(void **state)
{
	uint8_t m1[6], m2[6], m3[6], m4[6];

	(void)state;
	net_mac_derive("vm1", 6, 0, m1);
	net_mac_derive("vm1", 6, 0, m2);
	net_mac_derive("vm1", 7, 0, m3);
	net_mac_derive("vm2", 6, 0, m4);
	assert_memory_equal(m1, m2, 6);		/* stable */
	assert_memory_not_equal(m1, m3, 6);	/* per slot */
	assert_memory_not_equal(m1, m4, 6);	/* per VM */
	assert_int_equal(m1[0], 0x02);		/* locally administered unicast */
	assert_int_equal(m3[0], 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_ok_any_split),
		cmocka_unit_test(test_tx_malformed),
		cmocka_unit_test(test_tx_dropped),
		cmocka_unit_test(test_rx_prepare),
		cmocka_unit_test(test_rx_copy),
		cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
