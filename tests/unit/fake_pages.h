/* A page allocator for unit tests of EPT code: real pages, a budget, and a count of those not freed. */
#ifndef BH_TEST_FAKE_PAGES_H
#define BH_TEST_FAKE_PAGES_H

extern int fake_page_budget;		/* pages page_alloc still gives; -1: any number */
extern int fake_pages_outstanding;	/* pages given and not freed */

#endif
