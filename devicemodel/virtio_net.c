/*
 * virtio-net on a TAP interface, served here or, with the vhost option, by
 * the Service VM kernel's vhost-net (virtio_net_vhost.c). Here: queue 0
 * (receiveq) gets the frames the TAP gives, queue 1 (transmitq) is written
 * to it. The TAP carries the 12-byte virtio-net header (IFF_VNET_HDR,
 * TUNSETVNETHDRSZ) with no offloads on either side, so every header is
 * checked and rewritten by virtio_net_req.c. A thread per device waits on
 * the TAP and delivers frames under the devices' lock; a frame that finds
 * the driver not ready or without buffers is dropped, counted (the guest
 * keeps its receive queue full). No MRG_RXBUF: a frame goes into one chain,
 * which Linux sizes for the 1500-byte MTU without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vdev.h"
#include "virtio_net_req.h"

#define VIRTIO_ID_NET	1
#define NET_QUEUE	256
#define NET_IOV		64
#define NET_CFG_LEN	10	/* mac, status, max_virtqueue_pairs */
#define NET_RX_BATCH	64	/* frames per wake-up before the interrupt */
#define TUN_DEV		"/dev/net/tun"
#define RXQ		0
#define TXQ		1

/* ---- transmit: every chain of the queue to the TAP ---- */

static void net_tx(struct virtio_pci *vp, struct vdev *d)
{
	static const uint8_t hdr0[VIRTIO_NET_HDR_LEN];	/* no offloads: all zero */
	struct vnet *n = d->net;
	struct virtq *q = &vp->q[TXQ].vq;
	struct iovec iov[NET_IOV], out[NET_IOV + 1];
	struct virtq_chain c;
	bool pushed = false;
	int r;

	while ((r = virtq_pop(q, &c, iov, NET_IOV)) > 0) {
		struct net_hdr h;
		unsigned nf;
		size_t len;
		int e = net_tx_parse(&c, &h, out + 1, NET_IOV, &nf, &len);

		if (e < 0 && e > NET_DROP_RUNT) {
			virtio_pci_break(vp, "transmitq", net_strerror(e));
			return;
		}
		if (e == NET_OK) {
			ssize_t k;

			out[0] = (struct iovec){ (void *)hdr0, sizeof(hdr0) };
			do
				k = writev(n->tap, out, (int)nf + 1);
			while (k < 0 && errno == EINTR);
			if (k == (ssize_t)(len + sizeof(hdr0))) {
				n->tx_frames++;
				n->tx_bytes += len;
				d->reqs++;
				d->bytes += len;
			} else {
				n->tx_err++;
			}
		} else {
			n->tx_drop++;
		}
		r = virtq_push(q, c.head, 0);
		if (r)
			break;
		pushed = true;
	}
	virtio_pci_queue_done(vp, TXQ, r, pushed, "transmitq");
}

/* ---- receive: the thread's frames into the queue (lock held) ---- */

/* One frame of len bytes in n->rx: 1 when a used element was pushed, 0 if not, -1: stop. */
static int net_rx_one(struct virtio_pci *vp, struct vnet *n, size_t len)
{
	struct virtq *q = &vp->q[RXQ].vq;
	struct iovec iov[NET_IOV];
	struct virtq_chain c;
	uint32_t w;
	int r, e;

	if (!virtio_dev_live(&vp->dev) || !vp->q[RXQ].enabled) {
		n->rx_notready++;
		return 0;
	}
	if (net_rx_prepare(n->rx, len)) {
		n->rx_drop++;
		return 0;
	}
	r = virtq_pop(q, &c, iov, NET_IOV);
	if (r == 0) {
		n->rx_nobuf++;
		return 0;
	}
	if (r < 0) {
		virtio_pci_queue_done(vp, RXQ, r, false, "receiveq");
		return -1;
	}
	e = net_rx_copy(&c, n->rx, len, &w);
	if (e == NET_ERR_READABLE) {
		virtio_pci_break(vp, "receiveq", net_strerror(e));
		return -1;
	}
	if (e == NET_OK) {
		n->rx_frames++;
		n->rx_bytes += len - VIRTIO_NET_HDR_LEN;
	} else {
		n->rx_drop++;		/* the chain goes back empty: the driver counts a length error */
	}
	r = virtq_push(q, c.head, w);
	if (r) {
		virtio_pci_queue_done(vp, RXQ, r, false, "receiveq");
		return -1;
	}
	return 1;
}

