/* Hypervisor memory: a page allocator over the heap left in the hypervisor's region. */
#ifndef BH_MM_H
#define BH_MM_H

#include "types.h"

void mm_init(u64 start, u64 end);
void *page_alloc(unsigned nr_pages);	/* zeroed, page aligned; NULL when out of memory */
/* Give back a run from page_alloc with the same nr_pages (at most 16). */
void page_free(void *p, unsigned nr_pages);
u64 mm_free_bytes(void);

static inline u64 virt_to_phys(const void *p) { return (u64)(uintptr_t)p; }
static inline void *phys_to_virt(u64 pa)
{
	void *p = (void *)(uintptr_t)pa;

	asm("" : "+r"(p));	/* low constant addresses are real memory here */
	return p;
}

#endif
