/* PCI configuration space through the legacy 0xCF8/0xCFC mechanism. */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include "gtypes.h"

#define PCI_CONFIG_ADDR 0xCF8
#define PCI_CONFIG_DATA 0xCFC

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0E

u32 pci_read32(u8 bus, u8 dev, u8 fn, u16 off);
u16 pci_read16(u8 bus, u8 dev, u8 fn, u16 off);
u8 pci_read8(u8 bus, u8 dev, u8 fn, u16 off);
void pci_write32(u8 bus, u8 dev, u8 fn, u16 off, u32 val);
void pci_write16(u8 bus, u8 dev, u8 fn, u16 off, u16 val);
void pci_write8(u8 bus, u8 dev, u8 fn, u16 off, u8 val);

#endif
