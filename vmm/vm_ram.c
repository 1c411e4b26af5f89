/*
 * A VM's RAM (include/vm_ram.h): boot VMs' table (small, unsorted, scanned
 * linearly); post-launched VMs' RAM in their EPT and the batches that change it.
 */
#include "lib.h"
#include "vmm_internal.h"
#include "vm_ram.h"

int vm_ram_add(struct vm_ram *t, u64 gpa, u64 hpa, u64 size)
{
	if (t->nr == VM_MAX_RAM_RANGES)
		return -ENOSPC;
	t->r[t->nr++] = (struct vm_mem_range){ gpa, hpa, size };
	return 0;
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

u64 vm_ram_top(const struct vm_ram *t)
{
	u64 top = 0;

	for (unsigned i = 0; i < t->nr; i++)
		top = MAX(top, t->r[i].gpa + t->r[i].size);
	return top;
}

/* ---- post-launched VMs ---- */

bool vm_ram_post_lookup(const struct vm *vm, u64 gpa, u64 len, u64 *hpa)
{
	bool found;
	u32 seq;

	do {
		seq = vm_ram_read_begin(&vm->ram);
		found = ept_translate(vm, gpa, len, EPT_RAM, hpa);
	} while (vm_ram_read_retry(&vm->ram, seq));
	return found;
}

bool vm_ram_post_overlaps(const struct vm *vm, u64 gpa, u64 size)
{
	bool hit;
	u32 seq;

	do {
		seq = vm_ram_read_begin(&vm->ram);
		hit = ept_range_any(vm, gpa, size, EPT_RAM);
	} while (vm_ram_read_retry(&vm->ram, seq));
	return hit;
}

bool vm_ram_post_in_batch(const struct vm *vm, u64 gpa, u64 size)
{
	/* only the batch's own writer changes these marks: no retry needed */
	return ept_range_any(vm, gpa, size, EPT_NEW | EPT_DEL);
}

void vm_ram_batch_begin(struct vm_ram_batch *b, struct vm *vm)
{
	b->vm = vm;
	b->nr = 0;
}

/* Remember that [gpa, end) may hold marks. */
static void batch_note(struct vm_ram_batch *b, u64 gpa, u64 end)
{
	if (b->nr) {
		struct vm_ram_span *last = &b->span[b->nr - 1];

		/* touching the last span (Linux's pages come in GPA order), or no span left */
		if ((gpa <= last->end && end >= last->gpa) || b->nr == VM_RAM_BATCH_SPANS) {
			last->gpa = MIN(last->gpa, gpa);
			last->end = MAX(last->end, end);
			return;
		}
	}
	b->span[b->nr].gpa = gpa;
	b->span[b->nr].end = end;
	b->nr++;
}

int vm_ram_batch_map(struct vm_ram_batch *b, u64 gpa, u64 hpa, u64 size, u64 prot,
		     unsigned memtype)
{
	struct vm *vm = b->vm;
	int ret;

	if (prot & ~EPT_RWX)
		return -EINVAL;
	vm_ram_write_begin(&vm->ram);
	ret = ept_map(vm, gpa, hpa, size, prot | EPT_RAM | EPT_NEW, memtype);
	vm_ram_write_end(&vm->ram);
	if (ret)
		return ret;
	vm->ram.mapped += size;
	batch_note(b, gpa, gpa + size);
	return 0;
}

int vm_ram_batch_unmap(struct vm_ram_batch *b, u64 gpa, u64 size)
{
	/* marks change no translation: readers need not retry */
	batch_note(b, gpa, gpa + size);
	return ept_mark(b->vm, gpa, size, EPT_RAM, EPT_DEL);
}

bool vm_ram_batch_end(struct vm_ram_batch *b, bool commit,
		      void (*dropped)(void *ctx, u64 gpa, u64 size), void *ctx)
{
	struct vm *vm = b->vm;
	u64 gone = 0;

	vm_ram_write_begin(&vm->ram);
	for (unsigned i = 0; i < b->nr; i++)
		gone += ept_sweep(vm, b->span[i].gpa, b->span[i].end - b->span[i].gpa,
				  commit ? EPT_DEL : EPT_NEW, EPT_NEW | EPT_DEL, dropped, ctx);
	vm_ram_write_end(&vm->ram);
	vm->ram.mapped -= gone;
	b->nr = 0;
	return gone != 0;
}
