/* Test numbering and result lines. Numbers are taken atomically: an AP may report a fatal exception. */
#include "test.h"
#include "console.h"

#define LINE_MAX 200

static volatile u32 test_count;
static volatile u32 test_failed;
static u32 test_planned;
static bool test_have_plan;

void test_plan(u32 count)
{
	test_planned = count;
	test_have_plan = true;
	printf("1..%u\n", count);
}

static void report(bool ok, const char *suffix, const char *fmt, va_list ap)
{
	char what[LINE_MAX];
	u32 n = __sync_add_and_fetch(&test_count, 1);

	if (!ok)
		__sync_add_and_fetch(&test_failed, 1);
	vsnprintf(what, sizeof(what), fmt, ap);
	printf("%sok %u - %s%s\n", ok ? "" : "not ", n, what, suffix);
}

bool test_report(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ok, "", fmt, ap);
	va_end(ap);
	return ok;
}

void test_skip(const char *why, const char *fmt, ...)
{
	char suffix[LINE_MAX];
	va_list ap;

	snprintf(suffix, sizeof(suffix), " # SKIP %s", why);
	va_start(ap, fmt);
	report(true, suffix, fmt, ap);
	va_end(ap);
}

void test_todo(bool ok, const char *why, const char *fmt, ...)
{
	char suffix[LINE_MAX];
	u32 failed = test_failed;
	va_list ap;

	snprintf(suffix, sizeof(suffix), " # TODO %s", why);
	va_start(ap, fmt);
	report(ok, suffix, fmt, ap);
	va_end(ap);
	test_failed = failed;	/* TAP: a TODO line never counts as a failure */
}

void test_diag(const char *fmt, ...)
{
	char what[LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printf("# %s\n", what);
}

void test_bench(const char *name, u32 value, const char *unit)
{
	printf("bench %s %u %s\n", name, value, unit);
}

void test_fail_unnumbered(const char *fmt, ...)
{
	char what[LINE_MAX];
	va_list ap;

	__sync_add_and_fetch(&test_failed, 1);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printf("not ok - %s\n", what);
}

u32 test_failures(void)
{
	return test_failed;
}

bool test_plan_check(void)
{
	if (!test_have_plan || test_count == test_planned)
		return true;
	test_fail_unnumbered("planned %u tests but ran %u", test_planned, test_count);
	return false;
}
