/*
 * VT-d second-level page tables: a pure builder (tables live in identity-
 * mapped memory handed out by a callback; nothing here touches a unit).
 */
#ifndef BH_VTD_PT_H
#define BH_VTD_PT_H

#include "types.h"

#define VTD_PTE_R		BIT(0)
#define VTD_PTE_W		BIT(1)
#define VTD_PTE_PS		BIT(7)	/* leaf above level 1: 2 MiB or 1 GiB page */
#define VTD_PTE_ADDR		0x000FFFFFFFFFF000ULL

#define VTD_PERM_R		VTD_PTE_R
#define VTD_PERM_W		VTD_PTE_W
#define VTD_PERM_RW		(VTD_PERM_R | VTD_PERM_W)

#define VTD_LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))
#define VTD_LEVEL_SIZE(l)	(1ULL << VTD_LEVEL_SHIFT(l))

struct vtd_pt_ops {
	/* A zeroed, page-aligned 4 KiB page (physical = virtual), or NULL. */
	void *(*alloc_page)(void *ctx);
	/* Make table writes at [p, p + len) visible to the units (clflush). */
	void (*flush)(void *ctx, const void *p, size_t len);
	/* Give a table page back (vtd_pt_destroy); NULL: tables are never freed. */
	void (*free_page)(void *ctx, void *p);
	void *ctx;
};

struct vtd_pt {
	u64 *root;
	unsigned levels;	/* 3 (39-bit) or 4 (48-bit) */
	u64 iova_limit;		/* exclusive */
	u64 pa_limit;		/* exclusive */
	bool big_2m, big_1g;	/* leaf sizes the units accept */
	const struct vtd_pt_ops *ops;
	unsigned nr_tables;	/* pages allocated, the root included */
};

/*
 * Set up an empty table tree. @aw_bits bounds the IOVAs (also by the level
 * count), @pa_bits the host addresses. -EINVAL for levels outside 3..4,
 * -ENOMEM when the root cannot be allocated.
 */
int vtd_pt_init(struct vtd_pt *pt, unsigned levels, unsigned aw_bits, unsigned pa_bits,
		bool big_2m, bool big_1g, const struct vtd_pt_ops *ops);

/*
 * Map [iova, iova + size) to [pa, pa + size) with VTD_PERM_* @perm, using
 * the largest pages that alignment and the units allow. All of iova, pa
 * and size 4 KiB aligned, size > 0. -EINVAL for bad arguments or ranges
 * past the limits, -EEXIST when any page of the range is already mapped
 * (nothing changed), -ENOMEM when a table cannot be allocated (what this
 * call mapped is undone).
 */
int vtd_pt_map(struct vtd_pt *pt, u64 iova, u64 pa, u64 size, unsigned perm);

/*
 * Unmap [iova, iova + size); holes are fine. A large page partly inside
 * the range is split (which may fail with -ENOMEM, leaving a prefix
 * unmapped). Table pages are not freed. The caller invalidates the IOTLB.
 */
int vtd_pt_unmap(struct vtd_pt *pt, u64 iova, u64 size);

/* Translate @iova: 0 with the host address, perm and leaf level; -ENOENT. */
int vtd_pt_lookup(const struct vtd_pt *pt, u64 iova, u64 *pa, unsigned *perm, unsigned *level);

/*
 * Free every table page, the root included (ops->free_page); the tree is
 * unusable afterwards. The caller has moved every device out and
 * invalidated the IOTLB for the domain.
 */
void vtd_pt_destroy(struct vtd_pt *pt);

#endif
