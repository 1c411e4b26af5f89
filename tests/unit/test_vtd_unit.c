/*
 * Unit tests for one remapping unit against the model in test_vtd_fakehw.c:
 * capability decode, bring-up order, invalidation (queued and register
 * based), fault draining and the rate-limited fault log (vtd/unit.c,
 * vtd/inval.c, vtd/fault.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "test_vtd_fakehw.h"

static struct vtd_unit *u;

static void attach(u64 cap, u64 ecap)
{
	fake_caps(0, cap, ecap);
	fake_attach(0);
	u = &vtd_sys.units[0];
	vtd_sys.nr_units = 1;
	assert_int_equal(vtd_unit_probe(u), 0);
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

/* Log line @a comes before @b (both present). */
static void before(const char *a, const char *b)
{
	int ia = fake_find(a, 0), ib = fake_find(b, 0);

	if (ia < 0 || ib < 0 || ia >= ib) {
		fake_dump_log();
		fail_msg("'%s' (%d) should precede '%s' (%d)", a, ia, b, ib);
	}
}

static void test_caps(void **state)
{
	struct vtd_caps c;

	(void)state;
	/* what QEMU 7.2 reports for intel-iommu,intremap=on,eim=off */
	vtd_caps_decode(0x00d2008c22260206ULL, 0x0000000000f00f4aULL, &c);
	assert_int_equal(c.nr_domains, 65536);
	assert_int_equal(c.sagaw, 2);
	assert_true(vtd_caps_has_levels(&c, 3));
	assert_false(vtd_caps_has_levels(&c, 4));
	assert_int_equal(c.mgaw, 39);
	assert_int_equal(c.fro, 0x22);
	assert_int_equal(c.nr_fault_regs, 1);
	assert_true(c.sl_2m);
	assert_true(c.sl_1g);
	assert_true(c.psi);
	assert_int_equal(c.mamv, 0x12);
	assert_true(c.drain_read);
	assert_true(c.drain_write);
	assert_false(c.cm);
	assert_false(c.rwbf);
	assert_false(c.coherent);
	assert_true(c.qi);
	assert_true(c.ir);
	assert_false(c.eim);
	assert_true(c.pt);
	assert_int_equal(c.iro, 0xf);
	/* caching-mode=on,aw-bits=48 */
	vtd_caps_decode(0x00d2008c222f0686ULL, 0x0000000000f00f4aULL, &c);
	assert_true(c.cm);
	assert_true(vtd_caps_has_levels(&c, 3));
	assert_true(vtd_caps_has_levels(&c, 4));
	assert_int_equal(c.mgaw, 48);
	vtd_caps_decode(FAKE_CAP_BASE | FAKE_CAP_CM | FAKE_CAP_RWBF, FAKE_ECAP_C, &c);
	assert_int_equal(c.nr_domains, 256);
	assert_true(c.cm);
	assert_true(c.rwbf);
	assert_true(c.coherent);
	assert_false(c.qi);
	assert_false(c.ir);
	assert_true(vtd_caps_has_levels(&c, 3));
	assert_true(vtd_caps_has_levels(&c, 4));
	assert_false(vtd_caps_has_levels(&c, 5));
	assert_int_equal(c.nr_fault_regs, 4);
	/* a unit with no registers, and one with only 5-level tables */
	fake_attach(0);
	assert_int_equal(vtd_unit_probe(&vtd_sys.units[0]), -ENODEV);
	fake_caps(0, 0x8ULL << 8, 0);
	assert_int_equal(vtd_unit_probe(&vtd_sys.units[0]), -ENODEV);
}

