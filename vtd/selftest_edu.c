/* Minimal driver for QEMU's edu device: find it, DMA, raise its MSI. */
#include "lib.h"
#include "lapic.h"
#include "mm.h"
#include "pci.h"
#include "vtd_edu.h"

#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	BIT(0)
#define EDU_CMD_TO_RAM	BIT(1)
#define EDU_IRQ_BIT	0x1	/* the "factorial" status bit: any value raises the MSI */

u32 edu_read32(const struct edu *e, unsigned off)
{
	return *(volatile u32 *)(e->bar + off);
}

static void edu_write32(const struct edu *e, unsigned off, u32 v)
{
	*(volatile u32 *)(e->bar + off) = v;
}

static void edu_write64(const struct edu *e, unsigned off, u64 v)
{
	*(volatile u64 *)(e->bar + off) = v;
}

static u8 find_cap(u16 bdf, u8 id)
{
	u8 p;

	if (!(pci_cfg_read(bdf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	p = pci_cfg_read(bdf, PCI_CAP_PTR, 1) & 0xfc;
	for (unsigned n = 0; p && n < 48; n++) {
		if ((pci_cfg_read(bdf, p, 1) & 0xff) == id)
			return p;
		p = pci_cfg_read(bdf, p + 1, 1) & 0xfc;
	}
	return 0;
}

int edu_find(struct edu *e)
{
	for (unsigned bus = 0; bus < 256; bus++)
		for (unsigned dev = 0; dev < 32; dev++)
			for (unsigned fn = 0; fn < 8; fn++) {
				u16 bdf = PCI_BDF(bus, dev, fn);
				u32 id = pci_cfg_read(bdf, PCI_VENDOR_ID, 4);
				u32 bar;

				if ((id & 0xffff) == 0xffff) {
					if (!fn)
						break;	/* no function 0: no device */
					continue;
				}
				if (id != (EDU_VENDOR | (EDU_DEVICE << 16)))
					continue;
				bar = pci_cfg_read(bdf, PCI_BAR0, 4);
				if ((bar & 1) || !(bar & ~0xfu))
					return -ENODEV;	/* not a memory BAR, or unassigned */
				e->bdf = bdf;
				e->bar = phys_to_virt(bar & ~0xfu);
				e->msi_cap = find_cap(bdf, 0x05);
				e->msi64 = e->msi_cap &&
					   (pci_cfg_read(bdf, e->msi_cap + 2, 2) & BIT(7));
				pci_cfg_write(bdf, PCI_COMMAND, 2,
					      pci_cfg_read(bdf, PCI_COMMAND, 2) |
					      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
				return 0;
			}
	return -ENODEV;
}

int edu_dma(const struct edu *e, u64 iova, u32 count, bool to_ram, unsigned ms)
{
	edu_write64(e, EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	edu_write64(e, EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	edu_write64(e, EDU_DMA_CNT, count);
	edu_write64(e, EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (unsigned i = 0; i < ms * 10; i++) {
		if (!(edu_read32(e, EDU_DMA_CMD) & EDU_CMD_RUN))
			return 0;
		udelay(100);
	}
	return -ETIMEDOUT;
}

void edu_msi_enable(const struct edu *e, u32 addr_lo, u32 addr_hi, u16 data)
{
	u16 ctl;

	pci_cfg_write(e->bdf, PCI_COMMAND, 2,
		      pci_cfg_read(e->bdf, PCI_COMMAND, 2) | PCI_COMMAND_INTX_OFF);
	pci_cfg_write(e->bdf, e->msi_cap + 4, 4, addr_lo);
	if (e->msi64) {
		pci_cfg_write(e->bdf, e->msi_cap + 8, 4, addr_hi);
		pci_cfg_write(e->bdf, e->msi_cap + 12, 2, data);
	} else {
		pci_cfg_write(e->bdf, e->msi_cap + 8, 2, data);
	}
	ctl = pci_cfg_read(e->bdf, e->msi_cap + 2, 2);
	ctl &= ~(7u << 4);		/* one vector */
	pci_cfg_write(e->bdf, e->msi_cap + 2, 2, ctl | BIT(0));
}

void edu_irq_raise(const struct edu *e)
{
	edu_write32(e, EDU_IRQ_RAISE, EDU_IRQ_BIT);
}

void edu_irq_ack(const struct edu *e)
{
	edu_write32(e, EDU_IRQ_ACK, EDU_IRQ_BIT);
}
