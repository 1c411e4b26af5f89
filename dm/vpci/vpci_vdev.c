/*
 * Which devices a VM has and who owns each physical function: vpci set-up
 * and tear-down, assignment at run time, lookup by virtual BDF, and the
 * Service VM's view (everything not hidden from it). A VM sees only its
 * own vdevs, so another VM's device is simply absent (all ones).
 */
#include "vpci_internal.h"

static spinlock_t owner_lock = SPINLOCK_INIT;	/* pci_pdev.owner of every function */

/* The scan behind vpci_find_vdev (include/vpci.h), which tries the last vdev found first. */
struct vpci_vdev *vpci_find_vdev_scan(struct vpci *vp, u16 vbdf)
{
	for (unsigned i = 0; i < vp->nr_vdevs; i++) {
		struct vpci_vdev *d = &vp->vdev[i];

		if (vpci_vdev_is(d, vbdf)) {
			vp->vdev_hint = (u32)((u8 *)d - (u8 *)vp->vdev);
			return d;
		}
	}
	return NULL;
}

bool vpci_has_vdev(struct vpci *vp, u16 vbdf)
{
	return vpci_find_vdev(vp, vbdf) != NULL;
}

bool vpci_has_other_functions(const struct vpci *vp, u16 vbdf)
{
	for (unsigned i = 0; i < vp->nr_vdevs; i++) {
		const struct vpci_vdev *d = &vp->vdev[i];

		if (d->ops && d->vbdf != vbdf && (d->vbdf >> 3) == (vbdf >> 3))
			return true;
	}
	return false;
}

struct vpci *vpci_pdev_owner(u16 pbdf)
{
	struct pci_pdev *p = pci_find_pdev(pbdf);

	return p ? p->owner : NULL;
}

static int claim(struct vpci *vp, struct pci_pdev *p)
{
	int ret = 0;

	spin_lock(&owner_lock);
	if (p->owner)
		ret = -EBUSY;
	else
		p->owner = vp;
	spin_unlock(&owner_lock);
	return ret;
}

static void unclaim(struct vpci *vp, const struct pci_pdev *p)
{
	struct pci_pdev *w = pci_find_pdev(p->bdf);

	spin_lock(&owner_lock);
	if (w && w->owner == vp)
		w->owner = NULL;
	spin_unlock(&owner_lock);
}

static void free_slot(struct vpci *vp, struct vpci_vdev *d)
{
	memset(d, 0, sizeof(*d));
	while (vp->nr_vdevs && !vp->vdev[vp->nr_vdevs - 1].ops)
		vp->nr_vdevs--;
}

/* The ops of each vdev kind (enum vpci_dev_kind). */
static const struct vpci_vdev_ops *const kind_ops[] = {
	[VPCI_DEV_HOSTBRIDGE] = &vpci_hostbridge_ops,
	[VPCI_DEV_PASSTHROUGH] = &vpci_pt_ops,
	[VPCI_DEV_BRIDGE] = &vpci_bridge_ops,
};

static int assign_locked(struct vpci *vp, const struct vpci_dev_config *dc)
{
	const struct vpci_vdev_ops *ops = dc->kind < ARRAY_SIZE(kind_ops) ? kind_ops[dc->kind] : NULL;
	struct vpci_vdev *d = NULL;
	struct pci_pdev *p = NULL;
	int ret;

	if (!ops)
		return -EINVAL;
	if (vpci_find_vdev(vp, dc->vbdf))
		return -EEXIST;
	if (ops->physical) {
		p = pci_find_pdev(dc->pbdf);
		if (!p)
			return -ENODEV;
		ret = claim(vp, p);
		if (ret)
			return ret;
	}
	for (unsigned i = 0; i < vp->nr_vdevs; i++)
		if (!vp->vdev[i].ops)
			d = &vp->vdev[i];
	if (!d && vp->nr_vdevs < VPCI_MAX_VDEVS)
		d = &vp->vdev[vp->nr_vdevs++];
	if (!d) {
		if (p)
			unclaim(vp, p);
		return -ENOSPC;
	}
	memset(d, 0, sizeof(*d));
	d->vpci = vp;
	d->vbdf = dc->vbdf;
	d->kind = (u8)dc->kind;
	d->flags = dc->flags;
	if (p) {
		d->pdev = p;
		d->pbdf = dc->pbdf;
	}
	ret = ops->init(d, dc);
	if (ret) {
		if (p)
			unclaim(vp, p);
		free_slot(vp, d);
		return ret;
	}
	d->ops = ops;
	return 0;
}