static void test_bringup_order(void **state)
{
	u32 gsts;

	(void)state;
	attach(FAKE_CAP_BASE, FAKE_ECAP_QI | FAKE_ECAP_IR);
	assert_int_equal(vtd_unit_bringup(u, true, 0xEE, 2), 0);
	before("u0 fectl 80000000", "u0 fedata ee");
	before("u0 fedata ee", "u0 feaddr fee02000");
	before("u0 feaddr fee02000", "u0 rtaddr");
	before("u0 rtaddr", "u0 srtp");
	before("u0 srtp", "u0 iqa");
	before("u0 iqa", "u0 qie=1");
	before("u0 qie=1", "u0 qi cc g=1");
	before("u0 qi cc g=1", "u0 qi iotlb g=1");
	before("u0 qi iotlb g=1", "u0 irta");
	before("u0 irta", "u0 sirtp");
	before("u0 sirtp", "u0 qi iec g=0");
	before("u0 qi iec g=0", "u0 ire=1");
	before("u0 ire=1", "u0 te=1");
	before("u0 te=1", "u0 fectl 00000000");
	assert_int_equal(fake_count("u0 gcmd bad"), 0);		/* one-shot bits never written back */
	assert_int_equal(fake_count("u0 cfi"), 0);		/* compatibility format stays blocked */
	assert_int_equal(fake_count("u0 wbf"), 0);		/* no RWBF: no write-buffer flushes */
	gsts = fake_reg32(0, VTD_REG_GSTS);
	assert_int_equal(gsts, VTD_GCMD_TE | VTD_GCMD_SRTP | VTD_GCMD_QIE | VTD_GCMD_IRE |
			 VTD_GCMD_SIRTP);
	assert_int_equal(fake_reg64(0, VTD_REG_RTADDR), (u64)(uintptr_t)u->root);
	assert_int_equal(fake_reg64(0, VTD_REG_IRTA), (u64)(uintptr_t)u->irt | VTD_IRT_ORDER);
	assert_int_equal(fake_reg64(0, VTD_REG_IQA), (u64)(uintptr_t)u->qi);
	/* not coherent: every table the unit reads was written back from the caches */
	assert_true(fake_was_flushed(u->root, 4096));
	assert_true(fake_was_flushed(u->irt, 4096));
	assert_true(fake_was_flushed(u->qi, 16));
}

static void test_bringup_register_based(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE | FAKE_CAP_RWBF, FAKE_ECAP_C);
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), 0);
	before("u0 srtp", "u0 reg cc g=1 did=0 sid=0000");
	before("u0 reg cc g=1", "u0 reg iotlb g=1");
	before("u0 reg iotlb g=1", "u0 wbf");
	before("u0 wbf", "u0 te=1");
	assert_int_equal(fake_count("u0 qi"), 0);
	assert_int_equal(fake_count("u0 irta"), 0);
	assert_null(u->qi);
	assert_null(u->irt);
	assert_int_equal(fake_flushes, 0);			/* coherent: no clflush */
	assert_int_equal(vtd_inv_iec(u, true, 0), -ENOTSUP);
}

static void test_bringup_quiesces_firmware_state(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE | BIT(5), FAKE_ECAP_QI);		/* PLMR */
	fake_set_reg32(0, VTD_REG_GSTS, VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE);
	fake_set_reg32(0, VTD_REG_PMEN, BIT(31) | BIT(0));
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), 0);
	before("u0 te=0", "u0 ire=0");
	before("u0 ire=0", "u0 qie=0");
	before("u0 qie=0", "u0 rtaddr");
	before("u0 te=1", "u0 pmen 0");
	assert_int_equal(fake_reg32(0, VTD_REG_PMEN), 0);
}

static void test_bringup_timeout_and_oom(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE, FAKE_ECAP_QI);
	fake_units[0].stuck = true;
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), -ETIMEDOUT);
	assert_true(fake_relax >= VTD_POLL_US && fake_relax <= VTD_POLL_US + 1);
	fake_reset();
	attach(FAKE_CAP_BASE, FAKE_ECAP_QI);
	fake_fail_alloc = 1;					/* root yes, queue no */
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), -ENOMEM);
	assert_int_equal(fake_count("u0 te=1"), 0);
}

