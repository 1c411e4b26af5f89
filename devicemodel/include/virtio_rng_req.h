/* virtio-rng (entropy device, virtio 1.x 5.4): each request is writable buffers to fill. */
#ifndef DM_VIRTIO_RNG_REQ_H
#define DM_VIRTIO_RNG_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "virtq.h"

#define RNG_ERR_READABLE	-1	/* a device-readable buffer: not an rng request */
#define RNG_MAX_REQ		4096u	/* bytes given per request: the driver asks again */

/*
 * Fill chain c's writable buffers (at most RNG_MAX_REQ bytes) with read_fn
 * (e.g. a read of /dev/urandom; returns bytes read or -1). Returns the used
 * length to push (0 when read_fn failed at once), or RNG_ERR_READABLE.
 */
int64_t rng_req_fill(const struct virtq_chain *c, ssize_t (*read_fn)(void *ctx, void *buf, size_t len),
		     void *ctx);

#endif