static void *net_rx_thread(void *arg)
{
	struct vdev *d = arg;
	struct vnet *n = d->net;
	struct pollfd p[2] = { { .fd = n->tap, .events = POLLIN }, { .fd = n->stop, .events = POLLIN } };

	for (;;) {
		bool pushed = false, broke = false;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, "bulkhead-dm: %s: the TAP %s went away; receiving stops\n",
				d->vp.name, d->cfg->net.ifname);
			break;
		}
		pthread_mutex_lock(n->lock);
		for (unsigned i = 0; i < NET_RX_BATCH && !broke; i++) {
			ssize_t k = read(n->tap, n->rx, sizeof(n->rx));
			int r;

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;		/* EAGAIN: nothing more for now */
			r = net_rx_one(&d->vp, n, (size_t)k);
			broke = r < 0;
			if (r > 0) {
				pushed = true;
				d->reqs++;
				d->bytes += (uint64_t)k - VIRTIO_NET_HDR_LEN;
			}
		}
		if (!broke)
			virtio_pci_queue_done(&d->vp, RXQ, 0, pushed, "receiveq");
		pthread_mutex_unlock(n->lock);
	}
	return NULL;
}

/* ---- the device ---- */

static void net_process(struct virtio_pci *vp, unsigned qi)
{
	struct vdev *d = vp->opaque;

	/* vhost: a kick its ioeventfd did not catch (the BAR moved, or before the start) */
	if (d->net->vh) {
		vhost_net_kick(d->net->vh, qi);
		return;
	}
	/* receive buffers wait for frames; frames never wait for buffers */
	if (qi == TXQ)
		net_tx(vp, vp->opaque);
}

static void net_reset(struct virtio_pci *vp)
{
	struct vdev *d = vp->opaque;

	vhost_net_halt(d->net->vh);	/* before the driver may reuse the rings' memory */
	memset(vp->cfg, 0, sizeof(vp->cfg));
	for (unsigned i = 0; i < 6; i++)
		virtio_pci_cfg_put(vp, i, d->net->mac[i], 1);
	virtio_pci_cfg_put(vp, 6, VIRTIO_NET_S_LINK_UP, 2);
	virtio_pci_cfg_put(vp, 8, 1, 2);
}

static int tap_open(const char *ifname, char *why, size_t n)
{
	struct ifreq ifr;
	int fd, sz = VIRTIO_NET_HDR_LEN;

	fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, n, "%s: %s (a kernel with CONFIG_TUN?)", TUN_DEV, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(why, n, "TAP %s: TUNSETIFF: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	/* the header with num_buffers, and no offloads: the guest is offered none */
	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0 || ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
		snprintf(why, n, "TAP %s: TUNSETVNETHDRSZ/TUNSETOFFLOAD: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int virtio_net_open_fd(struct vdev *d, const struct dm_dev *c, const char *vm_name, int fd,
		       char *why, size_t n)
{
	struct vnet *v;

	d->cfg = c;
	d->net = v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(why, n, "no memory for the device");
		close(fd);
		return -1;
	}
	v->tap = fd;
	if (c->net.has_mac)
		memcpy(v->mac, c->net.mac, 6);
	else
		net_mac_derive(c->net.mac_seed[0] ? c->net.mac_seed : vm_name, c->slot, c->fn, v->mac);
	v->stop = eventfd(0, EFD_CLOEXEC);
	if (v->stop < 0) {
		snprintf(why, n, "eventfd: %s", strerror(errno));
		return -1;
	}
	if (c->net.vhost) {
		/* the transport offers these with VERSION_1: vhost must know them */
		uint64_t need = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_INDIRECT_DESC) |
				(1ULL << VIRTIO_F_EVENT_IDX);

		v->vh = vhost_net_open(fd, need, why, n);
		if (!v->vh)
			return -1;
	}
	d->desc = (struct virtio_pci_desc){
		.kind = "virtio-net", .device_id = VIRTIO_ID_NET, .class_code = 0x020000,
		.nqueues = 2, .queue_max = NET_QUEUE, .cfg_len = NET_CFG_LEN,
		.features = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS),
		.process = net_process, .reset = net_reset,
	};
	return 0;
}

