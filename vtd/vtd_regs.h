/*
 * VT-d remapping unit registers (Intel VT-d spec, chapter 11) and the pure
 * decode of its capability registers.
 */
#ifndef BH_VTD_REGS_H
#define BH_VTD_REGS_H

#include "types.h"

#define VTD_REG_VER	0x00	/* 32 */
#define VTD_REG_CAP	0x08	/* 64 */
#define VTD_REG_ECAP	0x10	/* 64 */
#define VTD_REG_GCMD	0x18	/* 32 */
#define VTD_REG_GSTS	0x1C	/* 32 */
#define VTD_REG_RTADDR	0x20	/* 64 */
#define VTD_REG_CCMD	0x28	/* 64 */
#define VTD_REG_FSTS	0x34	/* 32 */
#define VTD_REG_FECTL	0x38	/* 32 */
#define VTD_REG_FEDATA	0x3C	/* 32 */
#define VTD_REG_FEADDR	0x40	/* 32 */
#define VTD_REG_FEUADDR	0x44	/* 32 */
#define VTD_REG_PMEN	0x64	/* 32 */
#define VTD_REG_IQH	0x80	/* 64 */
#define VTD_REG_IQT	0x88	/* 64 */
#define VTD_REG_IQA	0x90	/* 64 */
#define VTD_REG_ICS	0x9C	/* 32 */
#define VTD_REG_IRTA	0xB8	/* 64 */
/* IOTLB registers sit at ECAP.IRO * 16: IVA, then IOTLB at +8. */
#define VTD_REG_IVA(iro)	((iro) * 16)
#define VTD_REG_IOTLB(iro)	((iro) * 16 + 8)
/* Fault recording registers: 16 bytes each from CAP.FRO * 16. */
#define VTD_REG_FRCD(fro, i)	((fro) * 16 + (i) * 16)

/* Global command / status: same bit positions in both registers. */
#define VTD_GCMD_TE	BIT(31)	/* translation enable */
#define VTD_GCMD_SRTP	BIT(30)	/* set root table pointer (one-shot) */
#define VTD_GCMD_SFL	BIT(29)	/* set fault log (one-shot) */
#define VTD_GCMD_EAFL	BIT(28)
#define VTD_GCMD_WBF	BIT(27)	/* write buffer flush (one-shot) */
#define VTD_GCMD_QIE	BIT(26)	/* queued invalidation enable */
#define VTD_GCMD_IRE	BIT(25)	/* interrupt remapping enable */
#define VTD_GCMD_SIRTP	BIT(24)	/* set interrupt remap table pointer (one-shot) */
#define VTD_GCMD_CFI	BIT(23)	/* compatibility format interrupts allowed */
/* Status bits of the one-shot commands: never written back to GCMD. */
#define VTD_GSTS_ONESHOT (VTD_GCMD_SRTP | VTD_GCMD_SFL | VTD_GCMD_WBF | VTD_GCMD_SIRTP)

/* Context command register */
#define VTD_CCMD_ICC		BIT(63)
#define VTD_CCMD_CIRG(g)	((u64)(g) << 61)
#define VTD_CCMD_FM(m)		((u64)(m) << 32)
#define VTD_CCMD_SID(s)		((u64)(s) << 16)
#define VTD_CCMD_DID(d)		((u64)(d))

/* IOTLB invalidate register */
#define VTD_IOTLB_IVT		BIT(63)
#define VTD_IOTLB_IIRG(g)	((u64)(g) << 60)
#define VTD_IOTLB_IAIG(v)	(((v) >> 57) & 3)
#define VTD_IOTLB_DR		BIT(49)
#define VTD_IOTLB_DW		BIT(48)
#define VTD_IOTLB_DID(d)	((u64)(d) << 32)

/* Invalidation granularities (context cache and IOTLB share the encoding). */
enum vtd_inv_gran {
	VTD_INV_GLOBAL = 1,
	VTD_INV_DOMAIN = 2,
	VTD_INV_DEVICE = 3,	/* context cache */
	VTD_INV_PAGE = 3,	/* IOTLB */
};

/* Fault status / control */
#define VTD_FSTS_PFO	BIT(0)	/* primary fault overflow (W1C) */
#define VTD_FSTS_PPF	BIT(1)	/* primary pending fault (read-only) */
#define VTD_FSTS_IQE	BIT(4)	/* invalidation queue error (W1C) */
#define VTD_FSTS_ICE	BIT(5)
#define VTD_FSTS_ITE	BIT(6)
#define VTD_FSTS_FRI(v)	(((v) >> 8) & 0xff)
#define VTD_FSTS_W1C	(VTD_FSTS_PFO | BIT(2) | BIT(3) | VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)
#define VTD_FECTL_IM	BIT(31)
#define VTD_FECTL_IP	BIT(30)
#define VTD_FRCD_F	BIT(63)	/* in the high qword; W1C */

#define VTD_ICS_IWC	BIT(0)
#define VTD_IQA_QS(n)	((u64)(n))	/* 2^n pages of descriptors */
#define VTD_IRTA_EIME	BIT(11)

/* What the capability and extended capability registers say, decoded. */
struct vtd_caps {
	unsigned nr_domains;	/* ND: 2^(4 + 2 * ND) */
	bool rwbf;		/* write buffer flush required */
	bool cm;		/* caching mode: not-present entries may be cached */
	u8 sagaw;		/* bit 1: 3-level (39-bit), bit 2: 4-level (48-bit), bit 3: 5-level */
	unsigned mgaw;		/* max guest address width in bits */
	unsigned fro;		/* fault recording registers at fro * 16 */
	unsigned nr_fault_regs;	/* NFR + 1 */
	bool sl_2m, sl_1g;	/* second-level large pages */
	bool psi;		/* page-selective IOTLB invalidation */
	unsigned mamv;		/* max address mask for PSI */
	bool drain_read, drain_write;
	bool coherent;		/* ECAP.C: table walks snoop, no clflush needed */
	bool qi;		/* queued invalidation */
	bool ir;		/* interrupt remapping */
	bool eim;		/* x2APIC (32-bit destination) interrupt mode */
	bool pt;		/* pass-through context entries */
	bool sc;		/* snoop control */
	unsigned iro;		/* IOTLB registers at iro * 16 */
};

void vtd_caps_decode(u64 cap, u64 ecap, struct vtd_caps *c);
/* Whether the unit walks @levels-level second-level tables (SAGAW). */
bool vtd_caps_has_levels(const struct vtd_caps *c, unsigned levels);
/* Context entry AW value for a level count (3 -> 1, 4 -> 2, 5 -> 3). */
static inline unsigned vtd_levels_to_aw(unsigned levels) { return levels - 2; }

#endif
