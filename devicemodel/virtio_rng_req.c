/* virtio-rng requests: fill what the driver offers, up to a bound, and say how much. */
#include "virtio_rng_req.h"

int64_t rng_req_fill(const struct virtq_chain *c, ssize_t (*read_fn)(void *ctx, void *buf, size_t len),
		     void *ctx)
{
	size_t left = RNG_MAX_REQ;
	int64_t done = 0;

	/* the spec has the driver offer writable buffers only */
	if (c->n_read)
		return RNG_ERR_READABLE;
	for (unsigned i = 0; i < c->n_write && left; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t want = c->iov[i].iov_len < left ? c->iov[i].iov_len : left;

		while (want) {
			ssize_t k = read_fn(ctx, p, want);

			/* a short answer is still an answer: the driver asks again for more */
			if (k <= 0)
				return done;
			p += k;
			want -= (size_t)k;
			left -= (size_t)k;
			done += k;
		}
	}
	return done;
}
