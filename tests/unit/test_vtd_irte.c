/* Unit tests for IRTE encoding/validation and the remappable formats (vtd/irte.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "pci.h"
#include "vtd_ir.h"

static const struct vtd_irte_cfg base = {
	.vector = 0x31, .dest = 3, .delivery = VTD_DLM_FIXED,
	.svt = VTD_SVT_SID, .sq = 0, .sid = PCI_BDF(0, 3, 0),
};

static void test_encode_xapic(void **state)
{
	struct vtd_irte_cfg c = base;
	u64 e[2];

	(void)state;
	assert_int_equal(vtd_irte_encode(&c, e), 0);
	/* P, fixed, physical, edge, vector 0x31, APIC id 3 in bits 47:40 */
	assert_int_equal(e[0], 0x1ULL | (0x31ULL << 16) | (3ULL << 40));
	/* SID 00:03.0, SQ 0, SVT 01 */
	assert_int_equal(e[1], 0x18ULL | (1ULL << 18));
	c.level = true;
	c.dest_logical = true;
	c.delivery = VTD_DLM_LOWPRI;
	c.dest = 0xff;
	c.sq = 3;
	assert_int_equal(vtd_irte_encode(&c, e), 0);
	assert_int_equal(e[0], 0x1ULL | VTD_IRTE_DM | VTD_IRTE_TM | (1ULL << 5) | (0x31ULL << 16) |
			 (0xffULL << 40));
	assert_int_equal(e[1], 0x18ULL | (3ULL << 16) | (1ULL << 18));
	/* the bus-range form: SID = start bus << 8 | end bus */
	c = base;
	c.svt = VTD_SVT_BUS;
	c.sid = 0x0205;
	assert_int_equal(vtd_irte_encode(&c, e), 0);
	assert_int_equal(e[1], 0x0205ULL | (2ULL << 18));
}

static void test_encode_x2apic(void **state)
{
	struct vtd_irte_cfg c = base;
	u64 e[2];

	(void)state;
	c.x2apic = true;
	c.dest = 0x12345;
	assert_int_equal(vtd_irte_encode(&c, e), 0);
	assert_int_equal(e[0] >> 32, 0x12345);
}

static void test_encode_rejects(void **state)
{
	struct vtd_irte_cfg c;
	u64 e[2];

	(void)state;
	c = base; c.vector = 15;
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	assert_int_equal(e[0], 0);			/* never a half-built present entry */
	c = base; c.dest = 256;
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.svt = VTD_SVT_NONE;			/* no source check: refused */
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.svt = 3;
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.sq = 4;
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.delivery = 2;			/* SMI */
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.delivery = 4;			/* NMI */
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.svt = VTD_SVT_BUS; c.sid = 0x0502;	/* start bus above end bus */
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
	c = base; c.svt = VTD_SVT_BUS; c.sid = 0x0205; c.sq = 1;
	assert_int_equal(vtd_irte_encode(&c, e), -EINVAL);
}

static void test_decode(void **state)
{
	struct vtd_irte_cfg c = base, d;
	u64 e[2], bad[2];

	(void)state;
	c.level = true;
	c.sq = 2;
	assert_int_equal(vtd_irte_encode(&c, e), 0);
	assert_int_equal(vtd_irte_decode(e, false, &d), 0);
	assert_int_equal(d.vector, 0x31);
	assert_int_equal(d.dest, 3);
	assert_true(d.level);
	assert_false(d.dest_logical);
	assert_int_equal(d.sid, c.sid);
	assert_int_equal(d.sq, 2);
	assert_int_equal(d.svt, VTD_SVT_SID);
	e[0] &= ~VTD_IRTE_P;
	assert_int_equal(vtd_irte_decode(e, false, &d), -ENOENT);
	e[0] |= VTD_IRTE_P;
	/* reserved bits, posted format, xAPIC destination bits outside 47:40 */
	static const u64 lo_bits[] = { BIT(12), BIT(14), BIT(24), BIT(31), VTD_IRTE_IM, BIT(32), BIT(48), BIT(63) };
	for (unsigned i = 0; i < ARRAY_SIZE(lo_bits); i++) {
		bad[0] = e[0] | lo_bits[i];
		bad[1] = e[1];
		assert_int_equal(vtd_irte_decode(bad, false, &d), -EINVAL);
	}
	bad[0] = e[0] | BIT(48);
	assert_int_equal(vtd_irte_decode(bad, true, &d), 0);	/* fine in x2APIC format */
	bad[0] = e[0];
	bad[1] = e[1] | BIT(20);
	assert_int_equal(vtd_irte_decode(bad, false, &d), -EINVAL);
	bad[1] = e[1] | (3ULL << 18);				/* SVT 11 is reserved */
	assert_int_equal(vtd_irte_decode(bad, false, &d), -EINVAL);
	/* AVAIL bits 11:8 belong to software */
	bad[0] = e[0] | (0xfULL << 8);
	bad[1] = e[1];
	assert_int_equal(vtd_irte_decode(bad, false, &d), 0);
}

