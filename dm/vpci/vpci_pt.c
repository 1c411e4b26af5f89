/*
 * Passthrough vdev: a type 0 function of the board given to the VM.
 * Identity, class, header layout and capabilities read through; Command is
 * virtual and mirrored to the device; Status reads through and passes its
 * RW1C bits on; BARs, Interrupt Line/Pin, MSI and MSI-X are virtual; the
 * expansion ROM is hidden. Past the header, everything but MSI/MSI-X and
 * what vpci_pt_guard.c keeps (SR-IOV, Resizable BAR, chipset decoding)
 * goes to the device; a guest FLR or PM reset is done on the guest's behalf so
 * the physical BARs come back where the hypervisor mapped them.
 */
#include "vpci_internal.h"

#define PT_CMD_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
			 PCI_COMMAND_MWI | PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
			 PCI_COMMAND_INTX_OFF)
#define PT_PM_RESET_US 10000	/* D3hot->D0 recovery (PCI PM 1.2, 5.6.1) */

static bool in_cap(u16 off, u8 cap, unsigned len)
{
	return cap && off >= cap && off < cap + ALIGN_UP(len, 4);
}

static u32 pt_header_dword(struct vpci_vdev *d, u16 reg)
{
	u32 v;

	switch (reg) {
	case PCI_COMMAND:
		return d->cmd | (pci_cfg_read(d->pbdf, PCI_STATUS, 2) << 16);
	case PCI_CACHE_LINE_SIZE:
		/* the guest sees a multifunction device only if it has the other functions */
		v = pci_cfg_read(d->pbdf, PCI_CACHE_LINE_SIZE, 4) & ~((u32)PCI_HEADER_MULTIFUNC << 16);
		if (vpci_has_other_functions(d->vpci, d->vbdf))
			v |= (u32)PCI_HEADER_MULTIFUNC << 16;
		return v;
	case PCI_ROM_ADDRESS:
	case 0x38:		/* reserved */
		return 0;
	case PCI_INTERRUPT_LINE:
		return (pci_cfg_read(d->pbdf, PCI_MIN_GNT, 2) << 16) | ((u32)d->intx_pin << 8) |
		       d->intx_line;
	default:
		if (reg >= PCI_BAR0 && reg < PCI_BAR_END)
			return vpci_bar_read(d, (reg - PCI_BAR0) / 4);
		return pci_cfg_read(d->pbdf, reg, 4);
	}
}

static __noinline void pt_read_other(struct vpci_vdev *d, u16 off, unsigned size, u32 *val)
{
	const struct pci_pdev *p = d->pdev;
	u16 reg = off & ~3u;

	if (off >= PCI_HDR_SIZE) {
		if (in_cap(off, p->msi_off, vpci_msi_cap_len(p)))
			*val = vpci_extract(vpci_msi_read(d, reg - p->msi_off), off, size);
		else if (in_cap(off, p->msix_off, VPCI_MSIX_CAP_LEN))
			*val = vpci_extract(vpci_msix_read(d, reg - p->msix_off), off, size);
		else
			*val = pci_cfg_read(d->pbdf, off, size);
		return;
	}
	switch (reg) {
	case PCI_CARDBUS_CIS:
	case PCI_SUBSYSTEM_VENDOR_ID:
	case PCI_CAP_PTR:
		*val = pci_cfg_read(d->pbdf, off, size);	/* short path: one physical read */
		return;
	default:
		*val = vpci_extract(pt_header_dword(d, reg), off, size);
	}
}

/* Identity and class are read-only, as enumerated: no physical access for the commonest reads. */
static void pt_read(struct vpci_vdev *d, u16 off, unsigned size, u32 *val)
{
	const struct pci_pdev *p = d->pdev;

	if (off < PCI_COMMAND)
		*val = vpci_extract(p->vendor | (u32)p->device << 16, off, size);
	else if ((off & ~3u) == PCI_CLASS_REVISION)
		*val = vpci_extract(p->class_rev, off, size);
	else
		pt_read_other(d, off, size, val);
}

static void pt_write_command(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	u32 dw = vpci_merge(d->cmd, off, size, val);
	u16 old = d->cmd;

	if (vpci_touches(off, size, PCI_COMMAND, PCI_STATUS)) {
		u16 phys = (u16)pci_cfg_read(d->pbdf, PCI_COMMAND, 2);

		d->cmd = (u16)(dw & PT_CMD_WRITABLE);
		pci_cfg_write(d->pbdf, PCI_COMMAND, 2, (phys & ~PT_CMD_WRITABLE) | d->cmd);
		vpci_bar_decode(d, old, d->cmd);
	}
	if (vpci_touches(off, size, PCI_STATUS, PCI_STATUS + 2)) {
		u16 at = MAX(off, PCI_STATUS);
		unsigned n = off + size - at;
		u32 part = (dw >> ((at & 3) * 8)) & size_ones(n);
		u32 rw1c = (PCI_STATUS_RW1C >> ((at - PCI_STATUS) * 8)) & size_ones(n);

		if (part & rw1c)
			pci_cfg_write(d->pbdf, at, n, part & rw1c);
	}
}

/* The device lost its state (guest FLR or PM reset): so does the vdev. */
static void pt_after_reset(struct vpci_vdev *d)
{
	vpci_msi_disable(d);
	vpci_msix_disable(d);
	vpci_bar_decode(d, d->cmd, 0);
	d->cmd = 0;
	vpci_reset_restore_bars(d->pdev);
}

