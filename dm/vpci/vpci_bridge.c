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

const struct vpci_vdev_ops vpci_bridge_ops = {
	.read = br_read,
	.write = br_write,
};
