/*
 * EPT: 4-level tables per VM, 2 MiB leaves wherever alignment allows.
 *
 * Entries are read and written whole (one 8-byte access each), so a vCPU
 * walking the tables in the hypervisor (vm_gpa_to_hva, ept_range_any) while
 * the Service VM's hypercall or a BAR move changes them sees every entry
 * either before or after; a new table is filled before the entry pointing
 * to it is written. Table pages are freed only by ept_destroy, when no vCPU
 * of the VM runs any more, so a walker never follows a freed table.
 *
 * Software bits (EPT_RAM, EPT_NEW, EPT_DEL in include/vm.h) ride in leaves
 * and are copied when a 2 MiB leaf is split: the EPT is the record of a
 * post-launched VM's RAM (vmm/vm_ram.c).
 */
#include "lib.h"
#include "mm.h"
#include "vm.h"
#include "ept.h"

#define EPT_LEAF_2M BIT(7)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL
#define EPT_PRESENT_MASK EPT_RWX
#define SZ_2M 0x200000ULL
#define EPT_REACH (1ULL << 48)		/* what a 4-level walk translates */

static inline unsigned idx(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * level)) & 0x1ff;
}

static inline u64 get_entry(const u64 *e)
{
	return __atomic_load_n(e, __ATOMIC_ACQUIRE);
}

/* Release: a table's contents are visible before the entry that points to it. */
static inline void set_entry(u64 *e, u64 v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

/*
 * A table page for vm, within its budget: a post-launched VM's tables grow
 * with what the Service VM maps into it, and must not take the host's
 * memory without bound. Splits for unmaps may go up to twice the budget:
 * refusing one would take away a whole 2 MiB the VM still has.
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
	u64 e = get_entry(&table[idx(gpa, level)]);

	return (e & EPT_PRESENT_MASK) && !(e & EPT_LEAF_2M) ? phys_to_virt(e & EPT_ADDR_MASK) : NULL;
}

/* The page directory for gpa, or NULL (also when vm has no EPT yet or any more). */
static u64 *pd_at(const struct vm *vm, u64 gpa)
{
	u64 *pdpt = vm->ept_root ? table_at(vm->ept_root, gpa, 3) : NULL;

	return pdpt ? table_at(pdpt, gpa, 2) : NULL;
}

/* The 2 MiB leaf *e becomes a table of 512 4 KiB leaves with the same attributes and marks. */
static u64 *split_leaf(struct vm *vm, u64 *e, bool for_unmap)
{
	u64 *next = table_alloc(vm, for_unmap);
	u64 leaf = get_entry(e), attr = leaf & ~(EPT_ADDR_MASK | EPT_LEAF_2M);

	if (!next)
		return NULL;
	for (int i = 0; i < 512; i++)
		next[i] = ((leaf & EPT_ADDR_MASK) + i * PAGE_SIZE) | attr;
	set_entry(e, virt_to_phys(next) | EPT_RWX);
	return next;
}

/* As table_at, making the table if needed (a 2 MiB leaf is split into one). */
static u64 *next_table(struct vm *vm, u64 *table, u64 gpa, int level)
{
	u64 *e = &table[idx(gpa, level)];
	u64 *next = table_at(table, gpa, level);

	if (next)
		return next;
	if (get_entry(e) & EPT_PRESENT_MASK)
		return split_leaf(vm, e, false);
	next = table_alloc(vm, false);
	if (!next)
		return NULL;
	set_entry(e, virt_to_phys(next) | EPT_RWX);
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
		u64 pde = get_entry(&pd[idx(gpa, 1)]);
		if (IS_ALIGNED(gpa | hpa, SZ_2M) && end - gpa >= SZ_2M &&
		    !(pde & EPT_PRESENT_MASK && !(pde & EPT_LEAF_2M))) {
			if (set)
				set_entry(&pd[idx(gpa, 1)], hpa | attr | EPT_LEAF_2M);
			gpa += SZ_2M;
			hpa += SZ_2M;
			continue;
		}
		u64 *pt = next_table(vm, pd, gpa, 1);
		if (!pt)
			return -ENOMEM;
		if (set)
			set_entry(&pt[idx(gpa, 0)], hpa | attr);
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
	}
	return 0;
}

/*
 * All or nothing: the tables come first, so running out of pages leaves
 * every translation as it was; the leaves are then written without
 * allocating. Pages inside one 2 MiB whose 4 KiB table exists already (a
 * batch of 4 KiB regions) need neither pass: one short walk writes them.
 */
int ept_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype)
{
	u64 end = gpa + size, attr = prot | ((u64)memtype << 3);
	int ret = 0;

	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || end < gpa || end > EPT_REACH ||
	    (prot & ~(EPT_RWX | EPT_SW_BITS)) || memtype > 7)
		return -EINVAL;
	spin_lock(&vm->ept_lock);
	if (size && ALIGN_DOWN(gpa, SZ_2M) == ALIGN_DOWN(end - 1, SZ_2M)) {
		u64 *pd = pd_at(vm, gpa);
		u64 *pt = pd ? table_at(pd, gpa, 1) : NULL;

		if (pt) {
			for (; gpa < end; gpa += PAGE_SIZE, hpa += PAGE_SIZE)
				set_entry(&pt[idx(gpa, 0)], hpa | attr);
			goto out;
		}
	}
	ret = map_walk(vm, gpa, hpa, end, attr, false);
	if (!ret)
		ret = map_walk(vm, gpa, hpa, end, attr, true);
