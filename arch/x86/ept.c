/* EPT: 4-level tables per VM, 2 MiB leaves wherever alignment allows. */
#include "lib.h"
#include "mm.h"
#include "vm.h"
#include "ept.h"

#define EPT_LEAF_2M BIT(7)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL
#define EPT_PRESENT_MASK EPT_RWX
#define SZ_2M 0x200000ULL

static inline unsigned idx(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * level)) & 0x1ff;
}

/*
 * A table page for vm, within its budget: a post-launched VM's tables grow
 * with what the Service VM maps into it, and must not take the host's
 * memory without bound. Splits for unmaps may go up to twice the budget:
 * refusing one would take away a whole 2 MiB the RAM table still lists.
 */
static u64 *table_alloc(struct vm *vm, bool for_unmap)
{
	unsigned limit = vm->ept_page_limit * (for_unmap ? 2 : 1);
	u64 *t;

	if (limit && vm->ept_pages >= limit)
		return NULL;
	t = page_alloc(1);
	if (t)
		vm->ept_pages++;
	return t;
}

int ept_init(struct vm *vm)
{
	vm->ept_pages = 0;
	vm->ept_root = table_alloc(vm, false);
	if (!vm->ept_root)
		return -ENOMEM;
	/* write-back structures, 4-level walk (length - 1 in bits 5:3) */
	vm->eptp = virt_to_phys(vm->ept_root) | (3 << 3) | EPT_MT_WB;
	return 0;
}

/* The table below `level` (3 = PML4 .. 1 = PD) for gpa; NULL if none (absent or a leaf). */
static u64 *table_at(const u64 *table, u64 gpa, int level)
{
	u64 e = table[idx(gpa, level)];

	return (e & EPT_PRESENT_MASK) && !(e & EPT_LEAF_2M) ? phys_to_virt(e & EPT_ADDR_MASK) : NULL;
}

/* The 2 MiB leaf *e becomes a table of 512 4 KiB leaves with the same attributes. */
static u64 *split_leaf(struct vm *vm, u64 *e, bool for_unmap)
{
	u64 *next = table_alloc(vm, for_unmap);

	if (!next)
		return NULL;
	for (int i = 0; i < 512; i++)
		next[i] = ((*e & EPT_ADDR_MASK) + i * PAGE_SIZE) | (*e & 0x7f & ~EPT_LEAF_2M);
	*e = virt_to_phys(next) | EPT_RWX;
	return next;
}

/* As table_at, making the table if needed (a 2 MiB leaf is split into one). */
static u64 *next_table(struct vm *vm, u64 *table, u64 gpa, int level)
{
	u64 *e = &table[idx(gpa, level)];
	u64 *next = table_at(table, gpa, level);

	if (next)
		return next;
	if (*e & EPT_PRESENT_MASK)
		return split_leaf(vm, e, false);
	next = table_alloc(vm, false);
	if (!next)
		return NULL;
	*e = virt_to_phys(next) | EPT_RWX;
	return next;
}

/*
 * One walk over [gpa, +size): with set, write the leaves; without, only
 * make the tables they need (splitting 2 MiB leaves keeps every existing
 * translation). Both passes take the same 2 MiB-or-4 KiB decisions.
 */
static int map_walk(struct vm *vm, u64 gpa, u64 hpa, u64 end, u64 attr, bool set)
{
	while (gpa < end) {
		u64 *pdpt = next_table(vm, vm->ept_root, gpa, 3);
		u64 *pd = pdpt ? next_table(vm, pdpt, gpa, 2) : NULL;

		if (!pd)
			return -ENOMEM;
		if (IS_ALIGNED(gpa | hpa, SZ_2M) && end - gpa >= SZ_2M &&
		    !(pd[idx(gpa, 1)] & EPT_PRESENT_MASK && !(pd[idx(gpa, 1)] & EPT_LEAF_2M))) {
			if (set)
				pd[idx(gpa, 1)] = hpa | attr | EPT_LEAF_2M;
			gpa += SZ_2M;
			hpa += SZ_2M;
			continue;
		}
		u64 *pt = next_table(vm, pd, gpa, 1);
		if (!pt)
			return -ENOMEM;
		if (set)
			pt[idx(gpa, 0)] = hpa | attr;
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
	}
	return 0;
}

