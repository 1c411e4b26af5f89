/* Interrupt remapping tables: set-up, entry allocation, MSI and IOAPIC users. */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

int vtd_ir_setup(struct vtd_unit *u)
{
	int ret;

	u->irt = vtd_hw_alloc_page();
	if (!u->irt)
		return -ENOMEM;
	vtd_unit_flush(u, u->irt, PAGE_SIZE);
	/* EIME clear: xAPIC-format destinations (8-bit APIC ids) */
	vtd_hw_write64(u, VTD_REG_IRTA, virt_to_phys(u->irt) | VTD_IRT_ORDER);
	ret = vtd_unit_gcmd(u, VTD_GCMD_SIRTP, true);
	if (!ret)
		ret = vtd_inv_iec(u, true, 0);
	/* CFI stays clear: compatibility-format interrupts are blocked */
	if (!ret)
		ret = vtd_unit_gcmd(u, VTD_GCMD_IRE, true);
	if (ret)
		u->irt = NULL;
	return ret;
}

int vtd_irte_alloc(struct vtd_unit *u)
{
	int idx = -ENOSPC;

	if (!u->irt)
		return -ENOTSUP;
	spin_lock(&u->lock);
	for (unsigned i = 0; i < VTD_IRT_ENTRIES; i++)
		if (!(u->irt_used[i / 32] & (1u << (i % 32)))) {
			u->irt_used[i / 32] |= 1u << (i % 32);
			idx = i;
			break;
		}
	spin_unlock(&u->lock);
	return idx;
}

/* One 16-byte store, so the unit never reads half an old and half a new entry. */
static void store128(u64 *p, u64 lo, u64 hi)
{
	u64 old_lo = p[0], old_hi = p[1];
	bool ok;

	do {
		asm volatile("lock cmpxchg16b %[m]"
			     : [m] "+m"(*(volatile u64 (*)[2])p), "+a"(old_lo), "+d"(old_hi),
			       "=@ccz"(ok)
			     : "b"(lo), "c"(hi)
			     : "memory");
	} while (!ok);
}

int vtd_irte_write(struct vtd_unit *u, unsigned index, const u64 e[2])
{
	u64 *slot;

	if (!u->irt || index >= VTD_IRT_ENTRIES)
		return -EINVAL;
	slot = &u->irt[2 * index];
	store128(slot, e[0], e[1]);
	vtd_unit_flush(u, slot, 16);
	return vtd_inv_iec(u, false, index);
}

void vtd_irte_free(struct vtd_unit *u, unsigned index)
{
	static const u64 none[2];

	if (!u->irt || index >= VTD_IRT_ENTRIES)
		return;
	vtd_irte_write(u, index, none);
	spin_lock(&u->lock);
	u->irt_used[index / 32] &= ~(1u << (index % 32));
	spin_unlock(&u->lock);
}

static struct vtd_unit *unit_for(u16 bdf)
{
	int i = vtd_dmar_unit_for(&vtd_sys.dmar, vtd_sys.res, 0, bdf);

	return i < 0 || (unsigned)i >= vtd_sys.nr_units ? NULL : &vtd_sys.units[i];
}

/* Every MSI entry is physical, fixed, edge, and verifies the full requester id. */
static int msi_entry(u16 bdf, u8 vector, u32 dest, const struct vtd_irq_grant *g, u64 e[2])
{
	struct vtd_irte_cfg c = {
		.vector = vector, .dest = dest, .delivery = VTD_DLM_FIXED,
		.svt = VTD_SVT_SID, .sq = 0, .sid = bdf,
	};

	if (g && vtd_irte_check_grant(&c, g))
		return -EPERM;
	return vtd_irte_encode(&c, e);
}

int vtd_msi_setup(u16 bdf, u8 vector, u32 dest, const struct vtd_irq_grant *g,
		  struct vtd_msi *m)
{
	struct vtd_unit *u = unit_for(bdf);
	u64 e[2];
	int idx, ret;

	if (!vtd_sys.active || !u)
		return -ENODEV;
	ret = msi_entry(bdf, vector, dest, g, e);
	if (ret)
		return ret;
	idx = vtd_irte_alloc(u);
	if (idx < 0)
		return idx;
	ret = vtd_irte_write(u, idx, e);
	if (ret) {
		vtd_irte_free(u, idx);
		return ret;
	}
	m->unit = u->index;
	m->index = idx;
	m->addr_lo = vtd_msi_addr(idx);
	m->addr_hi = 0;
	m->data = 0;
	return 0;
}

int vtd_msi_update(const struct vtd_msi *m, u16 bdf, u8 vector, u32 dest,
		   const struct vtd_irq_grant *g)
{
	u64 e[2];
	int ret;

	if (m->unit >= vtd_sys.nr_units || unit_for(bdf) != &vtd_sys.units[m->unit])
		return -EINVAL;
	ret = msi_entry(bdf, vector, dest, g, e);
	return ret ? ret : vtd_irte_write(&vtd_sys.units[m->unit], m->index, e);
}

void vtd_msi_release(const struct vtd_msi *m)
{
	if (m->unit < vtd_sys.nr_units)
		vtd_irte_free(&vtd_sys.units[m->unit], m->index);
}

int vtd_ioapic_setup(u8 ioapic_id, u8 vector, u32 dest, bool level, bool active_low,
		     u16 *index, u64 *rte)
{
	struct vtd_irte_cfg c = {
		.vector = vector, .dest = dest, .level = level, .delivery = VTD_DLM_FIXED,
		.svt = VTD_SVT_SID,
	};
	unsigned ui;
	u64 e[2];
	int idx, ret;

	if (!vtd_sys.active)
		return -ENODEV;
	ret = vtd_dmar_ioapic_sid(&vtd_sys.dmar, vtd_sys.res, ioapic_id, &c.sid, &ui);
	if (ret || ui >= vtd_sys.nr_units)
		return -ENODEV;
	ret = vtd_irte_encode(&c, e);
	if (ret)
		return ret;
	idx = vtd_irte_alloc(&vtd_sys.units[ui]);
	if (idx < 0)
		return idx;
	ret = vtd_irte_write(&vtd_sys.units[ui], idx, e);
	if (ret) {
		vtd_irte_free(&vtd_sys.units[ui], idx);
		return ret;
	}
	*index = idx;
	*rte = vtd_ioapic_rte(idx, vector, level, active_low, false);
	return 0;
}
