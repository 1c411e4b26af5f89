/* virtio-rng requests: fill up to the bound, readable buffers refused, short sources. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virtio_rng_req.h"

static uint8_t a[100], b[8000];
static unsigned calls;

/* Fills with 0x42; with ctx set, at most that many bytes per call, and call 3 fails. */
static ssize_t src(void *ctx, void *buf, size_t len)
{
	size_t cap = ctx ? *(size_t *)ctx : len;

	if (ctx && ++calls == 3)
		return -1;
	if (len > cap)
		len = cap;
	memset(buf, 0x42, len);
	return (ssize_t)len;
}

static void test_fill(void **state)
{
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct virtq_chain c = { .iov = iov, .n_write = 2 };

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(rng_req_fill(&c, src, NULL), RNG_MAX_REQ);
	assert_int_equal(a[99], 0x42);
	assert_int_equal(b[RNG_MAX_REQ - 100 - 1], 0x42);
	assert_int_equal(b[RNG_MAX_REQ - 100], 0);	/* the bound */
	c.n_write = 1;
	assert_int_equal(rng_req_fill(&c, src, NULL), 100);
}

static void test_short_and_failing_source(void **state)
{
	struct iovec iov[1] = { { b, 1000 } };
	struct virtq_chain c = { .iov = iov, .n_write = 1 };
	size_t cap = 10;

	(void)state;
	calls = 0;
	assert_int_equal(rng_req_fill(&c, src, &cap), 20);	/* two reads, then the failure */
}

static void test_readable_refused(void **state)
{
	struct iovec iov[2] = { { a, 4 }, { b, 4 } };
	struct virtq_chain c = { .iov = iov, .n_read = 1, .n_write = 1 };

	(void)state;
	assert_int_equal(rng_req_fill(&c, src, NULL), RNG_ERR_READABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_short_and_failing_source),
		cmocka_unit_test(test_readable_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
