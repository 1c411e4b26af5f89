/*
 * Virtual MSI-X: the capability's enable and function mask, and a virtual
 * copy of the table. The pages holding the table and PBA are trapped
 * (vpci_bar.c leaves them out of the EPT mapping); an entry reaches the
 * device, with what ops->msi_remap returns, when the guest unmasks it while
 * MSI-X is enabled. PBA reads and every other register on trapped pages go
 * to the device through ops->phys_mmio_*.
 */
#include "vpci_internal.h"

#define BDF_ARGS(b) PCI_BUS(b), PCI_DEV(b), PCI_FN(b)

static u32 pba_len(const struct pci_pdev *p)
{
	return (u32)ALIGN_UP(p->msix_entries, 64) / 8;
}

static void add_trap(struct vpci_vdev *d, u8 bar, u64 start, u64 end)
{
	struct vpci_msix *m = &d->msix;
	u64 size = d->bar[bar].size;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = MIN(ALIGN_UP(end, PAGE_SIZE), size);
	if (start >= end)
		return;
	/* table and PBA on the same or adjacent pages: one trap */
	for (unsigned t = 0; t < m->nr_traps; t++) {
		if (m->trap[t].bar == bar && start <= (u64)m->trap[t].off + m->trap[t].size &&
		    m->trap[t].off <= end) {
			u64 s = MIN(start, (u64)m->trap[t].off);
			u64 e = MAX(end, (u64)m->trap[t].off + m->trap[t].size);

			m->trap[t].off = (u32)s;
			m->trap[t].size = (u32)(e - s);
			return;
		}
	}
	m->trap[m->nr_traps].bar = bar;
	m->trap[m->nr_traps].off = (u32)start;
	m->trap[m->nr_traps].size = (u32)(end - start);
	m->nr_traps++;
}

static bool bir_ok(const struct vpci_vdev *d, u8 bir)
{
	return bir < PCI_BAR_MAX && (d->bar[bir].type == PCI_BAR_MEM32 ||
				     d->bar[bir].type == PCI_BAR_MEM64) && d->bar[bir].size;
}

void vpci_msix_setup(struct vpci_vdev *d)
{
	const struct pci_pdev *p = d->pdev;
	struct vpci_msix *m = &d->msix;

	memset(m, 0, sizeof(*m));
	if (!p->msix_off)
		return;
	m->nr_entries = MIN(p->msix_entries, VPCI_MSIX_MAX_ENTRIES);
	for (unsigned i = 0; i < m->nr_entries; i++) {
		m->e[i].ctrl = PCI_MSIX_ENTRY_MASKED;	/* reset value */
		m->e[i].dirty = true;
	}
	if (!bir_ok(d, p->msix_table_bir) || !bir_ok(d, p->msix_pba_bir)) {
		pr_warn_ratelimited("vpci %02x:%02x.%u: MSI-X table/PBA not in a memory BAR\n", BDF_ARGS(d->vbdf));
		return;
	}
	add_trap(d, p->msix_table_bir, p->msix_table_off,
		 (u64)p->msix_table_off + (u64)p->msix_entries * PCI_MSIX_ENTRY_SIZE);
	add_trap(d, p->msix_pba_bir, p->msix_pba_off, (u64)p->msix_pba_off + pba_len(p));
}

u32 vpci_msix_read(struct vpci_vdev *d, u16 off)
{
	const struct pci_pdev *p = d->pdev;
	u32 v = pci_cfg_read(d->pbdf, p->msix_off + off, 4);

	if (off != 0)
		return v;	/* table and PBA offset/BIR as the device has them */
	return (v & 0xFFFF) |
	       ((u32)(((d->msix.nr_entries ? d->msix.nr_entries - 1u : 0u) & PCI_MSIX_CTRL_SIZE) |
		      d->msix.ctrl) << 16);
}

static u64 entry_hpa(const struct vpci_vdev *d, unsigned i)
{
	const struct pci_pdev *p = d->pdev;

	return d->bar[p->msix_table_bir].hpa + p->msix_table_off + (u64)i * PCI_MSIX_ENTRY_SIZE;
}

static void phys_mask(struct vpci_vdev *d, unsigned i, bool masked)
{
	const struct vpci_ops *ops = d->vpci->ops;

	ops->phys_mmio_write(d->vpci->ctx, entry_hpa(d, i) + PCI_MSIX_ENTRY_CTRL, 4,
			     masked ? PCI_MSIX_ENTRY_MASKED : 0);
	d->msix.e[i].phys_unmasked = !masked;
}

