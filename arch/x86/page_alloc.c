/* Bump allocator: VMs are created at boot and never freed in this version. */
#include "lib.h"
#include "mm.h"
#include "spinlock.h"

static u64 heap_next, heap_end;
static spinlock_t heap_lock = SPINLOCK_INIT;

void mm_init(u64 start, u64 end)
{
	heap_next = ALIGN_UP(start, PAGE_SIZE);
	heap_end = ALIGN_DOWN(end, PAGE_SIZE);
}

void *page_alloc(unsigned nr_pages)
{
	u64 size = (u64)nr_pages * PAGE_SIZE;
	void *p = NULL;

	spin_lock(&heap_lock);
	if (nr_pages && heap_end - heap_next >= size) {
		p = phys_to_virt(heap_next);
		heap_next += size;
	}
	spin_unlock(&heap_lock);
	if (p)
		memset(p, 0, size);
	return p;
}

u64 mm_free_bytes(void)
{
	return heap_end - heap_next;
}
