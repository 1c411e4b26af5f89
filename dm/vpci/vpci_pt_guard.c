/*
 * Config registers of a passthrough function that the guest may not write:
 * those that move address decoding or create functions no VM was given.
 * - SR-IOV (extended cap 0x10): Control (VF Enable, VF Memory Space), NumVFs,
 *   System Page Size and the VF BARs. Enabled VFs would be new functions
 *   decoding wherever their BARs say, in no VM's view and no DMA domain.
 * - Resizable BAR (0x15) and VF Resizable BAR (0x24): the BAR Size fields;
 *   a grown BAR would decode over memory the hypervisor gave elsewhere.
 * - The Intel host bridge at 00:00.0 (a Service VM that owns it): the
 *   chipset's decoding registers (Intel client datasheets, "Host Bridge/DRAM
 *   registers"). Q35's PAM/SMRAM/ESMRAMC (0x90-0x9E) and the i440FX's PAM
 *   (0x59-0x5F) and SMRAM (0x72) fall inside the same ranges.
 * Such writes are dropped (the other bytes of the access still reach the
 * device); reads go to the device, which never saw them, so the guest reads
 * what is really in force. The first dropped write of a function is
 * logged, later ones are not (a driver may retry in a loop).
 */
#include "vpci_internal.h"

#define BDF_FMT "%02x:%02x.%u"
#define BDF_ARGS(b) PCI_BUS(b), PCI_DEV(b), PCI_FN(b)

#define EXT_CAP_SRIOV		0x10
#define EXT_CAP_REBAR		0x15
#define EXT_CAP_VF_REBAR	0x24
/* SR-IOV capability offsets (PCIe base spec, 9.3.3) */
#define SRIOV_CTRL		0x08
#define SRIOV_NUM_VF		0x10
#define SRIOV_PAGE_SIZE		0x20
#define SRIOV_VF_BAR_END	0x3C	/* VF BAR0-5 at 0x24-0x3B */
/* Resizable BAR: entries of 8 bytes from +4; the first control register's bits 7:5 count them */
#define REBAR_CTRL0		0x08
#define REBAR_NR(ctrl)		(((ctrl) >> 5) & 7)

struct chipset_reg {
	u8 off, len;
	const char *name;
};

static const struct chipset_reg chipset_regs[] = {
	{ 0x40, 8, "PXPEPBAR" },
	{ 0x48, 8, "MCHBAR" },
	{ 0x50, 2, "GGC" },
	{ 0x54, 4, "DEVEN" },
	{ 0x58, 4, "PAVPC" },
	{ 0x5C, 4, "DPR" },
	{ 0x60, 8, "PCIEXBAR" },
	{ 0x68, 8, "DMIBAR" },
	{ 0x70, 16, "MESEG_BASE/MASK" },
	{ 0x80, 7, "PAM0-6" },
	{ 0x87, 1, "LAC" },
	{ 0x88, 1, "SMRAMC" },
	{ 0x90, 16, "REMAPBASE/REMAPLIMIT (Q35: PAM, SMRAM, ESMRAMC)" },
	{ 0xA0, 8, "TOM" },
	{ 0xA8, 8, "TOUUD" },
	{ 0xB0, 4, "BDSM" },
	{ 0xB4, 4, "BGSM" },
	{ 0xB8, 4, "TSEGMB" },
	{ 0xBC, 4, "TOLUD" },
};

/* Bytes of (VF) Resizable BAR entries after the header: 8 per resizable BAR, 1-6 of them */
static unsigned rebar_len(const struct vpci_vdev *d, u16 cap)
{
	unsigned n = REBAR_NR(pci_cfg_read(d->pbdf, cap + REBAR_CTRL0, 4));

	/* anything else is a broken device: guard the most there can be */
	if (n < 1 || n > 6)
		n = 6;
	return 8 * n;
}

static bool in(u16 off, u16 base, unsigned lo, unsigned hi)
{
	return off >= base + lo && off < base + hi;
}

/* What extended capability cap (id) makes of byte off: its name, or NULL when the guest may write it. */
static const char *ext_guarded(const struct vpci_vdev *d, u16 id, u16 cap, u16 off)
{
	switch (id) {
	case EXT_CAP_SRIOV:
		if (in(off, cap, SRIOV_CTRL, SRIOV_CTRL + 2))
			return "SR-IOV Control";
		if (in(off, cap, SRIOV_NUM_VF, SRIOV_NUM_VF + 2))
			return "SR-IOV NumVFs";
		if (in(off, cap, SRIOV_PAGE_SIZE, SRIOV_VF_BAR_END))
			return "SR-IOV System Page Size/VF BARs";
		return NULL;
	case EXT_CAP_REBAR:
		return in(off, cap, 4, 4 + rebar_len(d, cap)) ? "Resizable BAR control" : NULL;
	case EXT_CAP_VF_REBAR:
		return in(off, cap, 4, 4 + rebar_len(d, cap)) ? "VF Resizable BAR control" : NULL;
	default:
		return NULL;
	}
}

static bool is_intel_host_bridge(const struct pci_pdev *p)
{
	return p->bdf == 0 && p->vendor == 0x8086 && (p->class_rev >> 8) == 0x060000;
}

/* The name of what byte off belongs to, or NULL when the guest may write it. */
static const char *guarded(const struct vpci_vdev *d, u16 off)
{
	const struct pci_pdev *p = d->pdev;

	if (off >= PCI_EXT_CAP_START) {
		/* the capability holding off: the last one starting at or below it */
		const struct pci_cap_info *c = NULL;

		for (unsigned i = 0; i < p->nr_ext_caps; i++)
			if (p->ext_cap[i].offset <= off && (!c || p->ext_cap[i].offset > c->offset))
				c = &p->ext_cap[i];
		return c ? ext_guarded(d, c->id, c->offset, off) : NULL;
	}
	if (is_intel_host_bridge(p))
		for (unsigned i = 0; i < ARRAY_SIZE(chipset_regs); i++)
			if (off >= chipset_regs[i].off && off < chipset_regs[i].off + chipset_regs[i].len)
				return chipset_regs[i].name;
	return NULL;
}

bool vpci_guard_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val)
{
	const char *what = NULL, *w;
	unsigned dropped = 0;

	for (unsigned i = 0; i < size; i++) {
		w = guarded(d, off + i);
		if (w) {
			dropped |= BIT(i);
			what = what ? what : w;
		}
	}
	if (!dropped)
		return false;
	if (d->guard_dropped != 0xFFFF)
		d->guard_dropped++;
	if (!d->guard_logged) {
		d->guard_logged = true;
		pr_warn("vpci " BDF_FMT ": write to %s (offset 0x%x) dropped: it could move address "
			"decoding or add functions; further ones on this function are dropped silently\n",
			BDF_ARGS(d->vbdf), what, off);
	}
	/* the bytes of the access the guest may write still go, one at a time */
	for (unsigned i = 0; i < size; i++)
		if (!(dropped & BIT(i)))
			pci_cfg_write(d->pbdf, off + i, 1, (val >> (8 * i)) & 0xFF);
	return true;
}