static void release(struct vpci_vdev *d, unsigned i)
{
	struct vpci_msi_src src = { .pbdf = d->pbdf, .vbdf = d->vbdf, .msix = true, .index = (u16)i };

	if (d->msix.e[i].programmed && d->vpci->ops->msi_release)
		d->vpci->ops->msi_release(d->vpci->ctx, &src);
	d->msix.e[i].programmed = false;
	d->msix.e[i].dirty = true;
}

static void sync_entry(struct vpci_vdev *d, unsigned i)
{
	const struct vpci_ops *ops = d->vpci->ops;
	struct vpci_msix_entry *e = &d->msix.e[i];
	struct vpci_msi_src src = { .pbdf = d->pbdf, .vbdf = d->vbdf, .msix = true, .index = (u16)i };
	bool active = (d->msix.ctrl & PCI_MSIX_CTRL_EN) && !(e->ctrl & PCI_MSIX_ENTRY_MASKED);
	u64 hpa = entry_hpa(d, i), haddr;
	u32 hdata;

	if (!active) {
		if (e->phys_unmasked)
			phys_mask(d, i, true);
		return;
	}
	if (!e->programmed || e->dirty) {
		if (e->phys_unmasked)
			phys_mask(d, i, true);
		e->programmed = false;
		if (ops->msi_remap(d->vpci->ctx, &src, e->addr, e->data, &haddr, &hdata)) {
			pr_warn_ratelimited("vpci %02x:%02x.%u: MSI-X entry %u 0x%lx/0x%x refused: left masked\n",
				BDF_ARGS(d->vbdf), i, e->addr, e->data);
			return;
		}
		ops->phys_mmio_write(d->vpci->ctx, hpa + PCI_MSIX_ENTRY_ADDR_LO, 4, (u32)haddr);
		ops->phys_mmio_write(d->vpci->ctx, hpa + PCI_MSIX_ENTRY_ADDR_HI, 4, (u32)(haddr >> 32));
		ops->phys_mmio_write(d->vpci->ctx, hpa + PCI_MSIX_ENTRY_DATA, 4, hdata);
		e->programmed = true;
		e->dirty = false;
	}
	if (!e->phys_unmasked)
		phys_mask(d, i, false);
}

