/*
 * A PCI-PCI bridge shown to the Service VM as it is (identity BDF): reads
 * go to the device so the OS finds the buses firmware set up; only Command
 * and Status's RW1C bits may be written, so bus numbers and windows stay
 * where the hypervisor's view of the machine expects them.
 */
#include "vpci_internal.h"

#define BR_CMD_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
			 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_OFF)

static void br_read(struct vpci_vdev *d, u16 off, unsigned size, u32 *val)
{
	*val = pci_cfg_read(d->pbdf, off, size);
}

static void br_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	u32 dw, phys;

	if ((off & ~3u) != PCI_COMMAND)
		return;
	phys = pci_cfg_read(d->pbdf, PCI_COMMAND, 4);
	dw = vpci_merge(phys & 0xFFFF, off, size, val);
	if (vpci_touches(off, size, PCI_COMMAND, PCI_STATUS)) {
		d->cmd = (u16)((phys & ~BR_CMD_WRITABLE) | (dw & BR_CMD_WRITABLE));
		pci_cfg_write(d->pbdf, PCI_COMMAND, 2, d->cmd);
	}
	if ((dw >> 16) & PCI_STATUS_RW1C)
		pci_cfg_write(d->pbdf, PCI_STATUS, 2, (dw >> 16) & PCI_STATUS_RW1C);
}

static int br_init(struct vpci_vdev *d, const struct vpci_dev_config *dc)
{
	int ret = vpci_pdev_header_is(d, PCI_HEADER_BRIDGE);

	if (ret)
		return ret;
	d->intx_pin = dc->intx_pin;
	d->intx_line = dc->intx_line;
	d->cmd = (u16)pci_cfg_read(d->pbdf, PCI_COMMAND, 2);
	return 0;
}

/* No release: the bridge keeps its buses and windows, and the Service VM never loses it. */
const struct vpci_vdev_ops vpci_bridge_ops = {
	.physical = true,
	.init = br_init,
	.read = br_read,
	.write = br_write,
};
