/*
 * page_alloc/page_free for unit tests (fake_pages.h): runs of pages, of
 * which only those of 1 to 16 can be freed, as with the real allocator;
 * the budget counts allocations, the outstanding count pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "mm.h"
#include "fake_pages.h"

int fake_page_budget = -1;
int fake_pages_outstanding;

void *page_alloc(unsigned nr_pages)
{
	void *p;

	assert_true(nr_pages >= 1);
	if (fake_page_budget == 0)
		return NULL;
	if (fake_page_budget > 0)
		fake_page_budget--;
	p = aligned_alloc(PAGE_SIZE, (size_t)nr_pages * PAGE_SIZE);
	memset(p, 0, (size_t)nr_pages * PAGE_SIZE);
	fake_pages_outstanding += nr_pages;
	return p;
}

void page_free(void *p, unsigned nr_pages)
{
	if (!p)
		return;		/* as the real one: nothing was allocated */
	assert_true(nr_pages >= 1 && nr_pages <= 16);
	free(p);
	fake_pages_outstanding -= nr_pages;
}