static void test_source_check(void **state)
{
	struct vtd_irte_cfg c = base;
	u64 e[2];

	(void)state;
	c.sid = PCI_BDF(1, 2, 5);
	assert_int_equal(vtd_irte_encode(&c, e), 0);
	assert_true(vtd_irte_source_ok(e, PCI_BDF(1, 2, 5)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(1, 2, 4)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(1, 3, 5)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(0, 2, 5)));
	/* SQ 1 ignores function bit 2, 2 bits 2:1, 3 bits 2:0 */
	c.sq = 1;
	vtd_irte_encode(&c, e);
	assert_true(vtd_irte_source_ok(e, PCI_BDF(1, 2, 1)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(1, 2, 4)));
	c.sq = 2;
	vtd_irte_encode(&c, e);
	assert_true(vtd_irte_source_ok(e, PCI_BDF(1, 2, 3)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(1, 2, 4)));
	c.sq = 3;
	vtd_irte_encode(&c, e);
	assert_true(vtd_irte_source_ok(e, PCI_BDF(1, 2, 0)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(1, 3, 5)));
	/* bus range 2..5 */
	c = base;
	c.svt = VTD_SVT_BUS;
	c.sid = 0x0205;
	vtd_irte_encode(&c, e);
	assert_true(vtd_irte_source_ok(e, PCI_BDF(2, 0, 0)));
	assert_true(vtd_irte_source_ok(e, PCI_BDF(5, 31, 7)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(1, 0, 0)));
	assert_false(vtd_irte_source_ok(e, PCI_BDF(6, 0, 0)));
	/* no verification, and the reserved type */
	e[1] = 0;
	assert_true(vtd_irte_source_ok(e, 0x1234));
	e[1] = 3ULL << 18;
	assert_false(vtd_irte_source_ok(e, 0));
}

static void test_grant(void **state)
{
	struct vtd_irq_grant g = { .sid = base.sid, .vec_min = 0x30, .vec_max = 0x3f };
	struct vtd_irte_cfg c = base;

	(void)state;
	g.dest_mask[0] = BIT(3);
	g.dest_mask[3] = BIT(63);	/* APIC id 255 */
	assert_int_equal(vtd_irte_check_grant(&c, &g), 0);
	c.dest = 255;
	assert_int_equal(vtd_irte_check_grant(&c, &g), 0);
	c = base; c.dest = 2;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);	/* not its CPU */
	c = base; c.vector = 0x40;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);	/* not its vector */
	c = base; c.vector = 0x2f;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);
	c = base; c.sid = PCI_BDF(0, 4, 0);
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);	/* not its device */
	c = base; c.sq = 3;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);	/* would admit siblings */
	c = base; c.svt = VTD_SVT_BUS; c.sid = 0x0000;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);
	c = base; c.svt = VTD_SVT_NONE;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);
	c = base; c.dest_logical = true;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);
	c = base; c.x2apic = true; c.dest = 0x100;
	assert_int_equal(vtd_irte_check_grant(&c, &g), -EPERM);
}

static void test_msi_format(void **state)
{
	u16 idx;

	(void)state;
	assert_int_equal(vtd_msi_addr(0), 0xFEE00010);
	assert_int_equal(vtd_msi_addr(5), 0xFEE00010 | (5 << 5));
	assert_int_equal(vtd_msi_addr(0x8001), 0xFEE00010 | (1 << 5) | BIT(2));
	assert_int_equal(vtd_msi_addr(0x7fff), 0xFEE00010 | (0x7fff << 5));
	for (u32 i = 0; i <= 0xffff; i += 0x3f1) {
		assert_int_equal(vtd_msi_index(vtd_msi_addr(i), 0, &idx), 0);
		assert_int_equal(idx, i);
	}
	/* SHV: the data adds a sub-handle */
	assert_int_equal(vtd_msi_index(vtd_msi_addr(8) | BIT(3), 2, &idx), 0);
	assert_int_equal(idx, 10);
	assert_int_equal(vtd_msi_index(vtd_msi_addr(0xffff) | BIT(3), 1, &idx), -EINVAL);
	/* compatibility format, and not an interrupt address at all */
	assert_int_equal(vtd_msi_index(0xFEE03000, 0x41, &idx), -EINVAL);
	assert_int_equal(vtd_msi_index(0xFED00010, 0, &idx), -EINVAL);
}

static void test_ioapic_rte(void **state)
{
	u64 rte;

	(void)state;
	rte = vtd_ioapic_rte(5, 0x41, false, false, false);
	assert_int_equal(rte, 0x41ULL | BIT(48) | (5ULL << 49));
	rte = vtd_ioapic_rte(0x8003, 0x42, true, true, true);
	assert_int_equal(rte, 0x42ULL | BIT(11) | BIT(13) | BIT(15) | BIT(16) | BIT(48) | (3ULL << 49));
	/* the index survives the round trip through both fields */
	rte = vtd_ioapic_rte(0xffff, 0x20, false, false, false);
	assert_int_equal(((rte >> 49) & 0x7fff) | (((rte >> 11) & 1) << 15), 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_xapic),
		cmocka_unit_test(test_encode_x2apic),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_source_check),
		cmocka_unit_test(test_grant),
		cmocka_unit_test(test_msi_format),
		cmocka_unit_test(test_ioapic_rte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
