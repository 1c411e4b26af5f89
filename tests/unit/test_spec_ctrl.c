/*
 * Speculation controls (vmm/spec_ctrl.c) on faked CPUs: which SPEC_CTRL
 * bits a guest may set, the write-only commands, what it reads of
 * ARCH_CAPABILITIES, the work on VM entry (L1D flush, VERW or nothing) as
 * the capabilities dictate, IBPB between VMs, and the CPUID leaf 7 filter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "spec_ctrl.h"

#define ALL_CTRLS (CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_SSBD | \
		   CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_ARCH_CAP | CPUID7_EDX_MD_CLEAR)
/* a CPU immune to everything the entry work is for */
#define ARCH_IMMUNE (ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO | \
		     ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO | ARCH_CAP_SBDR_SSDP_NO)

static void test_spec_ctrl_bits(void **state)
{
	struct spec_caps none = { 0 }, ibrs = { .cpuid7_edx = CPUID7_EDX_IBRS_IBPB },
			 all = { .cpuid7_edx = ALL_CTRLS };

	(void)state;
	/* no SPEC_CTRL at all: every write #GP, even of 0 */
	assert_int_equal(spec_ctrl_valid_bits(&none), 0);
	assert_int_equal(spec_ctrl_write_check(&none, 0), -EINVAL);
	/* IBRS only: STIBP and SSBD are reserved there */
	assert_int_equal(spec_ctrl_valid_bits(&ibrs), SPEC_CTRL_IBRS);
	assert_int_equal(spec_ctrl_write_check(&ibrs, SPEC_CTRL_IBRS), 0);
	assert_int_equal(spec_ctrl_write_check(&ibrs, 0), 0);
	assert_int_equal(spec_ctrl_write_check(&ibrs, SPEC_CTRL_SSBD), -EINVAL);
	assert_int_equal(spec_ctrl_write_check(&ibrs, SPEC_CTRL_STIBP), -EINVAL);
	assert_int_equal(spec_ctrl_valid_bits(&all),
			 SPEC_CTRL_IBRS | SPEC_CTRL_STIBP | SPEC_CTRL_SSBD);
	assert_int_equal(spec_ctrl_write_check(&all, SPEC_CTRL_IBRS | SPEC_CTRL_STIBP |
					       SPEC_CTRL_SSBD), 0);
	/* bits the hypervisor does not handle (PSFD 7, BHI_DIS_S 10) and reserved ones */
	assert_int_equal(spec_ctrl_write_check(&all, BIT(7)), -EINVAL);
	assert_int_equal(spec_ctrl_write_check(&all, BIT(10)), -EINVAL);
	assert_int_equal(spec_ctrl_write_check(&all, BIT(63)), -EINVAL);
}

static void test_commands(void **state)
{
	struct spec_caps none = { 0 }, all = { .cpuid7_edx = ALL_CTRLS };

	(void)state;
	assert_int_equal(spec_pred_cmd_write_check(&none, PRED_CMD_IBPB), -EINVAL);
	assert_int_equal(spec_flush_cmd_write_check(&none, FLUSH_CMD_L1D), -EINVAL);
	assert_int_equal(spec_pred_cmd_write_check(&all, PRED_CMD_IBPB), 0);
	assert_int_equal(spec_pred_cmd_write_check(&all, 0), 0);
	assert_int_equal(spec_pred_cmd_write_check(&all, BIT(1)), -EINVAL);
	assert_int_equal(spec_flush_cmd_write_check(&all, FLUSH_CMD_L1D), 0);
	assert_int_equal(spec_flush_cmd_write_check(&all, BIT(2)), -EINVAL);
}

static void test_arch_caps(void **state)
{
	struct spec_caps none = { .arch_caps = ARCH_CAP_MDS_NO };
	/* TSX_CTRL (7), FB_CLEAR_CTRL (18), DOITM (12), a reserved bit: not for guests */
	struct spec_caps c = { .cpuid7_edx = CPUID7_EDX_ARCH_CAP,
			       .arch_caps = ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO | BIT(7) | BIT(12) |
					    BIT(18) | BIT(40) };
	u64 val = 0x1234;

	(void)state;
	assert_int_equal(spec_arch_caps_read(&none, &val), -EINVAL);
	assert_int_equal(val, 0x1234);
	assert_int_equal(spec_arch_caps_read(&c, &val), 0);
	assert_int_equal(val, ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO);
}

