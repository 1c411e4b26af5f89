/*
 * XSETBV's rules (SDM Vol. 1 13.3, XSETBV): every value the hardware would
 * refuse with #GP must be refused here, since the hypervisor executes the
 * accepted ones itself in root mode; every value it takes must pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "xstate.h"

/* a CPU with x87, SSE, AVX, MPX, AVX-512, PKRU (9) and AMX */
#define HOST_ALL (0x3ULL | XFEATURE_AVX | XFEATURE_MPX | XFEATURE_AVX512 | BIT(9) | XFEATURE_AMX)
#define X87_SSE (XFEATURE_X87 | XFEATURE_SSE)
#define X87_SSE_AVX (X87_SSE | XFEATURE_AVX)

static void test_accepted(void **state)
{
	(void)state;
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87, HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE, HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE_AVX, HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | XFEATURE_MPX, HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE_AVX | XFEATURE_AVX512, HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE | XFEATURE_AMX, HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | BIT(9), HOST_ALL), 0);
	assert_int_equal(xsetbv_check(0, 0, HOST_ALL, HOST_ALL), 0);
	/* only the low 32 bits of ECX are the XCR number: the caller passes a u32 */
	assert_int_equal(xsetbv_check(0, (u32)0x100000000ULL, X87_SSE, HOST_ALL), 0);
}

static void test_cpl_and_xcr_number(void **state)
{
	(void)state;
	assert_int_equal(xsetbv_check(3, 0, X87_SSE, HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(1, 0, X87_SSE, HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 1, X87_SSE, HOST_ALL), -EINVAL);	/* XCR1 is read-only */
	assert_int_equal(xsetbv_check(0, 0xffffffff, X87_SSE, HOST_ALL), -EINVAL);
}

static void test_unsupported_bits(void **state)
{
	(void)state;
	/* what this CPU does not enumerate in CPUID.(0DH,0):EDX:EAX */
	assert_int_equal(xsetbv_check(0, 0, X87_SSE_AVX, X87_SSE), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | BIT(8), HOST_ALL), -EINVAL);	/* PT: XSS only */
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | BIT(63), HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | BIT(32), HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | XFEATURE_MPX, X87_SSE_AVX), -EINVAL);
}

static void test_x87_must_be_set(void **state)
{
	(void)state;
	assert_int_equal(xsetbv_check(0, 0, 0, HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_SSE, HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, HOST_ALL & ~XFEATURE_X87, HOST_ALL), -EINVAL);
}

static void test_avx_needs_sse(void **state)
{
	(void)state;
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | XFEATURE_AVX, HOST_ALL), -EINVAL);
}

static void test_mpx_both_or_neither(void **state)
{
	(void)state;
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | BIT(3), HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | BIT(4), HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE_AVX | BIT(3), HOST_ALL), -EINVAL);
}

static void test_avx512_all_three_and_avx(void **state)
{
	(void)state;
	for (unsigned m = 1; m < 7; m++)	/* every partial subset of bits 5-7 */
		assert_int_equal(xsetbv_check(0, 0, X87_SSE_AVX | ((u64)m << 5), HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE | XFEATURE_AVX512, HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, XFEATURE_X87 | XFEATURE_AVX512, HOST_ALL), -EINVAL);
}

static void test_amx_both_or_neither(void **state)
{
	(void)state;
	assert_int_equal(xsetbv_check(0, 0, X87_SSE | BIT(17), HOST_ALL), -EINVAL);
	assert_int_equal(xsetbv_check(0, 0, X87_SSE | BIT(18), HOST_ALL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_cpl_and_xcr_number),
		cmocka_unit_test(test_unsupported_bits),
		cmocka_unit_test(test_x87_must_be_set),
		cmocka_unit_test(test_avx_needs_sse),
		cmocka_unit_test(test_mpx_both_or_neither),
		cmocka_unit_test(test_avx512_all_three_and_avx),
		cmocka_unit_test(test_amx_both_or_neither),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
