/*
 * A VM's MSR bitmap (vmm/msr_bitmap.c): the per-CPU guest state VMX switches
 * passes through; IA32_XSS does not (a guest's XRSTORS of supervisor state
 * would load host-wide hardware), nor TSC writes, nor anything unknown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "msr_bitmap.h"
#include "x86.h"

static u8 bm[PAGE_SIZE];

static void test_passthrough(void **state)
{
	static const u32 pt[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
		MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK,
		MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE, MSR_IA32_TSC_AUX,
	};

	(void)state;
	vmx_msr_bitmap_init(bm);
	for (unsigned i = 0; i < ARRAY_SIZE(pt); i++) {
		assert_false(msr_bitmap_exits(bm, pt[i], false));
		assert_false(msr_bitmap_exits(bm, pt[i], true));
	}
	/* the TSC reads freely, its writes must not reach the shared counter */
	assert_false(msr_bitmap_exits(bm, MSR_IA32_TSC, false));
	assert_true(msr_bitmap_exits(bm, MSR_IA32_TSC, true));
}

static void test_xss_exits(void **state)
{
	(void)state;
	vmx_msr_bitmap_init(bm);
	assert_true(msr_bitmap_exits(bm, MSR_IA32_XSS, false));
	assert_true(msr_bitmap_exits(bm, MSR_IA32_XSS, true));
}

static void test_others_exit(void **state)
{
	(void)state;
	vmx_msr_bitmap_init(bm);
	assert_true(msr_bitmap_exits(bm, MSR_IA32_EFER, true));
	assert_true(msr_bitmap_exits(bm, MSR_IA32_PAT, true));
	assert_true(msr_bitmap_exits(bm, 0x570, true));		/* IA32_RTIT_CTL (PT) */
	assert_true(msr_bitmap_exits(bm, 0x14ce, true));	/* IA32_LBR_CTL */
	assert_true(msr_bitmap_exits(bm, 0x774, true));		/* IA32_HWP_REQUEST */
	assert_true(msr_bitmap_exits(bm, 0x40000000, false));	/* outside both ranges */
	/* the speculation MSRs are emulated (include/spec_ctrl.h) */
	assert_true(msr_bitmap_exits(bm, MSR_IA32_SPEC_CTRL, true));
	assert_true(msr_bitmap_exits(bm, MSR_IA32_SPEC_CTRL, false));
	assert_true(msr_bitmap_exits(bm, MSR_IA32_PRED_CMD, true));
	assert_true(msr_bitmap_exits(bm, 0x10B, true));		/* IA32_FLUSH_CMD */
	assert_true(msr_bitmap_exits(bm, MSR_IA32_ARCH_CAPABILITIES, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_xss_exits),
		cmocka_unit_test(test_others_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
