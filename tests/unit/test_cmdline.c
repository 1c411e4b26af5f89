/* Hypervisor command line: defaults, each key, malformed values, unknowns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"
#include "errno.h"
#include "lib.h"

static struct hv_options o;
static char err[128];

static int parse(const char *s)
{
	memset(&o, 0xA5, sizeof(o));
	memset(err, 'x', sizeof(err));
	return cmdline_parse(s, &o, err, sizeof(err));
}

static void expect_defaults(void)
{
	assert_int_equal(o.loglevel, 2);
	assert_int_equal(o.console_port, 0x3F8);
	assert_false(o.console_none);
	assert_int_equal(o.exit, EXIT_NONE);
	assert_false(o.vtd_selftest);
	assert_false(o.apicv_off);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	expect_defaults();
	assert_string_equal(err, "");
	assert_int_equal(parse(NULL), 0);
	expect_defaults();
	assert_int_equal(parse("   \t  "), 0);
	expect_defaults();
}

static void test_grub_path_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse("/boot/bulkhead.elf loglevel=3"), 0);
	assert_int_equal(o.loglevel, 3);
	assert_string_equal(err, "");
	assert_int_equal(parse("(hd0,msdos1)/bulkhead.elf exit=qemu"), 0);
	assert_int_equal(o.exit, EXIT_QEMU);
	assert_string_equal(err, "");
}

static void test_loglevel(void **state)
{
	(void)state;
	for (int i = 0; i <= 3; i++) {
		char s[32];

		snprintf(s, sizeof(s), "loglevel=%d", i);
		assert_int_equal(parse(s), 0);
		assert_int_equal(o.loglevel, i);
	}
	assert_int_equal(parse("loglevel=0x1"), 0);
	assert_int_equal(o.loglevel, 1);
}

static void test_loglevel_bad(void **state)
{
	static const char *const bad[] = {
		"loglevel=4", "loglevel=", "loglevel", "loglevel=-1", "loglevel=1x",
		"loglevel=abc", "loglevel=18446744073709551617", "loglevel=0x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i]), -EINVAL);
		assert_non_null(strstr(err, "loglevel"));
		assert_int_equal(o.loglevel, 2);	/* default kept */
	}
	assert_int_equal(parse("loglevel=7"), -EINVAL);
	assert_string_equal(err, "loglevel: bad value '7' (want 0..3)");
	assert_int_equal(parse("loglevel"), -EINVAL);
	assert_string_equal(err, "loglevel: missing value");
}

static void test_console(void **state)
{
	(void)state;
	assert_int_equal(parse("console=ttyS1"), 0);
	assert_int_equal(o.console_port, 0x2F8);
	assert_false(o.console_none);
	assert_int_equal(parse("console=ttyS0"), 0);
	assert_int_equal(o.console_port, 0x3F8);
	assert_int_equal(parse("console=0x2e8"), 0);
	assert_int_equal(o.console_port, 0x2E8);
	assert_int_equal(parse("console=1016"), 0);
	assert_int_equal(o.console_port, 0x3F8);
	assert_int_equal(parse("console=none"), 0);
	assert_true(o.console_none);
	assert_int_equal(o.console_port, 0);
	/* Last one wins. */
	assert_int_equal(parse("console=none console=0x3f8"), 0);
	assert_false(o.console_none);
	assert_int_equal(o.console_port, 0x3F8);
}

static void test_console_bad(void **state)
{
	static const char *const bad[] = {
		"console=ttyS2", "console=0", "console=0x10000", "console=", "console=0x3f8,115200",
		"console=NONE",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i]), -EINVAL);
		assert_true(strncmp(err, "console: ", 9) == 0);
		assert_int_equal(o.console_port, 0x3F8);
		assert_false(o.console_none);
	}
}

static void test_exit(void **state)
{
	(void)state;
	assert_int_equal(parse("exit=bochs"), 0);
	assert_int_equal(o.exit, EXIT_BOCHS);
	assert_int_equal(parse("exit=qemu"), 0);
	assert_int_equal(o.exit, EXIT_QEMU);
	assert_int_equal(parse("exit=qemu exit=none"), 0);
	assert_int_equal(o.exit, EXIT_NONE);
	assert_int_equal(parse("exit=poweroff"), -EINVAL);
	assert_string_equal(err, "exit: bad value 'poweroff' (want none, bochs or qemu)");
	assert_int_equal(o.exit, EXIT_NONE);
}

