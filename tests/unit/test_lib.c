/*
 * lib/'s string functions and printf formatting, the hypervisor's own (the
 * console, the shell and every log line go through them). Compiled here
 * under bh_ names, since the host's libc has the same ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"

#define memcpy bh_memcpy
#define memmove bh_memmove
#define memset bh_memset
#define memcmp bh_memcmp
#define strlen bh_strlen
#define strcmp bh_strcmp
#define strncmp bh_strncmp
#define strchr bh_strchr
#define vsnprintf bh_vsnprintf
#define snprintf bh_snprintf
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp
#undef strchr
#undef vsnprintf
#undef snprintf

/* ours against the host's for the same format and arguments */
#define SAME(fmt, ...) do { \
	char ours[96], libc[96]; \
	int n1 = bh_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__); \
	int n2 = snprintf(libc, sizeof(libc), fmt, __VA_ARGS__); \
	assert_string_equal(ours, libc); \
	assert_int_equal(n1, n2); \
} while (0)

static void test_formats(void **state)
{
	(void)state;
	SAME("%d %i %u", -42, 7, 4000000000u);
	SAME("%d", (int)0x80000000);
	SAME("%ld %lu %lx", (long)INT64_MIN, (unsigned long)UINT64_MAX, 0xdeadbeefcafeUL);
	SAME("%lld %llx", -1LL, 0x123456789abcdefULL);
	SAME("%zu %zx", (size_t)12345, (size_t)0xabc);
	SAME("%x %X %02x %04x %08lx %016lx", 0xabu, 0xabu, 5u, 0xbeefu, 0x1234UL, 0xffffUL);
	SAME("[%4u] [%-4u] [%04d] [%5d] [%-5d] [%05d]", 7u, 7u, -7, -7, -7, -7);
	SAME("[%s] [%-8s] [%8s] [%c%c]", "abc", "ab", "ab", 'x', 'y');
	SAME("%% %s%%", "100");
	SAME("%p", (void *)0x1000);
	SAME("%u", 0u);
	SAME("%s", "");
}

/* formats the compiler's checks would refuse: no format attribute here */
static int fmt_raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bh_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_edges(void **state)
{
	char buf[8];
	int n;

	(void)state;
	/* truncated: NUL-terminated at size - 1, the length it would have had returned */
	memset(buf, 'z', sizeof(buf));
	n = bh_snprintf(buf, sizeof(buf), "%s-%u", "hypervisor", 123u);
	assert_int_equal(n, 14);
	assert_string_equal(buf, "hypervi");
	/* size 0: nothing written, not even a NUL */
	buf[0] = 'q';
	assert_int_equal(bh_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'q');
	/* NULL string, an unknown conversion kept as is, a format ending in '%' */
	assert_int_equal(fmt_raw(buf, sizeof(buf), "%s", (char *)NULL), 6);
	assert_string_equal(buf, "(null)");
	fmt_raw(buf, sizeof(buf), "a%qb");
	assert_string_equal(buf, "a%qb");
	assert_int_equal(fmt_raw(buf, sizeof(buf), "ab%"), 2);
	assert_string_equal(buf, "ab");
}

static void test_memory(void **state)
{
	u8 a[64], b[64];

	(void)state;
	for (unsigned i = 0; i < sizeof(a); i++)
		a[i] = (u8)i;
	/* memset: the aligned 8-byte path and the byte path */
	assert_ptr_equal(bh_memset(b, 0xA5, 64), b);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(b[i], 0xA5);
	bh_memset(b + 1, 0x11, 13);
	assert_int_equal(b[0], 0xA5);
	assert_int_equal(b[1], 0x11);
	assert_int_equal(b[13], 0x11);
	assert_int_equal(b[14], 0xA5);
	bh_memset(b, 0x3C, 0);
	assert_int_equal(b[0], 0xA5);
	/* memcpy, memcmp's sign */
	assert_ptr_equal(bh_memcpy(b, a, 64), b);
	assert_int_equal(bh_memcmp(a, b, 64), 0);
	b[40] = 0xFF;
	assert_true(bh_memcmp(a, b, 64) < 0);
	assert_true(bh_memcmp(b, a, 64) > 0);
	assert_int_equal(bh_memcmp(a, b, 40), 0);
	/* memmove both ways over an overlap */
	bh_memcpy(b, a, 64);
	bh_memmove(b + 8, b, 32);
	assert_memory_equal(b + 8, a, 32);
	assert_memory_equal(b, a, 8);
	bh_memcpy(b, a, 64);
	bh_memmove(b, b + 8, 32);
	assert_memory_equal(b, a + 8, 32);
	assert_memory_equal(b + 32, a + 32, 32);
}

static void test_strings(void **state)
{
	const char *s = "bulkhead";

	(void)state;
	assert_int_equal(bh_strlen(""), 0);
	assert_int_equal(bh_strlen(s), 8);
	assert_int_equal(bh_strcmp(s, "bulkhead"), 0);
	assert_true(bh_strcmp("abc", "abd") < 0);
	assert_true(bh_strcmp("abc", "ab") > 0);
	/* unsigned compare, as libc: 0xE9 sorts after 'z' */
	assert_true(bh_strcmp("\xe9", "z") > 0);
	assert_int_equal(bh_strncmp("vm0_kernel", "vm0_initrd", 4), 0);
	assert_true(bh_strncmp("vm0_kernel", "vm0_initrd", 5) > 0);
	assert_int_equal(bh_strncmp("ab", "ab", 10), 0);
	assert_int_equal(bh_strncmp("x", "y", 0), 0);
	assert_ptr_equal(bh_strchr(s, 'k'), s + 3);
	assert_ptr_equal(bh_strchr(s, '\0'), s + 8);
	assert_null(bh_strchr(s, 'z'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
