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

#include "iov.h"
#include "virtio_net_req.h"

#define MAX_SEGS 8
#define MAX_SEG_LEN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct iovec iov[MAX_SEGS], frame[MAX_SEGS];
	struct { bool w; size_t len; const uint8_t *src; size_t have; } seg[MAX_SEGS];
	struct virtq_chain c = { 0 };
	struct net_hdr h;
	unsigned nsegs, n = 0, nf;
	size_t flen;
	int r;

	if (len < 2)
		return 0;
	nsegs = 1 + data[0] % MAX_SEGS;
	data += 2;
	len -= 2;
	for (unsigned i = 0; i < nsegs && len >= 3; i++) {
		uint16_t l;

		seg[n].w = data[0] & 1;
		memcpy(&l, data + 1, 2);
		seg[n].len = l % (MAX_SEG_LEN + 1);
		data += 3;
		len -= 3;
		seg[n].src = data;
		seg[n].have = seg[n].len < len ? seg[n].len : len;
		data += seg[n].have;
		len -= seg[n].have;
		n++;
	}
	/* readable segments first, as the walker guarantees */
	c.iov = iov;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < n; i++) {
			uint8_t *p;

			if (seg[i].w != (pass == 1))
				continue;
			p = malloc(seg[i].len ? seg[i].len : 1);
			memset(p, 0, seg[i].len);
			memcpy(p, seg[i].src, seg[i].have);
			iov[c.n_read + c.n_write] = (struct iovec){ p, seg[i].len };
			if (pass) {
				c.n_write++;
				c.write_len += (uint32_t)seg[i].len;
			} else {
				c.n_read++;
				c.read_len += (uint32_t)seg[i].len;
			}
		}

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
	for (unsigned i = 0; i < c.n_read + c.n_write; i++)
		free(iov[i].iov_base);
	return 0;
}
