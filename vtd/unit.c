/* One remapping unit: probe, global command handshakes and the bring-up order. */
#include "lib.h"
#include "mm.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

#define VTD_PMEN_EPM	BIT(31)
#define VTD_PMEN_PRS	BIT(0)

void vtd_unit_flush(const struct vtd_unit *u, const void *p, size_t len)
{
	if (!u->caps.coherent)
		vtd_hw_clflush(p, len);
}

int vtd_unit_probe(struct vtd_unit *u)
{
	u->cap = vtd_hw_read64(u, VTD_REG_CAP);
	u->ecap = vtd_hw_read64(u, VTD_REG_ECAP);
	if (!u->cap || u->cap == ~0ULL)
		return -ENODEV;
	vtd_caps_decode(u->cap, u->ecap, &u->caps);
	if (!vtd_caps_has_levels(&u->caps, 3) && !vtd_caps_has_levels(&u->caps, 4))
		return -ENODEV;		/* only 5-level tables: not supported here */
	return 0;
}

static int poll32(struct vtd_unit *u, unsigned off, u32 mask, u32 want)
{
	for (unsigned i = 0;; i++) {
		if ((vtd_hw_read32(u, off) & mask) == want)
			return 0;
		if (i >= VTD_POLL_US)
			return -ETIMEDOUT;
		vtd_hw_relax();
	}
}

/*
 * GCMD takes the whole persistent state each write: start from GSTS with
 * the one-shot status bits cleared, change one bit, wait for GSTS to agree.
 */
int vtd_unit_gcmd(struct vtd_unit *u, u32 bit, bool on)
{
	u32 v = vtd_hw_read32(u, VTD_REG_GSTS) & ~VTD_GSTS_ONESHOT;

	vtd_hw_write32(u, VTD_REG_GCMD, on ? v | bit : v & ~bit);
	return poll32(u, VTD_REG_GSTS, bit, on ? bit : 0);
}

/* Firmware may hand over a unit that is already translating or remapping. */
static int unit_quiesce(struct vtd_unit *u)
{
	u32 sts = vtd_hw_read32(u, VTD_REG_GSTS);
	int ret = 0;

	if (sts & VTD_GCMD_TE)
		ret = vtd_unit_gcmd(u, VTD_GCMD_TE, false);
	if (!ret && (sts & VTD_GCMD_IRE))
		ret = vtd_unit_gcmd(u, VTD_GCMD_IRE, false);
	if (!ret && (sts & VTD_GCMD_QIE)) {
		for (unsigned i = 0; vtd_hw_read64(u, VTD_REG_IQH) != vtd_hw_read64(u, VTD_REG_IQT); i++) {
			if (i >= VTD_POLL_US)
				return -ETIMEDOUT;
			vtd_hw_relax();
		}
		ret = vtd_unit_gcmd(u, VTD_GCMD_QIE, false);
	}
	return ret;
}

static int unit_set_root(struct vtd_unit *u)
{
	u->root = vtd_hw_alloc_page();
	if (!u->root)
		return -ENOMEM;
	vtd_unit_flush(u, u->root, PAGE_SIZE);
	vtd_hw_write64(u, VTD_REG_RTADDR, virt_to_phys(u->root));	/* legacy mode (TTM 0) */
	return vtd_unit_gcmd(u, VTD_GCMD_SRTP, true);
}

/* Protected memory regions would keep blocking DMA under translation: drop them. */
static int unit_disable_pmr(struct vtd_unit *u)
{
	if (!(u->cap & (BIT(5) | BIT(6))))	/* PLMR, PHMR */
		return 0;
	if (!(vtd_hw_read32(u, VTD_REG_PMEN) & VTD_PMEN_EPM))
		return 0;
	vtd_hw_write32(u, VTD_REG_PMEN, 0);
	return poll32(u, VTD_REG_PMEN, VTD_PMEN_PRS, 0);
}

/*
 * The order matters: quiesce, route faults, root table pointer, the
 * invalidation interface, global context-cache then IOTLB invalidation
 * (required after a new root pointer), interrupt remapping, then
 * translation. Every context entry starts not present: all DMA is blocked
 * until a device is assigned to a domain.
 */
int vtd_unit_bringup(struct vtd_unit *u, bool want_ir, u8 fault_vector, u32 fault_dest)
{
	struct vtd_fault stale[4];
	int ret;

	ret = unit_quiesce(u);
	if (ret)
		return ret;
	vtd_hw_write32(u, VTD_REG_FECTL, VTD_FECTL_IM);
	vtd_unit_fault_drain(u, stale, ARRAY_SIZE(stale));
	vtd_hw_write32(u, VTD_REG_FEDATA, fault_vector);
	vtd_hw_write32(u, VTD_REG_FEADDR, 0xFEE00000u | ((fault_dest & 0xff) << 12));
	vtd_hw_write32(u, VTD_REG_FEUADDR, 0);

	ret = unit_set_root(u);
	if (!ret && u->caps.qi)
		ret = vtd_qi_enable(u);
	if (!ret)
		ret = vtd_inv_context(u, VTD_INV_GLOBAL, 0, 0);
	if (!ret)
		ret = vtd_inv_iotlb(u, VTD_INV_GLOBAL, 0, 0, 0);
	if (!ret && want_ir)
		ret = vtd_ir_setup(u);
	if (ret)
		return ret;
	vtd_write_buffer_flush(u);
	ret = vtd_unit_gcmd(u, VTD_GCMD_TE, true);
	if (!ret)
		ret = unit_disable_pmr(u);
	if (!ret)
		vtd_hw_write32(u, VTD_REG_FECTL, 0);	/* fault events on */
	return ret;
}