int vpci_assign_dev(struct vpci *vp, const struct vpci_dev_config *dc)
{
	int ret;

	spin_lock(&vp->lock);
	ret = assign_locked(vp, dc);
	spin_unlock(&vp->lock);
	if (ret)
		pr_warn_ratelimited("vpci: %02x:%02x.%u (physical %02x:%02x.%u) not assigned: %d\n",
			PCI_BUS(dc->vbdf), PCI_DEV(dc->vbdf), PCI_FN(dc->vbdf),
			PCI_BUS(dc->pbdf), PCI_DEV(dc->pbdf), PCI_FN(dc->pbdf), ret);
	return ret;
}

static void release(struct vpci *vp, struct vpci_vdev *d)
{
	if (d->ops->release)
		d->ops->release(d);
	if (d->pdev)
		unclaim(vp, d->pdev);
	free_slot(vp, d);
}

int vpci_deassign_dev(struct vpci *vp, u16 vbdf)
{
	struct vpci_vdev *d;

	spin_lock(&vp->lock);
	d = vpci_find_vdev(vp, vbdf);
	if (d)
		release(vp, d);
	spin_unlock(&vp->lock);
	return d ? 0 : -ENODEV;
}

void vpci_deinit(struct vpci *vp)
{
	spin_lock(&vp->lock);
	for (unsigned i = vp->nr_vdevs; i-- > 0;)
		if (vp->vdev[i].ops)
			release(vp, &vp->vdev[i]);
	vp->nr_vdevs = 0;
	spin_unlock(&vp->lock);
}

int vpci_init(struct vpci *vp, const struct vpci_ops *ops, void *ctx, const struct vpci_config *cfg)
{
	int ret;

	memset(vp, 0, sizeof(*vp));
	if (!ops || !ops->map_mmio || !ops->unmap_mmio || !ops->trap_mmio || !ops->untrap_mmio ||
	    !ops->msi_remap || !ops->phys_mmio_read || !ops->phys_mmio_write || !ops->udelay ||
	    !cfg || cfg->nr_ram > VPCI_MAX_RANGES || cfg->nr_mmio > VPCI_MAX_RANGES ||
	    (cfg->nr_devs && !cfg->devs))
		return -EINVAL;
	vp->ops = ops;
	vp->ctx = ctx;
	vp->nr_ram = cfg->nr_ram;
	vp->nr_mmio = cfg->nr_mmio;
	memcpy(vp->ram, cfg->ram, sizeof(vp->ram));
	memcpy(vp->mmio, cfg->mmio, sizeof(vp->mmio));
	vp->ecam_base = cfg->ecam_base;
	vp->ecam_end_bus = cfg->ecam_end_bus;
	for (unsigned i = 0; i < cfg->nr_devs; i++) {
		ret = vpci_assign_dev(vp, &cfg->devs[i]);
		if (ret) {
			vpci_deinit(vp);
			return ret;
		}
	}
	return 0;
}

void vpci_set_legacy_pio(struct vpci *vp, pio_read_fn rd, pio_write_fn wr, void *opaque)
{
	vp->legacy_read = rd;
	vp->legacy_write = wr;
	vp->legacy_opaque = opaque;
}

int vpci_service_vm_devs(const u16 *hidden, unsigned nr_hidden,
			 struct vpci_dev_config *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pci_nr_pdevs; i++) {
		const struct pci_pdev *p = &pci_pdevs[i];
		bool hide = p->hdr_type == PCI_HEADER_CARDBUS;

		for (unsigned h = 0; h < nr_hidden && !hide; h++)
			hide = hidden[h] == p->bdf;
		if (hide)
			continue;
		if (n == max)
			return -ENOSPC;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].kind = p->hdr_type == PCI_HEADER_BRIDGE ? VPCI_DEV_BRIDGE : VPCI_DEV_PASSTHROUGH;
		out[n].vbdf = out[n].pbdf = p->bdf;
		out[n].intx_pin = p->intx_pin;
		out[n].intx_line = (u8)pci_cfg_read(p->bdf, PCI_INTERRUPT_LINE, 1);
		n++;
	}
	return (int)n;
}
