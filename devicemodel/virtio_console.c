/*
 * virtio-console with one port (no MULTIPORT): the guest's hvc0. Queue 0
 * (receiveq) gets the back-end's input, queue 1 (transmitq) is written to
 * the back-end. Back-ends: stdio (the device model's stdout, and its stdin
 * when COM1 does not read it) and file (output only, the file created
 * afresh). Input waits in a 4 KiB buffer until the guest offers buffers;
 * more is dropped, counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iov.h"
#include "vdev.h"

#define VIRTIO_ID_CONSOLE	3
#define CON_QUEUE		64
#define CON_RX_BUF		4096u
#define CON_CFG_LEN		12	/* cols, rows, max_nr_ports, emerg_wr: none offered */
#define RXQ			0
#define TXQ			1

/* Everything of iov to fd; the guest's bytes are gone if the back-end fails (counted as sent). */
static void write_all(int fd, const struct iovec *iov, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t left = iov[i].iov_len;

		while (left) {
			ssize_t k = write(fd, p, left);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return;
			p += k;
			left -= (size_t)k;
		}
	}
}

static void tx(struct virtio_pci *vp, struct vdev *d)
{
	struct virtq *q = &vp->q[TXQ].vq;
	struct iovec iov[32];
	struct virtq_chain c;
	bool pushed = false;
	int n;

	while ((n = virtq_pop(q, &c, iov, 32)) > 0) {
		write_all(d->fd, c.iov, c.n_read);
		d->reqs++;
		d->bytes += c.read_len;
		n = virtq_push(q, c.head, 0);
		if (n)
			break;
		pushed = true;
	}
	virtio_pci_queue_done(vp, TXQ, n, pushed, "transmitq");
}

static void rx(struct virtio_pci *vp, struct vdev *d)
{
	struct virtq *q = &vp->q[RXQ].vq;
	struct iovec iov[32];
	struct virtq_chain c;
	bool pushed = false;
	int n = 0;

	while (d->rx_len && (n = virtq_pop(q, &c, iov, 32)) > 0) {
		size_t k = iov_from_buf(c.iov + c.n_read, c.n_write, 0, d->rx, d->rx_len);

		memmove(d->rx, d->rx + k, d->rx_len - k);
		d->rx_len -= (unsigned)k;
		n = virtq_push(q, c.head, (uint32_t)k);
		if (n)
			break;
		pushed = true;
	}
	virtio_pci_queue_done(vp, RXQ, n, pushed, "receiveq");
}

static void con_process(struct virtio_pci *vp, unsigned qi)
{
	if (qi == TXQ)
		tx(vp, vp->opaque);
	else
		rx(vp, vp->opaque);
}

void virtio_console_input(struct vdev *d, const uint8_t *buf, size_t n)
{
	size_t room = CON_RX_BUF - d->rx_len, k = n < room ? n : room;

	memcpy(d->rx + d->rx_len, buf, k);
	d->rx_len += (unsigned)k;
	d->rx_dropped += n - k;
	/* as if kicked: the guest may have buffers waiting already */
	d->vp.pending |= 1u << RXQ;
	virtio_pci_run(&d->vp);
}

int virtio_console_open(struct vdev *d, const struct dm_dev *c, char *why, size_t n)
{
	const struct dm_console_port *p = &c->console.port[0];

	d->cfg = c;
	d->rx = calloc(1, CON_RX_BUF);
	if (!d->rx) {
		snprintf(why, n, "no memory for the input buffer");
		return -1;
	}
	if (p->backend == DM_CHR_STDIO) {
		d->fd = STDOUT_FILENO;
		d->from_stdin = true;
	} else {
		/* cmdline.c refuses the other back-ends */
		d->fd = open(p->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (d->fd < 0) {
			snprintf(why, n, "%s: %s", p->path, strerror(errno));
			return -1;
		}
	}
	d->desc = (struct virtio_pci_desc){
		.kind = "virtio-console", .device_id = VIRTIO_ID_CONSOLE, .class_code = 0x078000,
		.nqueues = 2, .queue_max = CON_QUEUE, .cfg_len = CON_CFG_LEN, .process = con_process,
	};
	return 0;
}
