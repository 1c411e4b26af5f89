/*
 * Physical PCI enumeration, once at boot, over pci_cfg_read/write only
 * (no hardware access of its own, so unit tests feed it a fake bus).
 * Buses are visited breadth first from bus 0 through the secondary bus
 * numbers firmware gave the bridges; BARs are sized with decode off and
 * restored; capability lists are recorded for the vPCI and device reset.
 */
#include "lib.h"
#include "pci_dev.h"

#define MAX_STD_CAPS	48	/* (256 - 64) / 4: more means a loop */
#define MAX_EXT_CAPS	960	/* (4096 - 256) / 4 */

struct pci_pdev pci_pdevs[PCI_MAX_PDEVS];
unsigned pci_nr_pdevs;

#define BDF_ARGS(b) PCI_BUS(b), PCI_DEV(b), PCI_FN(b)

static u32 rd(u16 bdf, u16 off, unsigned size)
{
	return pci_cfg_read(bdf, off, size);
}

/* One BAR register at idx; returns how many registers it used (2 for 64-bit). */
static unsigned size_bar(struct pci_pdev *p, unsigned idx, unsigned nr)
{
	struct pci_bar_info *b = &p->bar[idx];
	u16 at = PCI_BAR(idx);
	u32 orig = rd(p->bdf, at, 4), sz, orig_hi = 0, sz_hi = 0;
	u64 mask;

	pci_cfg_write(p->bdf, at, 4, 0xFFFFFFFFu);
	sz = rd(p->bdf, at, 4);
	pci_cfg_write(p->bdf, at, 4, orig);
	if (!sz || sz == 0xFFFFFFFFu)
		return 1;	/* not implemented (or the function vanished) */
	if (orig & PCI_BAR_SPACE_IO) {
		mask = sz & PCI_BAR_IO_MASK;
		if (!(mask & 0xFFFF0000u))
			mask |= 0xFFFF0000u;	/* 16-bit decoder: upper bits hardwired 0 */
		mask |= ~0xFFFFFFFFULL;
		b->type = PCI_BAR_IO;
		b->base = orig & PCI_BAR_IO_MASK;
	} else if ((orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && idx + 1 < nr) {
		orig_hi = rd(p->bdf, at + 4, 4);
		pci_cfg_write(p->bdf, at + 4, 4, 0xFFFFFFFFu);
		sz_hi = rd(p->bdf, at + 4, 4);
		pci_cfg_write(p->bdf, at + 4, 4, orig_hi);
		mask = ((u64)sz_hi << 32) | (sz & PCI_BAR_MEM_MASK);
		b->type = PCI_BAR_MEM64;
		b->base = ((u64)orig_hi << 32) | (orig & PCI_BAR_MEM_MASK);
		p->bar[idx + 1].type = PCI_BAR_MEM64_HI;
	} else {
		mask = (sz & PCI_BAR_MEM_MASK) | ~0xFFFFFFFFULL;
		b->type = PCI_BAR_MEM32;
		b->base = orig & PCI_BAR_MEM_MASK;
	}
	b->prefetch = b->type != PCI_BAR_IO && (orig & PCI_BAR_MEM_PREFETCH);
	b->size = mask & (~mask + 1);	/* lowest writable address bit */
	if (!b->size) {
		b->type = PCI_BAR_NONE;
		if (idx + 1 < nr && p->bar[idx + 1].type == PCI_BAR_MEM64_HI)
			p->bar[idx + 1].type = PCI_BAR_NONE;
	}
	return b->type == PCI_BAR_MEM64 ? 2 : 1;
}

static void size_bars(struct pci_pdev *p)
{
	u16 cmd = (u16)rd(p->bdf, PCI_COMMAND, 2);

	p->nr_bars = p->hdr_type == PCI_HEADER_NORMAL ? 6 : p->hdr_type == PCI_HEADER_BRIDGE ? 2 : 0;
	if (!p->nr_bars)
		return;
	/* all ones in a decoding BAR would claim that address range */
	pci_cfg_write(p->bdf, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < p->nr_bars;)
		i += size_bar(p, i, p->nr_bars);
	pci_cfg_write(p->bdf, PCI_COMMAND, 2, cmd);
}

static void note_cap(struct pci_pdev *p, u8 id, u8 off)
{
	if (p->nr_caps < PCI_MAX_CAPS)
		p->cap[p->nr_caps++] = (struct pci_cap_info){ id, off };
	switch (id) {
	case PCI_CAP_ID_MSI:
		p->msi_off = off;
		p->msi_ctrl = (u16)rd(p->bdf, off + PCI_MSI_CTRL, 2);
		break;
	case PCI_CAP_ID_MSIX: {
		u32 t = rd(p->bdf, off + PCI_MSIX_TABLE, 4), pba = rd(p->bdf, off + PCI_MSIX_PBA, 4);

		p->msix_off = off;
		p->msix_entries = (rd(p->bdf, off + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_SIZE) + 1;
		p->msix_table_bir = t & PCI_MSIX_BIR_MASK;
		p->msix_table_off = t & ~PCI_MSIX_BIR_MASK;
		p->msix_pba_bir = pba & PCI_MSIX_BIR_MASK;
		p->msix_pba_off = pba & ~PCI_MSIX_BIR_MASK;
		break;
	}
	case PCI_CAP_ID_PCIE:
		p->pcie_off = off;
		p->flr = rd(p->bdf, off + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR;
		break;
	case PCI_CAP_ID_PM:
		p->pm_off = off;
		p->pm_no_soft_reset = rd(p->bdf, off + PCI_PM_CTRL, 2) & PCI_PM_NO_SOFT_RESET;
		break;
	}
}

static void read_caps(struct pci_pdev *p)
{
	u8 ptr;

	if (!(rd(p->bdf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return;
	ptr = (u8)rd(p->bdf, p->hdr_type == PCI_HEADER_CARDBUS ? PCI_CB_CAP_PTR : PCI_CAP_PTR, 1);
	for (unsigned n = 0; n < MAX_STD_CAPS; n++) {
		u16 hdr;

		ptr &= 0xFC;
		if (ptr < PCI_HDR_SIZE)
			break;	/* 0 ends the list; pointers into the header are bogus */
		hdr = (u16)rd(p->bdf, ptr, 2);
		if ((hdr & 0xFF) == 0xFF)
			break;
		note_cap(p, hdr & 0xFF, ptr);
		ptr = hdr >> 8;
	}
}

/* Extended capabilities exist only on PCIe functions, and only through ECAM. */
static void read_ext_caps(struct pci_pdev *p)
{
	u16 off = PCI_EXT_CAP_START;

	if (!p->pcie_off)
		return;
	for (unsigned n = 0; n < MAX_EXT_CAPS; n++) {
		u32 h = rd(p->bdf, off, 4);

		if (h == 0xFFFFFFFFu || h == 0)
			break;
		if (p->nr_ext_caps < PCI_MAX_EXT_CAPS)
			p->ext_cap[p->nr_ext_caps++] = (struct pci_cap_info){ (u16)PCI_EXT_CAP_ID(h), off };
		off = (u16)PCI_EXT_CAP_NEXT(h);
		if (off < PCI_EXT_CAP_START)
			break;
	}
}

static void probe(struct pci_pdev *p, u16 bdf, u32 id, u8 hdr)
{
	u32 bus;

	memset(p, 0, sizeof(*p));
	p->bdf = bdf;
	p->vendor = (u16)id;
	p->device = (u16)(id >> 16);
	p->class_rev = rd(bdf, PCI_CLASS_REVISION, 4);
	p->hdr_type = hdr & PCI_HEADER_TYPE_MASK;
	p->multifunction = hdr & PCI_HEADER_MULTIFUNC;
	p->intx_pin = (u8)rd(bdf, PCI_INTERRUPT_PIN, 1);
	if (p->intx_pin > 4)
		p->intx_pin = 0;
	if (p->hdr_type == PCI_HEADER_BRIDGE) {
		bus = rd(bdf, PCI_PRIMARY_BUS, 4);
		p->sec_bus = (u8)(bus >> 8);
		p->sub_bus = (u8)(bus >> 16);
	}
	size_bars(p);
	read_caps(p);
	read_ext_caps(p);
}

struct pci_pdev *pci_find_pdev(u16 bdf)
{
	for (unsigned i = 0; i < pci_nr_pdevs; i++)
		if (pci_pdevs[i].bdf == bdf)
			return &pci_pdevs[i];
	return NULL;
}

u16 pci_pdev_find_cap(const struct pci_pdev *p, u16 id, bool ext)
{
	const struct pci_cap_info *c = ext ? p->ext_cap : p->cap;
	unsigned n = ext ? p->nr_ext_caps : p->nr_caps;

	for (unsigned i = 0; i < n; i++)
		if (c[i].id == id)
			return c[i].offset;
	return 0;
}

const struct pci_pdev *pci_upstream_bridge(u16 bdf)
{
	u8 bus = (u8)PCI_BUS(bdf);

	if (!bus)
		return NULL;
	for (unsigned i = 0; i < pci_nr_pdevs; i++) {
		const struct pci_pdev *p = &pci_pdevs[i];

		if (p->hdr_type == PCI_HEADER_BRIDGE && p->sec_bus == bus)
			return p;
	}
	return NULL;
}

bool pci_intx_to_root(u16 bdf, u8 pin, u16 *root, u8 *root_pin)
{
	/* enumeration queued each secondary bus once and only above its bridge's bus: no loop */
	while (PCI_BUS(bdf)) {
		const struct pci_pdev *br = pci_upstream_bridge(bdf);

		if (!br || PCI_BUS(br->bdf) >= PCI_BUS(bdf))
			return false;
		pin = pci_swizzle_pin((u8)PCI_DEV(bdf), pin);
		bdf = br->bdf;
	}
	*root = bdf;
	*root_pin = pin;
	return true;
}

int pci_enumerate(void)
{
	u8 queue[256];
	u32 seen[256 / 32] = { 0 };
	unsigned head = 0, tail = 0, found = 0;

	pci_nr_pdevs = 0;
	queue[tail++] = 0;
	seen[0] = 1;
	while (head < tail) {
		u8 bus = queue[head++];

		for (unsigned dev = 0; dev < 32; dev++) {
			for (unsigned fn = 0; fn < 8; fn++) {
				u16 bdf = PCI_BDF(bus, dev, fn);
				u32 id = rd(bdf, PCI_VENDOR_ID, 4);
				u8 hdr;
				struct pci_pdev *p;

				if ((id & 0xFFFF) == 0xFFFF || (id & 0xFFFF) == 0) {
					if (fn == 0)
						break;	/* no function 0: no device */
					continue;
				}
				hdr = (u8)rd(bdf, PCI_HEADER_TYPE, 1);
				found++;
				if (pci_nr_pdevs < PCI_MAX_PDEVS) {
					p = &pci_pdevs[pci_nr_pdevs++];
					probe(p, bdf, id, hdr);
					if (p->hdr_type == PCI_HEADER_BRIDGE) {
						u8 sec = p->sec_bus;

						if (sec <= bus || (seen[sec / 32] & BIT(sec % 32)))
							pr_warn("pci %02x:%02x.%u: bridge to bus %u skipped\n",
								BDF_ARGS(bdf), sec);
						else if (tail < ARRAY_SIZE(queue)) {
							seen[sec / 32] |= (u32)BIT(sec % 32);
							queue[tail++] = sec;
						}
					}
				}
				if (fn == 0 && !(hdr & PCI_HEADER_MULTIFUNC))
					break;
			}
		}
	}
	if (found > PCI_MAX_PDEVS) {
		pr_err("pci: %u functions, only %u recorded\n", found, PCI_MAX_PDEVS);
		return -ENOSPC;
	}
	return (int)found;
}
