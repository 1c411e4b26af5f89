/*
 * Physical PCI devices as enumerated once at boot (arch/x86/pci_enum.c),
 * and the config-space layout facts (PCI 3.0, PCIe 4.0) the vPCI needs.
 *
 * pci_enumerate() walks bus 0 and every bus behind a PCI-PCI bridge (the
 * bus numbers firmware assigned), functions 1-7 only where function 0 has
 * the multifunction bit. BARs are sized once with I/O and memory decode off;
 * capability lists (and the PCIe extended list when offset 256 reads back
 * something other than all ones) are recorded with the facts the vPCI and
 * the reset code use. All config access goes through pci_cfg_read/write.
 */
#ifndef BH_PCI_DEV_H
#define BH_PCI_DEV_H

#include "types.h"
#include "pci.h"

#ifndef PCI_MAX_PDEVS
#define PCI_MAX_PDEVS		64
#endif
#define PCI_MAX_CAPS		16
#define PCI_MAX_EXT_CAPS	16
#define PCI_BAR_MAX		6	/* type 0 header; a bridge has 2 */
#define PCI_CFG_SIZE		256	/* conventional config space */
#define PCI_ECFG_SIZE		4096	/* PCIe extended config space */

/* header registers beyond include/pci.h */
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0C
#define PCI_LATENCY_TIMER	0x0D
#define PCI_BIST		0x0F
#define PCI_BAR(i)		(PCI_BAR0 + 4 * (i))
#define PCI_BAR_END		0x28	/* first byte after BAR5 */
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYSTEM_VENDOR_ID	0x2C
#define PCI_ROM_ADDRESS		0x30
#define PCI_MIN_GNT		0x3E
#define PCI_MAX_LAT		0x3F
#define PCI_HDR_SIZE		0x40
/* type 1 (bridge) header */
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1A
#define PCI_BRIDGE_ROM_ADDRESS	0x38
#define PCI_BRIDGE_CONTROL	0x3E
/* type 2 (CardBus) header keeps its capability pointer elsewhere */
#define PCI_CB_CAP_PTR		0x14

#define PCI_HEADER_TYPE_MASK	0x7F
#define PCI_HEADER_MULTIFUNC	0x80
#define PCI_HEADER_NORMAL	0
#define PCI_HEADER_BRIDGE	1
#define PCI_HEADER_CARDBUS	2

#define PCI_COMMAND_MWI		BIT(4)
#define PCI_COMMAND_PARITY	BIT(6)
#define PCI_COMMAND_SERR	BIT(8)
#define PCI_STATUS_INTX		BIT(3)
/* Status bits software clears by writing 1 (PCI 3.0 6.2.3) */
#define PCI_STATUS_RW1C		0xF900u

/* BAR register bits */
#define PCI_BAR_SPACE_IO	BIT(0)
#define PCI_BAR_MEM_TYPE_MASK	0x6u
#define PCI_BAR_MEM_TYPE_64	0x4u
#define PCI_BAR_MEM_PREFETCH	BIT(3)
#define PCI_BAR_IO_MASK		0xFFFFFFFCu
#define PCI_BAR_MEM_MASK	0xFFFFFFF0u

/* capability ids */
#define PCI_CAP_ID_PM		0x01
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_PCIE		0x10
#define PCI_CAP_ID_MSIX		0x11
#define PCI_EXT_CAP_START	0x100
#define PCI_EXT_CAP_ID(h)	((h) & 0xFFFFu)
#define PCI_EXT_CAP_NEXT(h)	(((h) >> 20) & 0xFFCu)

/* MSI capability (offsets from the capability) */
#define PCI_MSI_CTRL		0x02
#define PCI_MSI_ADDR_LO		0x04
#define PCI_MSI_ADDR_HI		0x08	/* 64-bit capable only */
#define PCI_MSI_DATA_32		0x08
#define PCI_MSI_DATA_64		0x0C
#define PCI_MSI_MASK_32		0x0C	/* per-vector masking capable only */
#define PCI_MSI_MASK_64		0x10
#define PCI_MSI_CTRL_EN		BIT(0)
#define PCI_MSI_CTRL_MMC	(7u << 1)
#define PCI_MSI_CTRL_MME	(7u << 4)
#define PCI_MSI_CTRL_64		BIT(7)
#define PCI_MSI_CTRL_PVM	BIT(8)

