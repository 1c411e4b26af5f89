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

/* APICv: reads the CPU answers from the page, writes it virtualizes; nothing else */
static void test_apicv(void **state)
{
	static u8 apicv[PAGE_SIZE];
	unsigned reads = 0, writes = 0;

	(void)state;
	vmx_msr_bitmap_init(bm);
	vmx_msr_bitmap_vcpu(apicv, bm, true, false);
	for (u32 msr = 0x800; msr <= 0x8FF; msr++) {
		assert_true(msr_bitmap_exits(bm, msr, false));
		assert_true(msr_bitmap_exits(bm, msr, true));
		reads += !msr_bitmap_exits(apicv, msr, false);
		writes += !msr_bitmap_exits(apicv, msr, true);
	}
	assert_int_equal(reads, 41);
	assert_int_equal(writes, 3);
	assert_false(msr_bitmap_exits(apicv, 0x808, false));	/* TPR */
	assert_false(msr_bitmap_exits(apicv, 0x808, true));
	assert_false(msr_bitmap_exits(apicv, 0x80B, true));	/* EOI */
	assert_false(msr_bitmap_exits(apicv, 0x83F, true));	/* SELF IPI */
	assert_false(msr_bitmap_exits(apicv, 0x830, false));	/* ICR read */
	assert_true(msr_bitmap_exits(apicv, 0x830, true));	/* ICR write: an IPI to send */
	assert_true(msr_bitmap_exits(apicv, 0x839, false));	/* current count */
	assert_true(msr_bitmap_exits(apicv, 0x80B, false));	/* EOI is write-only: #GP */
	assert_true(msr_bitmap_exits(apicv, 0x838, true));	/* initial count arms the timer */
	assert_true(msr_bitmap_exits(apicv, 0x840, false));	/* past SELF IPI: reserved */
	assert_true(msr_bitmap_exits(apicv, 0x6E0, true));
	/* the rest is the base bitmap's */
	for (u32 msr = 0; msr < 0x800; msr++) {
		assert_int_equal(msr_bitmap_exits(apicv, msr, false), msr_bitmap_exits(bm, msr, false));
		assert_int_equal(msr_bitmap_exits(apicv, msr, true), msr_bitmap_exits(bm, msr, true));
	}
	assert_false(msr_bitmap_exits(apicv, MSR_IA32_LSTAR, true));
	assert_true(msr_bitmap_exits(apicv, MSR_IA32_XSS, true));
}

/* The TSC deadline passes through only when asked, alone or with APICv */
static void test_deadline(void **state)
{
	static u8 v[PAGE_SIZE];

	(void)state;
	vmx_msr_bitmap_init(bm);
	assert_true(msr_bitmap_exits(bm, 0x6E0, true));
	vmx_msr_bitmap_vcpu(v, bm, false, false);
	assert_memory_equal(v, bm, PAGE_SIZE);
	vmx_msr_bitmap_vcpu(v, bm, false, true);
	assert_false(msr_bitmap_exits(v, 0x6E0, true));
	assert_false(msr_bitmap_exits(v, 0x6E0, false));
	assert_true(msr_bitmap_exits(v, 0x808, true));		/* no APICv: TPR exits */
	assert_true(msr_bitmap_exits(v, 0x6E1, true));
	vmx_msr_bitmap_vcpu(v, bm, true, true);
	assert_false(msr_bitmap_exits(v, 0x6E0, true));
	assert_false(msr_bitmap_exits(v, 0x80B, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_xss_exits),
		cmocka_unit_test(test_others_exit),
		cmocka_unit_test(test_apicv),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
