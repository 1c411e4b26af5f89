/* CF8/CFC config access; sub-dword accesses use the matching CFC byte lane. */
#include "pci.h"
#include "x86.h"

static void pci_select(u8 bus, u8 dev, u8 fn, u16 off)
{
	outl(PCI_CONFIG_ADDR, BIT(31) | ((u32)bus << 16) | ((u32)(dev & 0x1F) << 11) |
				      ((u32)(fn & 7) << 8) | (off & 0xFC));
}

u32 pci_read32(u8 bus, u8 dev, u8 fn, u16 off)
{
	pci_select(bus, dev, fn, off);
	return inl(PCI_CONFIG_DATA);
}

u16 pci_read16(u8 bus, u8 dev, u8 fn, u16 off)
{
	pci_select(bus, dev, fn, off);
	return inw(PCI_CONFIG_DATA + (off & 2));
}

u8 pci_read8(u8 bus, u8 dev, u8 fn, u16 off)
{
	pci_select(bus, dev, fn, off);
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(u8 bus, u8 dev, u8 fn, u16 off, u32 val)
{
	pci_select(bus, dev, fn, off);
	outl(PCI_CONFIG_DATA, val);
}

void pci_write16(u8 bus, u8 dev, u8 fn, u16 off, u16 val)
{
	pci_select(bus, dev, fn, off);
	outw(PCI_CONFIG_DATA + (off & 2), val);
}

void pci_write8(u8 bus, u8 dev, u8 fn, u16 off, u8 val)
{
	pci_select(bus, dev, fn, off);
	outb(PCI_CONFIG_DATA + (off & 3), val);
}
