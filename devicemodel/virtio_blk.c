/*
 * virtio-blk on a raw image file: one request queue; every chain the driver
 * made available is done in order when the queue is processed (the driver
 * may have many in flight), each answered with its status; a chain framed
 * wrongly stops the device (NEEDS_RESET), never the device model.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vdev.h"
#include "virtio_blk_req.h"

#define VIRTIO_ID_BLOCK		2
#define BLK_F_SEG_MAX		2
#define BLK_F_RO		5
#define BLK_F_BLK_SIZE		6
#define BLK_F_FLUSH		9
#define BLK_SEG_MAX		126	/* data segments; + header and status per chain */
#define BLK_QUEUE		256
#define BLK_CFG_LEN		60	/* struct virtio_blk_config up to the write-zeroes fields */

static void blk_process(struct virtio_pci *vp, unsigned qi)
{
	struct vdev *d = vp->opaque;
	struct virtq *q = &vp->q[qi].vq;
	struct iovec iov[BLK_SEG_MAX + 2], data[BLK_SEG_MAX];
	struct virtq_chain c;
	struct blk_req r;
	bool pushed = false;
	int n, e;

	while ((n = virtq_pop(q, &c, iov, BLK_SEG_MAX + 2)) > 0) {
		e = blk_req_parse(&c, d->capacity, d->cfg->blk.readonly, &r, data, BLK_SEG_MAX);
		if (e) {
			virtio_pci_break(vp, "requestq", blk_req_strerror(e));
			return;
		}
		d->reqs++;
		if (r.type == VIRTIO_BLK_T_IN || r.type == VIRTIO_BLK_T_OUT)
			d->bytes += r.len;
		n = virtq_push(q, c.head, blk_req_execute(d->fd, d->serial, &r));
		if (n)
			break;
		pushed = true;
	}
	virtio_pci_queue_done(vp, qi, n, pushed, "requestq");
}

/* The configuration the driver reads: capacity in sectors, segment limit, sector size. */
static void blk_reset(struct virtio_pci *vp)
{
	struct vdev *d = vp->opaque;

	memset(vp->cfg, 0, sizeof(vp->cfg));
	virtio_pci_cfg_put(vp, 0, d->capacity / VIRTIO_BLK_SECTOR, 8);
	virtio_pci_cfg_put(vp, 12, BLK_SEG_MAX, 4);
	virtio_pci_cfg_put(vp, 20, VIRTIO_BLK_SECTOR, 4);
}

int virtio_blk_open(struct vdev *d, const struct dm_dev *c, char *why, size_t n)
{
	const char *base = strrchr(c->blk.path, '/');
	struct stat st;

	d->cfg = c;
	d->fd = open(c->blk.path, (c->blk.readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st)) {
		snprintf(why, n, "%s: %s", c->blk.path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)VIRTIO_BLK_SECTOR) {
		snprintf(why, n, "%s: not a regular file of at least one sector", c->blk.path);
		return -1;
	}
	/* a tail shorter than a sector is not part of the disk */
	d->capacity = (uint64_t)st.st_size / VIRTIO_BLK_SECTOR * VIRTIO_BLK_SECTOR;
	/* GET_ID answers the image's file name (20 bytes at most) */
	base = base ? base + 1 : c->blk.path;
	memset(d->serial, 0, sizeof(d->serial));
	memcpy(d->serial, base, strnlen(base, VIRTIO_BLK_ID_BYTES));
	d->desc = (struct virtio_pci_desc){
		.kind = "virtio-blk", .device_id = VIRTIO_ID_BLOCK, .class_code = 0x018000,
		.nqueues = 1, .queue_max = BLK_QUEUE, .cfg_len = BLK_CFG_LEN,
		.features = (1ULL << BLK_F_SEG_MAX) | (1ULL << BLK_F_BLK_SIZE) | (1ULL << BLK_F_FLUSH) |
			    (c->blk.readonly ? 1ULL << BLK_F_RO : 0),
		.process = blk_process, .reset = blk_reset,
	};
	return 0;
}
