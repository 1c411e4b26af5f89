/*
 * virtio-net's vhost-net fast path (include/virtio_net_vhost.h). Setup
 * follows the vhost ABI (linux/vhost.h): SET_OWNER and GET_FEATURES once;
 * at each start SET_FEATURES (what the driver accepted that vhost knows),
 * SET_MEM_TABLE (guest RAM as bulkhead-dm maps it), per ring NUM, BASE 0,
 * ADDR, KICK, CALL, then NET_SET_BACKEND with the TAP. Stopping: backend -1
 * and GET_VRING_BASE per ring, then the ioeventfds and irqfds go.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/acrn.h>
#include <linux/vhost.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dm_log.h"
#include "ioeventfd.h"
#include "virtio_net_vhost.h"

#define VHOST_DEV	"/dev/vhost-net"

/* Every ioctl (vhost's and the HSM's) and the device's path: tests replace them. */
static int sys_ioctl(int fd, unsigned long req, void *arg) { return ioctl(fd, req, arg); }
static int (*do_ioctl)(int fd, unsigned long req, void *arg) = sys_ioctl;
static const char *vhost_dev = VHOST_DEV;

void vhost_net_set_ioctl(int (*fn)(int fd, unsigned long req, void *arg), const char *dev)
{
	do_ioctl = fn ? fn : sys_ioctl;
	vhost_dev = dev ? dev : VHOST_DEV;
}
#define NQ		2

struct vhost_net {
	int fd, tap, hsm;
	struct dm_kickfd kick[NQ];		/* eventfds vhost reads, at the notify addresses */
	int call[NQ], ctl, stop;		/* eventfds */
	uint64_t features;			/* what vhost takes */
	struct virtio_pci *vp;
	pthread_mutex_t *lock;
	pthread_t thr;
	bool thr_on, running;
	bool irqfd[NQ];
	uint64_t irq_addr[NQ];
	uint32_t irq_data[NQ];
	/* figures */
	uint64_t starts, start_fail, ioeventfds, irqfds, hsm_fail, polled, kicks;
};

static int vioctl(struct vhost_net *v, unsigned long req, void *arg, const char *what)
{
	if (do_ioctl(v->fd, req, arg) == 0)
		return 0;
	dm_log("vhost-net: %s: %s", what, strerror(errno));
	return -1;
}

static void drain(int fd)
{
	uint64_t c;

	while (read(fd, &c, sizeof(c)) == sizeof(c))
		;
}

static void poke(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		dm_log("vhost-net: eventfd write: %s", strerror(errno));
}

/* ---- the hypervisor side: ioeventfds and irqfds through the HSM ---- */

/* Queue q's kick eventfd at addr (0: nowhere), by ioeventfd.c's one registration. */
static void ioeventfd(struct vhost_net *v, unsigned q, uint64_t addr)
{
	struct dm_kickfd *k = &v->kick[q];
	int e = addr ? dm_ioeventfd_register(v->hsm, k, addr, (uint16_t)q) :
		       dm_ioeventfd_unregister(v->hsm, k);

	if (!e) {
		v->ioeventfds += addr != 0;
		return;
	}
	v->hsm_fail++;
	dm_log("vhost-net: IOEVENTFD %s queue %u at %#llx: %s", addr ? "for" : "off", q,
	       (unsigned long long)(addr ? addr : k->gpa), strerror(e));
}

static int irqfd(struct vhost_net *v, unsigned q, uint64_t addr, uint32_t data, bool on)
{
	struct acrn_irqfd f = {
		.fd = v->call[q], .flags = on ? 0 : ACRN_IRQFD_FLAG_DEASSIGN,
		.msi = { .msi_addr = addr, .msi_data = data },
	};

	if (do_ioctl(v->hsm, ACRN_IOCTL_IRQFD, &f) == 0) {
		v->irqfds += on;
		return 0;
	}
	v->hsm_fail++;
	dm_log("vhost-net: IRQFD %s queue %u: %s", on ? "for" : "off", q, strerror(errno));
	return -1;
}

/* Queue q's interrupt through the transport (masked: into the PBA). Lock held. */
static void raise_here(struct vhost_net *v, unsigned q)
{
	v->polled++;
	virtio_pci_queue_irq(v->vp, q);
}

/* Each queue's irqfd follows its vector's message; none while it is masked. */
static bool sync_irqfds(struct vhost_net *v)
{
	bool changed = false;

	for (unsigned q = 0; q < NQ; q++) {
		uint64_t addr = 0;
		uint32_t data = 0;
		bool ok = virtio_pci_msix_target(v->vp, v->vp->q[q].msix_vector, &addr, &data);

		if (v->irqfd[q] && (!ok || addr != v->irq_addr[q] || data != v->irq_data[q])) {
			/* what vhost signalled so far went out through the irqfd */
			drain(v->call[q]);
			irqfd(v, q, v->irq_addr[q], v->irq_data[q], false);
			v->irqfd[q] = false;
			changed = true;
		}
		if (ok && !v->irqfd[q]) {
			/* signalled while the thread here had it: raised now, then the irqfd */
			uint64_t c;

			if (read(v->call[q], &c, sizeof(c)) == sizeof(c))
				raise_here(v, q);
			if (irqfd(v, q, addr, data, true) == 0) {
				v->irqfd[q] = true;
				v->irq_addr[q] = addr;
				v->irq_data[q] = data;
			}
			changed = true;
		}
	}
	return changed;
}