out:
	spin_unlock(&vm->ept_lock);
	return ret;
}

int ept_unmap(struct vm *vm, u64 gpa, u64 size)
{
	u64 end = gpa + size;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) || end < gpa || end > EPT_REACH)
		return -EINVAL;
	spin_lock(&vm->ept_lock);
	while (gpa < end) {
		u64 *pd = pd_at(vm, gpa);
		u64 *e;

		if (!pd) {
			gpa = ALIGN_DOWN(gpa, SZ_2M) + SZ_2M;
			continue;
		}
		e = &pd[idx(gpa, 1)];
		if ((get_entry(e) & EPT_LEAF_2M) && IS_ALIGNED(gpa, SZ_2M) && end - gpa >= SZ_2M) {
			set_entry(e, 0);
			gpa += SZ_2M;
			continue;
		}
		u64 *pt = table_at(pd, gpa, 1);

		if (!pt && (get_entry(e) & EPT_LEAF_2M))
			pt = split_leaf(vm, e, true);
		if (pt) {
			set_entry(&pt[idx(gpa, 0)], 0);
		} else if (get_entry(e) & EPT_LEAF_2M) {
			/* no page to split the leaf into: unmap all of it rather than nothing */
			set_entry(e, 0);
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

/* The leaf translating gpa (its entry, its size), or false. */
static bool leaf_of(const struct vm *vm, u64 gpa, u64 *leaf, u64 *size)
{
	u64 *pd = gpa < EPT_REACH ? pd_at(vm, gpa) : NULL;
	u64 e;

	if (!pd)
		return false;
	e = get_entry(&pd[idx(gpa, 1)]);
	if (!(e & EPT_PRESENT_MASK))
		return false;
	if (e & EPT_LEAF_2M) {
		*leaf = e;
		*size = SZ_2M;
		return true;
	}
	e = get_entry((u64 *)phys_to_virt(e & EPT_ADDR_MASK) + idx(gpa, 0));
	if (!(e & EPT_PRESENT_MASK))
		return false;
	*leaf = e;
	*size = PAGE_SIZE;
	return true;
}

static u64 leaf_hpa(u64 leaf, u64 size, u64 gpa)
{
	return (leaf & EPT_ADDR_MASK & ~(size - 1)) + (gpa & (size - 1));
}

bool ept_lookup(const struct vm *vm, u64 gpa, u64 *hpa)
{
	u64 leaf, size;

	if (!leaf_of(vm, gpa, &leaf, &size))
		return false;
	*hpa = leaf_hpa(leaf, size, gpa);
	return true;
}

bool ept_translate(const struct vm *vm, u64 gpa, u64 len, u64 bits, u64 *hpa)
{
	u64 end = gpa + len, leaf, size, first = 0;

	if (!len || end < gpa)
		return false;
	/* leaf by leaf: each must carry bits and continue the host range of the first */
	for (u64 at = gpa; at < end; at = ALIGN_DOWN(at, size) + size) {
		if (!leaf_of(vm, at, &leaf, &size) || (leaf & bits) != bits)
			return false;
		if (at == gpa)
			first = leaf_hpa(leaf, size, gpa);
		else if (leaf_hpa(leaf, size, at) != first + (at - gpa))
			return false;
	}
	*hpa = first;
	return true;
}

/*
 * Every present leaf overlapping [gpa, end), in GPA order, goes to w->fn
 * with its first GPA and its size; fn returning true stops the walk. An
 * absent entry skips all it would map, so the cost follows the tables that
 * exist in the range, not its size.
 */
struct leaf_walk {
	bool (*fn)(struct leaf_walk *w, u64 *e, u64 base, u64 size);
	u64 bits, drop, clear;			/* what fn looks for or changes */
	u64 run_gpa, run_size;			/* ept_sweep: dropped leaves not yet reported */
	u64 total;				/* ept_sweep: bytes dropped */
	void (*dropped)(void *ctx, u64 gpa, u64 size);
	void *ctx;
};

static u64 next_boundary(u64 gpa, int level)
{
	u64 span = 1ULL << (12 + 9 * level);

	return ALIGN_DOWN(gpa, span) + span;
}

static bool walk_leaves(const struct vm *vm, u64 gpa, u64 end, struct leaf_walk *w)
{
	gpa = ALIGN_DOWN(gpa, PAGE_SIZE);	/* fn gets each leaf's own first GPA */
	end = vm->ept_root ? MIN(end, EPT_REACH) : 0;
	while (gpa < end) {
		u64 *pdpt = table_at(vm->ept_root, gpa, 3);
		u64 *pd = pdpt ? table_at(pdpt, gpa, 2) : NULL;
		u64 *pde, e, *pt;

		if (!pd) {
			gpa = next_boundary(gpa, pdpt ? 2 : 3);
			continue;
		}
		pde = &pd[idx(gpa, 1)];
		e = get_entry(pde);
		if (!(e & EPT_PRESENT_MASK) || (e & EPT_LEAF_2M)) {
			if ((e & EPT_PRESENT_MASK) && w->fn(w, pde, ALIGN_DOWN(gpa, SZ_2M), SZ_2M))
				return true;
			gpa = next_boundary(gpa, 1);
			continue;
		}
		pt = phys_to_virt(e & EPT_ADDR_MASK);
		for (unsigned i = idx(gpa, 0); i < 512 && gpa < end; i++, gpa += PAGE_SIZE)
			if ((get_entry(&pt[i]) & EPT_PRESENT_MASK) && w->fn(w, &pt[i], gpa, PAGE_SIZE))
				return true;
	}
	return false;
}

static bool leaf_has(struct leaf_walk *w, u64 *e, u64 base, u64 size)
{
	(void)base;
	(void)size;
	return get_entry(e) & w->bits;
}

bool ept_range_any(const struct vm *vm, u64 gpa, u64 size, u64 bits)
{
	struct leaf_walk w = { .fn = leaf_has, .bits = bits };
	u64 leaf, leaf_size;

	if (!size || gpa + size < gpa)
		return false;
	/* one page (a region of Linux's batches): its leaf says it all */
	if (size <= PAGE_SIZE && ALIGN_DOWN(gpa, PAGE_SIZE) == ALIGN_DOWN(gpa + size - 1, PAGE_SIZE))
		return leaf_of(vm, gpa, &leaf, &leaf_size) && (leaf & bits);
	return walk_leaves(vm, gpa, gpa + size, &w);
}

static bool leaf_mark(struct leaf_walk *w, u64 *e, u64 base, u64 size)
{
	u64 v = get_entry(e);

	(void)base;
	(void)size;
	if ((v & w->bits) == w->bits)
		set_entry(e, v | w->clear);
	return false;
}

/* The 2 MiB leaf at `at`, if it has need and [gpa, end) covers it only partly, becomes 4 KiB leaves. */
static int split_partial(struct vm *vm, u64 at, u64 gpa, u64 end, u64 need)
{
	u64 *pd = pd_at(vm, at), *e, base = ALIGN_DOWN(at, SZ_2M);

	if (!pd)
		return 0;
	e = &pd[idx(at, 1)];
	if (!(get_entry(e) & EPT_LEAF_2M) || (get_entry(e) & need) != need ||
	    (base >= gpa && base + SZ_2M <= end))
		return 0;
	return split_leaf(vm, e, true) ? 0 : -ENOMEM;
}

int ept_mark(struct vm *vm, u64 gpa, u64 size, u64 need, u64 set)
{
	struct leaf_walk w = { .fn = leaf_mark, .bits = need, .clear = set };
	u64 end = gpa + size;
	int ret;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) || !size || end < gpa || end > EPT_REACH ||
	    (set & ~EPT_SW_BITS))
		return -EINVAL;
	spin_lock(&vm->ept_lock);
	/* only the first and the last 2 MiB of the range can be covered partly */
	ret = split_partial(vm, gpa, gpa, end, need);
	if (!ret)
		ret = split_partial(vm, end - PAGE_SIZE, gpa, end, need);
	if (!ret)
		walk_leaves(vm, gpa, end, &w);
	spin_unlock(&vm->ept_lock);
	return ret;
}

