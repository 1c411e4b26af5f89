/*
 * ioeventfds for the user-space virtio back-ends (include/ioeventfd.h): one
 * eventfd per queue of a device asked for with ",ioeventfd", registered with
 * the Service VM kernel at the queue's notify address while the driver uses
 * the queue (DRIVER_OK, enabled, BAR decoded) and taken away on reset, and a
 * thread that waits on them all and processes a signalled queue under the
 * devices' lock, as the ioreq loop does after a forwarded kick.
 */
#include <errno.h>
#include <linux/acrn.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ioeventfd.h"
#include "vdev.h"

#define NOTIFY_LEN	2		/* the driver writes the queue index, 16 bits */
#define EV_STOP		UINT64_MAX

/* The one call into the Service VM kernel: weak, so a unit test can stand in for the driver. */
__attribute__((weak)) int dm_hsm_ioeventfd(int hsm, struct acrn_ioeventfd *a)
{
	return ioctl(hsm, ACRN_IOCTL_IOEVENTFD, a) < 0 ? errno : 0;
}

static int ioeventfd_ioctl(int hsm, const struct dm_kickfd *k, uint32_t flags)
{
	struct acrn_ioeventfd a = {
		.fd = (uint32_t)k->efd, .flags = flags, .addr = k->gpa, .len = NOTIFY_LEN, .data = k->data,
	};

	return dm_hsm_ioeventfd(hsm, &a);
}

int dm_ioeventfd_unregister(int hsm, struct dm_kickfd *k)
{
	int e;

	if (!k->on)
		return 0;
	e = ioeventfd_ioctl(hsm, k, ACRN_IOEVENTFD_FLAG_DATAMATCH | ACRN_IOEVENTFD_FLAG_DEASSIGN);
	if (!e)
		k->on = false;
	return e;
}

int dm_ioeventfd_register(int hsm, struct dm_kickfd *k, uint64_t gpa, uint16_t data)
{
	int e;

	if (!k->open)
		return EBADF;
	if ((e = dm_ioeventfd_unregister(hsm, k)))
		return e;
	k->gpa = gpa;
	k->data = data;
	e = ioeventfd_ioctl(hsm, k, ACRN_IOEVENTFD_FLAG_DATAMATCH);
	if (!e)
		k->on = true;
	return e;
}

/* ---- the set's eventfds and thread ---- */

static void *kick_thread(void *arg)
{
	struct vdevs *s = arg;
	struct epoll_event ev[16];

	for (;;) {
		int n = epoll_wait(s->epfd, ev, 16, -1);

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "bulkhead-dm: ioeventfd thread: epoll_wait: %m\n");
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64, count;
			struct vdev *d;
			unsigned q;

			if (tag == EV_STOP)
				return NULL;
			d = &s->dev[tag >> 8];
			q = (unsigned)(tag & 0xFF);
			if (read(d->kick[q].efd, &count, sizeof(count)) != sizeof(count))
				continue;
			pthread_mutex_lock(s->lock);
			d->evfd_kicks += count;
			virtio_pci_kick(&d->vp, q);
			virtio_pci_run(&d->vp);
			pthread_mutex_unlock(s->lock);
		}
	}
}

static void close_all(struct vdevs *s)
{
	for (unsigned i = 0; i < s->n; i++)
		for (unsigned q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++) {
			struct dm_kickfd *k = &s->dev[i].kick[q];

			if (k->on && dm_ioeventfd_unregister(s->hsm, k) == 0)
				s->dev[i].evfd_regs++;
			if (k->open)
				close(k->efd);
			k->open = k->on = false;
		}
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->stopfd >= 0)
		close(s->stopfd);
	s->epfd = s->stopfd = -1;
}

int vdevs_kick_start(struct vdevs *s, int hsm, pthread_mutex_t *lock)
{
	struct epoll_event ev = { .events = EPOLLIN };
	bool any = false;

	s->hsm = hsm;
	s->lock = lock;
	s->epfd = s->stopfd = -1;
	s->kick_on = false;
	for (unsigned i = 0; i < s->n; i++)
		any |= s->dev[i].cfg && s->dev[i].cfg->ioeventfd;
	if (!any)
		return 0;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stopfd = eventfd(0, EFD_CLOEXEC);
	ev.data.u64 = EV_STOP;
	if (s->epfd < 0 || s->stopfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stopfd, &ev))
		goto fail;
	for (unsigned i = 0; i < s->n; i++) {
		struct vdev *d = &s->dev[i];

		if (!d->cfg || !d->cfg->ioeventfd)
			continue;
		for (unsigned q = 0; q < d->desc.nqueues; q++) {
			struct dm_kickfd *k = &d->kick[q];

			k->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (k->efd < 0)
				goto fail;
			k->open = true;
			ev.data.u64 = (uint64_t)i << 8 | q;
			if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, k->efd, &ev))
				goto fail;
		}
	}
	if (pthread_create(&s->kick_thr, NULL, kick_thread, s) == 0) {
		s->kick_on = true;
		return 0;
	}
fail:
	fprintf(stderr, "bulkhead-dm: ioeventfd: eventfds or their thread: %m\n");
	close_all(s);
	return -1;
}

void vdevs_kick_sync(struct vdevs *s)
{
	if (!s->kick_on)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		struct vdev *d = &s->dev[i];

		for (unsigned q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++) {
			struct dm_kickfd *k = &d->kick[q];
			uint64_t gpa;
			uint16_t data;
			bool want = k->open && virtio_pci_notify_gpa(&d->vp, q, &gpa, &data);
			int e = 0;

			if (want && (!k->on || k->gpa != gpa || k->data != data))
				e = dm_ioeventfd_register(s->hsm, k, gpa, data);
			else if (!want && k->on)
				e = dm_ioeventfd_unregister(s->hsm, k);
			else
				continue;
			if (e) {
				/* the kick still arrives as a forwarded request: slower, not lost */
				fprintf(stderr, "bulkhead-dm: %s queue %u: IOEVENTFD %s at %#llx: %s\n",
					d->vp.name, q, want ? "register" : "unregister",
					(unsigned long long)(want ? gpa : k->gpa), strerror(e));
				continue;
			}
			d->evfd_regs++;
		}
	}
}

void vdevs_kick_stop(struct vdevs *s)
{
	uint64_t one = 1;

	if (!s->kick_on)
		return;
	if (write(s->stopfd, &one, sizeof(one)) == sizeof(one))
		pthread_join(s->kick_thr, NULL);
	else
		pthread_cancel(s->kick_thr);
	s->kick_on = false;
	close_all(s);
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i].cfg && s->dev[i].cfg->ioeventfd)
			fprintf(stderr, "bulkhead-dm: %s: ioeventfd: %llu kicks by eventfd, "
				"%llu registrations and removals\n", s->dev[i].vp.name,
				(unsigned long long)s->dev[i].evfd_kicks,
				(unsigned long long)s->dev[i].evfd_regs);
}