static void test_entry_work(void **state)
{
	/* L1TF-affected (no RDCL_NO) with L1D_FLUSH: flush, which clears the buffers too */
	struct spec_caps l1tf = { .cpuid7_edx = ALL_CTRLS, .arch_caps = 0 };
	/* a hypervisor told it need not flush */
	struct spec_caps skip = { .cpuid7_edx = ALL_CTRLS,
				  .arch_caps = ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_MDS_NO |
					       ARCH_CAP_TAA_NO | ARCH_CAP_FBSDP_NO |
					       ARCH_CAP_PSDP_NO | ARCH_CAP_SBDR_SSDP_NO };
	/* Bochs's skylake_x: RDCL_NO, IBRS_ALL, RSBA, SKIP_L1DFL, SSB_NO; MDS affected */
	struct spec_caps bochs = { .cpuid7_edx = ALL_CTRLS, .arch_caps = 0x1F };
	struct spec_caps immune = { .cpuid7_edx = ALL_CTRLS, .arch_caps = ARCH_IMMUNE };
	/* TSX on and TAA_NO clear: VERW; the same without RTM: nothing */
	struct spec_caps taa = { .cpuid7_ebx = CPUID7_EBX_RTM, .cpuid7_edx = ALL_CTRLS,
				 .arch_caps = ARCH_IMMUNE & ~ARCH_CAP_TAA_NO };
	struct spec_caps taa_no_rtm = { .cpuid7_edx = ALL_CTRLS,
					.arch_caps = ARCH_IMMUNE & ~ARCH_CAP_TAA_NO };
	/* MMIO stale data: FB_CLEAR says VERW clears the fill buffers */
	struct spec_caps mmio = { .cpuid7_edx = ALL_CTRLS & ~CPUID7_EDX_MD_CLEAR,
				  .arch_caps = (ARCH_IMMUNE & ~ARCH_CAP_PSDP_NO) | ARCH_CAP_FB_CLEAR };
	struct spec_caps rfds = { .cpuid7_edx = ALL_CTRLS,
				  .arch_caps = ARCH_IMMUNE | ARCH_CAP_RFDS_CLEAR };
	/* affected but VERW clears nothing there (no MD_CLEAR, no FB_CLEAR): nothing to do */
	struct spec_caps old = { .cpuid7_edx = CPUID7_EDX_ARCH_CAP, .arch_caps = ARCH_CAP_RDCL_NO };

	(void)state;
	assert_int_equal(spec_entry_work(&l1tf), SPEC_ENTRY_L1D_FLUSH);
	assert_int_equal(spec_entry_work(&skip), SPEC_ENTRY_NONE);
	assert_int_equal(spec_entry_work(&bochs), SPEC_ENTRY_VERW);
	assert_int_equal(spec_entry_work(&immune), SPEC_ENTRY_NONE);
	assert_int_equal(spec_entry_work(&taa), SPEC_ENTRY_VERW);
	assert_int_equal(spec_entry_work(&taa_no_rtm), SPEC_ENTRY_NONE);
	assert_int_equal(spec_entry_work(&mmio), SPEC_ENTRY_VERW);
	assert_int_equal(spec_entry_work(&rfds), SPEC_ENTRY_VERW);
	rfds.arch_caps |= ARCH_CAP_RFDS_NO;
	assert_int_equal(spec_entry_work(&rfds), SPEC_ENTRY_NONE);
	assert_int_equal(spec_entry_work(&old), SPEC_ENTRY_NONE);
	assert_false(spec_l1tf_unmitigated(&l1tf));
	/* L1TF-affected without L1D_FLUSH: VERW is what is left, and a warning */
	l1tf.cpuid7_edx &= ~CPUID7_EDX_L1D_FLUSH;
	assert_int_equal(spec_entry_work(&l1tf), SPEC_ENTRY_VERW);
	assert_true(spec_l1tf_unmitigated(&l1tf));
	assert_false(spec_l1tf_unmitigated(&bochs));
}

static void test_ibpb_between_vms(void **state)
{
	struct spec_caps none = { 0 }, ibpb = { .cpuid7_edx = CPUID7_EDX_IBRS_IBPB };

	(void)state;
	assert_false(spec_switch_needs_ibpb(&ibpb, 0, 1));	/* first VM on this pCPU: no guest before */
	assert_true(spec_switch_needs_ibpb(&ibpb, 1, 2));	/* another VM */
	assert_false(spec_switch_needs_ibpb(&ibpb, 2, 2));	/* the same VM again */
	assert_false(spec_switch_needs_ibpb(&none, 1, 2));	/* the CPU has no IBPB */
}

static void test_cpuid_filter(void **state)
{
	u32 r[4] = { 1, 2, 3, 0xffffffff }, r2[4] = { 0, 0, 0, 0xff }, r1[4] = { 7, 7, 7, 7 };

	(void)state;
	spec_cpuid_filter(7, 0, r);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], 2);
	assert_int_equal(r[2], 3);
	/* MCU_OPT_CTRL, TSX_FORCE_ABORT, CORE_CAPABILITIES gone; the handled ones kept */
	assert_int_equal(r[3], 0xffffffffu & ~(CPUID7_EDX_SRBDS_CTRL | CPUID7_EDX_TSX_FORCE_ABORT |
					       CPUID7_EDX_CORE_CAP));
	assert_true(r[3] & CPUID7_EDX_IBRS_IBPB);
	assert_true(r[3] & CPUID7_EDX_MD_CLEAR);
	assert_true(r[3] & CPUID7_EDX_ARCH_CAP);
	/* sub-leaf 2: the SPEC_CTRL bits past SSBD gone, MCDT_NO (bit 5) and up kept */
	spec_cpuid_filter(7, 2, r2);
	assert_int_equal(r2[3], 0xe0);
	/* other leaves untouched */
	spec_cpuid_filter(1, 0, r1);
	assert_int_equal(r1[3], 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_ctrl_bits),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_arch_caps),
		cmocka_unit_test(test_entry_work),
		cmocka_unit_test(test_ibpb_between_vms),
		cmocka_unit_test(test_cpuid_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
