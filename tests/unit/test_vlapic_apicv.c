/*
 * The vLAPIC's side of APIC virtualization (dm/vlapic_apicv.c): level
 * vectors staged until the owner has their EOI-exit bit, IRR/ISR/TMR as the
 * owner copies them into the VMCS, EOIs the CPU reports.
 */
#include "vlapic_fixture.h"

static bool staged(struct vlapic *l, u8 v)
{
	return (l->level_staged[v >> 5] >> (v & 31)) & 1;
}

/* Edge vectors go straight to IRR, level ones wait in the stage (TMR set at once). */
static void test_level_staged(void **state)
{
	struct vlapic *l = &cpu[1];
	u32 bits[8];

	(void)state;
	enable_all();
	vlapic_set_apicv(l, true);
	vlapic_accept_irq(l, 0x41, false);
	assert_true(irr(l, 0x41));
	assert_false(staged(l, 0x41));
	nkicks = 0;
	vlapic_accept_irq(l, 0x92, true);
	assert_false(irr(l, 0x92));
	assert_true(staged(l, 0x92));
	assert_true(vec_in(l, APIC_TMR, 0x92));
	assert_int_equal(nkicks, 1);
	assert_int_equal(l->irr_hint, 1);
	assert_int_equal(vlapic_highest_irr(l), 0x41);

	assert_true(vlapic_take_staged(l, bits));
	assert_int_equal(bits[0x92 >> 5], 1u << (0x92 & 31));
	assert_false(staged(l, 0x92));
	assert_false(vlapic_take_staged(l, bits));
	vlapic_irr_merge(l, (u32[8]){ [0x92 >> 5] = 1u << (0x92 & 31) });
	assert_true(irr(l, 0x92));
	assert_int_equal(vlapic_highest_irr(l), 0x92);
	assert_int_equal(irr_count(l), 2);
}

/* Without APICv (or after switching it off) a level vector is in IRR at once. */
static void test_level_emulated(void **state)
{
	struct vlapic *l = &cpu[2];

	(void)state;
	enable_all();
	vlapic_accept_irq(l, 0x93, true);
	assert_true(irr(l, 0x93));
	vlapic_set_apicv(l, true);
	vlapic_accept_irq(l, 0x94, true);
	assert_false(irr(l, 0x94));
	vlapic_set_apicv(l, false);		/* the staged one is not lost */
	assert_true(irr(l, 0x94));
	assert_false(staged(l, 0x94));
	assert_int_equal(vlapic_pending_vector(l), 0x94);
}

/* An INIT's reset drops what was staged with the rest of the state. */
static void test_reset_clears_stage(void **state)
{
	struct vlapic *l = &cpu[1];
	u32 bits[8];

	(void)state;
	enable_all();
	vlapic_set_apicv(l, true);
	vlapic_accept_irq(l, 0x70, true);
	vlapic_reset(l);
	assert_false(vlapic_take_staged(l, bits));
	assert_int_equal(vlapic_highest_irr(l), -1);
	assert_int_equal(vlapic_highest_isr(l), -1);
}

/* TMR as four 64-bit words, the EOI-exit bitmap's layout. */
static void test_tmr_bitmap(void **state)
{
	struct vlapic *l = &cpu[0];
	u64 tmr[4];

	(void)state;
	enable_all();
	vlapic_accept_irq(l, 0x21, true);
	vlapic_accept_irq(l, 0x61, true);
	vlapic_accept_irq(l, 0xFF, true);
	vlapic_accept_irq(l, 0x40, false);
	vlapic_tmr_bitmap(l, tmr);
	assert_int_equal(tmr[0], 1ULL << 0x21);
	assert_int_equal(tmr[1], 1ULL << (0x61 - 64));
	assert_int_equal(tmr[2], 0);
	assert_int_equal(tmr[3], 1ULL << 63);
	/* the same vector edge-triggered clears its TMR bit */
	vlapic_accept_irq(l, 0x21, false);
	vlapic_tmr_bitmap(l, tmr);
	assert_int_equal(tmr[0], 0);
}

/* The CPU reports an EOI: only a vector still level-triggered goes on to eoi(). */
static void test_eoi_exit(void **state)
{
	struct vlapic *l = &cpu[0];

	(void)state;
	enable_all();
	vlapic_accept_irq(l, 0x55, true);
	vlapic_eoi_exit(l, 0x55);
	assert_int_equal(neois, 1);
	assert_int_equal(eoi_vec[0], 0x55);
	vlapic_accept_irq(l, 0x55, false);
	vlapic_eoi_exit(l, 0x55);
	assert_int_equal(neois, 1);
}

/* Highest ISR for SVI, from what the emulated path left in the page. */
static void test_isr_for_svi(void **state)
{
	struct vlapic *l = &cpu[0];

	(void)state;
	enable_all();
	vlapic_accept_irq(l, 0x30, false);
	vlapic_accept_irq(l, 0x80, false);
	assert_int_equal(vlapic_pending_vector(l), 0x80);
	vlapic_ack(l, 0x80);
	assert_int_equal(vlapic_highest_isr(l), 0x80);
	assert_int_equal(vlapic_highest_irr(l), 0x30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_level_staged, setup),
		cmocka_unit_test_setup(test_level_emulated, setup),
		cmocka_unit_test_setup(test_reset_clears_stage, setup),
		cmocka_unit_test_setup(test_tmr_bitmap, setup),
		cmocka_unit_test_setup(test_eoi_exit, setup),
		cmocka_unit_test_setup(test_isr_for_svi, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
