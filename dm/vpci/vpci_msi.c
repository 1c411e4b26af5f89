/*
 * Virtual MSI capability. The guest's address, data, enable and mask stay
 * virtual; the device is programmed with what ops->msi_remap returns for
 * them (the hypervisor's vector, later a remapping entry), masked (or, with
 * no per-vector mask, disabled) while address/data change. One vector:
 * Multiple Message Capable reads 0, so the guest never enables more.
 */
#include "vpci_internal.h"

struct msi_layout {
	bool is64, pvm;
	u16 data, mask, pending;	/* offsets in the capability */
};

static struct msi_layout layout(const struct pci_pdev *p)
{
	struct msi_layout l;

	l.is64 = p->msi_ctrl & PCI_MSI_CTRL_64;
	l.pvm = p->msi_ctrl & PCI_MSI_CTRL_PVM;
	l.data = l.is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
	l.mask = l.is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
	l.pending = l.mask + 4;
	return l;
}

unsigned vpci_msi_cap_len(const struct pci_pdev *p)
{
	struct msi_layout l = layout(p);

	return l.pvm ? l.pending + 4u : l.data + 2u;
}

u32 vpci_msi_read(struct vpci_vdev *d, u16 off)
{
	const struct pci_pdev *p = d->pdev;
	struct msi_layout l = layout(p);
	const struct vpci_msi *m = &d->msi;

	if (off == 0) {
		u16 ctrl = (p->msi_ctrl & (PCI_MSI_CTRL_64 | PCI_MSI_CTRL_PVM)) |
			   (m->ctrl & PCI_MSI_CTRL_EN);

		/* id and next pointer as the device has them */
		return (pci_cfg_read(d->pbdf, p->msi_off, 2) & 0xFFFF) | ((u32)ctrl << 16);
	}
	if (off == PCI_MSI_ADDR_LO)
		return m->addr_lo;
	if (l.is64 && off == PCI_MSI_ADDR_HI)
		return m->addr_hi;
	if (off == l.data)
		return m->data;
	if (l.pvm && off == l.mask)
		return m->mask;
	if (l.pvm && off == l.pending)
		return pci_cfg_read(d->pbdf, p->msi_off + l.pending, 4) & 1;
	return 0;
}

static void sync(struct vpci_vdev *d)
{
	const struct pci_pdev *p = d->pdev;
	const struct vpci_ops *ops = d->vpci->ops;
	struct msi_layout l = layout(p);
	struct vpci_msi *m = &d->msi;
	struct vpci_msi_src src = { .pbdf = d->pbdf, .vbdf = d->vbdf, .msix = false, .index = 0 };
	u16 ctrl_at = p->msi_off + PCI_MSI_CTRL;
	u16 pctrl = (u16)pci_cfg_read(d->pbdf, ctrl_at, 2);
	u64 haddr;
	u32 hdata;

	if (!(m->ctrl & PCI_MSI_CTRL_EN)) {
		if (pctrl & PCI_MSI_CTRL_EN)
			pci_cfg_write(d->pbdf, ctrl_at, 2, pctrl & ~(PCI_MSI_CTRL_EN | PCI_MSI_CTRL_MME));
		if (m->programmed && ops->msi_release)
			ops->msi_release(d->vpci->ctx, &src);
		m->programmed = false;
		return;
	}
	if (!m->programmed || m->dirty) {
		/* no message may leave with half-written address/data */
		if (l.pvm) {
			pci_cfg_write(d->pbdf, p->msi_off + l.mask, 4, 1);
		} else if (pctrl & PCI_MSI_CTRL_EN) {
			pctrl &= ~PCI_MSI_CTRL_EN;
			pci_cfg_write(d->pbdf, ctrl_at, 2, pctrl);
		}
		m->programmed = false;
		if (ops->msi_remap(d->vpci->ctx, &src, ((u64)m->addr_hi << 32) | m->addr_lo, m->data,
				   &haddr, &hdata) ||
		    (!l.is64 && (haddr >> 32))) {
			pr_warn_ratelimited("vpci %02x:%02x.%u: MSI 0x%lx/0x%x refused: left disabled\n",
				PCI_BUS(d->vbdf), PCI_DEV(d->vbdf), PCI_FN(d->vbdf),
				((u64)m->addr_hi << 32) | m->addr_lo, m->data);
			if (pctrl & PCI_MSI_CTRL_EN)
				pci_cfg_write(d->pbdf, ctrl_at, 2, pctrl & ~PCI_MSI_CTRL_EN);
			return;
		}
		pci_cfg_write(d->pbdf, p->msi_off + PCI_MSI_ADDR_LO, 4, (u32)haddr);
		if (l.is64)
			pci_cfg_write(d->pbdf, p->msi_off + PCI_MSI_ADDR_HI, 4, (u32)(haddr >> 32));
		pci_cfg_write(d->pbdf, p->msi_off + l.data, 2, hdata & 0xFFFF);
		m->programmed = true;
		m->dirty = false;
	}
	if ((pctrl & (PCI_MSI_CTRL_EN | PCI_MSI_CTRL_MME)) != PCI_MSI_CTRL_EN)
		pci_cfg_write(d->pbdf, ctrl_at, 2, (pctrl & ~PCI_MSI_CTRL_MME) | PCI_MSI_CTRL_EN);
	if (l.pvm)
		pci_cfg_write(d->pbdf, p->msi_off + l.mask, 4, m->mask & 1);
}

void vpci_msi_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	struct msi_layout l = layout(d->pdev);
	struct vpci_msi *m = &d->msi;
	u16 reg = off & ~3u;
	u32 dw = vpci_merge(vpci_msi_read(d, reg), off, size, val);

	if (reg == 0) {
		if (!vpci_touches(off, size, PCI_MSI_CTRL, PCI_MSI_CTRL + 2))
			return;		/* id and next pointer are read-only */
		m->ctrl = (dw >> 16) & PCI_MSI_CTRL_EN;
	} else if (reg == PCI_MSI_ADDR_LO) {
		m->addr_lo = dw & ~3u;
		m->dirty = true;
	} else if (l.is64 && reg == PCI_MSI_ADDR_HI) {
		m->addr_hi = dw;
		m->dirty = true;
	} else if (reg == l.data) {
		if (!vpci_touches(off, size, l.data, l.data + 2))
			return;		/* extended message data: not offered */
		m->data = dw & 0xFFFF;
		m->dirty = true;
	} else if (l.pvm && reg == l.mask) {
		m->mask = dw & 1;
	} else {
		return;			/* pending bits and padding are read-only */
	}
	sync(d);
}

void vpci_msi_disable(struct vpci_vdev *d)
{
	if (!d->pdev || !d->pdev->msi_off)
		return;
	d->msi.ctrl = 0;
	sync(d);
	memset(&d->msi, 0, sizeof(d->msi));
}