static void set_ctrl(struct vpci_vdev *d, u16 new)
{
	struct vpci_msix *m = &d->msix;
	u16 at = d->pdev->msix_off + PCI_MSIX_CTRL;
	u16 pctrl = (u16)pci_cfg_read(d->pbdf, at, 2) & ~(PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	u16 old = m->ctrl;

	m->ctrl = new & (PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	if (!(m->ctrl & PCI_MSIX_CTRL_EN)) {
		if (!(old & PCI_MSIX_CTRL_EN))
			return;
		pci_cfg_write(d->pbdf, at, 2, pctrl);
		for (unsigned i = 0; i < m->nr_entries; i++)
			release(d, i);
		return;
	}
	if (!(old & PCI_MSIX_CTRL_EN)) {
		/* enabled with the function masked while entries are written */
		pci_cfg_write(d->pbdf, at, 2, pctrl | PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
		/* whatever was left in the physical table stays masked */
		for (unsigned i = 0; i < d->pdev->msix_entries; i++) {
			if (i < m->nr_entries && !(m->e[i].ctrl & PCI_MSIX_ENTRY_MASKED))
				continue;
			d->vpci->ops->phys_mmio_write(d->vpci->ctx, entry_hpa(d, i) + PCI_MSIX_ENTRY_CTRL,
						      4, PCI_MSIX_ENTRY_MASKED);
			if (i < m->nr_entries)
				m->e[i].phys_unmasked = false;
		}
	}
	for (unsigned i = 0; i < m->nr_entries; i++)
		sync_entry(d, i);
	pci_cfg_write(d->pbdf, at, 2, pctrl | m->ctrl);
}

void vpci_msix_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	u32 dw;

	if (off >= 4 || !vpci_touches(off, size, PCI_MSIX_CTRL, PCI_MSIX_CTRL + 2))
		return;		/* only Message Control has writable bits */
	dw = vpci_merge(vpci_msix_read(d, 0), off, size, val);
	set_ctrl(d, (u16)(dw >> 16));
}

void vpci_msix_disable(struct vpci_vdev *d)
{
	struct vpci_msix *m = &d->msix;

	if (!d->pdev || !d->pdev->msix_off)
		return;
	set_ctrl(d, 0);
	for (unsigned i = 0; i < m->nr_entries; i++) {
		m->e[i].addr = 0;
		m->e[i].data = 0;
		m->e[i].ctrl = PCI_MSIX_ENTRY_MASKED;
		m->e[i].dirty = true;
	}
}

/* Where an access at offset off of BAR bar falls. */
enum region { R_OTHER, R_TABLE, R_PBA };

static enum region region_of(const struct vpci_vdev *d, int bar, u64 off)
{
	const struct pci_pdev *p = d->pdev;

	if (bar == p->msix_table_bir && off >= p->msix_table_off &&
	    off - p->msix_table_off < (u64)p->msix_entries * PCI_MSIX_ENTRY_SIZE)
		return R_TABLE;
	if (bar == p->msix_pba_bir && off >= p->msix_pba_off && off - p->msix_pba_off < pba_len(p))
		return R_PBA;
	return R_OTHER;
}

static u64 table_read(const struct vpci_vdev *d, u64 rel, unsigned size)
{
	unsigned i = (unsigned)(rel / PCI_MSIX_ENTRY_SIZE);
	const struct vpci_msix_entry *e;
	u32 f = rel % PCI_MSIX_ENTRY_SIZE;
	u32 dw[4];
	u64 v;

	if (i >= d->msix.nr_entries)
		return 0;	/* beyond what the guest was offered */
	e = &d->msix.e[i];
	dw[0] = (u32)e->addr;
	dw[1] = (u32)(e->addr >> 32);
	dw[2] = e->data;
	dw[3] = e->ctrl;
	v = dw[f / 4];
	if (size == 8)
		v |= (u64)dw[f / 4 + 1] << 32;
	return v;
}

static void table_write(struct vpci_vdev *d, u64 rel, unsigned size, u64 val)
{
	unsigned i = (unsigned)(rel / PCI_MSIX_ENTRY_SIZE);
	struct vpci_msix_entry *e;
	u32 f = rel % PCI_MSIX_ENTRY_SIZE;

	if (i >= d->msix.nr_entries)
		return;
	e = &d->msix.e[i];
	for (unsigned k = 0; k < size / 4; k++, f += 4) {
		u32 w = (u32)(val >> (32 * k));
		u64 old_addr = e->addr;
		u32 old_data = e->data;

		if (f == PCI_MSIX_ENTRY_ADDR_LO)
			e->addr = (e->addr & ~0xFFFFFFFFULL) | (w & ~3u);
		else if (f == PCI_MSIX_ENTRY_ADDR_HI)
			e->addr = (e->addr & 0xFFFFFFFFULL) | ((u64)w << 32);
		else if (f == PCI_MSIX_ENTRY_DATA)
			e->data = w;
		else
			e->ctrl = w & PCI_MSIX_ENTRY_MASKED;
		if (e->addr != old_addr || e->data != old_data)
			e->dirty = true;
	}
	sync_entry(d, i);
}

int vpci_msix_mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	struct vpci_vdev *d = opaque;
	struct vpci *vp = d->vpci;
	u64 off;
	int bar;

	(void)v;
	*val = size >= 8 ? ~0ULL : size_ones(size);
	spin_lock(&vp->lock);
	bar = vpci_bar_at(d, gpa, &off);
	if (bar >= 0) {
		switch (region_of(d, bar, off)) {
		case R_TABLE:
			/* the spec allows aligned dwords and qwords only */
			if ((size == 4 || size == 8) && IS_ALIGNED(off, size))
				*val = table_read(d, off - d->pdev->msix_table_off, size);
			break;
		case R_PBA:
		case R_OTHER:
			/* a sub-page BAR's page holds more than the device */
			if (off + size <= d->pdev->bar[bar].size)
				*val = vp->ops->phys_mmio_read(vp->ctx, d->bar[bar].hpa + off, size);
			break;
		}
	}
	spin_unlock(&vp->lock);
	return 0;
}

int vpci_msix_mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val)
{
	struct vpci_vdev *d = opaque;
	struct vpci *vp = d->vpci;
	u64 off;
	int bar;

	(void)v;
	spin_lock(&vp->lock);
	bar = vpci_bar_at(d, gpa, &off);
	if (bar >= 0) {
		switch (region_of(d, bar, off)) {
		case R_TABLE:
			if ((size == 4 || size == 8) && IS_ALIGNED(off, size))
				table_write(d, off - d->pdev->msix_table_off, size, val);
			break;
		case R_PBA:
			break;	/* read-only */
		case R_OTHER:
			if (off + size <= d->pdev->bar[bar].size)
				vp->ops->phys_mmio_write(vp->ctx, d->bar[bar].hpa + off, size, val);
			break;
		}
	}
	spin_unlock(&vp->lock);
	return 0;
}
