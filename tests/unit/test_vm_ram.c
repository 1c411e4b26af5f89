/*
 * A VM's RAM table: lookups must stay inside one range, removal cuts and
 * splits ranges, a full table refuses additions and reports a split it could
 * not keep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "vm_ram.h"

#define MB (1ULL << 20)

static struct vm_ram t;

static int setup(void **state)
{
	(void)state;
	memset(&t, 0, sizeof(t));
	return 0;
}

static void test_lookup_stays_in_one_range(void **state)
{
	u64 hpa = 0;

	(void)state;
	assert_int_equal(vm_ram_add(&t, 0, 0x8000000, 16 * MB), 0);
	assert_int_equal(vm_ram_add(&t, 16 * MB, 0x4000000, 16 * MB), 0);	/* adjacent GPA, other HPA */
	assert_true(vm_ram_lookup(&t, 0x1234, 4, &hpa));
	assert_int_equal(hpa, 0x8001234);
	assert_true(vm_ram_lookup(&t, 16 * MB - 8, 8, &hpa));
	assert_int_equal(hpa, 0x8000000 + 16 * MB - 8);
	assert_true(vm_ram_lookup(&t, 16 * MB, 1, &hpa));
	assert_int_equal(hpa, 0x4000000);
	/* crossing from one range into the next is not one host buffer */
	assert_false(vm_ram_lookup(&t, 16 * MB - 4, 8, &hpa));
	/* past the end, and a length that wraps */
	assert_false(vm_ram_lookup(&t, 32 * MB - 4, 8, &hpa));
	assert_false(vm_ram_lookup(&t, 32 * MB, 1, &hpa));
	assert_false(vm_ram_lookup(&t, 8, ~0ULL, &hpa));
	assert_false(vm_ram_lookup(&t, ~0ULL - 2, 8, &hpa));
	assert_int_equal(vm_ram_total(&t), 32 * MB);
	assert_int_equal(vm_ram_top(&t), 32 * MB);
	assert_true(vm_ram_overlaps(&t, 32 * MB - 1, 2));
	assert_false(vm_ram_overlaps(&t, 32 * MB, 4096));
}

static void test_remove_cuts_and_splits(void **state)
{
	struct vm_mem_range lost;
	u64 hpa = 0;

	(void)state;
	assert_int_equal(vm_ram_add(&t, 0, 0x8000000, 16 * MB), 0);
	/* a hole in the middle: two ranges, HPAs kept */
	assert_int_equal(vm_ram_remove(&t, 4 * MB, 1 * MB, &lost), 0);
	assert_int_equal(t.nr, 2);
	assert_int_equal(vm_ram_total(&t), 15 * MB);
	assert_false(vm_ram_lookup(&t, 4 * MB, 1, &hpa));
	assert_true(vm_ram_lookup(&t, 5 * MB, 1, &hpa));
	assert_int_equal(hpa, 0x8000000 + 5 * MB);
	assert_true(vm_ram_lookup(&t, 4 * MB - 1, 1, &hpa));
	/* the head and the tail */
	assert_int_equal(vm_ram_remove(&t, 0, 1 * MB, &lost), 0);
	assert_int_equal(vm_ram_remove(&t, 15 * MB, 8 * MB, &lost), 0);
	assert_int_equal(vm_ram_total(&t), 13 * MB);
	/* a removal spanning the hole takes from both sides */
	assert_int_equal(vm_ram_remove(&t, 3 * MB, 3 * MB, &lost), 0);
	assert_int_equal(vm_ram_total(&t), 11 * MB);
	/* nothing there: nothing happens */
	assert_int_equal(vm_ram_remove(&t, 100 * MB, MB, &lost), 0);
	assert_int_equal(vm_ram_total(&t), 11 * MB);
	/* everything */
	assert_int_equal(vm_ram_remove(&t, 0, 64 * MB, &lost), 0);
	assert_int_equal(t.nr, 0);
}

static void test_full_table(void **state)
{
	struct vm_mem_range lost = { 0 };

	(void)state;
	for (unsigned i = 0; i < VM_MAX_RAM_RANGES; i++)
		assert_int_equal(vm_ram_add(&t, i * 2 * MB, 0x10000000 + i * MB, MB), 0);
	assert_int_equal(vm_ram_add(&t, 64 * MB, 0, MB), -ENOSPC);
	/* splitting range 0 needs one more slot: the part above the cut is lost */
	assert_int_equal(vm_ram_remove(&t, 0x1000, 0x1000, &lost), -ENOSPC);
	assert_int_equal(t.nr, VM_MAX_RAM_RANGES);
	/* ... and reported, so the caller unmaps it too */
	assert_int_equal(lost.gpa, 0x2000);
	assert_int_equal(lost.hpa, 0x10002000);
	assert_int_equal(lost.size, MB - 0x2000);
	assert_true(vm_ram_overlaps(&t, 0, 0x1000));
	assert_false(vm_ram_overlaps(&t, 0x1000, MB - 0x1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup_stays_in_one_range, setup),
		cmocka_unit_test_setup(test_remove_cuts_and_splits, setup),
		cmocka_unit_test_setup(test_full_table, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