/* DevCtl "Initiate FLR": done here, with our wait and BAR restore. */
static bool pt_write_devctl(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	const struct pci_pdev *p = d->pdev;
	u16 devctl = p->pcie_off + PCI_EXP_DEVCTL;
	unsigned shift = (off & 3) * 8;
	u32 flr = shift <= 15 ? (u32)PCI_EXP_DEVCTL_FLR >> shift : 0;

	/* without FLR capability the bit does nothing: plain write */
	if (!p->pcie_off || !p->flr || !vpci_touches(off, size, devctl, devctl + 2) || !(val & flr))
		return false;
	pci_cfg_write(d->pbdf, off, size, val & ~flr);
	vpci_reset_flr(p, d->vpci->ops->udelay);
	pt_after_reset(d);
	return true;
}

/* PMCSR D3hot -> D0 resets a device without No_Soft_Reset: restore BARs. */
static bool pt_write_pmcsr(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	const struct pci_pdev *p = d->pdev;
	u16 pmcsr = p->pm_off + PCI_PM_CTRL;
	u32 before, after;

	if (!p->pm_off || !vpci_touches(off, size, pmcsr, pmcsr + 1))
		return false;
	before = pci_cfg_read(d->pbdf, pmcsr, 2);
	pci_cfg_write(d->pbdf, off, size, val);
	after = vpci_merge(before, off, size, val);
	if ((before & PCI_PM_STATE_MASK) == PCI_PM_D3HOT &&
	    (after & PCI_PM_STATE_MASK) == PCI_PM_D0 && !p->pm_no_soft_reset) {
		d->vpci->ops->udelay(PT_PM_RESET_US);
		pt_after_reset(d);
	}
	return true;
}

static void pt_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	const struct pci_pdev *p = d->pdev;
	u16 reg = off & ~3u;

	if (off >= PCI_HDR_SIZE) {
		if (vpci_guard_write(d, off, size, val))
			return;
		if (in_cap(off, p->msi_off, vpci_msi_cap_len(p)))
			vpci_msi_write(d, off - p->msi_off, size, val);
		else if (in_cap(off, p->msix_off, VPCI_MSIX_CAP_LEN))
			vpci_msix_write(d, off - p->msix_off, size, val);
		else if (!pt_write_devctl(d, off, size, val) && !pt_write_pmcsr(d, off, size, val))
			pci_cfg_write(d->pbdf, off, size, val);
		return;
	}
	if (reg == PCI_COMMAND) {
		pt_write_command(d, off, size, val);
	} else if (reg >= PCI_BAR0 && reg < PCI_BAR_END) {
		unsigned idx = (reg - PCI_BAR0) / 4;

		vpci_bar_write(d, idx, vpci_merge(vpci_bar_read(d, idx), off, size, val));
	} else if (reg == PCI_INTERRUPT_LINE && off == PCI_INTERRUPT_LINE) {
		d->intx_line = (u8)val;		/* scratch for the OS; never reaches the device */
	}
	/* other header registers are read-only to the guest */
}

static void pt_disable_msi_phys(const struct pci_pdev *p)
{
	if (p->msi_off) {
		u16 c = (u16)pci_cfg_read(p->bdf, p->msi_off + PCI_MSI_CTRL, 2);

		pci_cfg_write(p->bdf, p->msi_off + PCI_MSI_CTRL, 2, c & ~PCI_MSI_CTRL_EN);
	}
	if (p->msix_off) {
		u16 c = (u16)pci_cfg_read(p->bdf, p->msix_off + PCI_MSIX_CTRL, 2);

		pci_cfg_write(p->bdf, p->msix_off + PCI_MSIX_CTRL, 2,
			      c & ~(PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK));
	}
}

/* The function's header is what its vdev kind shows (type 0, or a bridge's type 1). */
int vpci_pdev_header_is(const struct vpci_vdev *d, u8 want)
{
	const struct pci_pdev *p = d->pdev;

	if (p->hdr_type == want)
		return 0;
	pr_warn_ratelimited("vpci: %02x:%02x.%u has header type %u, not a %s\n", PCI_BUS(p->bdf),
		PCI_DEV(p->bdf), PCI_FN(p->bdf), p->hdr_type,
		want == PCI_HEADER_BRIDGE ? "bridge" : "type 0 function");
	return -ENOTSUP;
}

static int pt_init(struct vpci_vdev *d, const struct vpci_dev_config *dc)
{
	const struct pci_pdev *p = d->pdev;
	int ret = vpci_pdev_header_is(d, PCI_HEADER_NORMAL);

	if (ret)
		return ret;
	d->intx_pin = dc->intx_pin;
	d->intx_line = dc->intx_line;
	d->guard_logged = false;
	d->guard_dropped = 0;
	if (d->flags & VPCI_DEVF_RESET)
		vpci_reset_pdev(p, d->vpci->ops->udelay);
	pt_disable_msi_phys(p);
	d->cmd = (u16)pci_cfg_read(d->pbdf, PCI_COMMAND, 2) & PT_CMD_WRITABLE;
	vpci_bar_setup(d, dc);
	vpci_msix_setup(d);
	vpci_bar_decode(d, 0, d->cmd);
	return 0;
}

static void pt_release(struct vpci_vdev *d)
{
	const struct pci_pdev *p = d->pdev;
	u16 c;

	vpci_msi_disable(d);
	vpci_msix_disable(d);
	vpci_bar_unmap_all(d);
	/* stop decode and DMA before anyone else gets the device */
	c = (u16)pci_cfg_read(d->pbdf, PCI_COMMAND, 2);
	pci_cfg_write(d->pbdf, PCI_COMMAND, 2,
		      c & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	d->cmd = 0;
	if (d->flags & VPCI_DEVF_RESET)
		vpci_reset_pdev(p, d->vpci->ops->udelay);
}

const struct vpci_vdev_ops vpci_pt_ops = {
	.physical = true,
	.init = pt_init,
	.read = pt_read,
	.write = pt_write,
	.release = pt_release,
};
