/*
 * libFuzzer: the split virtqueue walker against any guest memory. The input
 * is a small header (queue size, features, ring places, iovec room) and the
 * guest RAM's bytes. RAM is a heap block of exactly its size, so ASan sees
 * any access the walker lets through outside it; every iovec it hands out
 * is read and the writable ones written, as a device would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dm_log.h"
#include "virtq.h"

#define RAM_SIZE 0x4000u

static void quiet(const char *line) { (void)line; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct iovec iov[32];
	struct virtq_chain c;
	struct virtq q;
	struct gmem m;
	uint16_t size, desc, avail, used;
	uint64_t features;
	unsigned max_iov;
	volatile uint8_t sink = 0;

	if (len < 8)
		return 0;
	dm_log_set_sink(quiet);
	size = (uint16_t)(1u << (data[0] % 9));			/* 1..256 */
	features = ((data[1] & 1) ? 1ull << VIRTIO_F_INDIRECT_DESC : 0) |
		   ((data[1] & 2) ? 1ull << VIRTIO_F_EVENT_IDX : 0);
	max_iov = 1 + data[2] % 32;
	/* ring places: mostly sensible (aligned, inside), sometimes anything */
	desc = (uint16_t)(data[3] << 8 & 0x3ff0);
	avail = (uint16_t)((data[4] << 6) | (data[1] >> 2 & 0x3f));
	used = (uint16_t)((data[5] << 6) | (data[7] & 0x3f));
	data += 8;
	len -= 8;

	m.size = RAM_SIZE;
	m.base = malloc(RAM_SIZE);
	memset(m.base, 0, RAM_SIZE);
	memcpy(m.base, data, len < RAM_SIZE ? len : RAM_SIZE);

	if (virtq_init(&q, &m, size, desc, avail, used, features) == VQ_OK) {
		for (int round = 0; round < 64; round++) {
			int r = virtq_pop(&q, &c, iov, max_iov);

			if (r <= 0)
				break;
			for (unsigned i = 0; i < c.n_read + c.n_write; i++) {
				uint8_t *p = iov[i].iov_base;

				for (size_t b = 0; b < iov[i].iov_len; b += 97)
					sink ^= p[b];
				if (iov[i].iov_len)
					sink ^= p[iov[i].iov_len - 1];
				if (i >= c.n_read && iov[i].iov_len)
					p[0] = p[iov[i].iov_len - 1] = 0x5a;
			}
			if (virtq_push(&q, c.head, c.write_len))
				break;
			virtq_set_notify(&q, round & 1);
			(void)virtq_need_interrupt(&q);
		}
	}
	(void)sink;
	free(m.base);
	return 0;
}