static void test_vtd_selftest(void **state)
{
	(void)state;
	assert_int_equal(parse("vtd_selftest"), 0);
	assert_true(o.vtd_selftest);
	assert_int_equal(parse("vtd_selftest=1"), -EINVAL);
	assert_string_equal(err, "vtd_selftest: bad value '1' (takes no value)");
	assert_false(o.vtd_selftest);
	/* A key that merely starts like a known one is unknown. */
	assert_int_equal(parse("vtd_selftests"), 0);
	assert_false(o.vtd_selftest);
	assert_string_equal(err, "ignored unknown option(s): vtd_selftests");
}

static void test_apicv(void **state)
{
	(void)state;
	assert_int_equal(parse("apicv=off"), 0);
	assert_true(o.apicv_off);
	assert_int_equal(parse("apicv=off apicv=on"), 0);
	assert_false(o.apicv_off);
	assert_int_equal(parse("apicv=maybe"), -EINVAL);
	assert_false(o.apicv_off);
	assert_non_null(strstr(err, "apicv"));
	assert_int_equal(parse("apicv"), -EINVAL);
	assert_false(o.apicv_off);
}

static void test_halt_poll(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(o.halt_poll_us, 200);
	assert_int_equal(parse("halt_poll_us=0"), 0);
	assert_int_equal(o.halt_poll_us, 0);
	assert_int_equal(parse("halt_poll_us=10000"), 0);
	assert_int_equal(o.halt_poll_us, 10000);
	assert_int_equal(parse("halt_poll_us=10001"), -EINVAL);
	assert_int_equal(o.halt_poll_us, 200);
	assert_non_null(strstr(err, "halt_poll_us"));
	assert_int_equal(parse("halt_poll_us=fast"), -EINVAL);
	assert_int_equal(o.halt_poll_us, 200);
	assert_int_equal(parse("halt_poll_us"), -EINVAL);
}

static void test_all_together(void **state)
{
	(void)state;
	assert_int_equal(parse("  loglevel=1\tconsole=ttyS1 exit=bochs\nvtd_selftest  "), 0);
	assert_int_equal(o.loglevel, 1);
	assert_int_equal(o.console_port, 0x2F8);
	assert_int_equal(o.exit, EXIT_BOCHS);
	assert_true(o.vtd_selftest);
	assert_string_equal(err, "");
}

static void test_unknown_warns(void **state)
{
	(void)state;
	assert_int_equal(parse("foo loglevel=3 bar=baz"), 0);
	assert_int_equal(o.loglevel, 3);
	assert_string_equal(err, "ignored unknown option(s): foo bar=baz");
}

static void test_error_beats_warning_and_rest_applies(void **state)
{
	(void)state;
	assert_int_equal(parse("foo exit=x loglevel=9 console=ttyS1 bar"), -EINVAL);
	assert_string_equal(err, "exit: bad value 'x' (want none, bochs or qemu)");
	assert_int_equal(o.console_port, 0x2F8);	/* valid ones still apply */
	assert_int_equal(o.loglevel, 2);
}

static void test_err_buffer_limits(void **state)
{
	char small[8];
	char big[300];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(cmdline_parse("loglevel=9", &o, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "logleve");
	assert_int_equal(cmdline_parse("unknown1 unknown2", &o, small, sizeof(small)), 0);
	assert_int_equal(strlen(small), 7);
	/* NULL error buffer is allowed. */
	assert_int_equal(cmdline_parse("loglevel=9 zzz", &o, NULL, 0), -EINVAL);
	assert_int_equal(cmdline_parse("zzz", &o, NULL, 0), 0);
	/* A very long unknown word is cut, not overflowed. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big), 0);
	assert_int_equal(strlen(err), strlen("ignored unknown option(s): ") + 32);
	/* A long bad value is cut in the message too. */
	memcpy(big, "exit=", 5);
	assert_int_equal(parse(big), -EINVAL);
	assert_true(strlen(err) < sizeof(err));
	assert_non_null(strstr(err, "exit: bad value 'aaaa"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_grub_path_skipped),
		cmocka_unit_test(test_loglevel),
		cmocka_unit_test(test_loglevel_bad),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_console_bad),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_vtd_selftest),
		cmocka_unit_test(test_apicv),
		cmocka_unit_test(test_halt_poll),
		cmocka_unit_test(test_all_together),
		cmocka_unit_test(test_unknown_warns),
		cmocka_unit_test(test_error_beats_warning_and_rest_applies),
		cmocka_unit_test(test_err_buffer_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
