/*
 * Interrupt remapping: IRTE encoding and validation, remappable MSI and
 * IOAPIC RTE formats (VT-d spec 5.1). Pure; the unit's table lives in vtd/.
 */
#ifndef BH_VTD_IR_H
#define BH_VTD_IR_H

#include "types.h"

#define VTD_IRTE_P		BIT(0)
#define VTD_IRTE_FPD		BIT(1)
#define VTD_IRTE_DM		BIT(2)	/* logical destination */
#define VTD_IRTE_RH		BIT(3)
#define VTD_IRTE_TM		BIT(4)	/* level triggered */
#define VTD_IRTE_DLM(m)		((u64)(m) << 5)
#define VTD_IRTE_IM		BIT(15)	/* posted format: never used */
#define VTD_IRTE_VECTOR(v)	((u64)(v) << 16)
#define VTD_IRTE_DST(d)		((u64)(d) << 32)
/* high qword */
#define VTD_IRTE_SID(s)		((u64)(s))
#define VTD_IRTE_SQ(q)		((u64)(q) << 16)
#define VTD_IRTE_SVT(t)		((u64)(t) << 18)
/* Bits that must be zero in a remapped-format entry. */
#define VTD_IRTE_RSVD_LO	(0x7000ULL | 0xFF000000ULL)	/* 14:12, 31:24 */
#define VTD_IRTE_RSVD_LO_XAPIC	0xFFFF00FF00000000ULL		/* DST bits but 15:8 */
#define VTD_IRTE_RSVD_HI	0xFFFFFFFFFFF00000ULL		/* 127:84 */

enum vtd_svt {
	VTD_SVT_NONE = 0,	/* no source check: refused by vtd_irte_encode */
	VTD_SVT_SID = 1,	/* requester id must equal SID (masked by SQ) */
	VTD_SVT_BUS = 2,	/* requester bus within SID[15:8]..SID[7:0] */
};

enum vtd_irq_delivery { VTD_DLM_FIXED = 0, VTD_DLM_LOWPRI = 1 };

struct vtd_irte_cfg {
	u8 vector;
	u32 dest;		/* APIC id; xAPIC format when !x2apic (0..255) */
	bool dest_logical;
	bool level;
	u8 delivery;		/* enum vtd_irq_delivery */
	u8 svt;			/* enum vtd_svt */
	u8 sq;			/* 0: all 16 SID bits compared; 1..3: ignore fn bits */
	u16 sid;
	bool x2apic;		/* 32-bit destination (EIME) */
};

/*
 * Encode a present, remapped-format IRTE. -EINVAL for a vector below 16,
 * a destination that does not fit the format, delivery modes other than
 * fixed/lowest priority, SQ > 3 or a missing source check (SVT none or
 * reserved): every entry we hand out names the requester it belongs to.
 */
int vtd_irte_encode(const struct vtd_irte_cfg *c, u64 e[2]);

/* Decode an IRTE: -ENOENT when not present, -EINVAL for reserved bits or posted format. */
int vtd_irte_decode(const u64 e[2], bool x2apic, struct vtd_irte_cfg *c);

/* The check hardware applies: may requester @rid use this (present) entry? */
bool vtd_irte_source_ok(const u64 e[2], u16 rid);

/* What a VM owns: its device, the vectors and the physical APIC ids it was given. */
struct vtd_irq_grant {
	u16 sid;
	u8 vec_min, vec_max;	/* inclusive */
	u64 dest_mask[4];	/* bit n: physical APIC id n */
};

/*
 * An IRTE config may be installed for a VM only if it verifies exactly the
 * granted requester (SVT=SID, SQ=0), targets a granted vector and, in
 * physical mode, a granted APIC id. Logical destinations are refused
 * (they could reach any CPU). -EPERM when not allowed.
 */
int vtd_irte_check_grant(const struct vtd_irte_cfg *c, const struct vtd_irq_grant *g);

/* Remappable MSI address for IRTE @index (SHV = 0, so the data is 0). */
static inline u32 vtd_msi_addr(u16 index)
{
	return 0xFEE00000u | ((u32)(index & 0x7fff) << 5) | BIT(4) | ((u32)(index >> 15) << 2);
}

/* The IRTE index a remappable MSI names; -EINVAL for a compatibility-format one. */
int vtd_msi_index(u32 addr, u32 data, u16 *index);

/*
 * IOAPIC RTE in remappable format for IRTE @index. @vector and @level must
 * match the IRTE (EOI broadcasts carry the vector; the trigger mode is the
 * pin's).
 */
u64 vtd_ioapic_rte(u16 index, u8 vector, bool level, bool active_low, bool masked);

#endif
