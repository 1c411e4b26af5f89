/* A VM's RAM table (include/vm_ram.h): small, unsorted, scanned linearly. */
#include "lib.h"
#include "vm_ram.h"

int vm_ram_add(struct vm_ram *t, u64 gpa, u64 hpa, u64 size)
{
	if (t->nr == VM_MAX_RAM_RANGES)
		return -ENOSPC;
	t->r[t->nr++] = (struct vm_mem_range){ gpa, hpa, size };
	return 0;
}

int vm_ram_remove(struct vm_ram *t, u64 gpa, u64 size, struct vm_mem_range *lost)
{
	u64 end = gpa + size;
	int ret = 0;

	for (unsigned i = 0; i < t->nr;) {
		struct vm_mem_range r = t->r[i];
		u64 rend = r.gpa + r.size;

		if (!ranges_overlap(gpa, size, r.gpa, r.size)) {
			i++;
			continue;
		}
		/* the slot is reused for what is left below the cut, the tail goes last */
		t->r[i] = t->r[--t->nr];
		if (r.gpa < gpa)
			vm_ram_add(t, r.gpa, r.hpa, gpa - r.gpa);
		if (rend > end && vm_ram_add(t, end, r.hpa + (end - r.gpa), rend - end)) {
			*lost = (struct vm_mem_range){ end, r.hpa + (end - r.gpa), rend - end };
			ret = -ENOSPC;
		}
	}
	return ret;
}

bool vm_mem_find(const struct vm_mem_range *r, unsigned n, u64 gpa, u64 len, u64 *hpa)
{
	for (unsigned i = 0; i < n; i++, r++)
		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len) {
			*hpa = r->hpa + (gpa - r->gpa);
			return true;
		}
	return false;
}

bool vm_ram_lookup(const struct vm_ram *t, u64 gpa, u64 len, u64 *hpa)
{
	return vm_mem_find(t->r, t->nr, gpa, len, hpa);
}

bool vm_ram_overlaps(const struct vm_ram *t, u64 gpa, u64 size)
{
	for (unsigned i = 0; i < t->nr; i++)
		if (ranges_overlap(gpa, size, t->r[i].gpa, t->r[i].size))
			return true;
	return false;
}

u64 vm_ram_total(const struct vm_ram *t)
{
	u64 total = 0;

	for (unsigned i = 0; i < t->nr; i++)
		total += t->r[i].size;
	return total;
}

u64 vm_ram_top(const struct vm_ram *t)
{
	u64 top = 0;

	for (unsigned i = 0; i < t->nr; i++)
		top = MAX(top, t->r[i].gpa + t->r[i].size);
	return top;
}
