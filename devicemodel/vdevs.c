/* The VM's virtio devices as one set (include/vdev.h): open, attach, dispatch, run, close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vdev.h"

int vdevs_open(struct vdevs *s, const struct dm_config *cfg)
{
	char why[DM_PATH_MAX + 128];

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < cfg->ndevs; i++) {
		const struct dm_dev *c = &cfg->dev[i];
		struct vdev *d = &s->dev[s->n];
		int r;

		d->fd = -1;
		if (c->kind == DM_DEV_VIRTIO_BLK)
			r = virtio_blk_open(d, c, why, sizeof(why));
		else if (c->kind == DM_DEV_VIRTIO_RND)
			r = virtio_rng_open(d, c, why, sizeof(why));
		else if (c->kind == DM_DEV_VIRTIO_CONSOLE)
			r = virtio_console_open(d, c, why, sizeof(why));
		else if (c->kind == DM_DEV_VIRTIO_NET)
			r = virtio_net_open(d, c, cfg->name, why, sizeof(why));
		else
			continue;
		s->n++;			/* closed by vdevs_close even when it failed */
		if (r) {
			fprintf(stderr, "bulkhead-dm: -s %s: %s\n", c->spec, why);
			return -1;
		}
	}
	return 0;
}

int vdevs_attach(struct vdevs *s, struct pcicfg *p, const struct gmem *mem,
		 int (*inject)(void *ctx, uint64_t addr, uint32_t data), void *ctx)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct vdev *d = &s->dev[i];

		if (virtio_pci_init(&d->vp, &d->desc, d, p, d->cfg->slot, d->cfg->fn, mem, inject, ctx))
			return -1;
	}
	return 0;
}

bool vdevs_mmio(struct vdevs *s, uint64_t gpa, unsigned size, bool write, uint64_t *v)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct virtio_pci *vp = &s->dev[i].vp;

		if (!virtio_pci_claims(vp, gpa, size))
			continue;
		if (write)
			virtio_pci_write(vp, gpa, size, *v);
		else
			*v = virtio_pci_read(vp, gpa, size);
		return true;
	}
	return false;
}

struct vdev *vdevs_stdin(struct vdevs *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i].from_stdin)
			return &s->dev[i];
	return NULL;
}

int vdevs_start(struct vdevs *s, pthread_mutex_t *lock, int hsm)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i].net && virtio_net_start(&s->dev[i], lock, hsm))
			return -1;
	return 0;
}

void vdevs_stop(struct vdevs *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i].net)
			virtio_net_stop(&s->dev[i]);
}

void vdevs_run(struct vdevs *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		virtio_pci_run(&s->dev[i].vp);
		if (s->dev[i].net)
			virtio_net_sync(&s->dev[i]);
	}
}

void vdevs_close(struct vdevs *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct vdev *d = &s->dev[i];

		if (d->vp.desc)
			fprintf(stderr, "bulkhead-dm: %s: %llu requests, %llu bytes, %llu kicks, "
				"%llu MSIs (%llu failed, %llu without a vector)\n", d->vp.name,
				(unsigned long long)d->reqs, (unsigned long long)d->bytes,
				(unsigned long long)d->vp.kicks, (unsigned long long)d->vp.msis,
				(unsigned long long)d->vp.msi_fail, (unsigned long long)d->vp.msi_lost);
		if (d->rx_dropped)
			fprintf(stderr, "bulkhead-dm: %s: %llu input bytes dropped (the guest took none)\n",
				d->vp.name, (unsigned long long)d->rx_dropped);
		virtio_net_close(d);
		if (d->fd > STDERR_FILENO)
			close(d->fd);
		free(d->rx);
	}
	s->n = 0;
}
