/*
 * XSETBV's rules (SDM Vol. 1 13.3, XSETBV): every value the hardware would
 * refuse with #GP must be refused here, since the hypervisor executes the
 * accepted ones itself in root mode; every value it takes must pass.
 * IA32_XSS and the CPUID leaves of extended state and tracing: a guest sees
 * and may enable only what is virtualized (no supervisor component).
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

/* IA32_XSS: not passed through; no supervisor component is virtualized */
static void test_xss_msr(void **state)
{
	u64 v = 0xdead;

	(void)state;
	assert_int_equal(xss_read(true, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xss_write_check(true, 0), 0);
	for (unsigned b = 0; b < 64; b++)	/* PT 8, CET 11-12, HDC 13, arch LBR 15, HWP 16, ... */
		assert_int_equal(xss_write_check(true, BIT(b)), -EINVAL);
	/* without XSAVES the MSR does not exist */
	assert_int_equal(xss_read(false, &v), -EINVAL);
	assert_int_equal(xss_write_check(false, 0), -EINVAL);
}

static void test_xss_exiting_bitmap(void **state)
{
	u64 bm = xss_exiting_bitmap(HOST_ALL);

	(void)state;
	/* user components never exit (Linux's XSAVES of its context stays exit-free) */
	assert_int_equal(bm & HOST_ALL, 0);
	/* every supervisor component and bit 63 does */
	assert_true(bm & BIT(8));
	assert_true(bm & BIT(15));
	assert_true(bm & BIT(16));
	assert_true(bm & BIT(63));
	assert_int_equal(bm | HOST_ALL, ~0ULL);
}

static void test_cpuid_xstate_leaves(void **state)
{
	u32 r[4];

	(void)state;
	/* 0xD.1: XSAVES kept when it runs, dropped when not; supervisor components none */
	r[0] = 0xf; r[1] = 0x440; r[2] = BIT(8) | BIT(11) | BIT(12) | BIT(15) | BIT(16); r[3] = 0;
	xstate_cpuid_filter(0xD, 1, HOST_ALL, true, r);
	assert_int_equal(r[0], 0xf);
	assert_int_equal(r[1], 0x440);
	assert_int_equal(r[2], 0);
	assert_int_equal(r[3], 0);
	r[0] = 0xf;
	xstate_cpuid_filter(0xD, 1, HOST_ALL, false, r);
	assert_int_equal(r[0], 0xf & ~BIT(3));
	/* 0xD.n of a user component unchanged, of a supervisor one (PT 8, LBR 15) zero */
	r[0] = 256; r[1] = 576; r[2] = 0; r[3] = 0;
	xstate_cpuid_filter(0xD, 2, HOST_ALL, true, r);
	assert_int_equal(r[0], 256);
	assert_int_equal(r[1], 576);
	for (unsigned sub = 8; sub <= 16; sub++) {
		if (HOST_ALL & BIT(sub))
			continue;
		r[0] = 0x80; r[1] = 0; r[2] = 1; r[3] = 0;	/* ECX bit 0: supervisor */
		xstate_cpuid_filter(0xD, sub, HOST_ALL, true, r);
		assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	}
	r[0] = 1; r[1] = 2; r[2] = 3; r[3] = 4;
	xstate_cpuid_filter(0xD, 63, ~0ULL, true, r);	/* no component 63 */
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	/* 0xD.0 untouched */
	r[0] = (u32)HOST_ALL; r[1] = 0x340; r[2] = 0xa80; r[3] = 0;
	xstate_cpuid_filter(0xD, 0, HOST_ALL, true, r);
	assert_int_equal(r[0], (u32)HOST_ALL);
	assert_int_equal(r[2], 0xa80);
}

static void test_cpuid_pt_lbr_cet_hidden(void **state)
{
	u32 r[4];

	(void)state;
	r[0] = 2; r[1] = ~0u; r[2] = ~0u; r[3] = ~0u;
	xstate_cpuid_filter(7, 0, HOST_ALL, true, r);
	assert_int_equal(r[0], 2);
	assert_int_equal(r[1], ~0u & ~(u32)BIT(25));
	assert_int_equal(r[2], ~0u & ~(u32)BIT(7));
	assert_int_equal(r[3], ~0u & ~(u32)(BIT(19) | BIT(20)));
	r[0] = r[1] = r[2] = r[3] = ~0u;
	xstate_cpuid_filter(7, 1, HOST_ALL, true, r);	/* other sub-leaves as they are */
	assert_int_equal(r[1], ~0u);
	for (unsigned sub = 0; sub < 2; sub++) {
		r[0] = r[1] = r[2] = r[3] = 0x1234;
		xstate_cpuid_filter(0x14, sub, HOST_ALL, true, r);
		assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
		r[0] = r[1] = r[2] = r[3] = 0x1234;
		xstate_cpuid_filter(0x1C, sub, HOST_ALL, true, r);
		assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	}
	r[0] = r[1] = r[2] = r[3] = 0x1234;
	xstate_cpuid_filter(1, 0, HOST_ALL, true, r);	/* not ours */
	assert_int_equal(r[0], 0x1234);
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
		cmocka_unit_test(test_xss_msr),
		cmocka_unit_test(test_xss_exiting_bitmap),
		cmocka_unit_test(test_cpuid_xstate_leaves),
		cmocka_unit_test(test_cpuid_pt_lbr_cet_hidden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
