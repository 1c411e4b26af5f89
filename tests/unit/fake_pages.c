/* page_alloc/page_free for unit tests (fake_pages.h): one page at a time, as EPT tables take them. */
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

	assert_int_equal(nr_pages, 1);
	if (fake_page_budget == 0)
		return NULL;
	if (fake_page_budget > 0)
		fake_page_budget--;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(p, 0, PAGE_SIZE);
	fake_pages_outstanding++;
	return p;
}

void page_free(void *p, unsigned nr_pages)
{
	assert_int_equal(nr_pages, 1);
	free(p);
	fake_pages_outstanding--;
}