int virtio_net_open(struct vdev *d, const struct dm_dev *c, const char *vm_name, char *why, size_t n)
{
	int fd = tap_open(c->net.ifname, why, n);

	d->cfg = c;
	if (fd < 0)
		return -1;
	return virtio_net_open_fd(d, c, vm_name, fd, why, n);
}

int virtio_net_start(struct vdev *d, pthread_mutex_t *lock, int hsm)
{
	struct vnet *v = d->net;
	int e;

	v->lock = lock;
	if (v->vh)
		return vhost_net_start(v->vh, &d->vp, lock, hsm);
	e = pthread_create(&v->thr, NULL, net_rx_thread, d);
	if (e) {
		fprintf(stderr, "bulkhead-dm: %s: receive thread: %s\n", d->vp.name, strerror(e));
		return -1;
	}
	v->thr_on = true;
	return 0;
}

void virtio_net_sync(struct vdev *d)
{
	if (d->net && d->net->vh)
		vhost_net_sync(d->net->vh);
}

void virtio_net_stop(struct vdev *d)
{
	struct vnet *v = d->net;
	uint64_t one = 1;

	if (!v)
		return;
	vhost_net_stop(v->vh);
	if (!v->thr_on)
		return;
	if (write(v->stop, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "bulkhead-dm: %s: cannot stop the receive thread: %m\n", d->vp.name);
	else
		pthread_join(v->thr, NULL);
	v->thr_on = false;
}

/* The TAP's own count (the kernel's side: rx is what the guest sent), or -1. */
static long long tap_count(const char *ifname, const char *what)
{
	char path[96], buf[32];
	long long v = -1;
	int fd;
	ssize_t k;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	k = read(fd, buf, sizeof(buf) - 1);
	if (k > 0) {
		buf[k] = '\0';
		v = strtoll(buf, NULL, 10);
	}
	close(fd);
	return v;
}

void virtio_net_close(struct vdev *d)
{
	struct vnet *v = d->net;

	if (!v)
		return;
	virtio_net_stop(d);
	if (d->vp.desc)
		fprintf(stderr, "bulkhead-dm: %s: TAP %s, MAC %02x:%02x:%02x:%02x:%02x:%02x: TX %llu frames "
			"(%llu bytes, %llu dropped, %llu failed), RX %llu frames (%llu bytes, %llu dropped "
			"without guest buffers, %llu before the driver was ready, %llu malformed)\n",
			d->vp.name, d->cfg->net.ifname, v->mac[0], v->mac[1], v->mac[2], v->mac[3],
			v->mac[4], v->mac[5], (unsigned long long)v->tx_frames,
			(unsigned long long)v->tx_bytes, (unsigned long long)v->tx_drop,
			(unsigned long long)v->tx_err, (unsigned long long)v->rx_frames,
			(unsigned long long)v->rx_bytes, (unsigned long long)v->rx_nobuf,
			(unsigned long long)v->rx_notready, (unsigned long long)v->rx_drop);
	if (d->vp.desc)
		fprintf(stderr, "bulkhead-dm: %s: TAP %s's kernel counters: %lld packets from the guest, "
			"%lld to it\n", d->vp.name, d->cfg->net.ifname, tap_count(d->cfg->net.ifname, "rx_packets"),
			tap_count(d->cfg->net.ifname, "tx_packets"));
	if (v->vh)
		vhost_net_close(v->vh, d->vp.desc ? d->vp.name : NULL);
	if (v->tap >= 0)
		close(v->tap);
	if (v->stop >= 0)
		close(v->stop);
	free(v);
	d->net = NULL;
}
