/*
 * The port-range check behind every port I/O exit: an access must lie
 * wholly inside a handler's range; ports below the base must not wrap into
 * it; an unused (zeroed) handler slot matches nothing; the per-VM lookup
 * (a bitmap of 64-port blocks, then a scan) agrees with a plain scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "io_emul.h"
#include "vm.h"

static void test_inside_and_edges(void **state)
{
	const struct pio_handler h = { .base = 0xCF8, .len = 8 };

	(void)state;
	assert_true(pio_handler_covers(&h, 0xCF8, 4));
	assert_true(pio_handler_covers(&h, 0xCFC, 4));
	assert_true(pio_handler_covers(&h, 0xCFF, 1));
	assert_false(pio_handler_covers(&h, 0xCFE, 4));	/* runs past the end */
	assert_false(pio_handler_covers(&h, 0xD00, 1));
	assert_false(pio_handler_covers(&h, 0xCF7, 1));
	assert_false(pio_handler_covers(&h, 0xCF7, 4));	/* starts below, ends inside */
	assert_false(pio_handler_covers(&h, 0, 4));
}

static void test_no_wrap_from_below(void **state)
{
	/* the largest ranges vm_register_pio accepts: base + len <= 0x10000 */
	const struct pio_handler top = { .base = 0x0001, .len = 0xFFFF };
	const struct pio_handler high = { .base = 0xFF00, .len = 0x100 };

	(void)state;
	assert_false(pio_handler_covers(&top, 0x0000, 1));
	assert_true(pio_handler_covers(&top, 0x0001, 4));
	assert_true(pio_handler_covers(&top, 0xFFFF, 1));
	assert_false(pio_handler_covers(&high, 0xFEFF, 1));
	assert_false(pio_handler_covers(&high, 0x00FF, 1));
	for (unsigned port = 0; port < 0xFF00; port++)
		assert_false(pio_handler_covers(&high, (u16)port, 1));
}

static void test_empty_slot_matches_nothing(void **state)
{
	const struct pio_handler none = { 0 };

	(void)state;
	for (unsigned port = 0; port < 0x10000; port += 0x7F)
		for (unsigned size = 1; size <= 4; size *= 2)
			assert_false(pio_handler_covers(&none, (u16)port, size));
}

/* The lookup with its block bitmap finds exactly what a plain scan finds, for every port. */
static void test_lookup_matches_scan(void **state)
{
	static struct vm vm;
	static const struct { u16 base, len; } r[] = {
		{ 0x70, 2 }, { 0x3F8, 8 }, { 0x400, 4 }, { 0xCF8, 8 }, { 0x7FF, 2 }, { 0xFFFC, 4 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(r); i++)
		assert_int_equal(vm_register_pio(&vm, r[i].base, r[i].len, NULL, NULL, NULL), 0);
	for (unsigned port = 0; port < 0x10000; port++)
		for (unsigned size = 1; size <= 4; size *= 2) {
			const struct pio_handler *want = NULL;

			for (unsigned i = 0; i < vm.nr_pio; i++)
				if (pio_handler_covers(&vm.pio[i], (u16)port, size))
					want = &vm.pio[i];
			assert_ptr_equal(vm_find_pio_scan(&vm, (u16)port, size), want);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inside_and_edges),
		cmocka_unit_test(test_no_wrap_from_below),
		cmocka_unit_test(test_empty_slot_matches_nothing),
		cmocka_unit_test(test_lookup_matches_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