static bool sync_ioeventfds(struct vhost_net *v)
{
	bool changed = false;

	for (unsigned q = 0; q < NQ; q++) {
		uint64_t a = virtio_pci_notify_addr(v->vp, q);

		if (a == (v->kick[q].on ? v->kick[q].gpa : 0))
			continue;
		changed = true;
		ioeventfd(v, q, a);
	}
	return changed;
}

/* ---- the rings ---- */

void vhost_net_halt(struct vhost_net *v)
{
	if (!v || !v->running)
		return;
	for (unsigned q = 0; q < NQ; q++) {
		struct vhost_vring_file b = { .index = q, .fd = -1 };
		struct vhost_vring_state st = { .index = q };

		vioctl(v, VHOST_NET_SET_BACKEND, &b, "NET_SET_BACKEND -1");
		vioctl(v, VHOST_GET_VRING_BASE, &st, "GET_VRING_BASE");
	}
	for (unsigned q = 0; q < NQ; q++) {
		ioeventfd(v, q, 0);
		if (v->irqfd[q])
			irqfd(v, q, v->irq_addr[q], v->irq_data[q], false);
		v->irqfd[q] = false;
		drain(v->call[q]);
		drain(v->kick[q].efd);
	}
	v->running = false;
	if (v->thr_on)
		poke(v->ctl);
}

static int rings_start(struct vhost_net *v)
{
	const struct gmem *m = v->vp->mem;
	/* the table with its one region after it (a flexible array) */
	union {
		struct vhost_memory h;
		uint8_t room[sizeof(struct vhost_memory) + sizeof(struct vhost_memory_region)];
	} mt;
	uint64_t feat = v->vp->driver_features & v->features;
	uintptr_t base = (uintptr_t)m->base;

	memset(&mt, 0, sizeof(mt));
	mt.h.nregions = 1;
	mt.h.regions[0] = (struct vhost_memory_region){ .guest_phys_addr = 0, .memory_size = m->size,
						.userspace_addr = base };
	if (vioctl(v, VHOST_SET_FEATURES, &feat, "SET_FEATURES") ||
	    vioctl(v, VHOST_SET_MEM_TABLE, &mt, "SET_MEM_TABLE"))
		return -1;
	v->running = true;	/* from here a failure halts what was set */
	for (unsigned q = 0; q < NQ; q++) {
		const struct virtio_pci_queue *vq = &v->vp->q[q];
		struct vhost_vring_state num = { .index = q, .num = vq->size };
		struct vhost_vring_state at = { .index = q, .num = 0 };
		struct vhost_vring_addr a = {
			.index = q, .desc_user_addr = base + vq->desc, .avail_user_addr = base + vq->driver,
			.used_user_addr = base + vq->device,
		};
		struct vhost_vring_file kick = { .index = q, .fd = v->kick[q].efd };
		struct vhost_vring_file call = { .index = q, .fd = v->call[q] };
		struct vhost_vring_file be = { .index = q, .fd = v->tap };

		if (vioctl(v, VHOST_SET_VRING_NUM, &num, "SET_VRING_NUM") ||
		    vioctl(v, VHOST_SET_VRING_BASE, &at, "SET_VRING_BASE") ||
		    vioctl(v, VHOST_SET_VRING_ADDR, &a, "SET_VRING_ADDR") ||
		    vioctl(v, VHOST_SET_VRING_KICK, &kick, "SET_VRING_KICK") ||
		    vioctl(v, VHOST_SET_VRING_CALL, &call, "SET_VRING_CALL") ||
		    vioctl(v, VHOST_NET_SET_BACKEND, &be, "NET_SET_BACKEND"))
			return -1;
	}
	return 0;
}

void vhost_net_sync(struct vhost_net *v)
{
	struct virtio_pci *vp;
	bool changed;

	if (!v || !v->vp)
		return;
	vp = v->vp;
	if (!virtio_dev_live(&vp->dev) || !vp->q[0].enabled || !vp->q[1].enabled) {
		vhost_net_halt(v);
		return;
	}
	if (!v->running) {
		if (rings_start(v)) {
			v->start_fail++;
			vhost_net_halt(v);
			virtio_pci_break(vp, "vhost", "the vhost-net rings could not be started");
			return;
		}
		v->starts++;
		changed = sync_ioeventfds(v);
		changed |= sync_irqfds(v);
		/* buffers the driver made available before: vhost looks now */
		for (unsigned q = 0; q < NQ; q++)
			poke(v->kick[q].efd);
	} else {
		changed = sync_ioeventfds(v);
		changed |= sync_irqfds(v);
	}
	if (changed && v->thr_on)
		poke(v->ctl);
}