static void test_invalidation_encoding(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE, FAKE_ECAP_QI);
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), 0);
	fake_nlog = 0;
	assert_int_equal(vtd_inv_context(u, VTD_INV_DEVICE, 5, 0x18), 0);
	assert_string_equal(fake_log[0], "u0 qi cc g=3 did=5 sid=0018");
	assert_string_equal(fake_log[1], "u0 qi wait");
	assert_int_equal(vtd_inv_iotlb(u, VTD_INV_PAGE, 5, 0x200000, 9), 0);
	assert_string_equal(fake_log[2], "u0 qi iotlb g=3 did=5 addr=200000 am=9");
	assert_int_equal(vtd_inv_iotlb(u, VTD_INV_PAGE, 5, 0x200000, 10), 0);	/* above MAMV */
	assert_string_equal(fake_log[4], "u0 qi iotlb g=2 did=5 addr=0 am=0");
	assert_int_equal(vtd_inv_iec(u, false, 7), 0);
	assert_string_equal(fake_log[6], "u0 qi iec g=1 idx=7");
	assert_int_equal(u->qi_status, u->qi_seq);
	/* the ring wraps */
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(vtd_inv_iec(u, true, 0), 0);
	assert_int_equal(fake_reg64(0, VTD_REG_IQH), fake_reg64(0, VTD_REG_IQT));
	assert_int_equal(u->qi_tail, (2 + 4 + 300) * 2 % VTD_QI_ENTRIES);	/* bring-up 2, here 4 + 300 */
}

static void test_register_invalidation(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE | BIT(54) | BIT(55), 0);		/* DWD, DRD */
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), 0);
	fake_nlog = 0;
	assert_int_equal(vtd_inv_context(u, VTD_INV_DEVICE, 3, 0x0208), 0);
	assert_string_equal(fake_log[0], "u0 reg cc g=3 did=3 sid=0208");
	assert_int_equal(vtd_inv_iotlb(u, VTD_INV_PAGE, 3, 0x7000, 0), 0);
	assert_string_equal(fake_log[1], "u0 reg iotlb g=3 did=3 addr=7000 am=0 dr=1 dw=1");
	u->caps.psi = false;
	assert_int_equal(vtd_inv_iotlb(u, VTD_INV_PAGE, 3, 0x7000, 0), 0);
	assert_string_equal(fake_log[2], "u0 reg iotlb g=2 did=3 addr=0 am=0 dr=1 dw=1");
	/* a unit that never completes */
	fake_units[0].stuck = true;
	fake_relax = 0;
	assert_int_equal(vtd_inv_context(u, VTD_INV_GLOBAL, 0, 0), -ETIMEDOUT);
	assert_int_equal(fake_relax, VTD_POLL_US);
	assert_int_equal(vtd_inv_iotlb(u, VTD_INV_GLOBAL, 0, 0, 0), -ETIMEDOUT);
}

static void test_queue_error(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE, FAKE_ECAP_QI);
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), 0);
	fake_units[0].reject_next_qi = true;
	assert_int_equal(vtd_inv_context(u, VTD_INV_GLOBAL, 0, 0), -EIO);
	before("u0 qi error", "u0 iqe cleared");
	assert_false(fake_reg32(0, VTD_REG_FSTS) & VTD_FSTS_IQE);
	/* the queue moved on: the next request works */
	fake_nlog = 0;
	assert_int_equal(vtd_inv_context(u, VTD_INV_GLOBAL, 0, 0), 0);
	assert_string_equal(fake_log[0], "u0 qi cc g=1 did=0 sid=0000");
}

static void test_psi_plan(void **state)
{
	struct vtd_psi p[8];

	(void)state;
	assert_int_equal(vtd_psi_plan(0x200000, 0x200000, 9, p, 8), 1);
	assert_int_equal(p[0].addr, 0x200000);
	assert_int_equal(p[0].am, 9);
	assert_int_equal(vtd_psi_plan(0x1000, 0x3000, 9, p, 8), 2);
	assert_int_equal(p[0].addr, 0x1000);
	assert_int_equal(p[0].am, 0);
	assert_int_equal(p[1].addr, 0x2000);
	assert_int_equal(p[1].am, 1);
	assert_int_equal(vtd_psi_plan(0, 0x400000, 9, p, 8), 2);
	assert_int_equal(p[1].addr, 0x200000);
	assert_int_equal(vtd_psi_plan(0, 0x3000, 0, p, 8), 3);		/* MAMV 0: page by page */
	assert_int_equal(vtd_psi_plan(0, 0x9000, 0, p, 8), 0);		/* too many: use the domain */
	assert_int_equal(vtd_psi_plan(0x1800, 0x100, 9, p, 8), 1);	/* rounded to pages */
	assert_int_equal(p[0].addr, 0x1000);
	assert_int_equal(p[0].am, 0);
}

