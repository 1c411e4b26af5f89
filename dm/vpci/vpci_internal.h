/* Shared between the dm/vpci/ files; not for other callers. */
#ifndef BH_VPCI_INTERNAL_H
#define BH_VPCI_INTERNAL_H

#include "lib.h"
#include "ratelimit.h"
#include "pci.h"
#include "pci_dev.h"
#include "vpci.h"

/* Bytes [off & 3, +size) of the dword containing off replaced by val. */
static inline u32 vpci_merge(u32 old, u16 off, unsigned size, u32 val)
{
	unsigned shift = (off & 3) * 8;
	u32 mask = size_ones(size) << shift;

	return (old & ~mask) | ((val << shift) & mask);
}

/* The part of dword value dw that an access (off, size) sees. */
static inline u32 vpci_extract(u32 dw, u16 off, unsigned size)
{
	return (dw >> ((off & 3) * 8)) & size_ones(size);
}

/* Does the access [off, off + size) touch byte range [lo, hi)? */
static inline bool vpci_touches(u16 off, unsigned size, u16 lo, u16 hi)
{
	return off < hi && off + size > lo;
}

/* vdev kinds */
extern const struct vpci_vdev_ops vpci_hostbridge_ops;
extern const struct vpci_vdev_ops vpci_pt_ops;
extern const struct vpci_vdev_ops vpci_bridge_ops;

/* vpci_vdev.c */
bool vpci_has_other_functions(const struct vpci *vp, u16 vbdf);

/* vpci_pt.c */
int vpci_pdev_header_is(const struct vpci_vdev *d, u8 want);

/* vpci_pt_guard.c: what a passthrough function's guest may not write */
/* Drops the guarded bytes of a write (logged once per function); true if any was guarded. */
bool vpci_guard_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val);

/* vpci_bar.c */
void vpci_bar_setup(struct vpci_vdev *d, const struct vpci_dev_config *dc);
u32 vpci_bar_read(struct vpci_vdev *d, unsigned idx);
void vpci_bar_write(struct vpci_vdev *d, unsigned idx, u32 val);
/* Command changed: map/unmap BARs for the decode bits that moved. */
void vpci_bar_decode(struct vpci_vdev *d, u16 old_cmd, u16 new_cmd);
void vpci_bar_unmap_all(struct vpci_vdev *d);
/* Memory BAR holding gpa (its offset in *off), or -1. */
int vpci_bar_at(const struct vpci_vdev *d, u64 gpa, u64 *off);

/* vpci_msi.c: off is relative to the capability, dword aligned */
u32 vpci_msi_read(struct vpci_vdev *d, u16 off);
void vpci_msi_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val);
unsigned vpci_msi_cap_len(const struct pci_pdev *p);
void vpci_msi_disable(struct vpci_vdev *d);

/* vpci_msix.c */
void vpci_msix_setup(struct vpci_vdev *d);
u32 vpci_msix_read(struct vpci_vdev *d, u16 off);
void vpci_msix_write(struct vpci_vdev *d, u16 off, unsigned size, u32 val);
void vpci_msix_disable(struct vpci_vdev *d);
#define VPCI_MSIX_CAP_LEN 12

/* vpci_reset.c */
bool vpci_reset_flr(const struct pci_pdev *p, void (*udelay)(u64 us));
void vpci_reset_restore_bars(const struct pci_pdev *p);

/* Lookup by vBDF: the vdev found last first (config cycles repeat), then a scan. */
struct vpci_vdev *vpci_find_vdev_scan(struct vpci *vp, u16 vbdf);

/* Is slot d the live vdev at vbdf? (Freed slots have no ops.) */
static inline bool vpci_vdev_is(const struct vpci_vdev *d, u16 vbdf)
{
	return d->vbdf == vbdf && d->ops;
}

/* The vdev vdev_hint names (always one of vdev[]). */
static inline struct vpci_vdev *vpci_vdev_hinted(struct vpci *vp)
{
	return (struct vpci_vdev *)((u8 *)vp->vdev + vp->vdev_hint);
}

/*
 * The vdev at vbdf, NULL if none. The one found last is tried first: config
 * cycles come in runs to one function. The hint is only a guess checked like
 * any slot (a freed or reused slot fails the check), so a stale or racing
 * one costs a scan.
 */
static inline struct vpci_vdev *vpci_find_vdev(struct vpci *vp, u16 vbdf)
{
	struct vpci_vdev *d = vpci_vdev_hinted(vp);

	return vpci_vdev_is(d, vbdf) ? d : vpci_find_vdev_scan(vp, vbdf);
}

#endif
