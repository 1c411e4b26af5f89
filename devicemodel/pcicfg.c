/* PCI configuration space of the emulated functions (include/pcicfg.h). */
#include <string.h>

#include "pcicfg.h"

void pcicfg_init(struct pcicfg *p)
{
	memset(p, 0, sizeof(*p));
}

static void put16(uint8_t *b, unsigned off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

int pcicfg_add(struct pcicfg *p, unsigned dev, unsigned fn, uint16_t vendor, uint16_t device,
	       uint32_t class_code, uint8_t header_type)
{
	struct pci_func *f;

	if (dev >= PCI_SLOTS || fn >= PCI_FUNCS || p->f[dev][fn].present)
		return -1;
	f = &p->f[dev][fn];
	memset(f, 0, sizeof(*f));
	f->present = true;
	put16(f->cfg, 0x00, vendor);
	put16(f->cfg, 0x02, device);
	f->cfg[0x09] = (uint8_t)class_code;
	f->cfg[0x0A] = (uint8_t)(class_code >> 8);
	f->cfg[0x0B] = (uint8_t)(class_code >> 16);
	f->cfg[0x0E] = header_type;
	put16(f->cfg, 0x2C, vendor);		/* subsystem vendor */
	put16(f->cfg, 0x2E, device);
	f->wmask[0x04] = 0x07;			/* I/O, memory, bus master */
	f->wmask[0x0C] = 0xFF;			/* cache line size */
	f->wmask[0x0D] = 0xFF;			/* latency timer */
	f->wmask[0x3C] = 0xFF;			/* interrupt line */
	return 0;
}

static struct pci_func *lookup(struct pcicfg *p, unsigned bus, unsigned dev, unsigned fn,
			       unsigned reg, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4) || (reg & (size - 1)) || reg >= PCI_CFG_SIZE ||
	    bus != 0 || dev >= PCI_SLOTS || fn >= PCI_FUNCS || !p->f[dev][fn].present)
		return NULL;
	return &p->f[dev][fn];
}

uint32_t pcicfg_read(struct pcicfg *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		     unsigned size)
{
	struct pci_func *f = lookup(p, bus, dev, fn, reg, size);
	uint32_t v = 0;

	if (!f) {
		p->absent_reads++;
		return size == 1 || size == 2 ? (1u << (size * 8)) - 1 : 0xFFFFFFFFu;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)f->cfg[reg + i] << (i * 8);
	return v;
}

void pcicfg_write(struct pcicfg *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		  unsigned size, uint32_t v)
{
	struct pci_func *f = lookup(p, bus, dev, fn, reg, size);

	if (!f) {
		p->dropped_writes++;
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		uint8_t m = f->wmask[reg + i], b = (uint8_t)(v >> (i * 8));

		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~m) | (b & m));
	}
}

void pcicfg_ecam_decode(uint64_t off, unsigned *bus, unsigned *dev, unsigned *fn, unsigned *reg)
{
	*bus = (unsigned)(off >> 20) & 0xFF;
	*dev = (unsigned)(off >> 15) & 0x1F;
	*fn = (unsigned)(off >> 12) & 7;
	*reg = (unsigned)off & 0xFFF;
}
