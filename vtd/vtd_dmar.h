/*
 * The ACPI DMAR table (VT-d spec, chapter 8): a pure parser into fixed-size
 * arrays, and the device-scope matching that decides which remapping unit
 * and which RMRRs a PCI device belongs to.
 */
#ifndef BH_VTD_DMAR_H
#define BH_VTD_DMAR_H

#include "types.h"

#define VTD_MAX_UNITS	8
#define VTD_MAX_RMRR	16
#define VTD_MAX_SCOPES	64	/* device scopes over the whole table */
#define VTD_MAX_PATH	8	/* bridges between the start bus and a device */

#define DMAR_HEADER_LEN		48	/* ACPI header + HAW + flags + 10 reserved */
#define DMAR_FLAG_INTR_REMAP	BIT(0)
#define DMAR_FLAG_X2APIC_OPT_OUT BIT(1)

enum dmar_struct_type {
	DMAR_TYPE_DRHD = 0,
	DMAR_TYPE_RMRR = 1,
	DMAR_TYPE_ATSR = 2,
	DMAR_TYPE_RHSA = 3,
	DMAR_TYPE_ANDD = 4,
	DMAR_TYPE_SATC = 5,
};

#define DRHD_FLAG_INCLUDE_PCI_ALL BIT(0)

enum dmar_scope_type {
	DMAR_SCOPE_PCI_ENDPOINT = 1,
	DMAR_SCOPE_PCI_BRIDGE = 2,	/* the bridge and everything below it */
	DMAR_SCOPE_IOAPIC = 3,
	DMAR_SCOPE_HPET = 4,
	DMAR_SCOPE_ACPI = 5,
};

struct vtd_dev_scope {
	u8 type;		/* enum dmar_scope_type */
	u8 enum_id;		/* IOAPIC id, HPET number, ACPI device number */
	u8 start_bus;
	u8 path_len;
	struct { u8 dev, fn; } path[VTD_MAX_PATH];
};

struct vtd_drhd {
	u64 reg_base;
	u16 segment;
	u8 flags;		/* DRHD_FLAG_* */
	u8 size;		/* register set: 2^size pages */
	unsigned first_scope, nr_scopes;	/* into vtd_dmar_info.scopes */
};

struct vtd_rmrr {
	u64 base, limit;	/* limit inclusive; base and limit + 1 page aligned */
	u16 segment;
	unsigned first_scope, nr_scopes;
};

struct vtd_dmar_info {
	unsigned haw;		/* host address width in bits */
	u8 flags;		/* DMAR_FLAG_* */
	unsigned nr_drhd, nr_rmrr, nr_scopes;
	unsigned nr_atsr, nr_other;	/* seen and ignored */
	struct vtd_drhd drhd[VTD_MAX_UNITS];
	struct vtd_rmrr rmrr[VTD_MAX_RMRR];
	struct vtd_dev_scope scopes[VTD_MAX_SCOPES];
};

/*
 * Parse a DMAR table of which @avail bytes may be read. Returns 0, -EINVAL
 * when the table is malformed (bad signature, checksum, lengths that run
 * past the table or the structure, truncated structures, misaligned
 * addresses, a second INCLUDE_PCI_ALL unit for a segment, no DRHD at all),
 * -E2BIG when it has more units, RMRRs, scopes or path entries than fit.
 * Unknown structure and scope types are skipped. Nothing is read outside
 * [table, table + avail). On error @out is zeroed.
 */
int vtd_dmar_parse(const void *table, size_t avail, struct vtd_dmar_info *out);

/* A device scope resolved against the live PCI topology. */
struct vtd_scope_res {
	bool valid;
	u16 bdf;		/* the endpoint, bridge, IOAPIC or HPET requester id */
	u8 sec_bus, sub_bus;	/* bridges: buses below it */
};

/* Config space reader used to walk bridges (pci_cfg_read in the hypervisor). */
typedef u32 (*vtd_cfg_read_fn)(u16 bdf, u16 offset, unsigned size);

/*
 * Follow a scope's path from its start bus through bridges (secondary bus
 * numbers from config space). Returns 0, or -ENODEV when a hop is not a
 * present PCI bridge or the path is empty.
 */
int vtd_scope_resolve(const struct vtd_dev_scope *s, vtd_cfg_read_fn rd, struct vtd_scope_res *r);

/*
 * The unit (index into info->drhd) whose scope covers PCI device @bdf of
 * @segment: an explicit endpoint scope, else a bridge scope whose buses hold
 * it, else the segment's INCLUDE_PCI_ALL unit. -ENODEV when none. @res holds
 * info->nr_scopes resolved scopes.
 */
int vtd_dmar_unit_for(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
		      u16 segment, u16 bdf);

/* Whether RMRR @idx names PCI device @bdf (endpoint or below a named bridge). */
bool vtd_rmrr_covers(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
		     unsigned idx, u16 segment, u16 bdf);

/* The IOAPIC scope with this enumeration id: its requester id; -ENODEV if none. */
int vtd_dmar_ioapic_sid(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
			u8 ioapic_id, u16 *sid, unsigned *unit);

struct board_config;
typedef void (*vtd_report_fn)(void *ctx, const char *msg);

/*
 * Compare the live DMAR with the board description's IOMMU section (host
 * address width, interrupt-remapping flag, units by register base with
 * segment, INCLUDE_PCI_ALL and device scopes, RMRR ranges). Each
 * difference is passed to @report; returns how many there were. Scopes
 * that did not resolve are not compared. @b NULL: nothing to compare, 0.
 */
unsigned vtd_dmar_crosscheck(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
			     const struct board_config *b, vtd_report_fn report, void *ctx);

#endif
