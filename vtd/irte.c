/* IRTE encode/decode/validation, remappable MSI and IOAPIC formats (pure). */
#include "lib.h"
#include "vtd_ir.h"

int vtd_irte_encode(const struct vtd_irte_cfg *c, u64 e[2])
{
	u64 dst;

	e[0] = e[1] = 0;
	if (c->vector < 16 || c->sq > 3 || (c->svt != VTD_SVT_SID && c->svt != VTD_SVT_BUS) ||
	    (c->delivery != VTD_DLM_FIXED && c->delivery != VTD_DLM_LOWPRI))
		return -EINVAL;
	if (c->svt == VTD_SVT_BUS && ((c->sid >> 8) > (c->sid & 0xff) || c->sq))
		return -EINVAL;		/* start bus above end bus; SQ is meaningless */
	if (!c->x2apic && c->dest > 0xff)
		return -EINVAL;
	/* xAPIC format: the 8-bit APIC id goes in bits 47:40 */
	dst = c->x2apic ? c->dest : (u64)c->dest << 8;
	e[0] = VTD_IRTE_P | (c->dest_logical ? VTD_IRTE_DM : 0) | (c->level ? VTD_IRTE_TM : 0) |
	       VTD_IRTE_DLM(c->delivery) | VTD_IRTE_VECTOR(c->vector) | VTD_IRTE_DST(dst);
	e[1] = VTD_IRTE_SID(c->sid) | VTD_IRTE_SQ(c->sq) | VTD_IRTE_SVT(c->svt);
	return 0;
}

int vtd_irte_decode(const u64 e[2], bool x2apic, struct vtd_irte_cfg *c)
{
	u64 dst = e[0] >> 32;

	memset(c, 0, sizeof(*c));
	if (!(e[0] & VTD_IRTE_P))
		return -ENOENT;
	if ((e[0] & (VTD_IRTE_RSVD_LO | VTD_IRTE_IM)) || (e[1] & VTD_IRTE_RSVD_HI) ||
	    (!x2apic && (e[0] & VTD_IRTE_RSVD_LO_XAPIC)) || ((e[1] >> 18) & 3) == 3)
		return -EINVAL;
	c->vector = (e[0] >> 16) & 0xff;
	c->dest = x2apic ? (u32)dst : (u32)(dst >> 8) & 0xff;
	c->dest_logical = e[0] & VTD_IRTE_DM;
	c->level = e[0] & VTD_IRTE_TM;
	c->delivery = (e[0] >> 5) & 7;
	c->sid = e[1] & 0xffff;
	c->sq = (e[1] >> 16) & 3;
	c->svt = (e[1] >> 18) & 3;
	c->x2apic = x2apic;
	return 0;
}

bool vtd_irte_source_ok(const u64 e[2], u16 rid)
{
	/* SQ: 1, 2, 3 leave function bits 2, 2:1, 2:0 out of the compare */
	static const u16 sq_mask[4] = { 0xffff, 0xfffb, 0xfff9, 0xfff8 };
	u16 sid = e[1] & 0xffff;

	switch ((e[1] >> 18) & 3) {
	case VTD_SVT_NONE:
		return true;
	case VTD_SVT_SID:
		return ((sid ^ rid) & sq_mask[(e[1] >> 16) & 3]) == 0;
	case VTD_SVT_BUS:
		return (rid >> 8) >= (sid >> 8) && (rid >> 8) <= (sid & 0xff);
	default:
		return false;
	}
}

int vtd_irte_check_grant(const struct vtd_irte_cfg *c, const struct vtd_irq_grant *g)
{
	if (c->svt != VTD_SVT_SID || c->sq || c->sid != g->sid)
		return -EPERM;
	if (c->vector < g->vec_min || c->vector > g->vec_max)
		return -EPERM;
	if (c->dest_logical || c->dest > 255 || !(g->dest_mask[c->dest / 64] & BIT(c->dest % 64)))
		return -EPERM;
	return 0;
}

int vtd_msi_index(u32 addr, u32 data, u16 *index)
{
	u32 idx;

	if ((addr & 0xFFF00000u) != 0xFEE00000u || !(addr & BIT(4)))
		return -EINVAL;
	idx = ((addr >> 5) & 0x7fff) | (((addr >> 2) & 1) << 15);
	if (addr & BIT(3))		/* SHV: the data's low 16 bits are a sub-handle */
		idx += data & 0xffff;
	if (idx > 0xffff)
		return -EINVAL;
	*index = idx;
	return 0;
}

u64 vtd_ioapic_rte(u16 index, u8 vector, bool level, bool active_low, bool masked)
{
	return vector | ((u64)(index >> 15) << 11) | (active_low ? BIT(13) : 0) |
	       (level ? BIT(15) : 0) | (masked ? BIT(16) : 0) | BIT(48) |
	       ((u64)(index & 0x7fff) << 49);
}
