/* Physical PCI configuration access (thin hardware layer; tests replace it). */
#ifndef BH_PCI_H
#define BH_PCI_H

#include "types.h"

/* bus:dev.fn packed as in a PCI requester id */
#define PCI_BDF(b, d, f) ((u16)(((b) << 8) | ((d) << 3) | (f)))
#define PCI_BUS(bdf) ((bdf) >> 8)
#define PCI_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_FN(bdf) ((bdf) & 7)

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REVISION	0x08
#define PCI_HEADER_TYPE		0x0E
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_LINE	0x3C
#define PCI_INTERRUPT_PIN	0x3D

#define PCI_COMMAND_IO		BIT(0)
#define PCI_COMMAND_MEMORY	BIT(1)
#define PCI_COMMAND_MASTER	BIT(2)
#define PCI_COMMAND_INTX_OFF	BIT(10)
#define PCI_STATUS_CAP_LIST	BIT(4)

/* size is 1, 2 or 4 and offset is aligned to it; offsets >= 256 need ECAM */
u32 pci_cfg_read(u16 bdf, u16 offset, unsigned size);
void pci_cfg_write(u16 bdf, u16 offset, unsigned size, u32 val);
/* Use ECAM at base for buses start..end (from the MCFG); 0 = port I/O only. */
void pci_cfg_set_ecam(u64 base, u8 start_bus, u8 end_bus);

#endif