/*
 * All or nothing: the tables come first, so running out of pages leaves
 * every translation as it was; the leaves are then written without
 * allocating.
 */
int ept_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype)
{
	u64 end = gpa + size, attr = prot | ((u64)memtype << 3);
	int ret;

	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || end < gpa)
		return -EINVAL;
	spin_lock(&vm->ept_lock);
	ret = map_walk(vm, gpa, hpa, end, attr, false);
	if (!ret)
		ret = map_walk(vm, gpa, hpa, end, attr, true);
	spin_unlock(&vm->ept_lock);
	return ret;
}

int ept_unmap(struct vm *vm, u64 gpa, u64 size)
{
	u64 end = gpa + size;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) || end < gpa)
		return -EINVAL;
	spin_lock(&vm->ept_lock);
	while (gpa < end) {
		u64 *pdpt = table_at(vm->ept_root, gpa, 3);
		u64 *pd = pdpt ? table_at(pdpt, gpa, 2) : NULL;
		u64 *e;

		if (!pd) {
			gpa = ALIGN_DOWN(gpa, SZ_2M) + SZ_2M;
			continue;
		}
		e = &pd[idx(gpa, 1)];
		if ((*e & EPT_LEAF_2M) && IS_ALIGNED(gpa, SZ_2M) && end - gpa >= SZ_2M) {
			*e = 0;
			gpa += SZ_2M;
			continue;
		}
		u64 *pt = table_at(pd, gpa, 1);

		if (!pt && (*e & EPT_LEAF_2M))
			pt = split_leaf(vm, e, true);
		if (pt) {
			pt[idx(gpa, 0)] = 0;
		} else if (*e & EPT_LEAF_2M) {
			/* no page to split the leaf into: unmap all of it rather than nothing */
			*e = 0;
			gpa = ALIGN_DOWN(gpa, SZ_2M) + SZ_2M;
			continue;
		}
		gpa += PAGE_SIZE;
	}
	spin_unlock(&vm->ept_lock);
	if (vm->state == VM_RUNNING)
		invept_single(vm->eptp);
	return 0;
}

bool ept_lookup(const struct vm *vm, u64 gpa, u64 *hpa)
{
	u64 *pdpt = table_at(vm->ept_root, gpa, 3);
	u64 *pd = pdpt ? table_at(pdpt, gpa, 2) : NULL;
	u64 e, *pt;

	if (!pd)
		return false;
	e = pd[idx(gpa, 1)];
	if (!(e & EPT_PRESENT_MASK))
		return false;
	if (e & EPT_LEAF_2M) {
		*hpa = (e & EPT_ADDR_MASK & ~(SZ_2M - 1)) + (gpa & (SZ_2M - 1));
		return true;
	}
	pt = phys_to_virt(e & EPT_ADDR_MASK);
	e = pt[idx(gpa, 0)];
	if (!(e & EPT_PRESENT_MASK))
		return false;
	*hpa = (e & EPT_ADDR_MASK) + (gpa & (PAGE_SIZE - 1));
	return true;
}

/* Free every table of vm's EPT (its vCPUs have left their pCPUs and flushed). */
void ept_destroy(struct vm *vm)
{
	u64 *pml4 = vm->ept_root;

	if (!pml4)
		return;
	for (int i = 0; i < 512; i++) {
		u64 *pdpt;

		if (!(pml4[i] & EPT_PRESENT_MASK))
			continue;
		pdpt = phys_to_virt(pml4[i] & EPT_ADDR_MASK);
		for (int j = 0; j < 512; j++) {
			u64 *pd;

			if (!(pdpt[j] & EPT_PRESENT_MASK))
				continue;
			pd = phys_to_virt(pdpt[j] & EPT_ADDR_MASK);
			for (int k = 0; k < 512; k++)
				if ((pd[k] & EPT_PRESENT_MASK) && !(pd[k] & EPT_LEAF_2M))
					page_free(phys_to_virt(pd[k] & EPT_ADDR_MASK), 1);
			page_free(pd, 1);
		}
		page_free(pdpt, 1);
	}
	page_free(pml4, 1);
	vm->ept_root = NULL;
	vm->ept_pages = 0;
}
