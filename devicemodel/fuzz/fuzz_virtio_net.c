/*
 * libFuzzer: virtio-net frames. Input: nsegs, a spare byte, then per segment
 * a writable flag, a 16-bit length and its bytes (as fuzz_virtio_blk.c),
 * each segment its own heap block so ASan sees any byte out of bounds. The
 * chain goes through the transmit parser (the frame it names is copied out
 * whole, its length checked against the chain's), and the readable bytes,
 * as a packet from the TAP, through the receive side into the writable
 * segments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_chain.h"
#include "iov.h"
#include "virtio_net_req.h"

#define MAX_SEGS FUZZ_MAX_SEGS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct iovec iov[MAX_SEGS], frame[MAX_SEGS];
	struct virtq_chain c = { 0 };
	struct net_hdr h;
	unsigned nsegs, nf;
	size_t flen;
	int r;

	if (len < 2)
		return 0;
	nsegs = 1 + data[0] % MAX_SEGS;
	data += 2;
	len -= 2;
	c.iov = iov;
	fuzz_chain_build(data, len, nsegs, &c);

	r = net_tx_parse(&c, &h, frame, MAX_SEGS, &nf, &flen);
	if (r == NET_OK) {
		uint8_t *out = malloc(flen);

		if (c.n_write || flen + VIRTIO_NET_HDR_LEN != c.read_len || iov_size(frame, nf) != flen ||
		    flen < NET_ETH_HLEN || (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h.gso_type ||
		    iov_to_buf(frame, nf, 0, out, flen) != flen)
			abort();
		free(out);
	}

	/* the readable bytes as a packet from the TAP, received into the writable segments */
	if (c.read_len) {
		uint8_t *pkt = malloc(c.read_len);
		uint32_t w;

		iov_to_buf(c.iov, c.n_read, 0, pkt, c.read_len);
		if (net_rx_prepare(pkt, c.read_len) == NET_OK) {
			struct virtq_chain rc = { .iov = c.iov + c.n_read, .n_write = c.n_write,
						  .write_len = c.write_len };

			net_hdr_decode(pkt, &h);
			if (h.flags || h.gso_type || h.num_buffers != 1)
				abort();
			r = net_rx_copy(&rc, pkt, c.read_len, &w);
			if ((r == NET_OK) != (c.write_len >= c.read_len) || (r == NET_OK && w != c.read_len))
				abort();
		}
		free(pkt);
	}
	fuzz_chain_free(&c);
	return 0;
}
