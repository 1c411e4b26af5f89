/*
 * The hypervisor's page allocator: runs come zeroed and page aligned, freed
 * runs are reused by the next allocation of the same size only, exhaustion
 * returns NULL, and the free figure accounts for both the heap and the lists.
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
#include "percpu.h"

#define HEAP_PAGES 32

static u8 *heap;
static bool panicked;
static jmp_buf panic_jmp;

void panic(const char *fmt, ...)
{
	(void)fmt;
	panicked = true;
	longjmp(panic_jmp, 1);
}

static int setup(void **state)
{
	(void)state;
	heap = aligned_alloc(PAGE_SIZE, HEAP_PAGES * PAGE_SIZE);
	memset(heap, 0xAA, HEAP_PAGES * PAGE_SIZE);
	mm_init((u64)(uintptr_t)heap, (u64)(uintptr_t)heap + HEAP_PAGES * PAGE_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(heap);
	return 0;
}

static bool all_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_zeroed_aligned_and_exhaustion(void **state)
{
	u8 *a, *b;

	(void)state;
	assert_int_equal(mm_free_bytes(), HEAP_PAGES * PAGE_SIZE);
	a = page_alloc(3);
	assert_non_null(a);
	assert_true(IS_ALIGNED((uintptr_t)a, PAGE_SIZE));
	assert_true(all_zero(a, 3 * PAGE_SIZE));
	assert_null(page_alloc(0));
	assert_null(page_alloc(HEAP_PAGES));	/* only 29 left */
	b = page_alloc(HEAP_PAGES - 3);
	assert_ptr_equal(b, a + 3 * PAGE_SIZE);
	assert_null(page_alloc(1));
	assert_int_equal(mm_free_bytes(), 0);
}

static void test_freed_runs_are_reused_by_size(void **state)
{
	u8 *one, *two, *again;

	(void)state;
	one = page_alloc(1);
	two = page_alloc(2);
	memset(one, 0x55, PAGE_SIZE);
	memset(two, 0x55, 2 * PAGE_SIZE);
	page_free(one, 1);
	page_free(two, 2);
	assert_int_equal(mm_free_bytes(), HEAP_PAGES * PAGE_SIZE);
	/* a 2-page request takes the freed 2-page run, zeroed again */
	again = page_alloc(2);
	assert_ptr_equal(again, two);
	assert_true(all_zero(again, 2 * PAGE_SIZE));
	/* a 3-page request does not split or merge lists: fresh heap */
	assert_true((u8 *)page_alloc(3) > two);
	assert_ptr_equal(page_alloc(1), one);
	assert_true(all_zero(one, PAGE_SIZE));
	/* the last freed is the first reused */
	page_free(one, 1);
	page_free(again, 2);
	assert_ptr_equal(page_alloc(2), again);
}

static void test_bad_free_panics(void **state)
{
	u8 *p;

	(void)state;
	p = page_alloc(1);
	panicked = false;
	if (!setjmp(panic_jmp))
		page_free(p + 8, 1);	/* not page aligned */
	assert_true(panicked);
	panicked = false;
	if (!setjmp(panic_jmp))
		page_free(p, 17);	/* beyond the sizes the lists keep */
	assert_true(panicked);
	page_free(NULL, 1);		/* nothing to do */
	assert_int_equal(mm_free_bytes(), (HEAP_PAGES - 1) * PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zeroed_aligned_and_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_freed_runs_are_reused_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_free_panics, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
