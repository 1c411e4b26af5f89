/* NEEDS_RESET: one log line per break, and a rate limit over a storm of them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dm_log.h"
#include "virtio_dev.h"

static unsigned lines;
static char last[512];
static uint64_t fake_now;

static void sink(const char *line)
{
	lines++;
	snprintf(last, sizeof(last), "%s", line);
}

static uint64_t clock_ns(void) { return fake_now; }

static int setup(void **state)
{
	(void)state;
	lines = 0;
	last[0] = '\0';
	dm_log_set_sink(sink);
	dm_log_set_clock(clock_ns);
	fake_now += 60ull * 1000000000u;	/* a fresh window for each test */
	return 0;
}

static void test_one_line_per_break(void **state)
{
	struct virtio_dev d = { "virtio-blk 00:03.0", VIRTIO_STATUS_DRIVER_OK };

	(void)state;
	assert_true(virtio_dev_live(&d));
	assert_true(virtio_needs_reset(&d, "requestq", "buffer outside guest RAM"));
	assert_int_equal(lines, 1);
	assert_string_equal(last, "virtio-blk 00:03.0: requestq: buffer outside guest RAM; "
			    "device stopped until the driver resets it");
	assert_true(d.status & VIRTIO_STATUS_NEEDS_RESET);
	assert_false(virtio_dev_live(&d));
	/* more errors from the same broken device: silent */
	for (int i = 0; i < 100; i++)
		assert_false(virtio_needs_reset(&d, "requestq", "again"));
	assert_int_equal(lines, 1);
	/* the driver resets it (status 0), sets it up, and it breaks again: a new line */
	d.status = VIRTIO_STATUS_DRIVER_OK;
	assert_true(virtio_needs_reset(&d, "requestq", "loop"));
	assert_int_equal(lines, 2);
}

static void test_storm_is_limited(void **state)
{
	struct virtio_dev d = { "virtio-rnd 00:06.0", 0 };

	(void)state;
	/* break, reset, break... 1000 times within one window: 10 lines */
	for (int i = 0; i < 1000; i++) {
		d.status = VIRTIO_STATUS_DRIVER_OK;
		assert_true(virtio_needs_reset(&d, "requestq", "loop"));
	}
	assert_int_equal(lines, 10);
	/* the next window says how many were left out */
	fake_now += 5ull * 1000000000u;
	d.status = VIRTIO_STATUS_DRIVER_OK;
	virtio_needs_reset(&d, "requestq", "loop");
	assert_int_equal(lines, 11);
	assert_non_null(strstr(last, "(990 similar lines suppressed)"));
}

static void test_ratelimit_windows(void **state)
{
	struct dm_ratelimit rl = DM_RATELIMIT_INIT(1000, 2);

	(void)state;
	dm_log_limited(&rl, "a");
	dm_log_limited(&rl, "b");
	dm_log_limited(&rl, "c");
	assert_int_equal(lines, 2);
	assert_string_equal(last, "b");
	fake_now += 999999999u;
	dm_log_limited(&rl, "d");
	assert_int_equal(lines, 2);
	fake_now += 1;
	dm_log_limited(&rl, "e");
	assert_int_equal(lines, 3);
	assert_string_equal(last, "e (2 similar lines suppressed)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_line_per_break, setup),
		cmocka_unit_test_setup(test_storm_is_limited, setup),
		cmocka_unit_test_setup(test_ratelimit_windows, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