/* MSI-X capability and table */
#define PCI_MSIX_CTRL		0x02
#define PCI_MSIX_TABLE		0x04
#define PCI_MSIX_PBA		0x08
#define PCI_MSIX_CTRL_SIZE	0x07FFu		/* table size - 1 */
#define PCI_MSIX_CTRL_FMASK	BIT(14)
#define PCI_MSIX_CTRL_EN	BIT(15)
#define PCI_MSIX_BIR_MASK	7u
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_ADDR_LO	0x0
#define PCI_MSIX_ENTRY_ADDR_HI	0x4
#define PCI_MSIX_ENTRY_DATA	0x8
#define PCI_MSIX_ENTRY_CTRL	0xC
#define PCI_MSIX_ENTRY_MASKED	BIT(0)

/* PCI Express capability */
#define PCI_EXP_DEVCAP		0x04
#define PCI_EXP_DEVCTL		0x08
#define PCI_EXP_DEVSTA		0x0A
#define PCI_EXP_DEVCAP_FLR	BIT(28)
#define PCI_EXP_DEVCTL_FLR	BIT(15)
#define PCI_EXP_DEVSTA_TRPND	BIT(5)

/* Power management capability */
#define PCI_PM_CTRL		0x04		/* PMCSR */
#define PCI_PM_STATE_MASK	3u
#define PCI_PM_D0		0
#define PCI_PM_D3HOT		3
#define PCI_PM_NO_SOFT_RESET	BIT(3)

enum pci_bar_type {
	PCI_BAR_NONE,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,		/* low dword; the next BAR is its PCI_BAR_MEM64_HI */
	PCI_BAR_MEM64_HI,
};

struct pci_bar_info {
	u64 base;		/* as firmware left it (the hypervisor never moves it) */
	u64 size;		/* 0: not implemented */
	u8 type;		/* enum pci_bar_type */
	bool prefetch;
};

struct pci_cap_info {
	u16 id;
	u16 offset;
};

struct pci_pdev {
	u16 bdf;
	u16 vendor, device;
	u32 class_rev;		/* class code << 8 | revision id */
	u8 hdr_type;		/* without the multifunction bit */
	bool multifunction;
	u8 intx_pin;		/* 0 none, 1..4 = INTA..INTD */
	u8 sec_bus, sub_bus;	/* bridges */
	u8 nr_bars;
	struct pci_bar_info bar[PCI_BAR_MAX];
	u8 nr_caps, nr_ext_caps;
	struct pci_cap_info cap[PCI_MAX_CAPS];
	struct pci_cap_info ext_cap[PCI_MAX_EXT_CAPS];
	/* offsets of the capabilities the vPCI handles (0 = absent) */
	u8 msi_off, msix_off, pcie_off, pm_off;
	u16 msi_ctrl;		/* Message Control as found (64-bit, PVM, MMC) */
	u16 msix_entries;	/* table size */
	u8 msix_table_bir, msix_pba_bir;
	u32 msix_table_off, msix_pba_off;
	bool flr;		/* PCIe DevCap: Function Level Reset */
	bool pm_no_soft_reset;	/* PMCSR No_Soft_Reset: D3hot->D0 keeps state */
	void *owner;		/* the struct vpci it is assigned to (dm/vpci) */
};

extern struct pci_pdev pci_pdevs[PCI_MAX_PDEVS];
extern unsigned pci_nr_pdevs;

/*
 * (Re)build pci_pdevs from the hardware. Returns the number of functions
 * found, or -ENOSPC when there were more than PCI_MAX_PDEVS (the first
 * PCI_MAX_PDEVS are kept).
 */
int pci_enumerate(void);
struct pci_pdev *pci_find_pdev(u16 bdf);
/* Offset of capability id in the standard list (ext: extended list); 0 if none. */
u16 pci_pdev_find_cap(const struct pci_pdev *p, u16 id, bool ext);
/* The bridge whose secondary bus holds bdf (bus > 0), NULL on bus 0 or when none was found. */
const struct pci_pdev *pci_upstream_bridge(u16 bdf);
/*
 * Where INTx pin (1..4) of the function at bdf reaches bus 0: each bridge
 * on the way rotates it by the device number below it (PCI-to-PCI Bridge
 * 1.2, 9.1). *root is the bus-0 function the interrupt arrives as (bdf
 * itself on bus 0), *root_pin its pin. False: bdf is behind a bus no
 * enumerated bridge leads to.
 */
bool pci_intx_to_root(u16 bdf, u8 pin, u16 *root, u8 *root_pin);

/* INTx pin (1..4) of a device at dev on a bridge's secondary bus, as the bridge's side sees it. */
static inline u8 pci_swizzle_pin(u8 dev, u8 pin)
{
	return (u8)(((pin - 1u + dev) & 3u) + 1u);
}

/* Size of a BAR's register span in dwords (2 for a 64-bit BAR, else 1). */
static inline unsigned pci_bar_dwords(const struct pci_bar_info *b)
{
	return b->type == PCI_BAR_MEM64 ? 2 : 1;
}

#endif
