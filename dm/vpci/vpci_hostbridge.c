/*
 * Emulated host bridge (8086:1237, class 06/00/00) at the VM's 00:00.0:
 * what an OS expects to find first on bus 0. Nothing behind it is real:
 * no BARs, no capabilities; Command keeps its decode/master bits for the
 * guest to read back; Interrupt Line is scratch; the rest is read-only.
 */
#include "vpci_internal.h"

#define HB_CMD_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
#define HB_STATUS 0x0280u	/* fast back-to-back capable, medium DEVSEL */

static u32 hb_dword(struct vpci_vdev *d, u16 reg)
{
	switch (reg) {
	case PCI_VENDOR_ID:
		return VPCI_HB_VENDOR | ((u32)VPCI_HB_DEVICE << 16);
	case PCI_COMMAND:
		return d->cmd | (HB_STATUS << 16);
	case PCI_CLASS_REVISION:
		return VPCI_HB_CLASS_REV;
	case PCI_CACHE_LINE_SIZE:
		return vpci_has_other_functions(d->vpci, d->vbdf) ? (u32)PCI_HEADER_MULTIFUNC << 16 : 0;
	case PCI_INTERRUPT_LINE:
		return d->intx_line;
	default:
		return 0;	/* BARs, ROM, capabilities, extended space: none */
	}
}

static void hb_read(struct vpci_vdev *d, u16 off, unsigned size, u32 *val)
{
	*val = vpci_extract(hb_dword(d, off & ~3u), off, size);
}

static void hb_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	u16 reg = off & ~3u;
	u32 dw = vpci_merge(hb_dword(d, reg), off, size, val);

	if (reg == PCI_COMMAND && vpci_touches(off, size, PCI_COMMAND, PCI_STATUS))
		d->cmd = (u16)(dw & HB_CMD_WRITABLE);
	else if (reg == PCI_INTERRUPT_LINE && vpci_touches(off, size, PCI_INTERRUPT_LINE, PCI_INTERRUPT_PIN))
		d->intx_line = (u8)dw;
}

static int hb_init(struct vpci_vdev *d, const struct vpci_dev_config *dc)
{
	d->cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	d->intx_line = dc->intx_line;
	return 0;
}

const struct vpci_vdev_ops vpci_hostbridge_ops = {
	.init = hb_init,
	.read = hb_read,
	.write = hb_write,
};
