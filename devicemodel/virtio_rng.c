/* virtio-rng: one request queue, each buffer filled from /dev/urandom. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vdev.h"
#include "virtio_rng_req.h"

#define VIRTIO_ID_RNG	4
#define RNG_QUEUE	64
#define RNG_SOURCE	"/dev/urandom"

static ssize_t read_fd(void *ctx, void *buf, size_t len)
{
	struct vdev *d = ctx;
	ssize_t k;

	do
		k = read(d->fd, buf, len);
	while (k < 0 && errno == EINTR);
	return k;
}

static void rng_process(struct virtio_pci *vp, unsigned qi)
{
	struct vdev *d = vp->opaque;
	struct virtq *q = &vp->q[qi].vq;
	struct iovec iov[16];
	struct virtq_chain c;
	bool pushed = false;
	int64_t len;
	int n;

	while ((n = virtq_pop(q, &c, iov, 16)) > 0) {
		len = rng_req_fill(&c, read_fd, d);
		if (len < 0) {
			virtio_pci_break(vp, "requestq", "a device-readable buffer in an entropy request");
			return;
		}
		d->reqs++;
		d->bytes += (uint64_t)len;
		n = virtq_push(q, c.head, (uint32_t)len);
		if (n)
			break;
		pushed = true;
	}
	virtio_pci_queue_done(vp, qi, n, pushed, "requestq");
}

int virtio_rng_open(struct vdev *d, const struct dm_dev *c, char *why, size_t n)
{
	d->cfg = c;
	d->fd = open(RNG_SOURCE, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(why, n, "%s: %s", RNG_SOURCE, strerror(errno));
		return -1;
	}
	d->desc = (struct virtio_pci_desc){
		.kind = "virtio-rnd", .device_id = VIRTIO_ID_RNG, .class_code = 0xFF0000,
		.nqueues = 1, .queue_max = RNG_QUEUE, .process = rng_process,
	};
	return 0;
}