void vhost_net_kick(struct vhost_net *v, unsigned q)
{
	if (v && v->running && q < NQ) {
		v->kicks++;
		poke(v->kick[q].efd);
	}
}

/* ---- the thread: vhost's interrupts while no irqfd takes them ---- */

static void *vhost_thread(void *arg)
{
	struct vhost_net *v = arg;

	for (;;) {
		struct pollfd p[2 + NQ] = { { .fd = v->stop, .events = POLLIN }, { .fd = v->ctl, .events = POLLIN } };
		unsigned qs[NQ], n = 2;

		pthread_mutex_lock(v->lock);
		for (unsigned q = 0; q < NQ; q++)
			if (v->running && !v->irqfd[q]) {
				p[n] = (struct pollfd){ .fd = v->call[q], .events = POLLIN };
				qs[n++ - 2] = q;
			}
		pthread_mutex_unlock(v->lock);
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents)
			drain(v->ctl);
		for (unsigned i = 2; i < n; i++) {
			unsigned q = qs[i - 2];
			uint64_t c;

			if (!p[i].revents || read(v->call[q], &c, sizeof(c)) != sizeof(c))
				continue;
			pthread_mutex_lock(v->lock);
			if (v->running && !v->irqfd[q])
				raise_here(v, q);
			pthread_mutex_unlock(v->lock);
		}
	}
	return NULL;
}

/* ---- life ---- */

struct vhost_net *vhost_net_open(int tap, uint64_t need, char *why, size_t n)
{
	struct vhost_net *v = calloc(1, sizeof(*v));
	int *fds[6];

	if (!v) {
		snprintf(why, n, "no memory for vhost");
		return NULL;
	}
	fds[0] = &v->kick[0].efd;
	fds[1] = &v->kick[1].efd;
	fds[2] = &v->call[0];
	fds[3] = &v->call[1];
	fds[4] = &v->ctl;
	fds[5] = &v->stop;
	v->tap = tap;
	v->hsm = -1;
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		*fds[i] = -1;
	v->fd = open(vhost_dev, O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		snprintf(why, n, "vhost: %s: %s (a Service VM kernel with CONFIG_VHOST_NET?)", vhost_dev,
			 strerror(errno));
		goto fail;
	}
	if (do_ioctl(v->fd, VHOST_SET_OWNER, NULL) < 0 || do_ioctl(v->fd, VHOST_GET_FEATURES, &v->features) < 0) {
		snprintf(why, n, "vhost: SET_OWNER/GET_FEATURES: %s", strerror(errno));
		goto fail;
	}
	if ((v->features & need) != need) {
		snprintf(why, n, "vhost: the kernel's vhost-net lacks features %#llx",
			 (unsigned long long)(need & ~v->features));
		goto fail;
	}
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		*fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (*fds[i] < 0) {
			snprintf(why, n, "vhost: eventfd: %s", strerror(errno));
			goto fail;
		}
	}
	v->kick[0].open = v->kick[1].open = true;
	return v;
fail:
	vhost_net_close(v, NULL);
	return NULL;
}

int vhost_net_start(struct vhost_net *v, struct virtio_pci *vp, pthread_mutex_t *lock, int hsm)
{
	int e;

	v->vp = vp;
	v->lock = lock;
	v->hsm = hsm;
	e = pthread_create(&v->thr, NULL, vhost_thread, v);
	if (e) {
		dm_log("vhost-net: thread: %s", strerror(e));
		return -1;
	}
	v->thr_on = true;
	return 0;
}

void vhost_net_stop(struct vhost_net *v)
{
	if (!v)
		return;
	if (v->thr_on) {
		poke(v->stop);
		pthread_join(v->thr, NULL);
		v->thr_on = false;
	}
	vhost_net_halt(v);
}

void vhost_net_close(struct vhost_net *v, const char *name)
{
	int *fds[] = { &v->kick[0].efd, &v->kick[1].efd, &v->call[0], &v->call[1], &v->ctl, &v->stop };

	vhost_net_stop(v);
	if (name)
		fprintf(stderr, "bulkhead-dm: %s: vhost-net: rings started %llu times (%llu failed), "
			"%llu ioeventfds, %llu irqfds, %llu interrupts raised here (masked or MSI-X off), "
			"%llu kicks passed on, %llu HSM failures\n", name,
			(unsigned long long)v->starts, (unsigned long long)v->start_fail,
			(unsigned long long)v->ioeventfds, (unsigned long long)v->irqfds,
			(unsigned long long)v->polled, (unsigned long long)v->kicks,
			(unsigned long long)v->hsm_fail);
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}
