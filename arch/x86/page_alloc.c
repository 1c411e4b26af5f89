/*
 * Hypervisor pages: a bump allocator over the heap, plus per-size free lists
 * so that what post-launched VMs give back (EPT tables, VMCSs, vCPUs,
 * bitmaps) is reused. Every run the hypervisor allocates is 1..FREE_MAX_PAGES
 * pages and is freed with the size it was allocated with, so exact-size lists
 * never fragment; a larger run is freed by nobody (boot-time only).
 */
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "spinlock.h"

#define FREE_MAX_PAGES 16

struct free_run {
	struct free_run *next;
};

static u64 heap_next, heap_end;
static struct free_run *free_lists[FREE_MAX_PAGES + 1];
static u64 free_bytes_listed;
static spinlock_t heap_lock = SPINLOCK_INIT;

void mm_init(u64 start, u64 end)
{
	heap_next = ALIGN_UP(start, PAGE_SIZE);
	heap_end = ALIGN_DOWN(end, PAGE_SIZE);
	memset(free_lists, 0, sizeof(free_lists));
	free_bytes_listed = 0;
}

void *page_alloc(unsigned nr_pages)
{
	u64 size = (u64)nr_pages * PAGE_SIZE;
	void *p = NULL;

	spin_lock(&heap_lock);
	if (nr_pages && nr_pages <= FREE_MAX_PAGES && free_lists[nr_pages]) {
		struct free_run *r = free_lists[nr_pages];

		free_lists[nr_pages] = r->next;
		free_bytes_listed -= size;
		p = r;
	} else if (nr_pages && heap_end - heap_next >= size) {
		p = phys_to_virt(heap_next);
		heap_next += size;
	}
	spin_unlock(&heap_lock);
	if (p)
		memset(p, 0, size);
	return p;
}

void page_free(void *p, unsigned nr_pages)
{
	struct free_run *r = p;

	if (!p)
		return;
	if (!nr_pages || nr_pages > FREE_MAX_PAGES || !IS_ALIGNED(virt_to_phys(p), PAGE_SIZE))
		panic("page_free(%p, %u): not a run page_alloc hands out", p, nr_pages);
	spin_lock(&heap_lock);
	r->next = free_lists[nr_pages];
	free_lists[nr_pages] = r;
	free_bytes_listed += (u64)nr_pages * PAGE_SIZE;
	spin_unlock(&heap_lock);
}

u64 mm_free_bytes(void)
{
	return heap_end - heap_next + free_bytes_listed;
}
