/*
 * Physical function reset when a device changes hands: FLR (PCIe 4.0
 * 6.6.2) when DevCap advertises it, else a D3hot->D0 transition (PCI PM
 * 1.2 5.6.1) when PMCSR does not say No_Soft_Reset, else nothing. Either
 * reset clears the BARs, which the hypervisor relies on staying where
 * enumeration found them: they are written back afterwards.
 */
#include "vpci_internal.h"

#define FLR_WAIT_US	100000	/* function must be ready 100 ms after FLR */
#define TRPND_WAIT_US	10000
#define TRPND_POLLS	10
#define PM_WAIT_US	10000	/* D3hot -> D0 recovery */

#define BDF_ARGS(b) PCI_BUS(b), PCI_DEV(b), PCI_FN(b)

bool vpci_reset_flr(const struct pci_pdev *p, void (*udelay)(u64 us))
{
	u16 devctl = p->pcie_off + PCI_EXP_DEVCTL;
	unsigned i;

	/* let outstanding requests finish: their completions would be lost */
	for (i = 0; i < TRPND_POLLS; i++) {
		if (!(pci_cfg_read(p->bdf, p->pcie_off + PCI_EXP_DEVSTA, 2) & PCI_EXP_DEVSTA_TRPND))
			break;
		udelay(TRPND_WAIT_US);
	}
	if (i == TRPND_POLLS)
		pr_warn_ratelimited("pci %02x:%02x.%u: transactions still pending, FLR anyway\n", BDF_ARGS(p->bdf));
	pci_cfg_write(p->bdf, devctl, 2, pci_cfg_read(p->bdf, devctl, 2) | PCI_EXP_DEVCTL_FLR);
	udelay(FLR_WAIT_US);
	return true;
}

static void reset_pm(const struct pci_pdev *p, void (*udelay)(u64 us))
{
	u16 at = p->pm_off + PCI_PM_CTRL;
	u32 v = pci_cfg_read(p->bdf, at, 2) & ~PCI_PM_STATE_MASK;

	pci_cfg_write(p->bdf, at, 2, v | PCI_PM_D3HOT);
	udelay(PM_WAIT_US);
	pci_cfg_write(p->bdf, at, 2, v | PCI_PM_D0);
	udelay(PM_WAIT_US);
}

void vpci_reset_restore_bars(const struct pci_pdev *p)
{
	for (unsigned i = 0; i < p->nr_bars && i < PCI_BAR_MAX; i++) {
		const struct pci_bar_info *b = &p->bar[i];

		if (b->type == PCI_BAR_NONE || b->type == PCI_BAR_MEM64_HI || !b->size)
			continue;
		pci_cfg_write(p->bdf, PCI_BAR(i), 4, (u32)b->base);
		if (b->type == PCI_BAR_MEM64 && i + 1 < PCI_BAR_MAX)
			pci_cfg_write(p->bdf, PCI_BAR(i + 1), 4, (u32)(b->base >> 32));
	}
}

enum vpci_reset_kind vpci_reset_pdev(const struct pci_pdev *p, void (*udelay)(u64 us))
{
	u32 cls_lat = pci_cfg_read(p->bdf, PCI_CACHE_LINE_SIZE, 2);
	u32 cmd = pci_cfg_read(p->bdf, PCI_COMMAND, 2);
	enum vpci_reset_kind kind = VPCI_RESET_NONE;

	/* quiet first: no decode, no DMA */
	pci_cfg_write(p->bdf, PCI_COMMAND, 2,
		      cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	if (p->pcie_off && p->flr) {
		vpci_reset_flr(p, udelay);
		kind = VPCI_RESET_FLR;
	} else if (p->pm_off && !p->pm_no_soft_reset) {
		reset_pm(p, udelay);
		kind = VPCI_RESET_PM;
	} else {
		pr_warn_ratelimited("pci %02x:%02x.%u: no FLR or PM reset: handed over without reset\n",
			BDF_ARGS(p->bdf));
	}
	vpci_reset_restore_bars(p);
	pci_cfg_write(p->bdf, PCI_CACHE_LINE_SIZE, 2, cls_lat);
	pci_cfg_write(p->bdf, PCI_COMMAND, 2, 0);
	return kind;
}
