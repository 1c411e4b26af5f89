/* Rate limits of guest-triggerable log lines (lib/ratelimit.c): a burst per window, the rest counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "ratelimit.h"

static void test_burst_then_held_back(void **state)
{
	struct ratelimit rl = { 0 };
	u32 missed = 99;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_true(ratelimit_check(&rl, 1000 + i, 100, 3, &missed));
		assert_int_equal(missed, 0);
	}
	/* the same window: held back and counted */
	for (int i = 0; i < 5; i++)
		assert_false(ratelimit_check(&rl, 1050, 100, 3, &missed));
	assert_int_equal(missed, 0);
	/* a new window: printed, and told how many were held back */
	assert_true(ratelimit_check(&rl, 1100, 100, 3, &missed));
	assert_int_equal(missed, 5);
	assert_true(ratelimit_check(&rl, 1101, 100, 3, &missed));
	assert_int_equal(missed, 0);
}

/* A guest printing through one call site forever gets burst lines per window, no more. */
static void test_flood_bounded(void **state)
{
	struct ratelimit rl = { 0 };
	u32 missed, printed = 0, told = 0;

	(void)state;
	for (u64 t = 0; t < 10000; t++) {
		if (ratelimit_check(&rl, t, 1000, 10, &missed)) {
			printed++;
			told += missed;
		}
	}
	assert_int_equal(printed, 10 * 10);
	/* every held-back line is reported but those of the last window */
	assert_int_equal(told, 10000 - 100 - (1000 - 10));
}

/* The first call opens a window whatever the clock reads (0 included). */
static void test_first_call(void **state)
{
	struct ratelimit rl = { 0 };
	u32 missed;

	(void)state;
	assert_true(ratelimit_check(&rl, 0, 5, 1, &missed));
	assert_false(ratelimit_check(&rl, 4, 5, 1, &missed));
	assert_true(ratelimit_check(&rl, 5, 5, 1, &missed));
	assert_int_equal(missed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_held_back),
		cmocka_unit_test(test_flood_bounded),
		cmocka_unit_test(test_first_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