static void report_run(struct leaf_walk *w)
{
	if (w->run_size && w->dropped)
		w->dropped(w->ctx, w->run_gpa, w->run_size);
	w->run_size = 0;
}

static bool leaf_sweep(struct leaf_walk *w, u64 *e, u64 base, u64 size)
{
	u64 v = get_entry(e);

	if (v & w->drop) {
		set_entry(e, 0);
		w->total += size;
		if (w->run_size && w->run_gpa + w->run_size == base) {
			w->run_size += size;
		} else {
			report_run(w);
			w->run_gpa = base;
			w->run_size = size;
		}
	} else if (v & w->clear) {
		set_entry(e, v & ~w->clear);
	}
	return false;
}

u64 ept_sweep(struct vm *vm, u64 gpa, u64 size, u64 drop, u64 clear,
	      void (*dropped)(void *ctx, u64 gpa, u64 size), void *ctx)
{
	struct leaf_walk w = { .fn = leaf_sweep, .drop = drop, .clear = clear,
			       .dropped = dropped, .ctx = ctx };

	if (!size || gpa + size < gpa || ((drop | clear) & ~EPT_SW_BITS))
		return 0;
	spin_lock(&vm->ept_lock);
	walk_leaves(vm, gpa, gpa + size, &w);
	report_run(&w);
	spin_unlock(&vm->ept_lock);
	if (w.total && vm->state == VM_RUNNING)
		invept_single(vm->eptp);
	return w.total;
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
