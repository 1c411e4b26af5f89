/* Physical PCI config space: ECAM where the MCFG gives one, else 0xCF8/0xCFC. */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "spinlock.h"
#include "x86.h"

#define PCI_CONF_ADDR 0xCF8
#define PCI_CONF_DATA 0xCFC

static spinlock_t cf8_lock = SPINLOCK_INIT;
static u64 ecam_base;
static u8 ecam_start, ecam_end;

void pci_cfg_set_ecam(u64 base, u8 start_bus, u8 end_bus)
{
	ecam_base = base;
	ecam_start = start_bus;
	ecam_end = end_bus;
}

static volatile void *ecam_addr(u16 bdf, u16 offset)
{
	if (!ecam_base || PCI_BUS(bdf) < ecam_start || PCI_BUS(bdf) > ecam_end)
		return NULL;
	return phys_to_virt(ecam_base + (((u64)bdf - ((u64)ecam_start << 8)) << 12) + offset);
}

u32 pci_cfg_read(u16 bdf, u16 offset, unsigned size)
{
	volatile void *p = ecam_addr(bdf, offset);
	u32 v;

	if (p)
		return size == 1 ? *(volatile u8 *)p : size == 2 ? *(volatile u16 *)p : *(volatile u32 *)p;
	if (offset >= 256)	/* no extended space without ECAM: nothing there, size bytes of ones */
		return size_ones(size);
	spin_lock(&cf8_lock);
	outl(PCI_CONF_ADDR, 0x80000000u | ((u32)bdf << 8) | (offset & 0xfc));
	if (size == 1)
		v = inb(PCI_CONF_DATA + (offset & 3));
	else if (size == 2)
		v = inw(PCI_CONF_DATA + (offset & 2));
	else
		v = inl(PCI_CONF_DATA);
	spin_unlock(&cf8_lock);
	return v;
}

void pci_cfg_write(u16 bdf, u16 offset, unsigned size, u32 val)
{
	volatile void *p = ecam_addr(bdf, offset);

	if (p) {
		if (size == 1)
			*(volatile u8 *)p = (u8)val;
		else if (size == 2)
			*(volatile u16 *)p = (u16)val;
		else
			*(volatile u32 *)p = val;
		return;
	}
	if (offset >= 256)
		return;
	spin_lock(&cf8_lock);
	outl(PCI_CONF_ADDR, 0x80000000u | ((u32)bdf << 8) | (offset & 0xfc));
	if (size == 1)
		outb(PCI_CONF_DATA + (offset & 3), (u8)val);
	else if (size == 2)
		outw(PCI_CONF_DATA + (offset & 2), (u16)val);
	else
		outl(PCI_CONF_DATA, val);
	spin_unlock(&cf8_lock);
}
