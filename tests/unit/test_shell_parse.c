/* The hypervisor shell's pure parts (vmm/shell_parse.c): words, commands, numbers, line editing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "shell.h"

static int fn_a(int argc, char **argv) { (void)argc; (void)argv; return 1; }
static int fn_b(int argc, char **argv) { (void)argc; (void)argv; return 2; }

static const struct shell_cmd cmds[] = {
	{ "vm_list", "", "VMs", fn_a },
	{ "loglevel", "[0-3]", "level", fn_b },
};

static void test_split(void **state)
{
	char line[] = "  loglevel\t 3  ";
	char none[] = " \t ";
	char many[] = "a b c d e";
	char *argv[SHELL_MAX_ARGS];

	(void)state;
	assert_int_equal(shell_split(line, argv, SHELL_MAX_ARGS), 2);
	assert_string_equal(argv[0], "loglevel");
	assert_string_equal(argv[1], "3");
	assert_int_equal(shell_split(none, argv, SHELL_MAX_ARGS), 0);
	assert_int_equal(shell_split(many, argv, SHELL_MAX_ARGS), -E2BIG);
}

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(shell_find(cmds, 2, "loglevel"), &cmds[1]);
	assert_int_equal(shell_find(cmds, 2, "vm_list")->fn(0, NULL), 1);
	assert_null(shell_find(cmds, 2, "vm"));		/* no prefixes */
	assert_null(shell_find(cmds, 2, "vm_list2"));
	assert_null(shell_find(cmds, 2, ""));
}

static void test_number(void **state)
{
	u64 v = 77;

	(void)state;
	assert_int_equal(shell_number("3", 3, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(shell_number("0x2", 3, &v), 0);
	assert_int_equal(v, 2);
	v = 77;
	assert_int_equal(shell_number("4", 3, &v), -EINVAL);
	assert_int_equal(shell_number("2x", 3, &v), -EINVAL);
	assert_int_equal(shell_number("", 3, &v), -EINVAL);
	assert_int_equal(shell_number("-1", 3, &v), -EINVAL);
	assert_int_equal(v, 77);	/* a refusal changes nothing */
}

static void test_edit(void **state)
{
	struct shell_edit ed = { 0 };

	(void)state;
	assert_int_equal(shell_edit_key(&ed, 0x7F), SHELL_KEY_NONE);	/* nothing to erase */
	assert_int_equal(shell_edit_key(&ed, 'm'), SHELL_KEY_ADD);
	assert_int_equal(shell_edit_key(&ed, 'x'), SHELL_KEY_ADD);
	assert_int_equal(shell_edit_key(&ed, '\b'), SHELL_KEY_ERASE);
	assert_int_equal(shell_edit_key(&ed, 0x1B), SHELL_KEY_NONE);	/* escape: ignored */
	assert_int_equal(shell_edit_key(&ed, (char)0xC3), SHELL_KEY_NONE);
	assert_int_equal(shell_edit_key(&ed, 'e'), SHELL_KEY_ADD);
	assert_string_equal(ed.buf, "me");
	assert_int_equal(shell_edit_key(&ed, '\r'), SHELL_KEY_ENTER);
	assert_string_equal(ed.buf, "me");
	/* a full line refuses more, and stays terminated */
	for (unsigned i = ed.len; i < SHELL_LINE - 1; i++)
		assert_int_equal(shell_edit_key(&ed, 'a'), SHELL_KEY_ADD);
	assert_int_equal(shell_edit_key(&ed, 'a'), SHELL_KEY_FULL);
	assert_int_equal(strlen(ed.buf), SHELL_LINE - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_edit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
