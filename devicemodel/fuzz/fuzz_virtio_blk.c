/*
 * libFuzzer: the virtio-blk request parser on any chain a valid queue could
 * hand over. Input: nsegs, image size in sectors, read-only flag, a spare
 * byte; then per segment a writable flag, a 16-bit length and its bytes.
 * Each segment is its own heap block and the image is a heap block of its
 * size, so ASan sees any byte the parser's answer would take out of bounds;
 * the request is then done against that image as the device would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_chain.h"
#include "iov.h"
#include "virtio_blk_req.h"

#define MAX_SEGS FUZZ_MAX_SEGS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct iovec iov[MAX_SEGS], dv[MAX_SEGS];
	struct virtq_chain c = { 0 };
	struct blk_req r;
	unsigned nsegs;
	uint64_t cap;
	uint8_t *img;
	bool ro;

	if (len < 4)
		return 0;
	nsegs = 1 + data[0] % MAX_SEGS;
	cap = (uint64_t)data[1] * VIRTIO_BLK_SECTOR;
	ro = data[2] & 1;
	data += 4;
	len -= 4;
	c.iov = iov;
	fuzz_chain_build(data, len, nsegs, &c);

	img = malloc(cap ? cap : 1);
	memset(img, 0, cap);
	if (blk_req_parse(&c, cap, ro, &r, dv, MAX_SEGS) == 0) {
		uint8_t st = r.done ? r.result : VIRTIO_BLK_S_OK;

		if (!r.done && (r.type == VIRTIO_BLK_T_IN || r.type == VIRTIO_BLK_T_OUT)) {
			uint64_t off = r.offset;

			if (iov_size(r.data, r.ndata) != r.len || off + r.len > cap)
				abort();
			for (unsigned i = 0; i < r.ndata; i++) {
				if (r.type == VIRTIO_BLK_T_IN)
					memcpy(r.data[i].iov_base, img + off, r.data[i].iov_len);
				else
					memcpy(img + off, r.data[i].iov_base, r.data[i].iov_len);
				off += r.data[i].iov_len;
			}
		} else if (!r.done && r.type == VIRTIO_BLK_T_GET_ID) {
			if (r.len > VIRTIO_BLK_ID_BYTES)
				abort();
			iov_from_buf(r.data, r.ndata, 0, "fuzz-serial-0123456789", r.len);
		}
		*r.status = st;
	}
	free(img);
	fuzz_chain_free(&c);
	return 0;
}
