/* Second-level page table builder (pure; memory and cache flushes via callbacks). */
#include "lib.h"
#include "mm.h"
#include "vtd_pt.h"

#define PT_ENTRIES 512
#define PT_TRY_SMALLER 1	/* map_one: slot holds a table, use smaller pages */

static unsigned pt_idx(u64 iova, unsigned level)
{
	return (iova >> VTD_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

/* Second-level entries have no P bit: an entry is present when R or W is set. */
static bool pte_present(u64 e) { return e & (VTD_PTE_R | VTD_PTE_W); }
static bool pte_leaf(u64 e, unsigned level) { return level == 1 || (e & VTD_PTE_PS); }
static u64 *pte_table(u64 e) { return phys_to_virt(e & VTD_PTE_ADDR); }

static void pt_flush(const struct vtd_pt *pt, const void *p, size_t len)
{
	if (pt->ops->flush)
		pt->ops->flush(pt->ops->ctx, p, len);
}

static u64 *pt_alloc_table(struct vtd_pt *pt)
{
	u64 *t = pt->ops->alloc_page(pt->ops->ctx);

	if (!t)
		return NULL;
	pt->nr_tables++;
	/* the zeroes may still sit in the CPU cache: a non-coherent unit reads memory */
	pt_flush(pt, t, PAGE_SIZE);
	return t;
}

/* Publish an entry: one 64-bit store, then flush it for non-coherent units. */
static void pte_set(const struct vtd_pt *pt, u64 *e, u64 v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
	pt_flush(pt, e, sizeof(*e));
}

static bool pt_leaf_ok(const struct vtd_pt *pt, unsigned level)
{
	return level == 1 || (level == 2 && pt->big_2m) || (level == 3 && pt->big_1g);
}

int vtd_pt_init(struct vtd_pt *pt, unsigned levels, unsigned aw_bits, unsigned pa_bits,
		bool big_2m, bool big_1g, const struct vtd_pt_ops *ops)
{
	unsigned reach = 12 + 9 * levels;

	memset(pt, 0, sizeof(*pt));
	if (levels < 3 || levels > 4 || !ops || !ops->alloc_page || aw_bits < 12 ||
	    pa_bits < 12 || pa_bits > 52)
		return -EINVAL;
	pt->levels = levels;
	pt->iova_limit = 1ULL << MIN(aw_bits, reach);
	pt->pa_limit = 1ULL << pa_bits;
	pt->big_2m = big_2m;
	pt->big_1g = big_1g;
	pt->ops = ops;
	pt->root = pt_alloc_table(pt);
	return pt->root ? 0 : -ENOMEM;
}

static bool range_ok(const struct vtd_pt *pt, u64 iova, u64 size)
{
	return size && IS_ALIGNED(iova, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       iova < pt->iova_limit && size <= pt->iova_limit - iova;
}

/* Whether any page of [start, end) is mapped below table @t covering @tbase. */
static bool any_mapped(const u64 *t, unsigned level, u64 tbase, u64 start, u64 end)
{
	u64 span = VTD_LEVEL_SIZE(level);
	u64 lo = MAX(start, tbase), hi = MIN(end, tbase + PT_ENTRIES * span);

	for (u64 a = ALIGN_DOWN(lo, span); a < hi; a += span) {
		u64 e = t[pt_idx(a, level)];

		if (!pte_present(e))
			continue;
		if (pte_leaf(e, level) || any_mapped(pte_table(e), level - 1, a, start, end))
			return true;
	}
	return false;
}

/*
 * Install one leaf at @leaf_level. PT_TRY_SMALLER when that slot already holds
 * a table (left over from earlier small mappings).
 */
static int map_one(struct vtd_pt *pt, u64 iova, u64 pa, unsigned leaf_level, unsigned perm)
{
	u64 *t = pt->root;

	for (unsigned l = pt->levels; l > leaf_level; l--) {
		u64 *e = &t[pt_idx(iova, l)];

		if (!pte_present(*e)) {
			u64 *nt = pt_alloc_table(pt);

			if (!nt)
				return -ENOMEM;
			pte_set(pt, e, virt_to_phys(nt) | VTD_PTE_R | VTD_PTE_W);
		} else if (pte_leaf(*e, l)) {
			return -EEXIST;
		}
		t = pte_table(*e);
	}
	t += pt_idx(iova, leaf_level);
	if (pte_present(*t))
		return leaf_level > 1 && !(*t & VTD_PTE_PS) ? PT_TRY_SMALLER : -EEXIST;
	pte_set(pt, t, pa | perm | (leaf_level > 1 ? VTD_PTE_PS : 0));
	return 0;
}

int vtd_pt_map(struct vtd_pt *pt, u64 iova, u64 pa, u64 size, unsigned perm)
{
	u64 start = iova, done = 0;

	if (!range_ok(pt, iova, size) || !IS_ALIGNED(pa, PAGE_SIZE) || pa >= pt->pa_limit ||
	    size > pt->pa_limit - pa || !perm || (perm & ~VTD_PERM_RW))
		return -EINVAL;
	if (any_mapped(pt->root, pt->levels, 0, iova, iova + size))
		return -EEXIST;
	while (done < size) {
		int ret = PT_TRY_SMALLER;

		for (unsigned l = 3; l >= 1 && ret == PT_TRY_SMALLER; l--) {
			u64 span = VTD_LEVEL_SIZE(l);

			if (!pt_leaf_ok(pt, l) || !IS_ALIGNED(iova, span) || !IS_ALIGNED(pa, span) ||
			    size - done < span)
				continue;
			ret = map_one(pt, iova, pa, l, perm);
			if (!ret) {
				iova += span;
				pa += span;
				done += span;
			}
		}
		if (ret) {
			if (done)
				vtd_pt_unmap(pt, start, done);
			return ret;
		}
	}
	return 0;
}

/* Replace a large leaf by a table of the next smaller pages with the same translation. */
static int split_leaf(struct vtd_pt *pt, u64 *e, unsigned level)
{
	u64 *nt = pt->ops->alloc_page(pt->ops->ctx);
	u64 sub = VTD_LEVEL_SIZE(level - 1), pa = *e & VTD_PTE_ADDR;
	u64 attr = (*e & (VTD_PTE_R | VTD_PTE_W)) | (level - 1 > 1 ? VTD_PTE_PS : 0);

	if (!nt)
		return -ENOMEM;
	pt->nr_tables++;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		nt[i] = (pa + i * sub) | attr;
	pt_flush(pt, nt, PAGE_SIZE);
	pte_set(pt, e, virt_to_phys(nt) | VTD_PTE_R | VTD_PTE_W);
	return 0;
}

int vtd_pt_unmap(struct vtd_pt *pt, u64 iova, u64 size)
{
	u64 end = iova + size;

	if (!range_ok(pt, iova, size))
		return -EINVAL;
	while (iova < end) {
		u64 *t = pt->root;

		for (unsigned l = pt->levels;; l--) {
			u64 *e = &t[pt_idx(iova, l)];
			u64 span = VTD_LEVEL_SIZE(l), base = ALIGN_DOWN(iova, span);

			if (!pte_present(*e)) {
				iova = base + span;
				break;
			}
			if (pte_leaf(*e, l)) {
				if (base == iova && end - iova >= span) {
					pte_set(pt, e, 0);
					iova += span;
					break;
				}
				int ret = split_leaf(pt, e, l);

				if (ret)
					return ret;
			}
			t = pte_table(*e);
		}
	}
	return 0;
}

int vtd_pt_lookup(const struct vtd_pt *pt, u64 iova, u64 *pa, unsigned *perm, unsigned *level)
{
	const u64 *t = pt->root;

	if (iova >= pt->iova_limit)
		return -ENOENT;
	for (unsigned l = pt->levels; l >= 1; l--) {
		u64 e = t[pt_idx(iova, l)];

		if (!pte_present(e))
			return -ENOENT;
		if (pte_leaf(e, l)) {
			u64 span = VTD_LEVEL_SIZE(l);

			if (pa)
				*pa = (e & VTD_PTE_ADDR & ~(span - 1)) + (iova & (span - 1));
			if (perm)
				*perm = e & VTD_PERM_RW;
			if (level)
				*level = l;
			return 0;
		}
		t = pte_table(e);
	}
	return -ENOENT;
}

static void free_tree(struct vtd_pt *pt, u64 *t, unsigned level)
{
	for (unsigned i = 0; level > 1 && i < 512; i++)
		if (pte_present(t[i]) && !pte_leaf(t[i], level))
			free_tree(pt, pte_table(t[i]), level - 1);
	pt->ops->free_page(pt->ops->ctx, t);
	pt->nr_tables--;
}

void vtd_pt_destroy(struct vtd_pt *pt)
{
	if (pt->root && pt->ops->free_page)
		free_tree(pt, pt->root, pt->levels);
	pt->root = NULL;
}