static void test_iotlb_range(void **state)
{
	(void)state;
	attach(FAKE_CAP_BASE, FAKE_ECAP_QI);
	assert_int_equal(vtd_unit_bringup(u, false, 0xEE, 0), 0);
	fake_nlog = 0;
	assert_int_equal(vtd_inv_iotlb_range(u, 4, 0x1000, 0x3000), 0);
	assert_int_equal(fake_count("u0 qi iotlb g=3 did=4"), 2);
	fake_nlog = 0;
	u->caps.mamv = 0;
	assert_int_equal(vtd_inv_iotlb_range(u, 4, 0, 0x20000), 0);	/* 32 pages > 8 */
	assert_int_equal(fake_count("u0 qi iotlb g=3"), 0);
	assert_int_equal(fake_count("u0 qi iotlb g=2 did=4"), 1);
}

static void test_fault_drain(void **state)
{
	struct vtd_fault f[4];

	(void)state;
	attach(FAKE_CAP_BASE, 0);
	/* records 2, 3, then 0 (wrapping), record 1 clear */
	fake_fault(0, 2, 0x1000, (0x05ULL << 32) | 0x18);
	fake_fault(0, 3, 0x2000, BIT(62) | (0x06ULL << 32) | 0x18);
	fake_fault(0, 0, 0x0007000000000000ULL, (0x26ULL << 32) | 0x20);
	fake_set_reg32(0, VTD_REG_FSTS, fake_reg32(0, VTD_REG_FSTS) | VTD_FSTS_PFO);
	assert_int_equal(vtd_unit_fault_drain(u, f, 4), 3);
	assert_int_equal(f[0].addr, 0x1000);
	assert_false(f[0].read);
	assert_int_equal(f[1].addr, 0x2000);
	assert_true(f[1].read);
	assert_true(f[2].ir);
	assert_int_equal(f[2].index, 7);
	assert_int_equal(f[2].sid, 0x20);
	for (unsigned i = 0; i < 4; i++)
		assert_false(fake_reg64(0, FAKE_FRO * 16 + i * 16 + 8) & VTD_FRCD_F);
	assert_int_equal(fake_reg32(0, VTD_REG_FSTS) & (VTD_FSTS_PPF | VTD_FSTS_PFO), 0);
	assert_int_equal(vtd_unit_fault_drain(u, f, 4), 0);
	/* more records than room: all cleared, the first kept */
	fake_fault(0, 1, 0x5000, 0x05ULL << 32);
	fake_fault(0, 2, 0x6000, 0x05ULL << 32);
	assert_int_equal(vtd_unit_fault_drain(u, f, 1), 2);
	assert_int_equal(f[0].addr, 0x5000);
	assert_false(fake_reg32(0, VTD_REG_FSTS) & VTD_FSTS_PPF);
}

static void test_fault_handle_ratelimit(void **state)
{
	struct vtd_fault last;
	u64 before_count;

	(void)state;
	attach(FAKE_CAP_BASE, 0);
	before_count = vtd_fault_count();
	fake_now = 5000000;
	for (unsigned i = 0; i < 15; i++) {
		fake_fault(0, 0, 0x1000 * (i + 1), (0x05ULL << 32) | 0x18);
		vtd_fault_handle();
	}
	assert_int_equal(vtd_fault_count() - before_count, 15);
	assert_int_equal(u->nr_faults, 15);
	assert_true(vtd_fault_last(&last));
	assert_int_equal(last.addr, 0xf000);
	assert_int_equal(u->rl.printed, VTD_FAULT_BURST);
	assert_int_equal(u->rl.suppressed, 5);
	/* a second later: logged again, the suppressed ones summarised */
	fake_now += 1000000;
	fake_fault(0, 1, 0x99000, (0x05ULL << 32) | 0x18);
	vtd_fault_handle();
	assert_int_equal(u->rl.suppressed, 0);
	assert_int_equal(u->rl.printed, 1);
	assert_false(fake_reg32(0, VTD_REG_FSTS) & VTD_FSTS_PPF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bringup_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bringup_register_based, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bringup_quiesces_firmware_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bringup_timeout_and_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidation_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_psi_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iotlb_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_handle_ratelimit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
